package org.deqsweep.sweep.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.sweep.spec.SweepSpec;

/** {@code _sweep.json}: the spec (raw and resolved), the grid, the plan, versions and timings. */
public final class Manifest {
    /** The manifest's status while the sweep runs, once it has finished, and once it has stopped on a failure. */
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ObjectNode root;

    public Manifest(SweepSpec plan, SparkSession spark, Instant started, long gridSize, long included,
             int partitions, long waveSize, long waves, boolean resume, long alreadyPresent) {
        root = JSON.createObjectNode();
        root.put("name", plan.name());
        root.put("description", plan.description());
        root.put("status", RUNNING);
        ObjectNode spec = root.putObject("spec");
        spec.put("source", plan.sourceName());
        spec.put("raw", plan.rawText());
        spec.putPOJO("set_overrides", plan.overrides());
        spec.set("resolved", parse(plan.canonicalJson()));
        root.put("grid_size", gridSize);
        root.put("included_points", included);
        root.putPOJO("varying_keys", plan.varyingKeys());
        root.put("partitions", partitions);
        root.put("wave_size", waveSize);
        root.put("waves", waves);
        root.put("resumed", resume);
        root.put("already_present", alreadyPresent);
        root.put("master", spark.sparkContext().master());
        root.put("default_parallelism", spark.sparkContext().defaultParallelism());
        ObjectNode v = root.putObject("versions");
        v.put("project", projectVersion());
        v.put("spark", spark.version());
        v.put("scala", scala.util.Properties.versionNumberString());
        v.put("java", System.getProperty("java.version"));
        root.put("started", started.toString());
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    /**
     * The refinement's state (DESIGN 4.7), replaced at each round: the settings, and per group its keys,
     * state, rounds, bracket and runs spent. {@code report} and a reader of an unfinished sweep see where it stands.
     */
    public synchronized void refinement(String key, java.util.List<TableBuilder.RefinedBracket> groups) {
        ObjectNode node = root.putObject("refinement");
        node.put("key", key);
        node.put("groups", groups.size());
        node.put("groups_done", groups.stream().filter(g -> !g.state().equals("RUNNING")).count());
        node.put("runs", groups.stream().mapToLong(TableBuilder.RefinedBracket::runs).sum());
        com.fasterxml.jackson.databind.node.ArrayNode list = node.putArray("by_group");
        for (TableBuilder.RefinedBracket g : groups) {
            ObjectNode o = list.addObject();
            o.putPOJO("keys", g.keys());
            o.put("state", g.state());
            o.put("rounds", g.rounds());
            putNullable(o, "lower", g.lower());
            putNullable(o, "upper", g.upper());
            putNullable(o, "relative_width", g.relativeWidth());
            o.put("runs", g.runs());
            if (g.reason() != null) {
                o.put("reason", g.reason());
            }
        }
    }

    private static void putNullable(ObjectNode o, String k, Double v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    /** The Spark jobs of waves this command ran: automatic waves grow, so fewer than the planned {@code waves}. */
    public synchronized void wavesRun(long jobs) {
        root.put("waves_run", jobs);
    }

    /** Why the sweep stopped (one line), for a manifest written as "failed". */
    public void failure(String reason) {
        String line = reason.lines().findFirst().orElse("");
        root.put("failure", line.length() > 500 ? line.substring(0, 500) + "..." : line);
    }

    public synchronized void write(OutputDir out, String status, Instant finished, double wallSeconds, Map<String, Long> statusCounts) {
        root.put("status", status);
        if (finished != null) {
            root.put("finished", finished.toString());
            root.put("wall_seconds", Math.round(wallSeconds * 10) / 10.0);
            root.putPOJO("status_counts", statusCounts);
            root.put("runs", statusCounts.values().stream().mapToLong(Long::longValue).sum());
        }
        try {
            out.writeAtomically(out.manifest(), JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the manifest " + OutputDir.show(out.manifest()), e);
        }
    }

    public static String projectVersion() {
        try (InputStream in = Manifest.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}

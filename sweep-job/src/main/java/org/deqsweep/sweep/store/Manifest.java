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

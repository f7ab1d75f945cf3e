package org.deqsweep.sweep.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SparkConnectService;
import org.apache.spark.sql.connect.service.SparkConnectService$;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.UsageException;
import org.deqsweep.sweep.store.SweepSource;
import scala.Option;

/**
 * The SQL endpoint of {@code serve} (DESIGN 6.1): a Spark Connect server in this JVM over the sweeps'
 * catalogs ({@link Catalog}), which a poller registers again whenever a sweep commits waves or rebuilds
 * its tables, and the server file {@value #SERVER_FILE} in each sweep's directory, by which {@code query}
 * finds the server.
 */
public final class Endpoint implements AutoCloseable {
    /** Written into each served sweep's directory while the server runs; removed when it stops. */
    public static final String SERVER_FILE = "_serve.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One served sweep: its directory and database. */
    public record Served(OutputDir dir, String database) {
    }

    private final SparkSession spark;
    private final List<Served> sweeps;
    private final PrintWriter console;
    private final Map<String, String> fingerprints = new HashMap<>();
    /** Each sweep's server file, as start wrote it; poll writes it again when it is gone (sweep --overwrite). */
    private final Map<String, byte[]> serverFiles = new HashMap<>();
    private volatile boolean started;
    private int port = -1;

    public Endpoint(SparkSession spark, List<Served> sweeps, PrintWriter console) {
        this.spark = spark;
        this.sweeps = List.copyOf(sweeps);
        this.console = console;
    }

    /** The settings the root session needs before it starts: the bind address and port, and fresh file lists. */
    public static Map<String, String> sessionSettings(String bind, int port) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.connect.grpc.binding.address", bind);
        m.put("spark.connect.grpc.binding.port", Integer.toString(port));
        // each query lists the files again: a table sees a sweep's new files and partitions without REFRESH
        m.put("spark.sql.hive.manageFilesourcePartitions", "false");
        m.put("spark.sql.filesourceTableRelationCacheSize", "0");
        // a sweep's tables are small against a shuffle's 16 partitions (spark-defaults.conf): let adaptive
        // execution merge them, so a GROUP BY answers in one reduce task
        m.put("spark.sql.adaptive.coalescePartitions.enabled", "true");
        return m;
    }

    /** Registers every sweep's catalog once; returns the databases with what each holds, for the start-up lines. */
    public synchronized List<String> register() {
        List<String> lines = new ArrayList<>();
        for (Served s : sweeps) {
            lines.add(refresh(s, true));
        }
        if (sweeps.size() == 1) {
            run(Catalog.defaults(spark, sweeps.get(0).database()));
        }
        return lines;
    }

    /**
     * Runs each table's count and a small aggregation once in a session of its own, so the first client's
     * first queries do not pay the planner's and code generator's first use (about 0.5 s each).
     */
    public void warmUp() {
        SparkSession w = spark.newSession();
        for (Served s : sweeps) {
            for (String t : Catalog.TABLES) {
                if (t.equals(org.deqsweep.sweep.store.Tables.CURVES) && Catalog.isView(spark, s.database(), t)) {
                    continue; // a running sweep's curves explode every run's loss array: no warm-up is worth that
                }
                try {
                    w.sql("SELECT count(*) FROM " + Catalog.name(s.database(), t)).collect();
                } catch (RuntimeException e) {
                    // a table the sweep does not have yet
                }
            }
            try {
                w.sql("SELECT status, count(*) AS n FROM " + Catalog.name(s.database(), "runs") + " GROUP BY status ORDER BY status").collect();
            } catch (RuntimeException e) {
                // no runs yet
            }
        }
    }

    /** Registers again the sweeps whose waves or tables changed since the last look; prints a line for each. */
    public synchronized void poll() {
        boolean changed = false;
        for (Served s : sweeps) {
            try {
                // only into the sweep's directory as it is: writing would create a directory someone removed
                if (started && serverFiles.containsKey(s.database()) && !s.dir().exists(serverFile(s.dir()))
                        && s.dir().isDirectory(s.dir().path()) && writeServerFile(s)) {
                    console.println("serve: " + Instant.now().toString().substring(11, 19) + " " + s.database() + ": wrote "
                            + serverFile(s.dir()) + " again (it was removed)");
                    console.flush();
                }
                String line = refresh(s, false);
                if (line != null) {
                    console.println("serve: " + Instant.now().toString().substring(11, 19) + " " + line);
                    console.flush();
                    changed = true;
                }
            } catch (RuntimeException e) {
                console.println("serve: could not refresh " + s.database() + " (" + UsageException.firstLine(e.getMessage()) + "); keeping what it had");
                console.flush();
            }
        }
        if (changed && sweeps.size() == 1) {
            run(Catalog.defaults(spark, sweeps.get(0).database()));
        }
    }

    /** Registers one sweep's catalog when forced or when it changed; null when nothing changed. */
    private String refresh(Served s, boolean force) {
        SweepSource src;
        try {
            src = SweepSource.of(s.dir());
        } catch (IllegalArgumentException e) {
            // a sweep that has not committed its first wave: nothing to show yet
            String before = fingerprints.put(s.database(), "none");
            if (force || !"none".equals(before)) {
                run(List.of("CREATE DATABASE IF NOT EXISTS " + org.deqsweep.sweep.store.Sql.ident(s.database())));
                return s.database() + ": no committed wave yet (" + s.dir() + ")";
            }
            return null;
        }
        String fp = Catalog.fingerprint(src);
        if (!force && fp.equals(fingerprints.get(s.database()))) {
            return null;
        }
        run(Catalog.statements(spark, s.database(), src));
        fingerprints.put(s.database(), fp);
        return s.database() + ": " + (src.kind() == SweepSource.Kind.TABLES
                ? "tables" + (src.complete() ? "" : " (the sweep is not complete)")
                : "views over " + src.dir().committedWaves().size() + " committed waves (the sweep is running)")
                + " from " + s.dir();
    }

    private void run(List<String> statements) {
        for (String st : statements) {
            spark.sql(st);
        }
    }

    /**
     * Starts the Spark Connect service on the session's SparkContext and writes the server files.
     *
     * @return the port it listens on
     * @throws java.net.BindException as Spark throws it when the port is taken
     */
    public synchronized int start(String url) {
        SparkConnectService.start(spark.sparkContext());
        started = true;
        port = SparkConnectService$.MODULE$.localPort();
        for (Served s : sweeps) {
            ObjectNode o = JSON.createObjectNode();
            o.put("url", url.replace("{port}", Integer.toString(port)));
            o.put("database", s.database());
            // the session query commands share (a client may name a session by its UUID): one server-side
            // session set-up for all of them, and no release at each command's end
            o.put("session", java.util.UUID.randomUUID().toString());
            o.put("pid", ProcessHandle.current().pid());
            o.put("host", hostName());
            o.put("started", Instant.now().toString());
            try {
                serverFiles.put(s.database(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            writeServerFile(s);
        }
        return port;
    }

    /** Writes the sweep's server file; a line on the console when it cannot. */
    private boolean writeServerFile(Served s) {
        try {
            s.dir().writeAtomically(serverFile(s.dir()), serverFiles.get(s.database()));
            return true;
        } catch (IOException | RuntimeException e) {
            console.println("serve: could not write " + serverFile(s.dir()) + " (" + UsageException.firstLine(e.getMessage()) + "); query --remote still works");
            console.flush();
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** The server file of a sweep directory. */
    public static Path serverFile(OutputDir dir) {
        return new Path(dir.path(), SERVER_FILE);
    }

    /** This machine's name, as the server file records it. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Stops the service (waiting up to 5 s for queries in flight) and removes the server files. */
    @Override
    public synchronized void close() {
        for (Served s : sweeps) {
            try {
                // only our own: another server may serve the sweep now and have written its file since
                String text = s.dir().readString(serverFile(s.dir()));
                if (text != null && JSON.readTree(text).path("pid").asLong(-1) == ProcessHandle.current().pid()) {
                    s.dir().delete(serverFile(s.dir()));
                }
            } catch (IOException | RuntimeException ignored) {
                // best effort: query checks the server's pid before it trusts the file
            }
        }
        if (started) {
            started = false;
            SparkConnectService.stop(Option.apply((Object) 5000L), Option.apply(TimeUnit.MILLISECONDS));
        }
    }
}

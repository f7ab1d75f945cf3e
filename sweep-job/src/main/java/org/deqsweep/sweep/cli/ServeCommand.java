package org.deqsweep.sweep.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.deqsweep.sweep.engine.Sessions;
import org.deqsweep.sweep.serve.Endpoint;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code serve DIR...}: a Spark Connect server over the sweeps' tables (DESIGN 6.1), one database per
 * sweep, refreshed as the sweeps commit waves or rebuild, until Ctrl-C or SIGTERM.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve sweeps' tables over Spark Connect (one database per sweep) until Ctrl-C or SIGTERM.")
public final class ServeCommand implements Callable<Integer> {
    /** Spark Connect's own default port. */
    static final int DEFAULT_PORT = 15002;
    /** The environment variable Spark Connect reads a pre-shared token from (clients send it as a bearer token). */
    static final String TOKEN_ENV = "SPARK_CONNECT_AUTHENTICATE_TOKEN";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "sweep outputs (<out>/<name>, or <out> holding one sweep); local paths or Hadoop URIs")
    List<String> dirs;

    @Option(names = "--port", defaultValue = "" + DEFAULT_PORT, description = "port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "address to listen on (default: ${DEFAULT-VALUE}, loopback only); anything else exposes every sweep"
                    + " to whoever reaches it: set " + TOKEN_ENV + " first")
    String bind;

    @Option(names = "--poll", defaultValue = "2", paramLabel = "SECONDS", description = "how often to look for new waves and rebuilt tables (default: ${DEFAULT-VALUE})")
    double poll;

    @Option(names = "--master", paramLabel = "M", description = "Spark master (default: local[*])")
    String master;

    @Option(names = "--conf", paramLabel = "k=v", description = "a Spark setting (repeatable)")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) {
            throw new UsageException("--port " + port + " is not a port; allowed: 0 (a free port) to 65535");
        }
        if (!(poll > 0) || !Double.isFinite(poll)) {
            throw new UsageException("--poll " + poll + " must be a positive number of seconds");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (IOException e) {
            throw new UsageException("--bind " + bind + " is not an address of this machine (" + e.getMessage() + ")");
        }
        String token = System.getenv(TOKEN_ENV);
        if (!address.isLoopbackAddress() && (token == null || token.isEmpty())) {
            err.println("serve: WARNING: listening on " + bind + " without " + TOKEN_ENV + ": anyone who reaches this"
                    + " port can read every served sweep, write files as this user and run code in this JVM");
        }
        List<Endpoint.Served> sweeps = sweeps(dirs);
        checkFree(address, port);

        Map<String, String> settings = new LinkedHashMap<>(Endpoint.sessionSettings(bind, port));
        java.nio.file.Path warehouse = Files.createTempDirectory("deq-sweep-serve-");
        settings.put("spark.sql.warehouse.dir", warehouse.toUri().toString());
        settings.putAll(conf);
        Sessions.Session session = Sessions.open("deq-sweep serve", master, settings);
        if (!session.owned()) {
            throw new UsageException("serve needs a JVM of its own (it sets static Spark settings); run it through submit.sh");
        }
        quietConnectLogs();
        Endpoint endpoint = new Endpoint(session.spark(), sweeps, err);
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            err.println("serve: stopping");
            err.flush();
            stopped.countDown();
            for (Runnable step : List.<Runnable>of(endpoint::close, session::close, () -> deleteQuietly(warehouse))) {
                try {
                    step.run();
                } catch (RuntimeException | Error e) {
                    // the JVM is exiting: each step on its own, so a failed one does not skip the others
                }
            }
        };
        OutputDir.onExit(stop);
        for (String line : endpoint.register()) {
            err.println("serve: " + line);
        }
        endpoint.warmUp();
        boolean withToken = token != null && !token.isEmpty();
        // with a token the Java client uses TLS for every host but "localhost", and the server has none: on this
        // machine (loopback or every address), name it localhost
        String host = address.isLoopbackAddress() || address.isAnyLocalAddress() ? (withToken ? "localhost" : "127.0.0.1") : bind;
        int bound;
        try {
            bound = endpoint.start("sc://" + host + ":{port}");
        } catch (Exception e) { // Spark throws java.net.BindException, a checked exception, from Scala
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new UsageException("port " + port + " on " + bind + " is in use; pick another with --port, or --port 0 for a free one");
            }
            throw e;
        }
        String url = "sc://" + host + ":" + bound + (token != null && !token.isEmpty() ? "/;token=$" + TOKEN_ENV : "");
        List<String> dbs = sweeps.stream().map(Endpoint.Served::database).toList();
        PrintWriter out = spec.commandLine().getOut();
        out.println(url);
        out.flush();
        err.println("serve: Spark Connect at " + url + "; databases: " + String.join(", ", dbs)
                + (dbs.size() == 1 ? " (also as default.runs, ...)" : "") + ". Ctrl-C stops.");
        err.println("serve: query with ./submit.sh query " + dirs.get(0) + " \"SELECT ...\" (it finds this server), or from pyspark:"
                + " SparkSession.builder.remote(\"" + url + "\").getOrCreate()");
        err.flush();
        long pollMs = Math.max(100, Math.round(poll * 1000));
        while (!stopped.await(pollMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            endpoint.poll();
        }
        return 0;
    }

    /** Each DIR as a served sweep, with a database named after it; refused when it is not a sweep or two names clash. */
    private List<Endpoint.Served> sweeps(List<String> locations) {
        List<Endpoint.Served> out = new ArrayList<>();
        Map<String, String> byDatabase = new HashMap<>();
        org.apache.hadoop.conf.Configuration hconf = Sessions.hadoopConf(conf);
        for (String d : locations) {
            OutputDir dir = QueryCommand.resolveSweepDir(d, hconf);
            String db = QueryCommand.databaseOf(dir);
            String clash = byDatabase.put(db, d);
            if (clash != null) {
                throw new UsageException(clash + " and " + d + " are both sweep " + db + "; serve one of them, or the other from a second server"
                        + " with another --port");
            }
            out.add(new Endpoint.Served(dir, db));
        }
        return out;
    }

    /** Refuses a port another process holds, before the session starts (seconds) rather than after. */
    private static void checkFree(InetAddress address, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port));
        } catch (BindException e) {
            throw new UsageException("port " + port + " on " + address.getHostAddress() + " is in use (" + e.getMessage()
                    + "); pick another with --port, or --port 0 for a free one");
        } catch (IOException e) {
            throw new UsageException("cannot listen on " + address.getHostAddress() + ":" + port + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Spark Connect logs an ERROR for every session a client closes, because the ML cache it clears needs
     * spark-mllib, which this build leaves out (43 MB); the session is released before that step. The
     * session's own loggers are turned off, and the RPC error handler's lines about a release (a WARN and
     * an ERROR with a stack trace, each time a client closes a session) are filtered out; its other lines stay.
     */
    private static void quietConnectLogs() {
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark.sql.connect.service.SessionHolder",
                org.apache.logging.log4j.Level.OFF);
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark.sql.connect.service.SparkConnectSessionManager",
                org.apache.logging.log4j.Level.OFF);
        String name = "org.apache.spark.sql.connect.utils.ErrorUtils";
        if (!(org.apache.logging.log4j.LogManager.getContext(false) instanceof org.apache.logging.log4j.core.LoggerContext ctx)) {
            return; // another logging back end: its lines stay
        }
        org.apache.logging.log4j.core.config.Configuration cfg = ctx.getConfiguration();
        org.apache.logging.log4j.core.config.LoggerConfig lc = cfg.getLoggerConfig(name);
        if (!lc.getName().equals(name)) {
            lc = new org.apache.logging.log4j.core.config.LoggerConfig(name, null, true); // the parent's level and appenders
            cfg.addLogger(name, lc);
        }
        lc.addFilter(org.apache.logging.log4j.core.filter.StringMatchFilter.newBuilder().setMatchString("releaseSession")
                .setOnMatch(org.apache.logging.log4j.core.Filter.Result.DENY)
                .setOnMismatch(org.apache.logging.log4j.core.Filter.Result.NEUTRAL).build());
        ctx.updateLoggers();
    }

    private static void deleteQuietly(java.nio.file.Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temp directory
        }
    }
}

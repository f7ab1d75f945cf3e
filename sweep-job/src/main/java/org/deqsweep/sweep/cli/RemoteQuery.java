package org.deqsweep.sweep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deqsweep.sweep.serve.Endpoint;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.UsageException;

/**
 * {@code query} through a running {@code serve} (DESIGN 6.1): which server and database answer for a
 * sweep, and in which session ({@link ConnectClient} asks). One statement runs in the server's query
 * session for that sweep (its id is in the server file), kept open between commands, so a command pays
 * neither the server's session set-up nor its release.
 */
final class RemoteQuery {
    /** How long a server may take to accept a TCP connection before it counts as not running. */
    static final int CONNECT_TIMEOUT_MS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A server's URL and the sweep's database there.
     *
     * @param session the server's query session for the sweep, or null for a session of this command's own
     */
    record Target(String url, String database, String session) {
    }

    private RemoteQuery() {
    }

    /**
     * Without the Hadoop file system: the target when DIR is a local directory whose server file (DIR's own,
     * or that of the single sweep inside DIR) names a running server, or when --remote is given and DIR is
     * such a directory; null when this needs the file system ({@link #target}).
     */
    static Target local(String dir, String remote) {
        Path d;
        try {
            d = Path.of(dir);
        } catch (RuntimeException e) {
            return null; // a URI
        }
        Path file = d.resolve(Endpoint.SERVER_FILE);
        if (!Files.isRegularFile(file)) {
            try (Stream<Path> s = Files.list(d)) {
                List<Path> inside = s.map(p -> p.resolve(Endpoint.SERVER_FILE)).filter(Files::isRegularFile).limit(2).toList();
                if (inside.size() != 1) {
                    return null;
                }
                file = inside.get(0);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (IOException e) {
            return null;
        }
        // quiet: when this finds no server, target() looks again through the file system and says why once
        Target t = choose(json, remote, () -> null, file.toString(), new PrintWriter(java.io.Writer.nullWriter()));
        return t != null && t.database() != null ? t : null;
    }

    /**
     * The server to ask: {@code --remote URL} when given (the database from the sweep's server file when it
     * names that URL, else from the sweep's name), else the server file's server when its process runs on
     * this machine and accepts connections; null for a session of the command's own.
     */
    static Target target(OutputDir dir, String remote, PrintWriter err) {
        return choose(serverFile(dir), remote, () -> QueryCommand.databaseOf(dir), Endpoint.serverFile(dir).toString(), err);
    }

    private static Target choose(JsonNode file, String remote, Supplier<String> databaseOfSweep, String fileShown, PrintWriter err) {
        if (!clientPresent()) {
            if (remote != null) {
                throw new UsageException("--remote needs the Spark Connect client, which this Spark does not have; run query"
                        + " without SPARK_HOME (the build's embedded Spark has it)");
            }
            return null;
        }
        String fileUrl = file == null ? null : file.path("url").asText(null);
        String fileDb = file == null ? null : file.path("database").asText(null);
        String session = file == null ? null : file.path("session").asText(null);
        if (remote != null) {
            if (!remote.startsWith("sc://")) {
                throw new UsageException("--remote " + redacted(remote) + " is not a Spark Connect URL; allowed: sc://HOST:PORT, as serve prints it");
            }
            boolean same = fileUrl != null && fileDb != null && remote.equals(fileUrl);
            String db = same ? fileDb : databaseOfSweep.get();
            if (db == null) {
                return null; // the caller asks the file system for the sweep's name
            }
            if (!reachable(remote)) {
                throw new UsageException("no Spark Connect server answers at " + redacted(remote) + "; start one with ./submit.sh serve DIR");
            }
            return new Target(remote, db, same ? session : null);
        }
        if (file == null) {
            return null;
        }
        long pid = file.path("pid").asLong(-1);
        boolean here = Endpoint.hostName().equals(file.path("host").asText(""));
        if (fileUrl == null || fileDb == null || !here || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                || !reachable(fileUrl)) {
            if (here) {
                err.println("query: " + fileShown + " names a server that is not running; answering with a session of this command's own");
            } else {
                err.println("query: " + fileShown + " names a server on the host " + file.path("host").asText("?")
                        + ", not this one; answering with a session of this command's own");
            }
            err.flush();
            return null;
        }
        return new Target(fileUrl, fileDb, session);
    }

    private static boolean clientPresent() {
        try {
            Class.forName("org.apache.spark.connect.proto.SparkConnectServiceGrpc", false, RemoteQuery.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The sweep's server file, or null when there is none or it cannot be read. */
    static JsonNode serverFile(OutputDir dir) {
        String text = dir.readString(Endpoint.serverFile(dir));
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /** The URL as messages show it: a token parameter's value left out. */
    static String redacted(String url) {
        return url.replaceAll("token=[^;]*", "token=...");
    }

    /** Whether something accepts TCP connections at the URL's host and port. */
    static boolean reachable(String url) {
        try {
            URI u = URI.create("http://" + url.substring("sc://".length()).split("/", 2)[0]);
            int port = u.getPort() < 0 ? ServeCommand.DEFAULT_PORT : u.getPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), port), CONNECT_TIMEOUT_MS);
                return true;
            }
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}

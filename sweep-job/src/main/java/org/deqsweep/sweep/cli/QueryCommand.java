package org.deqsweep.sweep.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.sweep.engine.Sessions;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.SweepSource;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.Tables;
import org.deqsweep.sweep.store.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code query DIR [SQL]}: registers runs, curves, failures, summary and stability as views and runs one
 * SQL statement, or reads statements from stdin (each ending with {@code ;}) until {@code quit} or EOF.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Run Spark SQL over a sweep's tables (views: runs, curves, failures, summary, stability).")
public final class QueryCommand implements Callable<Integer> {
    enum Format { table, csv, json }

    /** Longest cell the table format prints; longer ones end in "...". */
    static final int MAX_CELL = 48;
    /** Rows the table format prints; csv and json print all. */
    static final int MAX_TABLE_ROWS = 10_000;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "a sweep's output (<out>/<name>), or <out> holding a single sweep; a local path or a Hadoop file system URI")
    String dir;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SQL", description = "one statement; without it, an interactive prompt on stdin")
    String sql;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (JSON lines) (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--output", paramLabel = "FILE", description = "write the result to FILE instead of stdout")
    Path output;

    @Option(names = "--master", paramLabel = "M", description = "Spark master (default: spark-submit's, else local[*])")
    String master;

    @Option(names = "--conf", paramLabel = "k=v", description = "a Spark setting (repeatable)")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--remote", paramLabel = "URL", description = "a serve command's Spark Connect URL (sc://HOST:PORT); without it,"
            + " the server that serves DIR (its _serve.json) if one runs on this machine, else a session of this command's own")
    String remote;

    @Option(names = "--local", description = "a session of this command's own, even when a server serves DIR")
    boolean local;

    @Override
    public Integer call() throws IOException {
        if (remote != null && local) {
            throw new UsageException("--remote and --local exclude each other");
        }
        PrintWriter err = spec.commandLine().getErr();
        if (remote == null && !local && (master != null || !conf.isEmpty())) {
            local = true; // --master and --conf set up a session of the command's own; a server's is its own
        }
        // a local sweep directory with a running server's file needs no Hadoop file system at all
        RemoteQuery.Target target = local ? null : RemoteQuery.local(dir, remote);
        OutputDir sweepDir = null;
        if (target == null) {
            sweepDir = resolveSweepDir(dir, Sessions.hadoopConf(conf));
            target = local ? null : RemoteQuery.target(sweepDir, remote, err);
        }
        if (target != null) {
            err.println("query: answered by the Spark Connect server at " + RemoteQuery.redacted(target.url())
                    + " (database " + target.database() + ")");
            err.flush();
            // one statement runs in the server's shared query session; the prompt gets a session of its own, whose
            // USE, SET and temporary views then stay its own
            try (ConnectClient c = new ConnectClient(target.url(), sql != null ? target.session() : null,
                    System.getenv(ServeCommand.TOKEN_ENV))) {
                try {
                    c.use(target.database());
                } catch (UsageException e) {
                    throw !e.getMessage().contains("SCHEMA_NOT_FOUND") ? e : new UsageException("the server at "
                            + RemoteQuery.redacted(target.url()) + " has no database " + target.database()
                            + " (does it serve this sweep?): " + e.getMessage());
                }
                return answer(stmt -> c.sql(strip(stmt)),
                        List.of("runs", "curves", "failures", "summary", "stability (database " + target.database() + ")"));
            }
        }
        try (Sessions.Session session = Sessions.open("deq-sweep query", master, conf)) {
            SparkSession spark = session.spark();
            List<String> views = registerViews(spark, sweepDir, sql);
            return answer(stmt -> Answer.of(execute(spark, stmt)), views);
        }
    }

    /**
     * Runs the statement, or the prompt, with {@code run} answering each statement. With --output the rows go
     * to a file beside FILE, which becomes FILE only when every row is written: an error leaves FILE as it was.
     */
    private int answer(java.util.function.Function<String, Answer> run, List<String> views) throws IOException {
        if (sql == null) {
            interactive(run, views);
            return 0;
        }
        Answer a = run.apply(sql);
        if (output == null) {
            print(a, spec.commandLine().getOut());
            return 0;
        }
        Path file = output.toAbsolutePath();
        if (Files.isDirectory(file)) {
            throw new UsageException("--output " + output + " is a directory; give a file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) { // a device, a pipe, /dev/stdout: written as it is
            printTo(a, file);
            return 0;
        }
        // a file (a link's target): the rows go beside it, and it becomes the answer only when every row is written
        file = Files.exists(file) ? file.toRealPath() : file;
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        tmp.toFile().deleteOnExit(); // Ctrl-C or SIGTERM midway
        try {
            printTo(a, tmp);
            if (Files.exists(file)) {
                try {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
                } catch (UnsupportedOperationException | IOException e) {
                    // not a POSIX file system: the new file keeps the default permissions
                }
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return 0;
    }

    private void printTo(Answer a, Path file) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            print(a, w);
        }
    }

    /** The database name under which serve shows a sweep: its manifest's name, else its directory's. */
    static String databaseOf(OutputDir dir) {
        String name = dir.path().getName();
        String mf = dir.readString(dir.manifest());
        if (mf != null) {
            try {
                com.fasterxml.jackson.databind.JsonNode m = new com.fasterxml.jackson.databind.ObjectMapper().readTree(mf);
                name = m.path("name").asText(name);
            } catch (IOException e) {
                // the directory's name
            }
        }
        return org.deqsweep.sweep.serve.Catalog.databaseOf(name);
    }

    /** The sweep directory: DIR itself, or the single sweep inside it ({@link SweepSource#resolve}). */
    static OutputDir resolveSweepDir(String location, org.apache.hadoop.conf.Configuration hconf) {
        try {
            return SweepSource.resolve(new OutputDir(location, hconf).checkReachable());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Registers as temp views the tables present that {@code statement} names (every one when it is null,
     * for the prompt). Each registration lists the table's files and reads a footer, so a statement over one
     * table does not pay for five.
     */
    static List<String> registerViews(SparkSession spark, OutputDir sweepDir, String statement) {
        List<String> views = new ArrayList<>();
        boolean any = false;
        for (String t : Tables.ALL) {
            org.apache.hadoop.fs.Path p = sweepDir.table(t);
            if (!sweepDir.isDirectory(p)) {
                continue;
            }
            any = true;
            if (statement != null && !java.util.regex.Pattern.compile("(?i)(?<![\\w`])`?" + t + "`?(?![\\w`])").matcher(statement).find()) {
                continue;
            }
            Dataset<Row> df = t.equals(Tables.RUNS) ? TableBuilder.readRuns(spark, p) : spark.read().parquet(p.toString());
            df.createOrReplaceTempView(t);
            views.add(t);
        }
        if (!any) {
            throw new UsageException(sweepDir + " has no tables yet (is the sweep still running its first waves?).");
        }
        if (views.isEmpty() && statement != null) {
            return registerViews(spark, sweepDir, null); // a statement that names no table (SHOW TABLES, say): all of them
        }
        return views;
    }

    /** Analyses one statement; a Spark error (bad SQL, unknown column) becomes a one-line UsageException. */
    static Dataset<Row> execute(SparkSession spark, String statement) {
        try {
            return spark.sql(strip(statement));
        } catch (Exception e) { // AnalysisException is a checked exception to Java
            throw asUsage(e);
        }
    }

    /** The statement without surrounding blanks and its ending semicolons. */
    static String strip(String statement) {
        String s = statement.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    /** A Spark error about the statement (analysis, parse, or a runtime error such as a bad cast) as one line. */
    private static RuntimeException asUsage(Exception e) {
        Throwable t = e;
        while (!(t instanceof SparkThrowable) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof SparkThrowable) {
            return new UsageException(UsageException.firstLine(t.getMessage()));
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }

    void print(Answer a, PrintWriter w) {
        try {
            switch (format) {
                case csv -> printCsv(a, w);
                case json -> a.jsonLines().forEachRemaining(w::println);
                default -> printTable(a, w);
            }
        } catch (Exception e) {
            throw asUsage(e);
        }
        w.flush();
    }

    static void printTable(Answer a, PrintWriter w) {
        Answer.Rows rows = a.rows(MAX_TABLE_ROWS + 1);
        List<String> names = rows.names();
        int n = names.size();
        List<String[]> cells = new ArrayList<>();
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            width[c] = Math.min(MAX_CELL, names.get(c).length());
        }
        boolean more = false;
        while (rows.values().hasNext()) { // read to the end (one row more at most), so a server's stream completes
            Object[] r = rows.values().next();
            if (cells.size() == MAX_TABLE_ROWS) {
                more = true;
                continue;
            }
            String[] v = new String[n];
            for (int c = 0; c < n; c++) {
                v[c] = clip(cell(r[c]));
                width[c] = Math.max(width[c], v[c].length());
            }
            cells.add(v);
        }
        String[] header = new String[n];
        for (int c = 0; c < n; c++) {
            header[c] = clip(names.get(c));
        }
        w.println(line(header, width, null));
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < n; c++) {
            rule.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
        }
        w.println(rule);
        for (String[] v : cells) {
            w.println(line(v, width, rows.numeric()));
        }
        w.println("(" + cells.size() + (cells.size() == 1 ? " row" : " rows") + (more ? ", more not shown; use --format csv" : "") + ")");
    }

    /** One line of the table; {@code numeric} null for the header, which is never aligned right. */
    private static String line(String[] v, int[] width, boolean[] numeric) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < v.length; c++) {
            String pad = " ".repeat(width[c] - v[c].length());
            b.append(c == 0 ? "" : " | ").append(numeric != null && numeric[c] ? pad + v[c] : v[c] + pad);
        }
        return b.toString().stripTrailing();
    }

    private static String clip(String s) {
        return s.length() <= MAX_CELL ? s : s.substring(0, MAX_CELL - 3) + "...";
    }

    /** A cell as the table shows it: doubles to 6 significant digits, NULL for null. */
    public static String cell(Object x) {
        if (x == null) {
            return "NULL";
        }
        if (x instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return String.valueOf(d.longValue());
            }
            return String.format(Locale.ROOT, "%.6g", d).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replaceFirst("\\.(e|$)", "$1");
        }
        if (x instanceof Float f) {
            return cell(f.doubleValue());
        }
        return String.valueOf(x).replace('\n', ' ');
    }

    static void printCsv(Answer a, PrintWriter w) {
        Answer.Rows rows = a.rows(-1);
        w.println(String.join(",", rows.names().stream().map(QueryCommand::csv).toList()));
        rows.values().forEachRemaining(r -> {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                b.append(c == 0 ? "" : ",").append(r[c] == null ? "" : csv(String.valueOf(r[c])));
            }
            w.println(b);
        });
    }

    private static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** The prompt: statements end with ';' (not one inside a literal or comment, {@link SqlStatements}); errors are printed and the prompt kept; quit or EOF exits. */
    void interactive(java.util.function.Function<String, Answer> run, List<String> views) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println("views: " + String.join(", ", views) + ". End statements with ';'. quit or Ctrl-D exits.");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder pending = new StringBuilder();
        while (true) {
            err.print(pending.length() == 0 ? "sql> " : "  -> ");
            err.flush();
            String lineIn = in.readLine();
            if (lineIn == null) {
                err.println();
                return;
            }
            String t = lineIn.strip();
            if (pending.length() == 0 && (t.equalsIgnoreCase("quit") || t.equalsIgnoreCase("exit")
                    || t.equalsIgnoreCase("quit;") || t.equalsIgnoreCase("exit;"))) {
                return;
            }
            pending.append(lineIn).append('\n');
            for (String stmt : SqlStatements.take(pending)) {
                try {
                    print(run.apply(stmt), out);
                } catch (UsageException e) {
                    err.println(e.getMessage());
                }
            }
            if (pending.toString().isBlank()) {
                pending.setLength(0);
            }
        }
    }
}

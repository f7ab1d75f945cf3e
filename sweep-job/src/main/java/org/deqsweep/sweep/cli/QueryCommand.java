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
import org.deqsweep.sweep.store.Sql;
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
        RemoteQuery.Target target = local ? null : RemoteQuery.local(dir, remote, err);
        OutputDir sweepDir = null;
        if (target == null) {
            sweepDir = resolveSweepDir(dir, Sessions.hadoopConf(conf));
            target = local ? null : RemoteQuery.target(sweepDir, remote, err);
        }
        if (target != null) {
            err.println("query: answered by the Spark Connect server at " + target.url() + " (database " + target.database() + ")");
            err.flush();
            // one statement runs in the server's shared query session; the prompt gets a session of its own, whose
            // USE, SET and temporary views then stay its own
            RemoteQuery.Connected c = RemoteQuery.connect(sql != null ? target
                    : new RemoteQuery.Target(target.url(), target.database(), null));
            try {
                return answer(c.spark(), List.of("runs", "curves", "failures", "summary", "stability (database " + target.database() + ")"));
            } finally {
                if (!c.shared()) {
                    c.spark().stop(); // the server's query session stays open for the next command
                }
            }
        }
        try (Sessions.Session session = Sessions.open("deq-sweep query", master, conf)) {
            SparkSession spark = session.spark();
            return answer(spark, registerViews(spark, sweepDir, sql));
        }
    }

    /** Runs the statement, or the prompt, on a session whose current names are the sweep's tables. */
    private int answer(SparkSession spark, List<String> views) throws IOException {
        {
            if (sql != null) {
                Dataset<Row> df = execute(spark, sql);
                if (output != null) {
                    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
                        print(df, w);
                    }
                } else {
                    print(df, spec.commandLine().getOut());
                }
                return 0;
            }
            interactive(spark, views);
            return 0;
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

    /** Registers each table present as a temp view; returns the view names. */
    static List<String> registerViews(SparkSession spark, OutputDir sweepDir) {
        return registerViews(spark, sweepDir, null);
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
        String s = statement.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        try {
            return spark.sql(s);
        } catch (Exception e) { // AnalysisException is a checked exception to Java
            throw asUsage(e);
        }
    }

    /** A Spark error about the statement (analysis, parse, or a runtime error such as a bad cast) as one line. */
    private static RuntimeException asUsage(Exception e) {
        Throwable t = e;
        while (!(t instanceof SparkThrowable) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof SparkThrowable) {
            String m = String.valueOf(t.getMessage());
            int nl = m.indexOf('\n');
            return new UsageException((nl < 0 ? m : m.substring(0, nl)).strip());
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }

    void print(Dataset<Row> df, PrintWriter w) {
        try {
            switch (format) {
                case csv -> printCsv(df, w);
                case json -> printJson(df, w);
                default -> printTable(df, w);
            }
        } catch (Exception e) {
            throw asUsage(e);
        }
        w.flush();
    }

    static void printTable(Dataset<Row> df, PrintWriter w) {
        String[] names = df.columns();
        List<Row> rows = df.limit(MAX_TABLE_ROWS + 1).collectAsList();
        boolean more = rows.size() > MAX_TABLE_ROWS;
        if (more) {
            rows = rows.subList(0, MAX_TABLE_ROWS);
        }
        List<String[]> cells = new ArrayList<>();
        int[] width = new int[names.length];
        for (int c = 0; c < names.length; c++) {
            width[c] = Math.min(MAX_CELL, names[c].length());
        }
        for (Row r : rows) {
            String[] v = new String[names.length];
            for (int c = 0; c < names.length; c++) {
                v[c] = clip(cell(r.get(c)));
                width[c] = Math.max(width[c], v[c].length());
            }
            cells.add(v);
        }
        String[] header = new String[names.length];
        for (int c = 0; c < names.length; c++) {
            header[c] = clip(names[c]);
        }
        w.println(line(header, width, df, true));
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < names.length; c++) {
            rule.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
        }
        w.println(rule);
        for (String[] v : cells) {
            w.println(line(v, width, df, false));
        }
        w.println("(" + rows.size() + (rows.size() == 1 ? " row" : " rows") + (more ? ", more not shown; use --format csv" : "") + ")");
    }

    private static String line(String[] v, int[] width, Dataset<Row> df, boolean header) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < v.length; c++) {
            boolean numeric = !header && df.schema().fields()[c].dataType() instanceof org.apache.spark.sql.types.NumericType;
            String pad = " ".repeat(width[c] - v[c].length());
            b.append(c == 0 ? "" : " | ").append(numeric ? pad + v[c] : v[c] + pad);
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

    /** JSON lines, one object per row, NULL columns kept as null. */
    static void printJson(Dataset<Row> df, PrintWriter w) {
        org.apache.spark.sql.Column all = org.apache.spark.sql.functions.struct(
                java.util.Arrays.stream(df.columns()).map(c -> df.col(Sql.ident(c))).toArray(org.apache.spark.sql.Column[]::new));
        df.select(org.apache.spark.sql.functions.to_json(all, Map.of("ignoreNullFields", "false")))
                .toLocalIterator().forEachRemaining(r -> w.println(r.getString(0)));
    }

    static void printCsv(Dataset<Row> df, PrintWriter w) {
        String[] names = df.columns();
        w.println(String.join(",", List.of(names).stream().map(QueryCommand::csv).toList()));
        df.toLocalIterator().forEachRemaining(r -> {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < names.length; c++) {
                b.append(c == 0 ? "" : ",").append(r.isNullAt(c) ? "" : csv(String.valueOf(r.get(c))));
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
    void interactive(SparkSession spark, List<String> views) throws IOException {
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
                    print(execute(spark, stmt), out);
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

package org.deqsweep.sweep.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.core.config.ConfigSchema;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.report.Charts.Line;
import org.deqsweep.sweep.report.Charts.Style;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.Sql;
import org.deqsweep.sweep.store.SweepSource;

/**
 * Builds the report of one sweep: status counts, loss curves, heatmaps of median kappa and failure
 * fraction, the stability boundary beside the theory quantities, and the conservation drift of linear
 * runs (DESIGN 6). Every aggregation is Spark SQL over the runs and curves views; only aggregated series
 * (and at most {@code maxGroups x maxSeeds} loss curves) reach the driver. A plot that does not apply to
 * this sweep is skipped with a line on the page and on the console saying why.
 */
public final class Report {
    public static final int DEFAULT_MAX_GROUPS = 20;
    public static final int DEFAULT_MAX_SEEDS = 10;
    /** At most this many model sizes in the drift chart (evenly chosen). */
    public static final int MAX_DRIFT_SERIES = 8;
    static final String RUNS_VIEW = "deq_report_runs";
    static final String CURVES_VIEW = "deq_report_curves";
    static final String GROUPS_VIEW = "deq_report_groups";
    static final String SELECTED_VIEW = "deq_report_selected";
    static final String CELLS_VIEW = "deq_report_cells";
    static final String WINDOW_LOGGER = "org.apache.spark.sql.execution.window.WindowExec";
    static final String[] STAGES = {"read runs", "status counts", "loss curves", "heatmaps", "stability boundary",
        "conservation drift", "write page"};
    /** Statuses that count as divergence for the stability boundary (as the stability table). */
    static final List<String> DIVERGED = List.of(Status.DIVERGED.name(), Status.NAN.name());
    static final Map<String, Color> STATUS_COLOURS = Map.of(
            "CONVERGED", new Color(0, 158, 115), "MAX_STEPS", new Color(230, 159, 0), "DIVERGED", new Color(213, 94, 0),
            "NAN", new Color(204, 121, 167), "FORWARD_FAILED", new Color(86, 180, 233), "SINGULAR", new Color(0, 114, 178),
            "TIMEOUT", new Color(127, 127, 127), "ERROR", new Color(0, 0, 0), "INVALID", new Color(140, 86, 75));

    private final SparkSession spark;
    private final SweepSource src;
    private final PrintWriter console;
    private final int maxGroups;
    private final int maxSeeds;
    private final HtmlPage page;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();
    private final long t0 = System.nanoTime();
    private int stage;

    private Set<String> columns;
    private List<String> configKeys;
    private List<String> varying;
    private String sizeKey;
    private long runCount;

    /** What was written. */
    public record Result(Path html, List<Path> pngs, List<String> skipped) {
    }

    public Report(SparkSession spark, SweepSource src, PrintWriter console, int maxGroups, int maxSeeds) {
        this.spark = spark;
        this.src = src;
        this.console = console;
        this.maxGroups = maxGroups;
        this.maxSeeds = maxSeeds;
        this.page = new HtmlPage("deq-sweep report: " + src.name());
    }

    /** Runs every stage and writes the PNGs and report.html into {@code to}. */
    public Result write(Path to) throws IOException {
        try {
            for (String n : src.notes()) {
                page.banner(n);
                console.println("report: note: " + n);
            }
            readRuns();
            done();
            statusCounts();
            done();
            // numbering the (already aggregated) groups is a window without partition; Spark warns on each use
            LogLevelScope quiet = LogLevelScope.set(WINDOW_LOGGER, org.apache.logging.log4j.Level.ERROR);
            try {
                lossCurves();
            } finally {
                quiet.restore();
            }
            done();
            heatmaps();
            done();
            stability();
            done();
            drift();
            done();
            Files.createDirectories(to);
            List<Path> pngs = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path p = to.resolve(e.getKey());
                Files.write(p, e.getValue());
                pngs.add(p);
            }
            Path html = to.resolve("report.html");
            Files.writeString(html, page.render(), StandardCharsets.UTF_8);
            done();
            console.println("report: wrote " + html + " and " + pngs.size() + " PNG file" + (pngs.size() == 1 ? "" : "s")
                    + (skipped.isEmpty() ? "" : "; " + skipped.size() + " plot(s) skipped"));
            return new Result(html, pngs, List.copyOf(skipped));
        } finally {
            for (String v : List.of(RUNS_VIEW, CURVES_VIEW, GROUPS_VIEW, SELECTED_VIEW, CELLS_VIEW)) {
                if (spark.catalog().tableExists(v)) {
                    spark.catalog().uncacheTable(v);
                    spark.catalog().dropTempView(v);
                }
            }
        }
    }

    /** The progress line: stages done / total, and the elapsed time (each stage is one or a few Spark jobs). */
    private void done() {
        stage++;
        console.printf(Locale.ROOT, "report: [%d/%d] %s done (%.1f s)%n", stage, STAGES.length, STAGES[stage - 1],
                (System.nanoTime() - t0) / 1e9);
        console.flush();
    }

    private void skip(HtmlPage.Section s, String plot, String why) {
        s.skip(plot + ": " + why);
        skipped.add(plot + ": " + why);
        console.println("report: skipped " + plot + ": " + why);
    }

    private void figure(HtmlPage.Section s, String file, String caption, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
        byte[] png = Charts.png(chart);
        files.put(file, png);
        s.figure(new HtmlPage.Figure(file, caption, png));
    }

    // ---------------------------------------------------------------- stage 1

    private void readRuns() {
        Dataset<Row> runs = src.runs(spark);
        runs.createOrReplaceTempView(RUNS_VIEW);
        spark.catalog().cacheTable(RUNS_VIEW);
        columns = new HashSet<>(Arrays.asList(runs.columns()));
        configKeys = ConfigSchema.fields().stream().map(ConfigSchema.Field::key).filter(columns::contains).toList();
        String distinct = configKeys.stream().map(k -> "count(DISTINCT " + Sql.ident(k) + ") AS " + Sql.ident(k)).collect(Collectors.joining(", "));
        Row r = spark.sql("SELECT count(*) AS n, " + distinct + " FROM " + RUNS_VIEW).first();
        runCount = r.getLong(0);
        varying = new ArrayList<>();
        Map<String, Long> distinctCounts = new LinkedHashMap<>();
        for (int i = 0; i < configKeys.size(); i++) {
            long k = r.getLong(i + 1);
            distinctCounts.put(configKeys.get(i), k);
            if (k > 1) {
                varying.add(configKeys.get(i));
            }
        }
        long nd = distinctCounts.getOrDefault(Columns.D, 0L);
        long nw = distinctCounts.getOrDefault(Columns.WIDTH, 0L);
        sizeKey = nw > nd ? Columns.WIDTH : Columns.D;

        page.fact("sweep", src.name());
        page.fact("directory", src.dir().toString());
        page.fact("read from", src.kind() == SweepSource.Kind.TABLES ? "the runs and curves tables"
                : "the committed waves under " + OutputDir.WAVES + "/ (the tables are rebuilt when the sweep ends)");
        JsonNode m = src.manifest();
        if (m != null) {
            page.fact("status in _sweep.json", m.path("status").asText("?")
                    + (m.hasNonNull("started") ? ", started " + m.get("started").asText() : "")
                    + (m.hasNonNull("finished") ? ", finished " + m.get("finished").asText() : ", no end time"));
            if (m.hasNonNull("included_points")) {
                page.fact("grid points", m.path("included_points").asText() + " planned (grid size " + m.path("grid_size").asText("?") + ")");
            }
        }
        page.fact("runs read", Long.toString(runCount));
        page.fact("varying keys", varying.isEmpty() ? "none" : String.join(", ", varying));
    }

    // ---------------------------------------------------------------- stage 2

    private void statusCounts() {
        HtmlPage.Section s = page.section("Run outcomes");
        List<Row> rows = spark.sql("SELECT " + Sql.ident(Columns.FAMILY) + ", " + Sql.ident(Columns.STATUS) + ", count(*) FROM " + RUNS_VIEW
                + " GROUP BY 1, 2 ORDER BY 1, 2").collectAsList();
        if (rows.isEmpty()) {
            skip(s, "status counts", "the sweep has no runs yet");
            return;
        }
        TreeSet<String> families = new TreeSet<>();
        Map<String, Map<String, Long>> byStatus = new LinkedHashMap<>();
        for (Status st : Status.values()) {
            byStatus.put(st.name(), new TreeMap<>());
        }
        for (Row r : rows) {
            String fam = r.isNullAt(0) ? "(none)" : r.getString(0);
            families.add(fam);
            byStatus.computeIfAbsent(r.getString(1), k -> new TreeMap<>()).put(fam, r.getLong(2));
        }
        Map<String, List<Number>> series = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder("Runs per status: ");
        for (Map.Entry<String, Map<String, Long>> e : byStatus.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            series.put(e.getKey(), families.stream().map(f -> (Number) e.getValue().getOrDefault(f, 0L)).toList());
            text.append(e.getKey()).append(' ').append(e.getValue().values().stream().mapToLong(Long::longValue).sum()).append(", ");
        }
        s.text(text.substring(0, text.length() - 2) + ".");
        figure(s, "status_counts.png", "Number of runs per status, for each model family",
                Charts.bars("Run outcomes per model family (" + runCount + " runs)", "model family", "runs",
                        new ArrayList<>(families), series, STATUS_COLOURS));
    }

    // ---------------------------------------------------------------- stage 3

    private void lossCurves() {
        HtmlPage.Section s = page.section("Loss curves");
        Dataset<Row> curves = src.curves(spark);
        if (curves == null || !Arrays.asList(curves.columns()).containsAll(List.of(Columns.RUN_ID, Columns.STEP, Columns.LOSS))) {
            skip(s, "loss curves", "the sweep recorded no curves (curves table absent)");
            return;
        }
        curves.createOrReplaceTempView(CURVES_VIEW);
        List<String> keys = varying.stream().filter(k -> !k.equals(Columns.SEED)).toList();
        if (keys.isEmpty()) {
            keys = List.of(Columns.FAMILY);
        }
        String k = keys.stream().map(Sql::ident).collect(Collectors.joining(", "));
        spark.sql("SELECT " + k + ", CAST(row_number() OVER (ORDER BY " + k + ") AS BIGINT) AS gidx FROM (SELECT DISTINCT " + k + " FROM "
                + RUNS_VIEW + ")").createOrReplaceTempView(GROUPS_VIEW);
        spark.catalog().cacheTable(GROUPS_VIEW);
        long groups = spark.table(GROUPS_VIEW).count();
        List<Long> chosen = evenly(groups, maxGroups);
        String in = chosen.stream().map(String::valueOf).collect(Collectors.joining(", "));
        String on = keys.stream().map(x -> "r." + Sql.ident(x) + " <=> g." + Sql.ident(x)).collect(Collectors.joining(" AND "));
        String seed = columns.contains(Columns.SEED) ? "r." + Sql.ident(Columns.SEED) : "0";
        spark.sql("SELECT r.run_id, " + seed + " AS seed, r.status, g.gidx FROM " + RUNS_VIEW + " r JOIN " + GROUPS_VIEW
                + " g ON " + on + " WHERE g.gidx IN (" + in + ")").createOrReplaceTempView(SELECTED_VIEW);
        spark.catalog().cacheTable(SELECTED_VIEW);

        String finite = "c.loss > 0 AND c.loss < double('Infinity')";
        List<Row> drawn = spark.sql("SELECT s.gidx, s.seed, s.run_id, c.step, c.loss FROM (SELECT *, row_number() OVER "
                + "(PARTITION BY gidx ORDER BY seed, run_id) AS si FROM " + SELECTED_VIEW + ") s JOIN " + CURVES_VIEW
                + " c ON c.run_id = s.run_id WHERE s.si <= " + maxSeeds + " AND " + finite
                + " ORDER BY s.gidx, s.seed, s.run_id, c.step").collectAsList();
        List<Row> medians = spark.sql("SELECT s.gidx, c.step, percentile(c.loss, 0.5) AS med FROM " + SELECTED_VIEW + " s JOIN "
                + CURVES_VIEW + " c ON c.run_id = s.run_id WHERE c.loss IS NOT NULL AND NOT isnan(c.loss) "
                + "GROUP BY s.gidx, c.step ORDER BY 1, 2").collectAsList();
        List<Row> statusRows = spark.sql("SELECT gidx, status, count(*) FROM " + SELECTED_VIEW
                + " GROUP BY 1, 2 ORDER BY 1, 2").collectAsList();
        List<Row> labels = spark.sql("SELECT * FROM " + GROUPS_VIEW + " WHERE gidx IN (" + in + ") ORDER BY gidx").collectAsList();
        if (drawn.isEmpty()) {
            skip(s, "loss curves", "no recorded loss is positive and finite (every run failed before its first record, or curves are empty)");
            return;
        }
        s.text("One chart per group of runs that differ only in their seed (groups keyed by " + String.join(", ", keys)
                + "). Thin lines: up to " + maxSeeds + " seeds each; thick line: the median loss over all the group's seeds "
                + "at each recorded step (over the seeds still running at that step). Losses are drawn on a log scale, so "
                + "linear convergence is a straight line; points with zero, infinite or missing loss are left out.");
        if (groups > chosen.size()) {
            s.text("The sweep has " + groups + " groups; " + chosen.size() + " evenly spaced ones (in the order of "
                    + String.join(", ", keys) + ") are drawn, at most " + maxSeeds + " seeds each.");
        }
        Map<Long, Map<String, Long>> statusByGroup = new TreeMap<>();
        for (Row r : statusRows) {
            statusByGroup.computeIfAbsent(r.getLong(0), x -> new LinkedHashMap<>()).put(r.getString(1), r.getLong(2));
        }
        // chart titles name only the keys that vary within the group's family (the caption has them all)
        Map<String, Set<String>> varyingInFamily = varyingPerFamily(keys);
        int famIdx = keys.indexOf(Columns.FAMILY);
        Map<Long, String> labelByGroup = new TreeMap<>();
        Map<Long, String> titleByGroup = new TreeMap<>();
        for (Row r : labels) {
            List<String> parts = new ArrayList<>();
            List<String> shortParts = new ArrayList<>();
            String fam = famIdx >= 0 ? String.valueOf(r.get(famIdx)) : null;
            for (int i = 0; i < keys.size(); i++) {
                String part = keys.get(i) + "=" + show(r.get(i));
                parts.add(part);
                if (i == famIdx || fam == null || varyingInFamily.getOrDefault(fam, Set.of()).contains(keys.get(i))) {
                    shortParts.add(i == famIdx ? fam : part);
                }
            }
            labelByGroup.put(r.getLong(keys.size()), String.join(", ", parts));
            titleByGroup.put(r.getLong(keys.size()), "loss: " + String.join(", ", shortParts));
        }
        Map<Long, List<Line>> seedLines = new TreeMap<>();
        collectLines(drawn, seedLines);
        Map<Long, Line> medianLines = new TreeMap<>();
        Map<Long, List<double[]>> med = new TreeMap<>();
        for (Row r : medians) {
            if (!r.isNullAt(2) && r.getDouble(2) > 0) {
                med.computeIfAbsent(r.getLong(0), x -> new ArrayList<>()).add(new double[] {r.getLong(1), r.getDouble(2)});
            }
        }
        med.forEach((g, pts) -> medianLines.put(g, Line.of("median", pts, 0, Style.SOLID)));
        int drawnCharts = 0;
        for (long g : chosen) {
            Map<String, Long> st = statusByGroup.getOrDefault(g, Map.of());
            long total = st.values().stream().mapToLong(Long::longValue).sum();
            List<Line> lines = seedLines.getOrDefault(g, List.of());
            String label = labelByGroup.getOrDefault(g, "group " + g);
            if (lines.isEmpty()) {
                skip(s, "loss curves of " + label, "no positive finite loss recorded for any of its seeds");
                continue;
            }
            String statusText = st.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
            figure(s, String.format(Locale.ROOT, "loss_%02d.png", g), label + ": " + total + " runs (" + statusText + ")",
                    Charts.lossCurves(titleByGroup.getOrDefault(g, label), lines, medianLines.get(g),
                            "seeds (" + lines.size() + " of " + total + ", thin)", "median over " + total + " seeds"));
            drawnCharts++;
        }
        if (drawnCharts == 0) {
            skip(s, "loss curves", "no group has a positive finite loss to draw");
        }
    }

    /** For each family, the group keys that take more than one value among its runs. */
    private Map<String, Set<String>> varyingPerFamily(List<String> keys) {
        String d = keys.stream().map(k -> "count(DISTINCT " + Sql.ident(k) + ")").collect(Collectors.joining(", "));
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Row r : spark.sql("SELECT family, " + d + " FROM " + RUNS_VIEW + " GROUP BY family").collectAsList()) {
            Set<String> v = new HashSet<>();
            for (int i = 0; i < keys.size(); i++) {
                if (r.getLong(i + 1) > 1) {
                    v.add(keys.get(i));
                }
            }
            out.put(String.valueOf(r.get(0)), v);
        }
        return out;
    }

    private static void collectLines(List<Row> drawn, Map<Long, List<Line>> out) {
        int i = 0;
        while (i < drawn.size()) {
            Row first = drawn.get(i);
            long g = first.getLong(0);
            String run = first.getString(2);
            int j = i;
            while (j < drawn.size() && drawn.get(j).getLong(0) == g && drawn.get(j).getString(2).equals(run)) {
                j++;
            }
            double[] x = new double[j - i];
            double[] y = new double[j - i];
            for (int t = i; t < j; t++) {
                x[t - i] = drawn.get(t).getLong(3);
                y[t - i] = drawn.get(t).getDouble(4);
            }
            out.computeIfAbsent(g, z -> new ArrayList<>()).add(new Line("seed " + show(first.get(1)), x, y));
            i = j;
        }
    }

    /** {@code k} evenly spaced indices in 1..n (all of them when n <= k). */
    static List<Long> evenly(long n, int k) {
        List<Long> out = new ArrayList<>();
        if (n <= k) {
            for (long i = 1; i <= n; i++) {
                out.add(i);
            }
            return out;
        }
        for (int i = 0; i < k; i++) {
            long v = 1 + Math.round(i * (n - 1) / (double) (k - 1));
            if (out.isEmpty() || out.get(out.size() - 1) != v) {
                out.add(v);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- stage 4

    /** The per-(family, activation, size, step size) cells both the heatmaps and the stability boundary use. */
    private boolean cells() {
        if (!columns.containsAll(List.of(Columns.STEP_SIZE, sizeKey, Columns.FAMILY, Columns.ACTIVATION))) {
            return false;
        }
        if (spark.catalog().tableExists(CELLS_VIEW)) {
            return true;
        }
        String failed = Sql.isFailure();
        String diverged = Sql.in(Columns.STATUS, DIVERGED);
        spark.sql("SELECT family, activation, CAST(" + Sql.ident(sizeKey) + " AS DOUBLE) AS sz, step_size, count(*) AS runs, "
                + opt(Columns.KAPPA, "percentile(kappa, 0.5)") + " AS kappa_med, "
                + "avg(CASE WHEN " + failed + " THEN 1.0D ELSE 0.0D END) AS fail_frac, "
                + "count_if(status = 'CONVERGED') AS n_conv, count_if(" + diverged + ") AS n_div, "
                + "count_if(" + failed + ") AS n_fail, "
                + opt(Columns.STEP_THEORY, "percentile(step_theory, 0.5)") + " AS st_med "
                + "FROM " + RUNS_VIEW + " GROUP BY 1, 2, 3, 4").createOrReplaceTempView(CELLS_VIEW);
        spark.catalog().cacheTable(CELLS_VIEW);
        return true;
    }

    private String opt(String column, String expr) {
        return columns.contains(column) ? expr : "CAST(NULL AS DOUBLE)";
    }

    private long distinctSteps(String where) {
        return spark.sql("SELECT count(DISTINCT step_size) FROM " + RUNS_VIEW + (where == null ? "" : " WHERE " + where))
                .first().getLong(0);
    }

    private String pooledNote() {
        List<String> pooled = varying.stream().filter(k -> !List.of(Columns.SEED, Columns.STEP_SIZE, sizeKey, Columns.FAMILY, Columns.ACTIVATION)
                .contains(k)).toList();
        return pooled.isEmpty() ? "" : " Runs that differ in " + String.join(", ", pooled) + " are pooled in each cell.";
    }

    private void heatmaps() {
        HtmlPage.Section s = page.section("Rate and failure heatmaps");
        if (!cells()) {
            skip(s, "heatmaps", "the runs table lacks step_size, " + sizeKey + ", family or activation");
            return;
        }
        long steps = distinctSteps(null);
        if (steps < 2) {
            skip(s, "heatmaps", "the sweep has a single step size; a heatmap over step size needs at least two");
            return;
        }
        s.text("For each family and activation: median kappa = -log(rho) / eta (the fitted linear rate per unit of "
                + "flow time, over runs with a fitted rate) and the fraction of failed runs (any status but CONVERGED and "
                + "MAX_STEPS), over " + sizeKey + " (rows) and step size (columns). A blank kappa cell has no run with a "
                + "fitted rate." + pooledNote());
        List<Row> rows = spark.sql("SELECT family, activation, sz, step_size, kappa_med, fail_frac, runs FROM " + CELLS_VIEW
                + " ORDER BY 1, 2, 3, 4").collectAsList();
        Map<String, List<Row>> byPanel = new LinkedHashMap<>();
        boolean manyFamilies = rows.stream().map(r -> r.getString(0)).distinct().count() > 1;
        for (Row r : rows) {
            byPanel.computeIfAbsent(r.getString(0) + "\u0000" + r.getString(1), x -> new ArrayList<>()).add(r);
        }
        for (List<Row> panel : byPanel.values()) {
            String fam = panel.get(0).getString(0);
            String act = panel.get(0).getString(1);
            String name = manyFamilies ? fam + ", " + act : act;
            String file = (manyFamilies ? fam + "_" : "") + act;
            List<Double> xs = panel.stream().map(r -> r.getDouble(3)).distinct().sorted().toList();
            List<Double> ys = panel.stream().map(r -> r.getDouble(2)).distinct().sorted().toList();
            if (xs.size() < 2) {
                skip(s, "heatmaps for " + name, "only one step size in this panel");
                continue;
            }
            List<String> xl = xs.stream().map(Charts::fmt).toList();
            List<String> yl = ys.stream().map(v -> Charts.fmt(v)).toList();
            List<Number[]> kappa = new ArrayList<>();
            List<Number[]> fail = new ArrayList<>();
            double kmin = Double.POSITIVE_INFINITY;
            double kmax = Double.NEGATIVE_INFINITY;
            for (Row r : panel) {
                int xi = xs.indexOf(r.getDouble(3));
                int yi = ys.indexOf(r.getDouble(2));
                fail.add(new Number[] {xi, yi, r.getDouble(5)});
                if (!r.isNullAt(4) && Double.isFinite(r.getDouble(4))) {
                    double k = r.getDouble(4);
                    kappa.add(new Number[] {xi, yi, k});
                    kmin = Math.min(kmin, k);
                    kmax = Math.max(kmax, k);
                }
            }
            String y = sizeKey.equals(Columns.D) ? "input dimension d" : "hidden width m";
            if (kappa.isEmpty()) {
                skip(s, "median-kappa heatmap for " + name, "no run has a fitted rate (kappa is NULL everywhere)");
            } else {
                if (kmax <= kmin) {
                    kmax = kmin + Math.max(1e-12, Math.abs(kmin) * 0.1);
                }
                figure(s, "heatmap_kappa_" + safe(file) + ".png", "Median kappa for " + name,
                        Charts.heatmap("Median kappa = -log(rho)/eta: " + name, "step size eta", y, xl, yl, kappa,
                                "median kappa (1/time)", kmin, kmax, false));
            }
            figure(s, "heatmap_failure_" + safe(file) + ".png", "Failure fraction for " + name,
                    Charts.heatmap("Fraction of failed runs: " + name, "step size eta", y, xl, yl, fail,
                            "failed fraction", 0, 1, true));
        }
    }

    // ---------------------------------------------------------------- stage 5

    private void stability() {
        HtmlPage.Section s = page.section("Stability boundary");
        if (!cells()) {
            skip(s, "stability boundary", "the runs table lacks step_size, " + sizeKey + ", family or activation");
            return;
        }
        if (distinctSteps(null) < 2) {
            skip(s, "stability boundary", "the sweep has a single step size, so no critical step size can be located");
            return;
        }
        // The stability table's columns (every run CONVERGED / some run DIVERGED or NAN) say nothing when runs end at
        // MAX_STEPS or fail in the forward solve; the plot uses failure (any status but CONVERGED and MAX_STEPS).
        List<Row> rows = spark.sql("SELECT family, activation, sz, "
                + "max(CASE WHEN n_fail = 0 THEN step_size END) AS stable, "
                + "min(CASE WHEN n_fail > 0 THEN step_size END) AS unstable, "
                + "avg(st_med) AS theory "
                + "FROM " + CELLS_VIEW + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").collectAsList();
        Map<String, List<Row>> byPanel = new LinkedHashMap<>();
        boolean manyFamilies = rows.stream().map(r -> r.getString(0)).distinct().count() > 1;
        for (Row r : rows) {
            byPanel.computeIfAbsent(manyFamilies ? r.getString(0) + ", " + r.getString(1) : r.getString(1), x -> new ArrayList<>()).add(r);
        }
        List<Line> lines = new ArrayList<>();
        int colour = 0;
        double szMin = Double.POSITIVE_INFINITY;
        double szMax = 0;
        for (Map.Entry<String, List<Row>> e : byPanel.entrySet()) {
            for (int col = 3; col <= 5; col++) {
                List<double[]> pts = new ArrayList<>();
                for (Row r : e.getValue()) {
                    if (!r.isNullAt(col)) {
                        pts.add(new double[] {r.getDouble(2), r.getDouble(col)});
                        szMin = Math.min(szMin, r.getDouble(2));
                        szMax = Math.max(szMax, r.getDouble(2));
                    }
                }
                if (pts.isEmpty()) {
                    continue;
                }
                String what = col == 3 ? "no failure up to" : col == 4 ? "failures from" : "theory: 2 / mu_max at init";
                lines.add(Line.of(e.getKey() + ": " + what, pts, colour, col == 3 ? Style.SOLID : col == 4 ? Style.DASHED : Style.DOTTED));
            }
            colour++;
        }
        String x = sizeKey.equals(Columns.D) ? "input dimension d" : "hidden width m";
        boolean logX = szMin > 0 && szMax / szMin >= 4;
        if (lines.isEmpty()) {
            skip(s, "stability boundary", "no (" + sizeKey + ", activation) has a step size at which every run converged, "
                    + "nor one at which a run diverged");
        } else {
            s.text("One colour per " + (manyFamilies ? "family and " : "") + "activation. Solid circles: the largest step "
                    + "size at which no run failed (every run CONVERGED or reached MAX_STEPS); dashed diamonds: the smallest "
                    + "step size at which some run failed (DIVERGED, NAN, FORWARD_FAILED, SINGULAR, ...); the critical step "
                    + "size lies between. Dotted triangles, the theory side: the median step_theory, 2 / mu_max with mu_max "
                    + "the largest eigenvalue of the curvature 2 c H of the Gram matrix H at initialisation (for the linear DEQ "
                    + "2 lambda_max(Sigma)(1 + |beta|^2) / sigma_min(I - A)^2): GD expands the top mode above it. The stability table's stricter columns (every run CONVERGED; some run DIVERGED "
                    + "or NAN) are in the stability table." + pooledNote());
            figure(s, "stability.png", "Critical step size against " + sizeKey,
                    Charts.lines("Stability boundary: critical step size against " + sizeKey, x + (logX ? " (log scale)" : ""),
                            "step size eta (log scale)", lines, logX, true));
        }
        theory(s, x, logX);
    }

    /** The theory quantity beside the boundary: median lambda_min of the Gram matrix at init, and of the input covariance. */
    private void theory(HtmlPage.Section s, String x, boolean logX) {
        List<String> cols = new ArrayList<>();
        for (String c : List.of(Columns.LAMBDA_MIN_GRAM_INIT, Columns.LAMBDA_MIN_COV)) {
            if (columns.contains(c)) {
                cols.add(c);
            }
        }
        if (cols.isEmpty()) {
            skip(s, "theory quantity", "the runs table has no lambda_min columns");
            return;
        }
        List<Line> lines = new ArrayList<>();
        List<String> zero = new ArrayList<>();
        if (cols.contains(Columns.LAMBDA_MIN_GRAM_INIT)) {
            // the Gram matrix depends on the activation; one line per (family,) activation
            theoryLines(lines, zero, "SELECT family, activation, CAST(" + Sql.ident(sizeKey) + " AS DOUBLE) AS sz, "
                    + "percentile(lambda_min_gram_init, 0.5) FROM " + RUNS_VIEW + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                    "lambda_min(Gram) at init", Style.SOLID, true);
        }
        if (cols.contains(Columns.LAMBDA_MIN_COV)) {
            // the input covariance depends on the data only: one line per family
            theoryLines(lines, zero, "SELECT family, '' AS activation, CAST(" + Sql.ident(sizeKey) + " AS DOUBLE) AS sz, "
                    + "percentile(lambda_min_cov, 0.5) FROM " + RUNS_VIEW + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                    "lambda_min(X^T X / n)", Style.DASHED, false);
        }
        if (lines.isEmpty()) {
            skip(s, "theory quantity", "lambda_min of the Gram matrix and of the input covariance are zero or missing in every cell");
            return;
        }
        s.text("Beside it, the theory quantities the papers' linear rates are bounded by, median over the runs of each "
                + sizeKey + ": lambda_min of the Gram matrix H_ij = <grad f(x_i), grad f(x_j)> at initialisation (zero, and "
                + "left out, when n exceeds the number of trained parameters) and, dashed, lambda_min of the input covariance."
                + (zero.isEmpty() ? "" : " Zero or missing everywhere: " + String.join("; ", zero) + "."));
        figure(s, "stability_theory.png", "Theory quantities against " + sizeKey,
                Charts.lines("Theory: lambda_min at initialisation against " + sizeKey, x + (logX ? " (log scale)" : ""),
                        "lambda_min (log scale)", lines, logX, true));
    }

    private void theoryLines(List<Line> lines, List<String> zero, String sql, String what, Style style, boolean perActivation) {
        List<Row> rows = spark.sql(sql).collectAsList();
        boolean manyFamilies = rows.stream().map(r -> r.getString(0)).distinct().count() > 1;
        Map<String, List<double[]>> byPanel = new LinkedHashMap<>();
        for (Row r : rows) {
            String key = perActivation ? (manyFamilies ? r.getString(0) + ", " + r.getString(1) : r.getString(1))
                    : manyFamilies ? r.getString(0) : "all runs";
            List<double[]> pts = byPanel.computeIfAbsent(key, z -> new ArrayList<>());
            if (!r.isNullAt(3) && r.getDouble(3) > 0) {
                pts.add(new double[] {r.getDouble(2), r.getDouble(3)});
            }
        }
        int colour = perActivation ? 0 : Charts.PALETTE.length - 4;
        for (Map.Entry<String, List<double[]>> e : byPanel.entrySet()) {
            if (e.getValue().isEmpty()) {
                zero.add(e.getKey() + " " + what);
            } else {
                lines.add(Line.of(e.getKey() + ": " + what, e.getValue(), colour, style));
            }
            colour++;
        }
    }

    // ---------------------------------------------------------------- stage 6

    private void drift() {
        HtmlPage.Section s = page.section("Conservation drift (linear DEQ)");
        if (!columns.contains(Columns.CONSERVATION_DRIFT)) {
            skip(s, "conservation drift", "the runs table has no conservation_drift column");
            return;
        }
        long linear = spark.sql("SELECT count(*) FROM " + RUNS_VIEW + " WHERE family = 'linear_deq'").first().getLong(0);
        if (linear == 0) {
            skip(s, "conservation drift", "the sweep has no linear_deq runs (the conservation law is the linear DEQ's)");
            return;
        }
        if (distinctSteps("family = 'linear_deq'") < 2) {
            skip(s, "conservation drift", "the linear_deq runs use a single step size; the drift's slope in step size needs two");
            return;
        }
        List<Row> rows = spark.sql("SELECT CAST(" + Sql.ident(sizeKey) + " AS DOUBLE) AS sz, step_size, percentile(conservation_drift, 0.5), "
                + "count(*) FROM " + RUNS_VIEW + " WHERE family = 'linear_deq' AND conservation_drift > 0 "
                + "AND conservation_drift < double('Infinity') GROUP BY 1, 2 ORDER BY 1, 2").collectAsList();
        if (rows.isEmpty()) {
            skip(s, "conservation drift", "no linear_deq run has a positive finite conservation drift");
            return;
        }
        List<Double> sizes = rows.stream().map(r -> r.getDouble(0)).distinct().sorted().toList();
        List<Long> pick = evenly(sizes.size(), MAX_DRIFT_SERIES);
        List<Line> lines = new ArrayList<>();
        double x0 = Double.POSITIVE_INFINITY;
        double y0 = Double.NaN;
        double xMax = 0;
        int colour = 0;
        for (long pi : pick) {
            double sz = sizes.get((int) pi - 1);
            List<Row> pts = rows.stream().filter(r -> r.getDouble(0) == sz).toList();
            double[] xs = pts.stream().mapToDouble(r -> r.getDouble(1)).toArray();
            double[] ys = pts.stream().mapToDouble(r -> r.getDouble(2)).toArray();
            if (xs[0] < x0) {
                x0 = xs[0];
                y0 = ys[0];
            }
            xMax = Math.max(xMax, xs[xs.length - 1]);
            lines.add(new Line(sizeKey + " = " + Charts.fmt(sz) + " (median over seeds)", xs, ys, colour++, Style.SOLID));
        }
        lines.add(new Line("slope 1 guide: drift proportional to eta", new double[] {x0, xMax}, new double[] {y0, y0 * xMax / x0}, -1, Style.GUIDE));
        s.text("Median relative drift |Q_T - Q_0|_F / |Q_0|_F of the conserved quantity Q = W W^T + (I - A)(I - A)^T at the "
                + "end of each linear_deq run, against the step size, on log-log axes. Gradient flow conserves Q exactly; gradient "
                + "descent breaks it by eta^2 |grad|^2 per step, so at a fixed flow time the drift is proportional to eta: parallel "
                + "to the dashed slope-1 guide (drawn through the smallest step size's point). Runs with zero or missing drift "
                + "are left out." + (sizes.size() > pick.size() ? " " + pick.size() + " of " + sizes.size() + " values of "
                + sizeKey + " are drawn." : ""));
        figure(s, "conservation_drift.png", "Conservation drift against step size (linear_deq)",
                Charts.lines("Conservation drift of linear DEQ runs against step size", "step size eta (log scale)",
                        "relative drift of Q (log scale)", lines, true, true));
    }

    // ---------------------------------------------------------------- helpers


    static String show(Object v) {
        if (v instanceof Double d) {
            return Charts.fmt(d);
        }
        return String.valueOf(v);
    }

    static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}

package org.deqsweep.sweep.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.SweepSource;

/**
 * Builds the report of one sweep (DESIGN 6): registers the runs and curves views, runs the sections in
 * order (status counts, loss curves, heatmaps of median kappa and failure fraction, the stability boundary
 * beside the theory quantities, the conservation drift of linear runs) and writes the PNGs and the page.
 * Every aggregation is Spark SQL over the views; only aggregated series (and at most
 * {@code maxGroups x maxSeeds} loss curves) reach the driver. A plot that does not apply to this sweep is
 * skipped with a line on the page and on the console saying why.
 */
public final class Report {
    public static final int DEFAULT_MAX_GROUPS = 20;
    public static final int DEFAULT_MAX_SEEDS = 10;
    /** At most this many model sizes in the drift chart (evenly chosen). */
    public static final int MAX_DRIFT_SERIES = 8;

    private final SparkSession spark;
    private final SweepSource src;
    private final PrintWriter console;
    private final HtmlPage page;
    private final List<ReportSection> sections;
    private final ReportContext.Views views = ReportContext.Views.REPORT;
    private final long t0 = System.nanoTime();
    private int stage;

    /** What was written. */
    public record Result(Path html, List<Path> pngs, List<String> skipped) {
    }

    public Report(SparkSession spark, SweepSource src, PrintWriter console, int maxGroups, int maxSeeds) {
        this.spark = spark;
        this.src = src;
        this.console = console;
        this.page = new HtmlPage("deq-sweep report: " + src.name());
        this.sections = List.of(new StatusCountsSection(), new LossCurvesSection(maxGroups, maxSeeds), new HeatmapsSection(),
                new StabilitySection(), new RefinedBoundarySection(), new DriftSection(MAX_DRIFT_SERIES));
    }

    /** Runs every stage and writes the PNGs and report.html into {@code to}. */
    public Result write(Path to) throws IOException {
        ReportOutput out = new ReportOutput(to, console);
        try {
            Overview.notes(src, page, console);
            ReportContext c = readRuns(out);
            Overview.facts(src, c.sweep(), page);
            done("read runs");
            for (ReportSection section : sections) {
                HtmlPage.Section s = page.section(section.heading());
                Optional<String> why = section.whyNot(c);
                if (why.isPresent()) {
                    out.skip(s, section.name(), why.get());
                } else {
                    section.render(c, s);
                }
                done(section.name());
            }
            Result r = out.write(page);
            done("write page");
            console.println("report: wrote " + r.html() + " and " + r.pngs().size() + " PNG file" + (r.pngs().size() == 1 ? "" : "s")
                    + (r.skipped().isEmpty() ? "" : "; " + r.skipped().size() + " plot(s) skipped"));
            return r;
        } finally {
            for (String v : views.all()) {
                if (spark.catalog().tableExists(v)) {
                    spark.catalog().uncacheTable(v);
                    spark.catalog().dropTempView(v);
                }
            }
        }
    }

    /** Registers the runs view (cached) and, when the sweep recorded curves, the curves view. */
    private ReportContext readRuns(ReportOutput out) {
        Dataset<Row> runs = src.runs(spark);
        runs.createOrReplaceTempView(views.runs());
        spark.catalog().cacheTable(views.runs());
        SweepColumns sweep = SweepColumns.read(spark, views.runs(), runs.columns());
        Dataset<Row> curves = src.curves(spark);
        boolean hasCurves = curves != null && Arrays.asList(curves.columns()).containsAll(List.of(Columns.RUN_ID, ResultFields.STEP, ResultFields.LOSS));
        if (hasCurves) {
            curves.createOrReplaceTempView(views.curves());
        }
        return new ReportContext(spark, views, sweep, hasCurves, page, out, src);
    }

    /** The progress line: stages done / total, and the elapsed time (each stage is one or a few Spark jobs). */
    private void done(String name) {
        stage++;
        console.printf(Locale.ROOT, "report: [%d/%d] %s done (%.1f s)%n", stage, sections.size() + 2, name,
                (System.nanoTime() - t0) / 1e9);
        console.flush();
    }
}

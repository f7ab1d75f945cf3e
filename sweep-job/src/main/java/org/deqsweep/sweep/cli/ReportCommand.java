package org.deqsweep.sweep.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deqsweep.sweep.engine.Sessions;
import org.deqsweep.sweep.report.Report;
import org.deqsweep.sweep.store.SweepSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code report DIR [--to DIR]}: PNG plots and one self-contained HTML page from a sweep's tables (DESIGN 6).
 * Exit status 0 when the page is written (even when plots are skipped), 2 when DIR holds no sweep output.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Plots (PNG) and an HTML page from a sweep's tables: status counts, loss curves, kappa and failure "
                + "heatmaps, stability boundary, conservation drift.")
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "a sweep's output (<out>/<name>), or <out> holding a single sweep; a local path or a Hadoop file system URI")
    String dir;

    @Option(names = "--to", paramLabel = "DIR", description = "the local directory report.html and the PNGs go to (default: DIR/report for a local sweep, ./<name>-report for one on another file system)")
    Path to;

    @Option(names = "--max-groups", defaultValue = "" + Report.DEFAULT_MAX_GROUPS,
            description = "loss-curve charts drawn at most (default: ${DEFAULT-VALUE})")
    int maxGroups;

    @Option(names = "--max-seeds", defaultValue = "" + Report.DEFAULT_MAX_SEEDS,
            description = "seeds drawn per loss-curve chart at most (default: ${DEFAULT-VALUE})")
    int maxSeeds;

    @Option(names = "--master", paramLabel = "M", description = "Spark master (default: spark-submit's, else local[*])")
    String master;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (maxGroups < 1 || maxSeeds < 1) {
            err.println("report: --max-groups and --max-seeds must be at least 1");
            return 2;
        }
        System.setProperty("java.awt.headless", "true");
        SweepSource src;
        try {
            src = SweepSource.open(dir, org.deqsweep.sweep.engine.Sessions.hadoopConf(java.util.Map.of()));
        } catch (IllegalArgumentException e) {
            err.println("report: " + e.getMessage());
            return 2;
        }
        Path target = to != null ? to : src.dir().isLocal() ? Path.of(src.dir().path().toUri()).resolve("report")
                : Path.of(src.name() + "-report").toAbsolutePath();
        try (org.deqsweep.sweep.engine.Sessions.Session session = org.deqsweep.sweep.engine.Sessions.open("deq-sweep report", master,
                java.util.Map.of("spark.sql.shuffle.partitions", "8"))) {
            new Report(session.spark(), src, out, maxGroups, maxSeeds).write(target);
        }
        return 0;
    }
}

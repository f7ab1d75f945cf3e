package org.deqsweep.sweep.cli;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.deqsweep.core.config.ConfigException;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.io.JsonIo;
import org.deqsweep.core.io.OneRun;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.RunTrace;
import org.deqsweep.sweep.engine.Sessions;
import org.deqsweep.sweep.replay.Replay;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.SweepSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code replay DIR RUN_ID [--dump FILE]}: re-runs one grid point in this JVM from the config columns of its
 * runs row, with the full per-step trace, and checks that it reproduces the row: status, steps, initial and
 * final loss bit for bit (DESIGN 5: a run is reproducible from its config alone). Spark only reads the row.
 * Exit status 0 when the row is reproduced, 1 on a mismatch (a table of what differs), 2 for a bad argument
 * or a run_id that is not in the sweep.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-run one grid point locally with its full trace and check it reproduces the sweep's row.")
public final class ReplayCommand implements Callable<Integer> {
    /** Trace lines printed without --trace (log-spaced steps, plus the last). */
    static final int TRACE_LINES = 12;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "a sweep's output (<out>/<name>), or <out> holding a single sweep; a local path or a Hadoop file system URI")
    String dir;

    @Parameters(index = "1", paramLabel = "RUN_ID", description = "the run_id of the runs row to replay")
    String runId;

    @Option(names = "--dump", paramLabel = "FILE", description = "write config, data, initial and final parameters, the loss at "
            + "every step and the result as JSON (the one-run command's --dump layout)")
    Path dump;

    @Option(names = "--trace", description = "print the loss at every step (default: " + TRACE_LINES + " log-spaced steps)")
    boolean fullTrace;

    @Option(names = "--json", description = "print the replayed result as JSON")
    boolean json;

    @Option(names = "--master", paramLabel = "M", description = "Spark master used to read the row (default: local[*])")
    String master;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SweepSource src;
        try {
            src = SweepSource.open(dir, Sessions.hadoopConf(Map.of()));
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            return 2;
        }
        Row row;
        List<String> columns;
        try (Sessions.Session session = Sessions.open("deq-sweep replay", master, Map.of())) {
            org.apache.spark.sql.Dataset<Row> runs = src.runs(session.spark());
            columns = Arrays.asList(runs.columns());
            List<Row> rows = runs.filter(col(Columns.RUN_ID).equalTo(runId)).collectAsList();
            if (rows.isEmpty()) {
                err.println("replay: run_id " + runId + " is not in " + src.dir() + " (" + src.kind().name().toLowerCase(Locale.ROOT)
                        + "); list some with: query " + src.dir() + " \"SELECT run_id, status FROM runs LIMIT 20\"");
                return 2;
            }
            row = rows.get(0);
        }
        for (String n : src.notes()) {
            out.println("replay: note: " + n);
        }

        Map<String, Object> raw = Replay.configOf(row, columns);
        RunConfig cfg;
        try {
            cfg = RunConfig.fromMap(raw);
        } catch (ConfigException e) {
            err.println("replay: MISMATCH: the row's config columns are refused by RunConfig: " + e.getMessage());
            return 1;
        }
        if (!cfg.runId().equals(runId)) {
            err.println("replay: MISMATCH: the row's config columns hash to run_id " + cfg.runId() + ", not " + runId
                    + " (the config schema or its defaults changed since the sweep, or the row was altered)");
            return 1;
        }
        out.println("replay: run " + runId + " (" + describe(cfg) + ")");

        Replay.Rerun re = Replay.rerun(cfg);
        RunResult r = re.result();
        RunTrace trace = re.trace();
        printTrace(out, trace);
        if (dump != null) {
            OneRun.writeDump(dump, cfg, re.data(), re.initial(), re.trained(), trace, r);
            out.println("replay: wrote the dump to " + dump);
        }
        if (json) {
            Map<String, Object> res = JsonIo.result(r);
            res.remove("curve");
            out.println(JsonIo.JSON.writeValueAsString(res));
        }

        List<Replay.Check> checks = Replay.compare(row, columns, r);
        boolean ok = checks.stream().allMatch(Replay.Check::ok);
        PrintWriter w = ok ? out : err;
        w.printf(Locale.ROOT, "%-14s %-46s %-46s %s%n", "field", "sweep row", "replay", "");
        for (Replay.Check c : checks) {
            w.printf(Locale.ROOT, "%-14s %-46s %-46s %s%n", c.field(), shown(c.sweep()), shown(c.replay()), c.ok() ? "ok" : "DIFFERS");
        }
        if (ok) {
            out.println("replay: OK: the replay reproduces the sweep's row (status, steps, initial and final loss bit for bit)");
            return 0;
        }
        err.println("replay: MISMATCH: the replay does not reproduce the sweep's row");
        return 1;
    }

    private static String shown(Object v) {
        if (v instanceof Double d) {
            return Double.isNaN(d) ? "NULL/NaN" : d + " [" + Long.toHexString(Double.doubleToRawLongBits(d)) + "]";
        }
        return String.valueOf(v);
    }

    private static String describe(RunConfig cfg) {
        List<String> parts = new ArrayList<>();
        for (String k : List.of("family", "d", "width", "n", "activation", "step_size", "seed", "max_steps")) {
            parts.add(k + "=" + cfg.get(k));
        }
        return String.join(", ", parts);
    }

    private void printTrace(PrintWriter out, RunTrace trace) {
        int n = trace.size();
        out.println("replay: trace of " + n + " recorded steps" + (fullTrace || n <= TRACE_LINES ? ":" : " (log-spaced; --trace prints all, --dump writes all):"));
        out.printf(Locale.ROOT, "  %12s %14s %24s%n", "step", "time", "loss");
        List<Integer> idx = new ArrayList<>();
        if (fullTrace || n <= TRACE_LINES) {
            for (int i = 0; i < n; i++) {
                idx.add(i);
            }
        } else {
            for (int k = 0; k < TRACE_LINES - 1; k++) {
                int i = (int) Math.round(Math.expm1(Math.log(n) * k / (TRACE_LINES - 1)));
                if (idx.isEmpty() || idx.get(idx.size() - 1) < i) {
                    idx.add(Math.min(i, n - 1));
                }
            }
            if (idx.get(idx.size() - 1) != n - 1) {
                idx.add(n - 1);
            }
        }
        for (int i : idx) {
            out.printf(Locale.ROOT, "  %12s %14.6g %24s%n", stepText(trace.step(i)), trace.time(i), Double.toString(trace.loss(i)));
        }
    }

    private static String stepText(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.3f", s);
    }
}

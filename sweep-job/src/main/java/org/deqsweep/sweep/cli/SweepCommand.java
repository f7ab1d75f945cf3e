package org.deqsweep.sweep.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deqsweep.core.config.ConfigException;
import org.deqsweep.sweep.engine.MemoryAdmission;
import org.deqsweep.sweep.engine.Sessions;
import org.deqsweep.sweep.engine.SweepFailure;
import org.deqsweep.sweep.engine.SweepJob;
import org.deqsweep.sweep.engine.SweepLog;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sweep SPEC}: validate the spec, then run it into {@code <out>/<name>/} (DESIGN 5, 6). */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a sweep spec on Spark and write runs, curves, failures, summary and stability as Parquet under <out>/<name>/.")
final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SPEC", description = "the sweep spec (YAML)")
    Path specFile;

    @Option(names = "--master", paramLabel = "M", description = "Spark master: local[*], local[N], spark://host:7077, yarn, k8s://...; default: spark-submit's, else local[*]")
    String master;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out", description = "output root, a local path or a Hadoop file system URI (hdfs://nn:8020/x, s3a://bucket/x, file:///x); the sweep goes to DIR/<name>/ (default: ${DEFAULT-VALUE})")
    String outRoot;

    @Option(names = "--resume", description = "run only the grid points whose run_id is not yet in the output, then rebuild the tables")
    boolean resume;

    @Option(names = "--overwrite", description = "delete an existing output of this sweep first")
    boolean overwrite;

    @Option(names = "--set", paramLabel = "k=v", description = "override a spec key, e.g. --set grid.d=[8,16] (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--dry-run", description = "print the plan (grid size, included points, partitions, waves) and exit")
    boolean dryRun;

    @Option(names = "--conf", paramLabel = "k=v", description = "a Spark setting (repeatable)")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--verbose", description = "show Spark's log and a failure's stack trace on the terminal too (they always go to <out>/<name>/_sweep.log)")
    boolean verbose;

    @Override
    @SuppressWarnings("try") // the lock is held for the try block's extent, never read
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (resume && overwrite) {
            throw new UsageException("--resume and --overwrite exclude each other: --resume keeps the runs already written, --overwrite deletes them.");
        }
        SweepSpec plan = parse(specFile, sets);
        OutputDir dir = new OutputDir(outRoot, Sessions.hadoopConf(conf)).checkReachable().child(plan.name());
        // before anything is written: a run that cannot fit in a task's heap would kill its executor
        MemoryAdmission.Verdict memory = MemoryAdmission.check(plan, master, conf);
        if (dryRun) {
            int cores = Sessions.localCores(master);
            out.println(SweepJob.plan(plan, cores).describe().stripTrailing());
            out.println(memory.line());
            out.printf("output: %s%s%n", dir, dir.hasOutput() ? " (exists: needs --resume or --overwrite)" : "");
            if (master != null && !master.startsWith("local")) {
                out.printf("(planned for %d cores; a cluster plans with its own default parallelism)%n", cores);
            }
            out.flush();
            if (!memory.fits()) {
                throw new UsageException(memory.refusal());
            }
            return 0;
        }
        if (!memory.fits()) {
            throw new UsageException(memory.refusal());
        }
        // the lock first: while another sweep writes here, that is the reason to stop, not its output
        try (OutputDir.Lock lock = dir.lock()) {
            if (dir.hasOutput() && !resume && !overwrite) {
                throw new UsageException(dir + " already holds output of sweep '" + plan.name()
                        + "'. Use --resume to run only the grid points not yet present, or --overwrite to replace it"
                        + " (or choose another --out).");
            }
            return run(plan, dir, err);
        }
    }

    private int run(SweepSpec plan, OutputDir dir, PrintWriter err) {
        if (overwrite) {
            dir.clearForOverwrite();
        }
        String resumeCmd = SweepFailure.resumeCommand(launcher(), specFile.toString(), outRoot, sets, master, conf);
        try (SweepLog log = SweepLog.open(dir, resumeCmd.replace(" --resume", resume ? " --resume" : ""), verbose)) {
            try (Sessions.Session session = Sessions.open("deq-sweep " + plan.name(), master, conf)) {
                SweepJob.Outcome o = new SweepJob(session.spark(), plan, dir, resume, err).run();
                String refined = plan.refine() == null ? "" : String.format(" + %d runs at refined %s values", o.refinedRuns(),
                        plan.refine().key());
                err.printf("[%s] wrote %s: %d grid points, %d included%s, %d trained (%d failed), %d already present;"
                                + " %d partitions x %d waves; %.1f s%n",
                        plan.name(), dir, o.gridSize(), o.included(), refined, o.trained(), o.failed(), o.alreadyPresent(),
                        o.partitions(), o.waves(), o.wallSeconds());
                err.flush();
            } catch (RuntimeException | Error e) {
                if (e instanceof UsageException || e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) {
                    throw e;
                }
                log.write("the sweep failed", e);
                if (verbose) {
                    e.printStackTrace(err);
                }
                throw SweepFailure.of(e, dir, committedWaves(dir), dir.uncommittedWaves(), resumeCmd, log.fileToName());
            }
        }
        return 0;
    }

    private static int committedWaves(OutputDir dir) {
        try {
            return dir.committedWaves().size();
        } catch (RuntimeException unreadable) {
            return 0;
        }
    }

    /** How the user started this command: submit.sh exports its path; run in a plain JVM, the README's form. */
    private static String launcher() {
        String l = System.getenv("DEQ_LAUNCHER");
        return l == null || l.isBlank() ? "./submit.sh" : l;
    }

    /** Parses and validates the spec; a bad spec is a usage error (exit 2, nothing written). */
    static SweepSpec parse(Path file, List<String> sets) {
        try {
            return SpecParser.parse(file, sets);
        } catch (ConfigException e) { // SpecException included
            throw new UsageException("bad sweep spec " + file + ": " + e.getMessage());
        }
    }
}

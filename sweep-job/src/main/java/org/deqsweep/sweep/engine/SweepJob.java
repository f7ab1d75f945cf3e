package org.deqsweep.sweep.engine;

import java.io.PrintWriter;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.Runner;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.spec.DryRunPlan;
import org.deqsweep.sweep.spec.Grid;
import org.deqsweep.sweep.spec.SweepSpec;
import org.deqsweep.sweep.store.Manifest;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.TableBuilder;
import org.deqsweep.sweep.store.WaveFiles;
import org.deqsweep.sweep.store.Tables;

/**
 * Runs one sweep into its output directory (DESIGN 5): the grid's index range is cut into waves; each
 * wave is one Spark job of P tasks, each task decoding its share of the indices on the executor, training
 * each point once through {@link Runner#run} and emitting one staging row per run (run columns plus the
 * curve), written once under the wave's own name and committed by its marker (see {@link OutputDir}). The tables are then rebuilt from the committed
 * waves ({@link TableBuilder}), so each run_id appears exactly once however often the sweep was resumed.
 */
public final class SweepJob {
    /** Waves submitted at once (see {@link #run}); a killed driver loses at most this many uncommitted waves. */
    static final int WAVES_IN_FLIGHT = 2;
    /** How long a failed sweep waits for the cancelled waves' tasks: longer than any one run should take. */
    static final long TASK_STOP_TIMEOUT_MS = 10 * 60_000L;

    /** What trains one config: {@link Runner#run} in production. */
    public interface RunFn extends Serializable {
        RunResult run(RunConfig cfg);
    }

    /**
     * The summary a finished sweep returns. {@code refinedRuns} counts the runs at refined values (DESIGN
     * 4.7), committed by this sweep or an earlier attempt; {@code trained} and {@code alreadyPresent}
     * count them too, {@code gridSize} and {@code included} only the grid. {@code waveSize} is the first wave's size
     * and {@code waves} the Spark jobs this command ran, the refinement's included.
     */
    public record Outcome(long gridSize, long included, long trained, long failed, long alreadyPresent,
                          int partitions, long waveSize, long waves, long refinedRuns, double wallSeconds) {
    }

    private final SparkSession spark;
    private final SweepSpec spec;
    private final OutputDir out;
    private final boolean resume;
    private final RunFn runFn;
    private final PrintWriter console;
    /** The waves this run committed: each must still be there at the next commit and at the rebuild. */
    private final List<Path> committed = new ArrayList<>();

    public SweepJob(SparkSession spark, SweepSpec spec, OutputDir out, boolean resume, PrintWriter console) {
        this(spark, spec, out, resume, console, Runner::run);
    }

    public SweepJob(SparkSession spark, SweepSpec spec, OutputDir out, boolean resume, PrintWriter console, RunFn runFn) {
        this.spark = spark;
        this.spec = spec;
        this.out = out;
        this.resume = resume;
        this.console = console;
        this.runFn = runFn;
    }

    @SuppressWarnings("try") // the progress line runs for the try block's extent, never read
    public Outcome run() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Grid grid = spec.toGrid();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DryRunPlan plan = plan(spec, spark.sparkContext().defaultParallelism());
        int p = plan.partitions();
        long n = grid.size();
        long waveSize = plan.waveSize();
        long waves = (n + waveSize - 1) / waveSize; // at most, when the waves grow (DESIGN 5.1)
        long included = plan.included();

        out.removeUncommitted();
        // a resumed refinement needs the committed statuses (the rounds replay from them), others only the run_ids
        Map<String, Status> statuses = new java.util.HashMap<>();
        Set<String> present;
        if (resume && spec.refine() != null) {
            statuses.putAll(TableBuilder.committedStatuses(spark, out.committedWaves()));
            present = statuses.keySet();
        } else {
            present = resume ? TableBuilder.committedRunIds(spark, out) : Set.of();
        }
        Broadcast<Set<String>> presentB = jsc.broadcast(Collections.unmodifiableSet(new HashSet<>(present)));
        LongAccumulator done = spark.sparkContext().longAccumulator("runs_done");
        LongAccumulator failed = spark.sparkContext().longAccumulator("runs_failed");
        LongAccumulator skipped = spark.sparkContext().longAccumulator("runs_already_present");
        int attempt = out.nextAttempt();

        Manifest manifest = new Manifest(spec, spark, started, n, included, p, waveSize, waves, resume, present.size());
        manifest.write(out, Manifest.RUNNING, null, 0, Map.of());
        // a JVM that stops mid-sweep (Ctrl-C, SIGTERM, or Spark ending a local executor on an OutOfMemoryError
        // outside a run, exit status 52) runs its shutdown hooks: the manifest then says so, not "running"
        Runnable stopped = OutputDir.onExit(() -> {
            manifest.failure("the JVM stopped while the sweep ran (Ctrl-C, SIGTERM, or a fatal error outside a run,"
                    + " such as an OutOfMemoryError in Spark's own threads); --resume continues");
            try {
                manifest.write(out, Manifest.FAILED, Instant.now(), (System.nanoTime() - t0) / 1e9, Map.of());
            } catch (RuntimeException ignored) {
                // best effort while the JVM exits
            }
        });
        List<RefineRounds.GroupProgress> refinement = List.of();
        String group = "deq-sweep " + spec.name() + " " + attempt + " " + System.nanoTime();
        spark.sparkContext().setJobGroup(group, "sweep " + spec.name(), false);
        // WAVES_IN_FLIGHT waves run at once: the next wave's tasks take the cores the current wave's last
        // tasks leave idle, so no core waits at a wave's end. The pool's threads inherit the job group.
        ExecutorService pool = Executors.newFixedThreadPool(WAVES_IN_FLIGHT, r -> {
            Thread t = new Thread(r, "deq-sweep-wave");
            t.setDaemon(true);
            return t;
        });
        // the next wave goes in as soon as any wave in flight ends (not the oldest): its job is planned while
        // the other wave still runs, so the cores never wait for the driver
        CompletionService<Ended> ended = new ExecutorCompletionService<>(pool);
        AtomicBoolean stopping = new AtomicBoolean();
        WaveSettings settings = new WaveSettings(jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration())));
        Waves w = new Waves(pool, ended, stopping, attempt, plan, presentB, done, failed, skipped, settings);
        try (GroupTasks tasks = new GroupTasks(spark.sparkContext(), group);
             Progress progress = new Progress(spark.sparkContext(), spec.name(), included, done, failed, skipped, console)) {
            try {
                w.run(new GridSource(grid), "wave");
                if (spec.refine() != null) {
                    refinement = refine(grid, w, progress, statuses, manifest);
                }
            } catch (RuntimeException | Error e) {
                stopPartners(group, pool, tasks, stopping);
                try {
                    manifest.failure(String.valueOf(e));
                    manifest.write(out, Manifest.FAILED, Instant.now(), (System.nanoTime() - t0) / 1e9, Map.of());
                } catch (RuntimeException unwritable) {
                    e.addSuppressed(unwritable); // the storage failure that stopped the sweep may stop this too
                }
                OutputDir.removeOnExit(stopped);
                throw e;
            }
        } finally {
            pool.shutdown();
            awaitQuietly(pool);
            spark.sparkContext().clearJobGroup();
            settings.conf().destroy(); // a session that outlives the command (the tests') keeps no copy per sweep
        }
        try {
            return rebuild(manifest, grid, t0, n, included, p, waveSize, w.submitted(), done, failed, skipped, presentB, refinement);
        } catch (RuntimeException | Error e) {
            try {
                manifest.failure("the table rebuild failed: " + e);
                manifest.write(out, Manifest.FAILED, Instant.now(), (System.nanoTime() - t0) / 1e9, Map.of());
            } catch (RuntimeException unwritable) {
                e.addSuppressed(unwritable);
            }
            throw e;
        } finally {
            OutputDir.removeOnExit(stopped);
        }
    }

    private Outcome rebuild(Manifest manifest, Grid grid, long t0, long n, long included, int p, long waveSize, long waves,
                            LongAccumulator done, LongAccumulator failed, LongAccumulator skipped,
                            Broadcast<Set<String>> presentB, List<RefineRounds.GroupProgress> refinement) {
        long tb = System.nanoTime();
        spark.sparkContext().setJobDescription("rebuild tables");
        out.checkPresent(committed);
        Map<String, Long> counts = TableBuilder.rebuild(spark, out, spec.varyingKeys(),
                TableBuilder.mayHoldDuplicates(out, grid.repeatsPoints()),
                spec.refine() != null && spec.refine().key().equals("step_size") ? brackets(grid, refinement) : List.of());
        console.printf("[%s] tables rebuilt from %d waves in %.1f s%n", spec.name(), out.committedWaves().size(),
                (System.nanoTime() - tb) / 1e9);
        console.flush();
        presentB.destroy();
        double wall = (System.nanoTime() - t0) / 1e9;
        manifest.wavesRun(waves);
        manifest.write(out, Manifest.COMPLETED, Instant.now(), wall, counts);
        long refined = refinement.stream().mapToLong(g -> g.progress().runsSpent()).sum();
        return new Outcome(n, included, done.value(), failed.value(), skipped.value(), p, waveSize, waves, refined, wall);
    }

    /**
     * The refinement's rounds after the grid's waves (DESIGN 4.7): replays every group's rounds over the
     * committed statuses, runs the points of the values that lack runs through the same waves, reads back
     * the statuses of the waves just committed, and repeats until every group is done.
     *
     * @param statuses the statuses of the runs committed before this sweep started (a resume), by run_id;
     *                 filled in here as waves commit
     * @return every group's final progress
     */
    private List<RefineRounds.GroupProgress> refine(Grid grid, Waves w, Progress progress, Map<String, Status> statuses,
                                                    Manifest manifest) {
        statuses.putAll(TableBuilder.committedStatuses(spark, w.committedHere()));
        List<RefineRounds.Group> groups = RefineRounds.groups(grid, spec.refine().key());
        for (int pass = 0;; pass++) {
            List<RefineRounds.GroupProgress> state = RefineRounds.progress(grid, spec.refine(), groups, statuses::get);
            manifest.refinement(spec.refine().key(), brackets(grid, state));
            RefineRounds.Points next = RefineRounds.toRun(state);
            if (next.size() == 0) {
                console.println(RefineRounds.describe(spec.name(), grid, spec.refine(), state));
                console.flush();
                return state;
            }
            if (pass > RefineRounds.MAX_PASSES) {
                throw new IllegalStateException("the refinement still lacks " + next.size() + " runs after " + pass
                        + " passes; their waves committed no rows for them");
            }
            int round = state.stream().filter(g -> !g.progress().done()).mapToInt(g -> g.progress().round()).max().orElse(0);
            long running = state.stream().filter(g -> !g.progress().done()).count();
            console.printf("[%s] refine round %d: %d values in %d of %d groups, %d runs%n", spec.name(), round,
                    state.stream().mapToInt(g -> g.progress().toRun().size()).sum(), running, groups.size(), next.size());
            console.flush();
            manifest.write(out, Manifest.RUNNING, null, 0, Map.of());
            progress.addTotal(next.size());
            int before = w.committedHere().size();
            w.run(new RefinedSource(grid, spec.refine().key(), next), "refine round " + round + ", wave");
            List<Path> fresh = w.committedHere();
            statuses.putAll(TableBuilder.committedStatuses(spark, fresh.subList(before, fresh.size())));
        }
    }

    /** Each group's bracket, with a typed config of the group (the stability table's join keys, DESIGN 5.4). */
    private static List<TableBuilder.RefinedBracket> brackets(Grid grid, List<RefineRounds.GroupProgress> refinement) {
        List<TableBuilder.RefinedBracket> out = new ArrayList<>();
        for (RefineRounds.GroupProgress g : refinement) {
            Map<String, Object> point = grid.point(g.group().bases()[0]);
            Map<String, Object> typed;
            try {
                typed = RunConfig.fromMap(point).values();
            } catch (RuntimeException e) {
                typed = Tables.typedOrNull(point);
            }
            out.add(TableBuilder.RefinedBracket.of(g.group().keys(), typed, g.progress()));
        }
        return out;
    }

    /**
     * The waves of one sweep: cuts a source's positions into waves of the plan's size, keeps
     * {@link #WAVES_IN_FLIGHT} of them submitted, and numbers them across calls, so the refinement's
     * rounds follow the grid's waves under the same attempt. Automatic waves are resized as they end
     * ({@link DryRunPlan#nextWaveSize}): each wave submitted takes its size from the last one to end.
     */
    private final class Waves {
        private final ExecutorService pool;
        private final CompletionService<Ended> ended;
        private final AtomicBoolean stopping;
        private final int attempt;
        private final int p;
        private final DryRunPlan plan;
        private final Broadcast<Set<String>> present;
        private final LongAccumulator done;
        private final LongAccumulator failed;
        private final LongAccumulator skipped;
        private final WaveSettings settings;
        private long next;
        /** The size of the next wave; only the driver's thread that runs the waves touches it. */
        private long size;

        Waves(ExecutorService pool, CompletionService<Ended> ended, AtomicBoolean stopping, int attempt, DryRunPlan plan,
              Broadcast<Set<String>> present, LongAccumulator done, LongAccumulator failed, LongAccumulator skipped,
              WaveSettings settings) {
            this.pool = pool;
            this.ended = ended;
            this.stopping = stopping;
            this.attempt = attempt;
            this.p = plan.partitions();
            this.plan = plan;
            this.size = plan.waveSize();
            this.present = present;
            this.done = done;
            this.failed = failed;
            this.skipped = skipped;
            this.settings = settings;
        }

        /** Runs every position of {@code source} and returns once all its waves are committed (or deleted as empty). */
        void run(Source source, String label) {
            long n = source.size();
            Set<String> skip = present.value();
            int running = 0;
            long from = 0;
            for (int i = 1; from < n; i++) {
                if (running == WAVES_IN_FLIGHT) {
                    resize(awaitNext(ended));
                    running--;
                }
                long to = Math.min(n, from + size);
                long allPresent = skip.isEmpty() ? -1 : presentInWave(source, from, to, skip);
                if (allPresent >= 0) {
                    // --resume: every included point of this wave is committed already, so no job for it
                    skipped.add(allPresent);
                    from = to;
                    continue;
                }
                WaveTask task = new WaveTask(source, runFn, from, to, p, present, done, failed, skipped, spec.job().recordCurves());
                long wave = next++;
                long positions = to - from;
                String description = String.format("%s %d: points %d..%d of %d", label, i, from, to - 1, n);
                ended.submit(() -> {
                    long t = System.nanoTime();
                    writeWave(task, attempt, wave, description, p, settings, stopping);
                    return new Ended(positions, (System.nanoTime() - t) / 1e9);
                });
                running++;
                from = to;
            }
            while (running > 0) {
                resize(awaitNext(ended));
                running--;
            }
        }

        private void resize(Ended e) {
            size = plan.nextWaveSize(e.positions(), e.seconds());
        }

        /** The Spark jobs of waves submitted so far. */
        long submitted() {
            return next;
        }

        /** The waves committed by this sweep so far, in commit order. */
        List<Path> committedHere() {
            synchronized (committed) {
                return new ArrayList<>(committed);
            }
        }
    }

    /** The points a wave task trains, by position: the grid's, or a refinement round's. */
    interface Source extends Serializable {
        long size();

        /** The run-config map at {@code pos}, or null when that point is excluded. */
        Map<String, Object> point(long pos);
    }

    /**
     * The grid through a fixed permutation of its index range ({@link Interleave}), so costly regions of
     * the grid spread over tasks and waves.
     */
    static final class GridSource implements Source {
        private static final long serialVersionUID = 1L;
        private final Grid grid;
        private final long mult;

        GridSource(Grid grid) {
            this.grid = grid;
            this.mult = Interleave.multiplier(grid.size());
        }

        @Override
        public long size() {
            return grid.size();
        }

        @Override
        public Map<String, Object> point(long pos) {
            long index = Interleave.index(pos, mult, grid.size());
            return grid.excluded(index) ? null : grid.point(index);
        }
    }

    /** A refinement round's points: grid bases with the refined key set (see {@link RefineRounds}). */
    static final class RefinedSource implements Source {
        private static final long serialVersionUID = 1L;
        private final Grid grid;
        private final String key;
        private final RefineRounds.Points points;

        RefinedSource(Grid grid, String key, RefineRounds.Points points) {
            this.grid = grid;
            this.key = key;
            this.points = points;
        }

        @Override
        public long size() {
            return points.size();
        }

        @Override
        public Map<String, Object> point(long pos) {
            int i = Math.toIntExact(pos);
            return RefineRounds.point(grid, points.bases()[i], key, points.values()[i]);
        }
    }

    /**
     * One wave: its Spark job writes the staging rows under the wave's own name and commits it with the
     * marker (a wave with no row is deleted). A wave of a sweep that is stopping does not start; one whose
     * job completed while another failed is complete, and stays committed.
     */
    private void writeWave(WaveTask task, int attempt, long wave, String description, int p, WaveSettings settings,
                           AtomicBoolean stopping) {
        if (stopping.get()) {
            return;
        }
        spark.sparkContext().setJobDescription(description);
        Path target = out.wave(attempt, wave);
        // an RDD job, not a SQL plan: the tasks write their files themselves (store.WaveFiles), and the wave
        // is committed here, by its marker after all its files (see OutputDir)
        List<Long> slots = java.util.stream.LongStream.range(0, p).boxed().toList();
        List<String> files = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(slots, p)
                .mapPartitions(new WaveWrite(task, settings, target.toUri().toString())).collect();
        if (!WaveFiles.commit(out, target, files)) {
            return; // every point of the wave was excluded or already present
        }
        synchronized (committed) {
            committed.add(target);
            // a vanished output must fail the sweep, not shrink its tables. An output directory removed or replaced
            // takes this run's first wave with it, so each commit looks that one up; the rebuild looks up every wave
            // once. Looking up all the committed waves at every commit cost N^2 / 2 look-ups over N waves, each a
            // request on an object store
            out.checkPresent(committed.subList(0, 1));
        }
    }

    /** What every wave's tasks write with: the session's Hadoop configuration, broadcast once (the codec is WaveFiles'). */
    record WaveSettings(Broadcast<SerializableConfiguration> conf) implements Serializable {
    }

    /** A wave task's rows into its file ({@link WaveFiles#write}); the file's name is the task's one result. */
    record WaveWrite(WaveTask task, WaveSettings settings, String wave) implements FlatMapFunction<Iterator<Long>, String> {
        @Override
        public Iterator<String> call(Iterator<Long> slots) {
            String file = WaveFiles.write(settings.conf().value().value(), wave, TaskContext.getPartitionId(), task.call(slots));
            return file == null ? Collections.emptyIterator() : List.of(file).iterator();
        }
    }

    /**
     * After a wave failed: cancels the other wave in flight (and any job of the sweep not yet submitted),
     * waits for its thread and then for its tasks, which see the kill between two runs, and only then
     * removes the uncommitted waves. Nothing of this sweep writes after it returns; committed waves stay.
     */
    private void stopPartners(String group, ExecutorService pool, GroupTasks tasks, AtomicBoolean stopping) {
        stopping.set(true);
        spark.sparkContext().cancelJobGroupAndFutureJobs(group, "another wave of the sweep failed");
        pool.shutdown();
        awaitQuietly(pool);
        long limit = TASK_STOP_TIMEOUT_MS;
        try {
            if (!tasks.awaitIdle(limit)) {
                console.printf("[%s] %d task(s) of the cancelled waves still running after %d s; uncommitted waves may"
                        + " reappear under %s%n", spec.name(), tasks.running(), limit / 1000, OutputDir.show(out.wavesDir()));
                console.flush();
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        try {
            out.removeUncommitted();
        } catch (RuntimeException unremovable) {
            // a directory that refuses writes refuses deletes too: the failure's message names what is left,
            // nothing reads an uncommitted wave, and the next run removes it
        }
    }

    /** A wave that ended: its positions, and the seconds from its submission to its commit. */
    record Ended(long positions, double seconds) {
    }

    /** Waits for the next wave to end; its failure is rethrown as it was thrown in the wave's thread. */
    private static Ended awaitNext(CompletionService<Ended> ended) {
        try {
            return ended.take().get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a wave", e);
        }
    }

    /** Lets a cancelled wave's thread finish its (cancelled) Spark job before the tables are touched. */
    private static void awaitQuietly(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The execution plan on {@code cores} cores ({@link DryRunPlan#of}): the spec's partitions (default tasks_per_core
     * x cores, at most the included points) and waves. {@code --dry-run} prints this same plan.
     */
    public static DryRunPlan plan(SweepSpec spec, int cores) {
        return DryRunPlan.of(spec, cores, 0);
    }

    /**
     * One wave's work on the executors: the task of partition {@code slot} (the job's RDD holds one
     * element per partition, the slot) takes every P-th position of the wave, maps it through a fixed permutation of the
     * whole index range (so costly regions of the grid spread over tasks and waves), skips excluded and
     * already-present points, and trains the rest. No state depends on the partitioning, so local[1],
     * local[*] and a cluster give the same rows.
     */
    static final class WaveTask implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Source source;
        private final RunFn runFn;
        private final long from;
        private final long to;
        private final int p;
        private final Broadcast<Set<String>> present;
        private final LongAccumulator done;
        private final LongAccumulator failed;
        private final LongAccumulator skipped;
        private final boolean recordCurves;

        WaveTask(Source source, RunFn runFn, long from, long to, int p, Broadcast<Set<String>> present,
                 LongAccumulator done, LongAccumulator failed, LongAccumulator skipped, boolean recordCurves) {
            this.source = source;
            this.runFn = runFn;
            this.from = from;
            this.to = to;
            this.p = p;
            this.present = present;
            this.done = done;
            this.failed = failed;
            this.skipped = skipped;
            this.recordCurves = recordCurves;
        }

        /** Rows are produced one at a time as the writer pulls them, so a task holds one run, not its share of the wave. */
        public Iterator<Object[]> call(Iterator<Long> slots) {
            Set<String> skip = present.value();
            return new Iterator<>() {
                private long pos = -1;
                private Object[] next;

                @Override
                public boolean hasNext() {
                    while (next == null) {
                        TaskContext tc = TaskContext.get();
                        if (tc != null) {
                            tc.killTaskIfInterrupted(); // a cancelled wave stops between two runs
                        }
                        if (pos < 0 || pos >= to) {
                            if (!slots.hasNext()) {
                                return false;
                            }
                            pos = from + slots.next();
                            continue;
                        }
                        Map<String, Object> point = source.point(pos);
                        pos += p;
                        if (point != null) {
                            next = runPoint(point, skip);
                        }
                    }
                    return true;
                }

                @Override
                public Object[] next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    Object[] r = next;
                    next = null;
                    return r;
                }
            };
        }

        private Object[] runPoint(Map<String, Object> point, Set<String> skip) {
            RunConfig cfg;
            try {
                cfg = RunConfig.fromMap(point);
            } catch (RuntimeException e) {
                String id = Grid.invalidRunId(point);
                if (skip.contains(id)) {
                    skipped.add(1);
                    return null;
                }
                done.add(1);
                failed.add(1);
                return Tables.failedRow(id, Tables.typedOrNull(point), Status.INVALID, e, 0);
            }
            String id = cfg.runId();
            if (skip.contains(id)) {
                skipped.add(1);
                return null;
            }
            long t = System.nanoTime();
            done.add(1);
            try {
                RunResult r = runFn.run(cfg);
                if (r.status().isFailure()) {
                    failed.add(1);
                }
                return Tables.stagingRow(cfg, r, recordCurves);
            } catch (RuntimeException | StackOverflowError e) {
                // Runner reports numerical trouble as a status; anything thrown is a bug, kept as a row
                failed.add(1);
                return Tables.failedRow(id, cfg.values(), Status.ERROR, e, (System.nanoTime() - t) / 1_000_000);
            } catch (OutOfMemoryError e) {
                // Runner turns its own OutOfMemoryError into a row; this one came from building the row. Left to
                // Spark, it would end the executor (in local mode, the whole sweep) with exit status 52
                failed.add(1);
                return Tables.failedRow(id, cfg.values(), Status.ERROR, Runner.outOfMemory(cfg, e),
                        (System.nanoTime() - t) / 1_000_000);
            }
        }
    }

    /**
     * On --resume: the number of included points of the wave's positions [from, to) when every one of them
     * is in {@code present} (the wave needs no job), else -1 at the first that is not. The run_id is the
     * one the wave's task computes ({@link Grid#runIdOf}).
     */
    static long presentInWave(Source source, long from, long to, Set<String> present) {
        long count = 0;
        for (long pos = from; pos < to; pos++) {
            Map<String, Object> point = source.point(pos);
            if (point == null) {
                continue;
            }
            if (!present.contains(Grid.runIdOf(point))) {
                return -1;
            }
            count++;
        }
        return count;
    }

    /**
     * A fixed permutation of 0..n-1, position to grid index: multiplication by a unit mod n near n times
     * the golden ratio, so consecutive positions land far apart in mixed radix. Neighbouring indices
     * differ in the fastest dimension (often the seed); spreading them balances tasks and waves.
     */
    public static final class Interleave {
        private Interleave() {
        }

        public static long multiplier(long n) {
            if (n <= 2) {
                return 1;
            }
            long a = Math.max(1, Math.round(n * 0.6180339887498949));
            while (gcd(a, n) != 1) {
                a++;
            }
            return a % n;
        }

        public static long index(long pos, long mult, long n) {
            return java.math.BigInteger.valueOf(pos).multiply(java.math.BigInteger.valueOf(mult))
                    .mod(java.math.BigInteger.valueOf(n)).longValue();
        }

        private static long gcd(long a, long b) {
            while (b != 0) {
                long t = a % b;
                a = b;
                b = t;
            }
            return a;
        }
    }
}

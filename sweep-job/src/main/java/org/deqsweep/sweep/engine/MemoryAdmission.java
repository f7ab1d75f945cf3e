package org.deqsweep.sweep.engine;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.deqsweep.core.config.ConfigException;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.train.MemoryEstimate;
import org.deqsweep.sweep.spec.Grid;
import org.deqsweep.sweep.spec.SweepSpec;

/**
 * Refuses, before any work, a sweep whose largest run cannot fit in the heap one task has (DESIGN 5).
 * A task's share is Spark's "user memory" of the JVM that runs it, split over the tasks it runs at once:
 * (heap - 300 MiB reserved) x (1 - spark.memory.fraction) / (cores / spark.task.cpus). The heap is this
 * driver's in local mode, where the tasks run in the driver, and spark.executor.memory on a cluster.
 * The runs' needs come from {@link MemoryEstimate}, checked once per distinct combination of the keys
 * it reads, so a grid of 10^6 step sizes and seeds costs one estimate.
 */
public final class MemoryAdmission {
    /** Spark's reserved system memory (UnifiedMemoryManager). */
    static final long RESERVED = 300L << 20;
    static final double DEFAULT_FRACTION = 0.6;
    /**
     * What a run is taken to need: its estimate times this. {@code ./submit.sh bench-memory} found real runs
     * needing 0.87 to 1.47 times the estimate: G1 stores an array of half a region or more in whole regions
     * (a 2.1 MB matrix takes three 1 MB regions) and keeps 10% of the heap free for evacuation.
     */
    static final double MARGIN = 1.5;

    private MemoryAdmission() {
    }

    /**
     * What a task has.
     *
     * @param heap     the heap of the JVM that runs the tasks
     * @param fraction spark.memory.fraction
     * @param tasks    tasks it runs at once
     * @param local    whether the tasks run in this driver
     */
    record Budget(long heap, double fraction, int tasks, boolean local) {
        long perTask() {
            return (long) (Math.max(0, heap - RESERVED) * (1 - fraction) / Math.max(1, tasks));
        }

        /** The heap at which a run of {@code bytes} would fit. */
        long heapFor(long bytes) {
            return (long) Math.ceil(bytes * (double) Math.max(1, tasks) / (1 - fraction)) + RESERVED;
        }

        String describe() {
            String h = local ? "the driver heap of " + MemoryEstimate.human(heap) + " (local mode: tasks run in the driver)"
                    : "spark.executor.memory " + MemoryEstimate.human(heap);
            return String.format(Locale.ROOT, "%s less Spark's reserved 300 MiB and its spark.memory.fraction %.2f, over %d %s at once",
                    h, fraction, tasks, tasks == 1 ? "task" : "tasks");
        }
    }

    /** The largest run of a sweep and the budget it is checked against. */
    public record Verdict(Map<String, Object> point, RunConfig config, MemoryEstimate largest, Budget budget) {
        public boolean fits() {
            return largest == null || !largest.exceedsArrayLimit() && need() <= budget.perTask();
        }

        /** The heap the largest run is given: its estimate with {@link #MARGIN}. */
        long need() {
            return (long) Math.ceil(largest.bytes() * MARGIN);
        }

        /** The --dry-run line. */
        public String line() {
            if (largest == null) {
                return "  memory:     no run to estimate";
            }
            return "  memory:     largest run ~" + largest.human() + " (" + largest.phase() + ") at " + point
                    + "; with the margin x" + MARGIN + " it needs " + MemoryEstimate.human(need()) + " of the "
                    + MemoryEstimate.human(budget.perTask()) + " a task has" + (fits() ? "" : ": does not fit");
        }

        private String label() {
            return point.isEmpty() ? "the sweep's one point" : "grid point " + point;
        }

        private String sizes() {
            return " (n " + config.n() + ", d " + config.d() + ", width " + config.width() + ")";
        }

        /** Why the sweep is refused. */
        public String refusal() {
            if (largest.exceedsArrayLimit()) {
                return String.format(Locale.ROOT, "%s%s cannot run: %s would hold %.3g entries, more than a Java"
                                + " array can (2^31 - 1), whatever the heap. Make the point smaller (width, n or d).",
                        label(), sizes(), largest.largestName(), largest.largestArray());
            }
            String change = budget.local()
                    ? "Give the driver more heap (DRIVER_MEMORY=" + gib(budget.heapFor(need()))
                    + " ./submit.sh ..., or spark.driver.memory with spark-submit), run fewer tasks at once (--master local[1]),"
                    : "Give executors more heap (--conf spark.executor.memory=" + gib(budget.heapFor(need()))
                    + "), run fewer tasks per executor (spark.executor.cores),";
            return label() + sizes() + " needs about " + largest.human() + " of heap for one run (estimated; peak in "
                    + largest.phase() + ", largest array " + largest.largestName() + "), " + MemoryEstimate.human(need())
                    + " with the margin x" + MARGIN + ", but a task has "
                    + MemoryEstimate.human(budget.perTask()) + ": " + budget.describe() + ". " + change
                    + " lower spark.memory.fraction (the sweep caches nothing), or make the point smaller (width, n, d).";
        }
    }

    /**
     * Estimates every distinct run of the spec and finds the largest.
     *
     * @param master --master, or null (spark-submit's spark.master, else local[*])
     * @param conf   --conf pairs
     */
    public static Verdict check(SweepSpec spec, String master, Map<String, String> conf) {
        Budget budget = budget(master, conf);
        Grid grid = spec.toGrid();
        List<Long> reps = grid.representatives(MemoryEstimate.KEYS);
        MemoryEstimate largest = null;
        long at = -1;
        for (long i : reps) {
            MemoryEstimate e;
            try {
                e = MemoryEstimate.of(grid.config(i));
            } catch (ConfigException contradictory) {
                continue; // refused on the executor as an INVALID row
            }
            if (largest == null || Boolean.compare(e.exceedsArrayLimit(), largest.exceedsArrayLimit()) > 0
                    || e.exceedsArrayLimit() == largest.exceedsArrayLimit() && e.bytes() > largest.bytes()) {
                largest = e;
                at = i;
            }
        }
        return new Verdict(at < 0 ? Map.of() : grid.varying(at), at < 0 ? null : grid.config(at), largest, budget);
    }

    static Budget budget(String master, Map<String, String> conf) {
        SparkConf sc = new SparkConf();
        conf.forEach(sc::set);
        String m = master != null ? master : sc.get("spark.master", "local[*]");
        double fraction = sc.getDouble("spark.memory.fraction", DEFAULT_FRACTION);
        int taskCpus = Math.max(1, sc.getInt("spark.task.cpus", 1));
        if (m.startsWith("local")) {
            return new Budget(Runtime.getRuntime().maxMemory(), fraction,
                    Math.max(1, Sessions.localCores(m) / taskCpus), true);
        }
        long heap = sc.getSizeAsMb("spark.executor.memory", "1g") << 20;
        // unset, YARN and Kubernetes run one core per executor; a standalone executor takes all of its worker's
        // cores, which the driver cannot know before the executors register (the README says to set it)
        int cores = sc.getInt("spark.executor.cores", 1);
        return new Budget(heap, fraction, Math.max(1, cores / taskCpus), false);
    }

    private static String gib(long bytes) {
        return (long) Math.ceil(bytes / (double) (1L << 30)) + "g";
    }
}

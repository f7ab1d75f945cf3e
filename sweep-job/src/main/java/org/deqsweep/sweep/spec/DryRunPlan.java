package org.deqsweep.sweep.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deqsweep.core.config.ConfigException;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.sweep.refine.Criterion;
import org.deqsweep.sweep.refine.Refine;
import org.deqsweep.sweep.refine.Refinement;

/**
 * What a sweep would do, computed on the driver without running anything (the {@code --dry-run}
 * output): grid size, included points, partitions, waves and an estimated cost.
 *
 * <p>Cost model (a model, not a measurement): one full-batch GD step of a point costs about
 * {@code n * (width^2 + width * d)} multiply-adds (the forward fixed point and the adjoint solve are
 * each a few passes of that size), so a point costs
 * {@code SECONDS_PER_UNIT * max_steps * n * (width^2 + width * d)} seconds. It ignores early stops,
 * solver iteration counts and divergence; {@link #SECONDS_PER_UNIT} is to be calibrated against
 * measured wall times.
 *
 * @param name            the sweep's name
 * @param gridSize        the full mixed-radix product, excluded points included
 * @param included        points that will run
 * @param cores           cores the plan assumes
 * @param partitions      Spark partitions of each wave
 * @param waveSize        points per wave: job.wave_size, or the first waves' automatic size
 * @param waves           number of waves at waveSize; with automatic waves that grow, the most there can be
 * @param maxWaveSize     the largest a wave may grow to ({@link #nextWaveSize}); waveSize when waves do not grow
 * @param cpuSeconds      estimated total CPU seconds (the cost model summed over the included points)
 * @param wallSeconds     cpuSeconds spread evenly over the cores
 * @param sampled         true when the cost was extrapolated from a sample of points
 * @param refine          the most runs the spec's refinement may add (DESIGN 4.7), or null without one; not in
 *                        included, waves or the estimate
 * @param text            the multi-line description printed by {@code --dry-run}
 */
public record DryRunPlan(String name, long gridSize, long included, int cores, int partitions, long waveSize, long waves,
                         long maxWaveSize, double cpuSeconds, double wallSeconds, boolean sampled, Refinement.Budget refine,
                         String text) {

    /** Seconds per model unit ({@code max_steps * n * (width^2 + width * d)}): an uncalibrated guess of 1 ns per multiply-add. */
    public static final double SECONDS_PER_UNIT = 1.0e-9;
    /** The cost model's bound on an automatic wave: no more wall time than this, so a killed driver loses at most about this much work. */
    public static final double TARGET_WAVE_SECONDS = 600.0;
    /** An automatic sweep's first waves: this many points per task, a few seconds of work even for costly points. */
    public static final int AUTO_POINTS_PER_TASK = 8;
    /**
     * The time an automatic wave after the first ones is sized to take, from the time its predecessors took
     * ({@link #nextWaveSize}): long enough that cheap points do not pay a Spark job, a commit and P staging files per
     * few milliseconds of work, short enough that a killed driver loses a few seconds.
     */
    public static final double AUTO_WAVE_SECONDS = 10.0;
    /** The most an automatic wave may grow over the wave whose time sized it. */
    public static final int AUTO_WAVE_GROWTH = 8;
    /** Grids with more included points than this have their cost extrapolated from this many sampled points. */
    public static final int COST_SAMPLE = 20_000;

    /**
     * Plans a validated spec.
     *
     * @param spec       the spec
     * @param cores      cores available (at least 1)
     * @param partitions Spark partitions per wave; 0 or less means the spec's job.partitions, else
     *                   cores x job.tasks_per_core; never more than the included points
     */
    public static DryRunPlan of(SweepSpec spec, int cores, int partitions) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be at least 1, got " + cores);
        }
        Grid grid = spec.toGrid();
        long included = grid.countIncluded();
        long parts = partitions > 0 ? partitions
                : spec.job().partitions() != null ? spec.job().partitions() : (long) cores * spec.job().tasksPerCore();
        parts = Math.max(1, Math.min(parts, included));

        double cpu;
        boolean sampled = included > COST_SAMPLE;
        if (!sampled) {
            cpu = 0;
            for (long i = 0; i < grid.size(); i++) {
                if (!grid.excluded(i)) {
                    cpu += secondsOf(grid, i);
                }
            }
        } else {
            double sum = 0;
            long n = 0;
            long stride = Math.max(1, grid.size() / COST_SAMPLE);
            for (long i = 0; i < grid.size(); i += stride) {
                if (!grid.excluded(i)) {
                    sum += secondsOf(grid, i);
                    n++;
                }
            }
            cpu = n == 0 ? 0 : sum / n * included;
        }
        double wall = cpu / Math.min(cores, parts);

        long maxWaveSize;
        long waveSize;
        if (spec.job().waveSize() > 0) {
            waveSize = Math.max(1, Math.min(spec.job().waveSize(), included));
            maxWaveSize = waveSize;
        } else {
            maxWaveSize = Math.max(1, Math.min(autoWaveSize(included, wall), included));
            waveSize = Math.min(maxWaveSize, AUTO_POINTS_PER_TASK * parts);
        }
        long waves = (included + waveSize - 1) / waveSize;

        Refinement.Budget refine = refineBudget(spec, included);
        String text = describe(spec, grid, included, cores, (int) parts, waveSize, waves, maxWaveSize, cpu, wall, sampled, refine);
        return new DryRunPlan(spec.name(), grid.size(), included, cores, (int) parts, waveSize, waves, maxWaveSize, cpu, wall,
                sampled, refine, text);
    }

    /** True when the waves grow from {@link #waveSize} as they are measured ({@link #nextWaveSize}). */
    public boolean wavesGrow() {
        return maxWaveSize > waveSize;
    }

    /**
     * The size of the next automatic wave, after a wave of {@code positions} positions took {@code seconds} from its
     * submission to its commit: the positions that take {@link #AUTO_WAVE_SECONDS} at that wave's pace, at least
     * {@link #waveSize}, at most {@link #AUTO_WAVE_GROWTH} times that wave and at most {@link #maxWaveSize}. A slower
     * region of the grid shrinks the waves again. Without growing waves it is {@link #waveSize}.
     */
    public long nextWaveSize(long positions, double seconds) {
        if (!wavesGrow() || positions < 1) {
            return waveSize;
        }
        double fit = AUTO_WAVE_SECONDS * positions / Math.max(seconds, 1e-3);
        double grown = Math.min(fit, (double) positions * AUTO_WAVE_GROWTH);
        return Math.max(waveSize, Math.min(maxWaveSize, (long) grown));
    }

    /**
     * The refinement's bound: rounds x points per round x (groups x seeds), where groups x seeds is the
     * included points over the refined axis' length (no exclude rule names the refined key, so every
     * group holds the whole axis).
     */
    private static Refinement.Budget refineBudget(SweepSpec spec, long included) {
        if (spec.refine() == null) {
            return null;
        }
        List<Double> values = new ArrayList<>();
        for (SweepSpec.Axis a : spec.grid()) {
            if (a.key().equals(spec.refine().key())) {
                a.values().forEach(v -> values.add((Double) v));
            }
        }
        return Refinement.budget(values, included / values.size(), spec.refine());
    }

    /**
     * The cost model's bound on an automatic wave ({@link #maxWaveSize}): as many waves as needed for each to take at most
     * about {@link #TARGET_WAVE_SECONDS} of wall time. The waves start smaller and grow as measured ({@link #nextWaveSize}).
     */
    public static long autoWaveSize(long included, double wallSeconds) {
        long waves = Math.max(1, (long) Math.ceil(wallSeconds / TARGET_WAVE_SECONDS));
        return Math.max(1, (included + waves - 1) / waves);
    }

    /** The cost model of one resolved config, in seconds. */
    public static double estimateSeconds(RunConfig c) {
        double w = c.width();
        return SECONDS_PER_UNIT * c.train().maxSteps() * (double) c.n() * (w * w + w * c.d());
    }

    private static double secondsOf(Grid grid, long i) {
        try {
            return estimateSeconds(grid.config(i));
        } catch (ConfigException e) {
            return 0; // a contradictory point fails at once on the executor
        }
    }

    /** The multi-line text printed by {@code --dry-run}. */
    public String describe() {
        return text;
    }

    private static String describe(SweepSpec spec, Grid grid, long included, int cores, int parts, long waveSize, long waves,
                                   long maxWaveSize, double cpu, double wall, boolean sampled, Refinement.Budget refine) {
        StringBuilder b = new StringBuilder();
        b.append("sweep ").append(spec.name()).append(" (").append(spec.sourceName()).append(")\n");
        if (spec.description() != null && !spec.description().isBlank()) {
            b.append("  ").append(spec.description().strip().replace("\n", "\n  ")).append('\n');
        }
        List<String> dims = new ArrayList<>();
        for (SweepSpec.Axis a : spec.grid()) {
            dims.add(a.key() + " " + a.size());
        }
        for (SweepSpec.ZipGroup z : spec.zip()) {
            dims.add("zip(" + String.join(", ", z.keys()) + ") " + z.size());
        }
        b.append("  grid:       ").append(dims.isEmpty() ? "no varying key" : String.join(" x ", dims))
                .append(" = ").append(grid.size()).append(grid.size() == 1 ? " point\n" : " points\n");
        for (SweepSpec.Axis a : spec.grid()) {
            b.append("    ").append(a.key()).append(": ").append(shortList(a.values())).append('\n');
        }
        for (SweepSpec.ZipGroup z : spec.zip()) {
            for (SweepSpec.Axis a : z.axes()) {
                b.append("    ").append(a.key()).append(" (zipped): ").append(shortList(a.values())).append('\n');
            }
        }
        if (!spec.fixed().isEmpty()) {
            List<String> f = new ArrayList<>();
            for (Map.Entry<String, Object> e : spec.fixed().entrySet()) {
                f.add(e.getKey() + "=" + e.getValue());
            }
            b.append("  fixed:      ").append(String.join(", ", f)).append('\n');
        }
        b.append("  excluded:   ").append(grid.size() - included).append(" (").append(spec.exclude().size()).append(" rules)\n");
        b.append("  included:   ").append(included).append(" runs\n");
        b.append("  partitions: ").append(parts).append(" on ").append(cores).append(cores == 1 ? " core\n" : " cores\n");
        if (maxWaveSize > waveSize) {
            b.append("  waves:      at most ").append(waves).append(": automatic, the first of ").append(waveSize)
                    .append(" points (").append(AUTO_POINTS_PER_TASK).append(" per task), later ones sized to take about ")
                    .append(human(AUTO_WAVE_SECONDS)).append(" as measured, up to ").append(maxWaveSize).append(" points\n");
        } else {
            b.append("  waves:      ").append(waves).append(" of up to ").append(waveSize).append(" points")
                    .append(spec.job().waveSize() > 0 ? "\n" : " (automatic)\n");
        }
        b.append("  curves:     ").append(spec.job().recordCurves() ? "recorded" : "not recorded").append('\n');
        b.append("  estimate:   ~").append(human(cpu)).append(" of CPU, ~").append(human(wall)).append(" wall on ")
                .append(Math.min(cores, parts)).append(Math.min(cores, parts) == 1 ? " core" : " cores")
                .append(sampled ? " (extrapolated from a sample)" : "").append('\n');
        b.append("              a model, not a measurement: ").append(SECONDS_PER_UNIT)
                .append(" s x max_steps x n x (width^2 + width*d) per run, ignoring early stops\n");
        if (refine != null) {
            Refine r = spec.refine();
            b.append("  refine:     ").append(r.key()).append(", ").append(r.scale().key()).append(" scale, ").append(r.criterion().key())
                    .append(r.criterion() == Criterion.CONVERGED_FRACTION ? " >= " + r.threshold() : "")
                    .append(": at most ").append(refine.maxRuns()).append(" more runs (").append(refine.rounds())
                    .append(refine.rounds() == 1 ? " round x " : " rounds x ").append(refine.pointsPerRound()).append(" values x ")
                    .append(refine.runsPerValue()).append(" runs per value: groups x seeds)\n");
            if (r.targetWidth() != null) {
                b.append("              target width ").append(r.targetWidth()).append(": ").append(refine.predictedRounds())
                        .append(" rounds from the widest neighbouring grid values")
                        .append(r.rounds() == null ? " (the round limit)\n" : "\n");
            }
        }
        return b.toString();
    }

    private static String shortList(List<Object> values) {
        if (values.size() <= 8) {
            return values.toString();
        }
        return "[" + values.get(0) + ", " + values.get(1) + ", " + values.get(2) + ", ..., " + values.get(values.size() - 1)
                + "] (" + values.size() + " values)";
    }

    /** Seconds as a person reads them: 850 ms, 42 s, 3.5 min, 2.1 h, 3.2 days. */
    public static String human(double seconds) {
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
        }
        if (seconds < 90) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 90 * 60) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        if (seconds < 48 * 3600) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        return String.format(Locale.ROOT, "%.1f days", seconds / 86400);
    }
}

package org.deqsweep.sweep.engine;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.refine.Outcome;
import org.deqsweep.sweep.refine.Refine;
import org.deqsweep.sweep.refine.Refinement;
import org.deqsweep.sweep.spec.Grid;

/**
 * The refinement's rounds on a grid (DESIGN 4.7): which runs form a group, what a value's outcome is
 * from the statuses of the runs committed so far, and the points the next round runs. No Spark: the
 * sweep job hands it the committed statuses by run_id and runs the points it returns.
 *
 * <p>A group is the included grid points that share every dimension but the refined key's and the
 * seed's. Its <em>bases</em> are its points at the key's first grid value, one per seed (exclude rules
 * never name the refined key, so the same seeds are included at every value). The runs of a group at a
 * value v are its bases with the key set to v; their run_ids are those of ordinary grid points, so the
 * grid's own values need no special case and a resumed sweep finds every run it committed.
 */
public final class RefineRounds {
    /**
     * The most passes the job makes over the rounds: each pass completes the current round of every group
     * still running, so a refinement ends within its round limit ({@link Refine#MAX_ROUNDS} at most) plus
     * one pass for grid values a resumed sweep still lacked. More means runs did not commit.
     */
    static final int MAX_PASSES = Refine.MAX_ROUNDS + 2;

    private RefineRounds() {
    }

    /**
     * One group of the refinement.
     *
     * @param keys  the group's values of the varying keys other than the seed and the refined key
     * @param bases the grid indices of its points at the key's first grid value, ascending
     */
    public record Group(Map<String, Object> keys, long[] bases) {
    }

    /** Where one group stands: {@link Refinement#progress} over the committed runs. */
    public record GroupProgress(Group group, Refinement.Progress progress) {
    }

    /** New points for the waves: point i is base {@code bases[i]} of the grid with the key set to {@code values[i]}. */
    public record Points(long[] bases, double[] values) implements Serializable {
        public int size() {
            return bases.length;
        }
    }

    /** The groups of a grid whose spec refines {@code key} (a grid axis), in index order of their first base. */
    public static List<Group> groups(Grid grid, String key) {
        int kd = grid.dimensionOf(key);
        if (kd < 0) {
            throw new IllegalArgumentException("the refined key " + key + " is not a grid axis");
        }
        int sd = grid.dimensionOf("seed");
        Map<Long, List<Long>> byGroup = new LinkedHashMap<>();
        int[] g = null;
        for (long i = 0; i < grid.size(); i++) {
            g = grid.digits(i, g);
            if (g[kd] != 0 || grid.excluded(i)) {
                continue;
            }
            if (sd >= 0) {
                g[sd] = 0;
            }
            byGroup.computeIfAbsent(grid.index(g), x -> new ArrayList<>()).add(i);
        }
        List<Group> out = new ArrayList<>();
        for (List<Long> bases : byGroup.values()) {
            Map<String, Object> keys = new LinkedHashMap<>(grid.varying(bases.get(0)));
            keys.remove("seed");
            keys.remove(key);
            out.add(new Group(keys, bases.stream().mapToLong(Long::longValue).toArray()));
        }
        return out;
    }

    /** The run-config map of base {@code base} with the refined key set to {@code value}. */
    public static Map<String, Object> point(Grid grid, long base, String key, double value) {
        Map<String, Object> p = grid.point(base);
        p.put(key, value);
        return p;
    }

    /**
     * A group's outcome at {@code value}: its runs there, converged and failed, once every base has a
     * committed run at that value; null while one lacks it.
     *
     * @param statusOf a committed run's status by run_id, null for a run not committed
     */
    static Outcome outcome(Grid grid, String key, Group group, double value, Function<String, Status> statusOf) {
        int converged = 0;
        int failed = 0;
        for (long b : group.bases()) {
            Status s = statusOf.apply(Grid.runIdOf(point(grid, b, key, value)));
            if (s == null) {
                return null;
            }
            converged += s == Status.CONVERGED ? 1 : 0;
            failed += s.isFailure() ? 1 : 0;
        }
        return new Outcome(value, group.bases().length, converged, failed);
    }

    /** Every group's progress over the committed runs, replayed from the key's grid values. */
    public static List<GroupProgress> progress(Grid grid, Refine r, List<Group> groups, Function<String, Status> statusOf) {
        List<Double> gridValues = grid.valuesOf(r.key()).stream().map(v -> ((Number) v).doubleValue()).toList();
        List<GroupProgress> out = new ArrayList<>(groups.size());
        for (Group group : groups) {
            out.add(new GroupProgress(group,
                    Refinement.progress(gridValues, v -> outcome(grid, r.key(), group, v, statusOf), r)));
        }
        return out;
    }

    /**
     * The line the job prints when the refinement is done: groups per state, the runs at refined values,
     * and with a target width the runs a uniform grid of that resolution over the key's grid range
     * would cost ({@link Refinement#uniformPoints} per base).
     */
    public static String describe(String name, Grid grid, Refine r, List<GroupProgress> state) {
        Map<Refinement.State, Long> byState = new java.util.EnumMap<>(Refinement.State.class);
        long spent = 0;
        long bases = 0;
        for (GroupProgress g : state) {
            byState.merge(g.progress().state(), 1L, Long::sum);
            spent += g.progress().runsSpent();
            bases += g.group().bases().length;
        }
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "[%s] refinement of %s done: %d groups (", name,
                r.key(), state.size()));
        byState.forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '(' ? "" : ", ").append(v).append(' ').append(k));
        b.append("), ").append(spent).append(" runs at refined values");
        if (r.targetWidth() != null) {
            List<Double> values = grid.valuesOf(r.key()).stream().map(v -> ((Number) v).doubleValue()).toList();
            long uniform = Refinement.uniformPoints(values, r.targetWidth(), r.scale());
            b.append(String.format(java.util.Locale.ROOT, "; a uniform grid of relative width %s over [%s, %s] would take %d values,"
                    + " %d runs", r.targetWidth(), java.util.Collections.min(values), java.util.Collections.max(values), uniform,
                    Math.multiplyExact(uniform, bases)));
        }
        return b.toString();
    }

    /** The points of every running group's missing values, each with all its bases (group by group). */
    public static Points toRun(List<GroupProgress> progress) {
        int n = 0;
        for (GroupProgress p : progress) {
            n = Math.addExact(n, Math.multiplyExact(p.progress().toRun().size(), p.group().bases().length));
        }
        long[] bases = new long[n];
        double[] values = new double[n];
        int i = 0;
        for (GroupProgress p : progress) {
            for (double v : p.progress().toRun()) {
                for (long b : p.group().bases()) {
                    bases[i] = b;
                    values[i++] = v;
                }
            }
        }
        return new Points(bases, values);
    }
}

package org.deqsweep.sweep.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;

/**
 * The grid points of a sweep, numbered 0..size()-1 in mixed radix over the dimensions (DESIGN 5):
 * the grid axes in spec order, then each zip group; the last dimension varies fastest. Small and
 * {@link Serializable}: it holds the dimension value lists, the fixed values and the exclusion rules,
 * never the points, so the driver ships it to executors and each decodes its own indices.
 *
 * <p>Index i has digits {@code i = ((g0 * r1 + g1) * r2 + g2) ...} with radix {@code r_k} the size of
 * dimension k; digit {@code g_k} picks value {@code g_k} of an axis, or value {@code g_k} of every
 * key of a zip group.
 */
public final class Grid implements Serializable {
    private static final long serialVersionUID = 1L;

    /** keys[d] are the keys of dimension d (one for a grid axis, several for a zip group). */
    private final String[][] keys;
    /** values[d][k][g] is value g of key k of dimension d. */
    private final Object[][][] values;
    private final int[] radix;
    private final LinkedHashMap<String, Object> fixed;
    /** ruleDims[r] are the dimensions rule r constrains; ruleMatch[r][j][g] tells whether digit g matches there. */
    private final int[][] ruleDims;
    private final boolean[][][] ruleMatch;
    private final long size;

    private Grid(String[][] keys, Object[][][] values, LinkedHashMap<String, Object> fixed, int[][] ruleDims,
                 boolean[][][] ruleMatch) {
        this.keys = keys;
        this.values = values;
        this.fixed = fixed;
        this.ruleDims = ruleDims;
        this.ruleMatch = ruleMatch;
        this.radix = new int[keys.length];
        long n = 1;
        for (int d = 0; d < keys.length; d++) {
            radix[d] = values[d][0].length;
            n = Math.multiplyExact(n, radix[d]);
        }
        this.size = n;
    }

    /**
     * The grid of a validated spec.
     *
     * @throws ArithmeticException if the product of the dimension sizes overflows a long (the parser
     *                             refuses such a spec first)
     */
    public static Grid of(SweepSpec spec) {
        int nd = spec.grid().size() + spec.zip().size();
        String[][] keys = new String[nd][];
        Object[][][] values = new Object[nd][][];
        int d = 0;
        for (SweepSpec.Axis a : spec.grid()) {
            keys[d] = new String[] {a.key()};
            values[d] = new Object[][] {a.values().toArray()};
            d++;
        }
        for (SweepSpec.ZipGroup z : spec.zip()) {
            keys[d] = z.keys().toArray(new String[0]);
            values[d] = new Object[z.axes().size()][];
            for (int k = 0; k < z.axes().size(); k++) {
                values[d][k] = z.axes().get(k).values().toArray();
            }
            d++;
        }
        int[][] ruleDims = new int[spec.exclude().size()][];
        boolean[][][] ruleMatch = new boolean[spec.exclude().size()][][];
        for (int r = 0; r < ruleDims.length; r++) {
            Map<String, Object> rule = spec.exclude().get(r);
            List<Integer> dims = new ArrayList<>();
            List<boolean[]> match = new ArrayList<>();
            for (Map.Entry<String, Object> e : rule.entrySet()) {
                int[] at = locate(keys, e.getKey());
                if (at == null) {
                    throw new IllegalArgumentException("exclude[" + r + "]." + e.getKey() + " names no dimension of " + List.of(keys));
                }
                Object[] column = values[at[0]][at[1]];
                boolean[] m = new boolean[column.length];
                for (int g = 0; g < column.length; g++) {
                    m[g] = column[g].equals(e.getValue());
                }
                int j = dims.indexOf(at[0]);
                if (j < 0) {
                    dims.add(at[0]);
                    match.add(m);
                } else {
                    for (int g = 0; g < m.length; g++) {
                        match.get(j)[g] &= m[g];
                    }
                }
            }
            ruleDims[r] = dims.stream().mapToInt(Integer::intValue).toArray();
            ruleMatch[r] = match.toArray(new boolean[0][]);
        }
        return new Grid(keys, values, new LinkedHashMap<>(spec.fixed()), ruleDims, ruleMatch);
    }

    private static int[] locate(String[][] keys, String key) {
        for (int d = 0; d < keys.length; d++) {
            for (int k = 0; k < keys[d].length; k++) {
                if (keys[d][k].equals(key)) {
                    return new int[] {d, k};
                }
            }
        }
        return null;
    }

    /** The dimension that holds {@code key}, or -1 when the key does not vary. */
    public int dimensionOf(String key) {
        int[] at = locate(keys, key);
        return at == null ? -1 : at[0];
    }

    /** The values of a varying key in dimension order (a grid axis, or one key of a zip group). */
    public List<Object> valuesOf(String key) {
        int[] at = locate(keys, key);
        if (at == null) {
            throw new IllegalArgumentException(key + " is not a varying key of " + varyingKeys());
        }
        return Collections.unmodifiableList(java.util.Arrays.asList(values[at[0]][at[1]].clone()));
    }

    /**
     * The run_id of a point map, as its wave task computes it: {@link RunConfig#runId} of the resolved
     * config, or for a point RunConfig refuses the same hash over its sorted raw map (the failed row's id).
     */
    public static String runIdOf(Map<String, ?> point) {
        try {
            return RunConfig.fromMap(point).runId();
        } catch (RuntimeException e) {
            return invalidRunId(point);
        }
    }

    /** The run_id of a point RunConfig refused: the hash over its sorted raw map. */
    public static String invalidRunId(Map<String, ?> point) {
        return RunConfig.idOf("invalid:" + new java.util.TreeMap<>(point));
    }

    /** The full mixed-radix product, excluded points included. */
    public long size() {
        return size;
    }

    /** The number of dimensions (grid axes plus zip groups). */
    public int dimensions() {
        return radix.length;
    }

    /** The size of each dimension, in order. */
    public int[] radix() {
        return radix.clone();
    }

    /** The fixed values, the same for every point. */
    public Map<String, Object> fixed() {
        return Collections.unmodifiableMap(fixed);
    }

    /** The varying keys in dimension order (a zip group contributes all its keys). */
    public List<String> varyingKeys() {
        List<String> out = new ArrayList<>();
        for (String[] k : keys) {
            Collections.addAll(out, k);
        }
        return out;
    }

    /**
     * Decodes an index into its digits.
     *
     * @param index  Input: 0 <= index < size()
     * @param digits Output: one per dimension, reshaped (created) when null or of the wrong length
     * @return digits
     */
    public int[] digits(long index, int[] digits) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("grid index " + index + " outside [0, " + size + ")");
        }
        if (digits == null || digits.length != radix.length) {
            digits = new int[radix.length];
        }
        long rest = index;
        for (int d = radix.length - 1; d >= 0; d--) {
            digits[d] = (int) (rest % radix[d]);
            rest /= radix[d];
        }
        return digits;
    }

    /** The index of a digit vector (the inverse of {@link #digits}). */
    public long index(int[] digits) {
        long i = 0;
        for (int d = 0; d < radix.length; d++) {
            if (digits[d] < 0 || digits[d] >= radix[d]) {
                throw new IndexOutOfBoundsException("digit " + digits[d] + " of dimension " + d + " outside [0, " + radix[d] + ")");
            }
            i = i * radix[d] + digits[d];
        }
        return i;
    }

    /** Whether the point at {@code index} matches every entry of some exclude rule. */
    public boolean excluded(long index) {
        if (ruleDims.length == 0) {
            digits(index, null);
            return false;
        }
        return excludedDigits(digits(index, null));
    }

    boolean excludedDigits(int[] g) {
        for (int r = 0; r < ruleDims.length; r++) {
            boolean all = true;
            for (int j = 0; j < ruleDims[r].length && all; j++) {
                all = ruleMatch[r][j][g[ruleDims[r][j]]];
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /**
     * The flat run-config map of a point: the fixed values, then this point's varying values, ready for
     * {@link RunConfig#fromMap}. Excluded points decode too; check {@link #excluded} first.
     */
    public Map<String, Object> point(long index) {
        return pointOf(digits(index, null));
    }

    Map<String, Object> pointOf(int[] g) {
        Map<String, Object> m = new LinkedHashMap<>(fixed);
        for (int d = 0; d < keys.length; d++) {
            for (int k = 0; k < keys[d].length; k++) {
                m.put(keys[d][k], values[d][k][g[d]]);
            }
        }
        return m;
    }

    /** Only the varying values of a point, in dimension order (for messages and grouping). */
    public Map<String, Object> varying(long index) {
        int[] g = digits(index, null);
        Map<String, Object> m = new LinkedHashMap<>();
        for (int d = 0; d < keys.length; d++) {
            for (int k = 0; k < keys[d].length; k++) {
                m.put(keys[d][k], values[d][k][g[d]]);
            }
        }
        return m;
    }

    /**
     * The resolved config of a point, for an executor: {@link RunConfig#fromMap} of {@link #point}
     * (microseconds, against a run's seconds). The parser checked every point of grids up to
     * {@link SpecParser#FULL_CHECK_LIMIT} points; beyond that a contradiction can still surface here as a
     * {@link org.deqsweep.core.config.ConfigException}, which the caller records as a failed row.
     */
    public RunConfig config(long index) {
        return RunConfig.fromMap(point(index));
    }

    /**
     * Whether two grid points can be the same config: some dimension lists a value (a tuple, for a zip
     * group) twice. Values are typed by the parser, so 0.1 and 0.10 are the same value. Distinct tuples
     * in every dimension give distinct points, hence distinct run_ids.
     */
    public boolean repeatsPoints() {
        for (Object[][] dim : values) {
            java.util.Set<List<Object>> seen = new java.util.HashSet<>();
            for (int g = 0; g < dim[0].length; g++) {
                List<Object> tuple = new ArrayList<>(dim.length);
                for (Object[] column : dim) {
                    tuple.add(column[g]);
                }
                if (!seen.add(tuple)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * One included point for each distinct combination of the values of {@code keys}, in index order: the
     * first included point of each. Points that agree on these keys are one class (for example, the keys a
     * run's memory depends on), so a property of the keys alone is checked on these points only. Iterates
     * the grid once without decoding points (about 10 ns a point).
     */
    public List<Long> representatives(java.util.Collection<String> keys) {
        boolean[] relevant = new boolean[this.keys.length];
        for (int d = 0; d < this.keys.length; d++) {
            for (String k : this.keys[d]) {
                relevant[d] |= keys.contains(k);
            }
        }
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<Long> out = new ArrayList<>();
        int[] g = new int[radix.length];
        for (long i = 0; i < size; i++) {
            long cls = 0;
            for (int d = 0; d < radix.length; d++) {
                if (relevant[d]) {
                    cls = cls * radix[d] + g[d];
                }
            }
            if (!seen.contains(cls) && !excludedDigits(g)) {
                seen.add(cls);
                out.add(i);
            }
            increment(g);
        }
        return out;
    }

    /** The number of points not excluded, by iteration (fine up to about 10^7 points). */
    public long countIncluded() {
        if (ruleDims.length == 0) {
            return size;
        }
        long n = 0;
        int[] g = new int[radix.length];
        for (long i = 0; i < size; i++) {
            if (!excludedDigits(g)) {
                n++;
            }
            increment(g);
        }
        return n;
    }

    /** The first index not excluded, or -1 when every point is excluded. */
    public long firstIncluded() {
        int[] g = new int[radix.length];
        for (long i = 0; i < size; i++) {
            if (!excludedDigits(g)) {
                return i;
            }
            increment(g);
        }
        return -1;
    }

    /** Advances a digit vector by one, last dimension fastest (odometer order). */
    void increment(int[] g) {
        for (int d = g.length - 1; d >= 0; d--) {
            if (++g[d] < radix[d]) {
                return;
            }
            g[d] = 0;
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Grid[");
        for (int d = 0; d < keys.length; d++) {
            b.append(d == 0 ? "" : " x ").append(String.join("+", keys[d])).append('(').append(radix[d]).append(')');
        }
        return b.append(" = ").append(size).append(" points, ").append(ruleDims.length).append(" exclude rules]").toString();
    }
}

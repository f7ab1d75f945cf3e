package org.deqsweep.sweep.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.deqsweep.core.config.ConfigException;
import org.deqsweep.core.config.ConfigSchema;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.sweep.refine.Criterion;
import org.deqsweep.sweep.refine.Refine;
import org.deqsweep.sweep.refine.Scale;

/**
 * Turns a spec's raw map, overrides applied, into a {@link SweepSpec}, or refuses it with the spec path
 * at fault. In this order: the top-level keys, the name, the description and the job section; the run
 * keys of the top-level family, fixed, the grid and the zip groups, each coerced by {@link ConfigSchema}
 * and given in one place only (where each was given is kept for later messages); the exclude rules, on
 * varying keys only; then the grid's size against {@code job.max_grid_size}, exclude rules that drop
 * every point, and the combinations {@link RunConfig#fromMap} refuses.
 */
final class SpecValidator {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Map<String, ConfigSchema.Field> JOB_FIELDS = jobFields();
    /** The keys of the job section, in the order they are documented. */
    static final List<String> JOB_KEYS = List.copyOf(JOB_FIELDS.keySet());
    private static final Map<String, ConfigSchema.Field> REFINE_FIELDS = refineFields();
    /** The keys of the refine section, in the order they are documented (DESIGN 4.7). */
    static final List<String> REFINE_KEYS = List.copyOf(REFINE_FIELDS.keySet());

    private final String source;
    private final String rawText;
    private final List<String> overrides;
    /** flat run key to the spec path it was given at. */
    private final Map<String, String> origin = new LinkedHashMap<>();

    private SpecValidator(String source, String rawText, List<String> overrides) {
        this.source = source;
        this.rawText = rawText;
        this.overrides = overrides;
    }

    private static Map<String, ConfigSchema.Field> jobFields() {
        Map<String, ConfigSchema.Field> m = new LinkedHashMap<>();
        m.put("partitions", new ConfigSchema.Field("partitions", ConfigSchema.Type.INT, null, 1.0, false, 1_000_000.0,
                List.of(), null, "Spark partitions (default: cores x tasks_per_core)"));
        m.put("tasks_per_core", new ConfigSchema.Field("tasks_per_core", ConfigSchema.Type.INT, 4, 1.0, false, 10_000.0,
                List.of(), null, "partitions per core"));
        m.put("wave_size", new ConfigSchema.Field("wave_size", ConfigSchema.Type.INT, 0, 0.0, false, null,
                List.of(), null, "grid points written per wave; 0 = automatic"));
        m.put("max_grid_size", new ConfigSchema.Field("max_grid_size", ConfigSchema.Type.LONG, 1_000_000L, 1.0, false, null,
                List.of(), null, "the largest grid accepted"));
        m.put("record_curves", new ConfigSchema.Field("record_curves", ConfigSchema.Type.BOOLEAN, true, null, false, null,
                List.of(), null, "write the curves table"));
        return m;
    }

    private static Map<String, ConfigSchema.Field> refineFields() {
        Map<String, ConfigSchema.Field> m = new LinkedHashMap<>();
        m.put("key", new ConfigSchema.Field("key", ConfigSchema.Type.STRING, null, null, false, null,
                List.of(), null, "the grid key refined"));
        m.put("scale", new ConfigSchema.Field("scale", ConfigSchema.Type.STRING, "log", null, false, null,
                Scale.KEYS, null, "where points go"));
        m.put("criterion", new ConfigSchema.Field("criterion", ConfigSchema.Type.STRING, "all_converged", null, false, null,
                Criterion.KEYS, null, "what makes a value pass"));
        m.put("threshold", new ConfigSchema.Field("threshold", ConfigSchema.Type.DOUBLE, null, 0.0, true, 1.0,
                List.of(), null, "converged fraction a value needs (converged_fraction only)"));
        m.put("rounds", new ConfigSchema.Field("rounds", ConfigSchema.Type.INT, null, 1.0, false, (double) Refine.MAX_ROUNDS,
                List.of(), null, "the most rounds"));
        m.put("target_width", new ConfigSchema.Field("target_width", ConfigSchema.Type.DOUBLE, null, Refine.MIN_TARGET_WIDTH,
                false, null, List.of(), null, "the relative bracket width to reach"));
        m.put("points_per_round", new ConfigSchema.Field("points_per_round", ConfigSchema.Type.INT,
                Refine.DEFAULT_POINTS_PER_ROUND, 1.0, false, (double) Refine.MAX_POINTS_PER_ROUND,
                List.of(), null, "values placed per group and round"));
        return m;
    }

    /**
     * Validates a raw spec map and builds the spec.
     *
     * @param m         the spec as loaded by {@link SpecYaml#load}, overrides applied
     * @param source    where the spec came from, for the manifest
     * @param rawText   the spec text as read, before overrides, for the manifest
     * @param overrides the overrides applied, in order
     * @throws SpecException for anything wrong
     */
    static SweepSpec validate(Map<String, Object> m, String source, String rawText, List<String> overrides) {
        return new SpecValidator(source, rawText, overrides).build(m);
    }

    private SweepSpec build(Map<String, Object> m) {
        for (String k : m.keySet()) {
            if (!SweepSpec.TOP_LEVEL_KEYS.contains(k)) {
                throw new SpecException(k, "an unknown top-level key",
                        KeySuggestions.withHint("one of " + String.join(", ", SweepSpec.TOP_LEVEL_KEYS), k,
                                SweepSpec.TOP_LEVEL_KEYS));
            }
        }
        String name = name(m.get("name"));
        Object desc = m.get("description");
        if (desc != null && !(desc instanceof String)) {
            throw new SpecException("description", ConfigSchema.describe(desc), "a string");
        }
        SweepSpec.Job job = job(m.get("job"));
        Map<String, Object> fixed = new LinkedHashMap<>();
        if (m.containsKey("family")) {
            fixed.put("family", coerce("family", "family", m.get("family")));
            claim("family", "family");
        }
        Map<String, Object> fixedRaw = mapSection("fixed", m.get("fixed"));
        forEachRunKey("fixed", fixedRaw, (flat, path, v) -> {
            claim(flat, path);
            fixed.put(flat, coerce(path, flat, v));
        });
        List<SweepSpec.Axis> grid = new ArrayList<>();
        Map<String, Object> gridRaw = mapSection("grid", m.get("grid"));
        forEachRunKey("grid", gridRaw, (flat, path, v) -> {
            claim(flat, path);
            grid.add(axis(path, flat, v, job.maxGridSize(), true));
        });
        List<SweepSpec.ZipGroup> zip = zip(m.get("zip"), job.maxGridSize());
        List<String> varying = new ArrayList<>();
        grid.forEach(a -> varying.add(a.key()));
        zip.forEach(z -> varying.addAll(z.keys()));
        List<Map<String, Object>> exclude = exclude(m.get("exclude"), varying);
        Refine refine = refine(m.get("refine"), grid, zip, exclude);

        long size = 1;
        StringBuilder shape = new StringBuilder();
        boolean overflow = false;
        for (SweepSpec.Axis a : grid) {
            shape.append(shape.length() == 0 ? "" : " x ").append(a.key()).append(' ').append(a.size());
        }
        for (SweepSpec.ZipGroup z : zip) {
            shape.append(shape.length() == 0 ? "" : " x ").append("zip(").append(String.join(", ", z.keys())).append(") ").append(z.size());
        }
        List<Integer> sizes = new ArrayList<>();
        grid.forEach(a -> sizes.add(a.size()));
        zip.forEach(z -> sizes.add(z.size()));
        for (int s : sizes) {
            try {
                size = Math.multiplyExact(size, s);
            } catch (ArithmeticException e) {
                overflow = true;
                break;
            }
        }
        if (overflow || size > job.maxGridSize()) {
            throw new SpecException("grid", (overflow ? "more than 2^63" : Long.toString(size)) + " points (" + shape + ")",
                    "at most job.max_grid_size = " + job.maxGridSize() + " points (raise job.max_grid_size to run a larger grid)");
        }

        String canonical = CanonicalSpec.json(name, (String) desc, grid, zip, exclude, fixed, job, refine);
        SweepSpec spec = new SweepSpec(name, (String) desc, grid, zip, exclude, fixed, job, refine, source, rawText, overrides,
                canonical);
        Grid g = Grid.of(spec);
        long first = g.firstIncluded();
        if (first < 0) {
            throw new SpecException("exclude", "rules that drop all " + size + " grid points", "rules that leave at least one point");
        }
        checkCombinations(g, first);
        return spec;
    }

    private String name(Object v) {
        String allowed = "a name matching [A-Za-z0-9_.-]+ of at most 100 characters, not . or ..";
        if (v == null) {
            throw new SpecException("name", "nothing (the key is missing)", allowed);
        }
        if (!(v instanceof String s) || !NAME.matcher(s).matches() || s.length() > 100 || s.equals(".") || s.equals("..")) {
            throw new SpecException("name", ConfigSchema.describe(v), allowed);
        }
        return s;
    }

    private SweepSpec.Job job(Object raw) {
        Map<String, Object> m = mapSection("job", raw);
        Map<String, Object> v = new HashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            ConfigSchema.Field f = JOB_FIELDS.get(e.getKey());
            if (f == null) {
                throw new SpecException("job." + e.getKey(), "an unknown key",
                        KeySuggestions.withHint("one of " + String.join(", ", JOB_KEYS), e.getKey(), JOB_KEYS));
            }
            try {
                v.put(e.getKey(), ConfigSchema.coerce("job." + e.getKey(), f, e.getValue()));
            } catch (ConfigException ce) {
                throw SpecException.of(ce);
            }
        }
        SweepSpec.Job d = SweepSpec.Job.DEFAULTS;
        return new SweepSpec.Job((Integer) v.get("partitions"),
                (Integer) v.getOrDefault("tasks_per_core", d.tasksPerCore()),
                (Integer) v.getOrDefault("wave_size", d.waveSize()),
                (Long) v.getOrDefault("max_grid_size", d.maxGridSize()),
                (Boolean) v.getOrDefault("record_curves", d.recordCurves()));
    }

    /**
     * The refine section (DESIGN 4.7), or null when absent or null. The key must be a real-valued grid
     * axis (not a zip group, not fixed, not named by an exclude rule) with at least two values, all &gt; 0;
     * a threshold goes with converged_fraction only, and at least one of rounds and target_width is given.
     */
    private Refine refine(Object raw, List<SweepSpec.Axis> grid, List<SweepSpec.ZipGroup> zip, List<Map<String, Object>> exclude) {
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof Map<?, ?> rm)) {
            throw new SpecException("refine", ConfigSchema.describe(raw),
                    "a map with key, and rounds or target_width (optional: scale, criterion, threshold, points_per_round)");
        }
        Map<String, Object> v = new HashMap<>();
        for (Map.Entry<String, Object> e : SpecYaml.cast(rm).entrySet()) {
            ConfigSchema.Field f = REFINE_FIELDS.get(e.getKey());
            if (f == null) {
                throw new SpecException("refine." + e.getKey(), "an unknown key",
                        KeySuggestions.withHint("one of " + String.join(", ", REFINE_KEYS), e.getKey(), REFINE_KEYS));
            }
            try {
                v.put(e.getKey(), ConfigSchema.coerce("refine." + e.getKey(), f, e.getValue()));
            } catch (ConfigException ce) {
                throw SpecException.of(ce);
            }
        }
        String key = refineKey(v.get("key"), grid, zip, exclude);
        Scale scale = Scale.of((String) v.getOrDefault("scale", "log"));
        Criterion criterion = Criterion.of((String) v.getOrDefault("criterion", "all_converged"));
        Double threshold = (Double) v.get("threshold");
        if (criterion == Criterion.ALL_CONVERGED && threshold != null) {
            throw new SpecException("refine.threshold", ConfigSchema.describe(threshold) + " with criterion all_converged",
                    "no threshold with all_converged (every seed converged passes); for a fraction, criterion: converged_fraction");
        }
        if (criterion == Criterion.CONVERGED_FRACTION && threshold == null) {
            throw new SpecException("refine.threshold", "nothing (the key is missing) with criterion converged_fraction",
                    "a finite number > 0 and <= 1: the converged fraction a value needs to pass");
        }
        Integer rounds = (Integer) v.get("rounds");
        Double target = (Double) v.get("target_width");
        if (rounds == null && target == null) {
            throw new SpecException("refine", "neither rounds nor target_width",
                    "at least one of refine.rounds (1.." + Refine.MAX_ROUNDS + ") and refine.target_width (>= "
                            + Refine.MIN_TARGET_WIDTH + ", relative)");
        }
        int k = (Integer) v.getOrDefault("points_per_round", Refine.DEFAULT_POINTS_PER_ROUND);
        return new Refine(key, scale, criterion, threshold == null ? 1.0 : threshold, rounds, target, k);
    }

    private String refineKey(Object raw, List<SweepSpec.Axis> grid, List<SweepSpec.ZipGroup> zip, List<Map<String, Object>> exclude) {
        List<String> real = new ArrayList<>();
        for (SweepSpec.Axis a : grid) {
            if (ConfigSchema.field(a.key()).type() == ConfigSchema.Type.DOUBLE) {
                real.add(a.key());
            }
        }
        String allowed = "a real-valued grid key with at least two values, all > 0"
                + (real.isEmpty() ? " (this grid has none)" : ": " + String.join(", ", real));
        if (raw == null) {
            throw new SpecException("refine.key", "nothing (the key is missing)", allowed);
        }
        String given = (String) raw;
        String flat = given.strip();
        int dot = flat.indexOf('.');
        if (dot > 0 && ConfigSchema.GROUPS.contains(flat.substring(0, dot))) {
            flat = flat.substring(0, dot) + "_" + flat.substring(dot + 1); // forward.tol is forward_tol
        }
        if (!ConfigSchema.isKey(flat)) {
            throw new SpecException("refine.key", ConfigSchema.describe(raw) + ", not a run key",
                    KeySuggestions.withHint(allowed, given, real.isEmpty() ? KeySuggestions.runKeyCandidates() : real));
        }
        if (ConfigSchema.field(flat).type() != ConfigSchema.Type.DOUBLE) {
            throw new SpecException("refine.key", ConfigSchema.describe(raw) + ", a key of type "
                    + ConfigSchema.field(flat).type().name().toLowerCase(java.util.Locale.ROOT), allowed);
        }
        SweepSpec.Axis axis = null;
        for (SweepSpec.Axis a : grid) {
            if (a.key().equals(flat)) {
                axis = a;
            }
        }
        if (axis == null) {
            String where = origin.containsKey(flat) ? "given at " + origin.get(flat) : "not given (its default is fixed)";
            for (int i = 0; i < zip.size(); i++) {
                if (zip.get(i).keys().contains(flat)) {
                    where = "in zip group zip[" + i + "], where it varies with other keys";
                }
            }
            throw new SpecException("refine.key", ConfigSchema.describe(raw) + ", " + where, allowed);
        }
        if (axis.size() < 2) {
            throw new SpecException("refine.key", ConfigSchema.describe(raw) + " with one grid value, " + axis.values().get(0),
                    allowed + " (a bracket needs a passing and a failing value)");
        }
        for (int i = 0; i < axis.size(); i++) {
            if (!((Double) axis.values().get(i) > 0)) {
                throw new SpecException("refine.key", ConfigSchema.describe(raw) + " with grid." + flat + "[" + i + "] = "
                        + axis.values().get(i), allowed + " (relative widths are taken against the lower end)");
            }
        }
        for (int i = 0; i < zip.size(); i++) {
            if (zip.get(i).keys().contains("seed")) {
                throw new SpecException("zip[" + i + "].seed", "seed in a zip group with a refine section",
                        "seed as a grid axis of its own when refining (a refine group is every seed of one setting of the"
                                + " other keys; zipped, the seeds would each carry another setting)");
            }
        }
        for (int i = 0; i < exclude.size(); i++) {
            if (exclude.get(i).containsKey(flat)) {
                throw new SpecException("exclude[" + i + "]." + flat, "a rule on refine.key " + flat,
                        "exclude rules on the other varying keys only (a refined value is new and could not match it)");
            }
        }
        return flat;
    }

    private Map<String, Object> mapSection(String path, Object raw) {
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new SpecException(path, ConfigSchema.describe(raw), "a map");
        }
        return SpecYaml.cast(m);
    }

    private List<SweepSpec.ZipGroup> zip(Object raw, long maxCount) {
        List<SweepSpec.ZipGroup> out = new ArrayList<>();
        forEachListedMap("zip", raw, "a list of maps, each key to a list of values of one common length",
                "a map of at least one run key to a list of values", (zp, gm) -> out.add(zipGroup(zp, gm, maxCount)));
        return out;
    }

    private SweepSpec.ZipGroup zipGroup(String zp, Map<String, Object> gm, long maxCount) {
        List<SweepSpec.Axis> axes = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        forEachRunKey(zp, gm, (flat, path, v) -> {
            claim(flat, path);
            SweepSpec.Axis a = axis(path, flat, v, maxCount, false);
            if (!axes.isEmpty() && a.size() != axes.get(0).size()) {
                throw new SpecException(path, a.size() + " values while " + paths.get(0) + " has " + axes.get(0).size(),
                        "the same number of values for every key of a zip group");
            }
            axes.add(a);
            paths.add(path);
        });
        Set<List<Object>> seen = new HashSet<>();
        for (int i = 0; i < axes.get(0).size(); i++) {
            List<Object> tuple = new ArrayList<>();
            for (SweepSpec.Axis a : axes) {
                tuple.add(a.values().get(i));
            }
            if (!seen.add(tuple)) {
                throw new SpecException(zp + "[" + i + "]", "the values " + tuple + " again",
                        "distinct combinations (a repeated point would run twice)");
            }
        }
        return new SweepSpec.ZipGroup(axes);
    }

    private List<Map<String, Object>> exclude(Object raw, List<String> varying) {
        List<Map<String, Object>> out = new ArrayList<>();
        forEachListedMap("exclude", raw, "a list of maps from varying keys to values", "a map from varying keys to values",
                (rp, em) -> out.add(excludeRule(rp, em, varying)));
        return out;
    }

    private Map<String, Object> excludeRule(String rp, Map<String, Object> em, List<String> varying) {
        Map<String, Object> rule = new LinkedHashMap<>();
        forEachRunKey(rp, em, (flat, path, v) -> {
            if (!varying.contains(flat)) {
                String where = origin.containsKey(flat) ? "it is fixed at " + origin.get(flat) : "it is not in the grid";
                throw new SpecException(path, "a key that does not vary (" + where + ")",
                        varying.isEmpty() ? "no exclude (nothing varies)" : "the varying keys: " + String.join(", ", varying));
            }
            if (rule.containsKey(flat)) {
                throw new SpecException(path, "the key given twice (flat and nested)", "each key once per exclude entry");
            }
            rule.put(flat, coerce(path, flat, v));
        });
        return rule;
    }

    /**
     * Calls {@code action} with the path and map of each entry of a list section (zip, exclude), in
     * order, each entry handled before the next is looked at; refuses a section that is not a list and
     * an entry that is not a non-empty map. An absent section has no entries.
     */
    private static void forEachListedMap(String section, Object raw, String allowedList, String allowedEntry,
                                         BiConsumer<String, Map<String, Object>> action) {
        if (raw == null) {
            return;
        }
        if (!(raw instanceof List<?> list)) {
            throw new SpecException(section, ConfigSchema.describe(raw), allowedList);
        }
        for (int i = 0; i < list.size(); i++) {
            String path = section + "[" + i + "]";
            Object entry = list.get(i);
            if (!(entry instanceof Map<?, ?> m) || m.isEmpty()) {
                throw new SpecException(path, entry instanceof Map<?, ?> ? "an empty map" : ConfigSchema.describe(entry), allowedEntry);
            }
            action.accept(path, SpecYaml.cast(m));
        }
    }

    /**
     * @param distinct refuse a repeated value: a grid axis must not repeat one (it would run the same
     *                 points twice); in a zip group one key may repeat as long as the tuples differ
     */
    private SweepSpec.Axis axis(String path, String flat, Object raw, long maxCount, boolean distinct) {
        List<Object> rawValues = ValueForms.expand(path, raw, maxCount);
        List<Object> values = new ArrayList<>(rawValues.size());
        Map<Object, Integer> seen = new HashMap<>();
        for (int i = 0; i < rawValues.size(); i++) {
            String p = path + "[" + i + "]";
            Object v = coerce(p, flat, rawValues.get(i));
            Integer prev = seen.putIfAbsent(v, i);
            if (prev != null && distinct) {
                throw new SpecException(p, ConfigSchema.describe(v) + " again (also at [" + prev + "])",
                        "distinct values (a repeated value would run the same points twice)");
            }
            values.add(v);
        }
        return new SweepSpec.Axis(flat, values);
    }

    private Object coerce(String path, String flat, Object v) {
        try {
            return ConfigSchema.coerce(path, ConfigSchema.field(flat), v);
        } catch (ConfigException e) {
            throw SpecException.of(e);
        }
    }

    private void claim(String flat, String path) {
        String prev = origin.putIfAbsent(flat, path);
        if (prev != null) {
            throw new SpecException(path, "the run key " + flat + " again (already given at " + prev + ")",
                    "each run key in one place: the grid, one zip group, fixed or the top-level family");
        }
    }

    private interface RunKeyAction {
        void accept(String flat, String path, Object value);
    }

    /** Calls {@code action} for every run key of a section, flattening the nested groups and refusing unknown keys. */
    private void forEachRunKey(String section, Map<String, Object> m, RunKeyAction action) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            String k = e.getKey();
            String path = section + "." + k;
            if (ConfigSchema.GROUPS.contains(k)) {
                if (!(e.getValue() instanceof Map<?, ?> gm)) {
                    throw new SpecException(path, ConfigSchema.describe(e.getValue()), "a map of " + k + " keys: " + groupKeys(k));
                }
                for (Map.Entry<?, ?> s : gm.entrySet()) {
                    String flat = k + "_" + s.getKey();
                    String sp = path + "." + s.getKey();
                    if (!ConfigSchema.isKey(flat)) {
                        throw new SpecException(sp, "an unknown key", KeySuggestions.withHint("a key of " + k + ": " + groupKeys(k),
                                String.valueOf(s.getKey()), List.of(groupKeys(k).split(", "))));
                    }
                    action.accept(flat, sp, s.getValue());
                }
            } else if (ConfigSchema.isKey(k)) {
                action.accept(k, path, e.getValue());
            } else {
                throw new SpecException(path, "an unknown key", KeySuggestions.runKeyAllowed(k));
            }
        }
    }

    private static String groupKeys(String group) {
        List<String> out = new ArrayList<>();
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            if (f.key().startsWith(group + "_")) {
                out.add(f.key().substring(group.length() + 1));
            }
        }
        return String.join(", ", out);
    }

    /**
     * Every included point through {@link RunConfig#fromMap} when the grid has at most
     * {@link SpecParser#FULL_CHECK_LIMIT} points; otherwise each value of each dimension with the first
     * included point's other values.
     */
    private void checkCombinations(Grid g, long first) {
        int[] digits = new int[g.dimensions()];
        if (g.size() <= SpecParser.FULL_CHECK_LIMIT) {
            for (long i = 0; i < g.size(); i++) {
                check(g, i, digits);
                g.increment(digits);
            }
            return;
        }
        int[] base = g.digits(first, null);
        int[] radix = g.radix();
        check(g, first, base.clone());
        for (int d = 0; d < radix.length; d++) {
            for (int v = 0; v < radix[d]; v++) {
                int[] x = base.clone();
                x[d] = v;
                check(g, g.index(x), x);
            }
        }
    }

    private void check(Grid g, long index, int[] digits) {
        if (g.excludedDigits(digits)) {
            return;
        }
        try {
            RunConfig.fromMap(g.pointOf(digits));
        } catch (ConfigException e) {
            throw combination(g, index, digits, e);
        }
    }

    /** A contradiction found by RunConfig, pointed at the spec path of the key involved. */
    private SpecException combination(Grid g, long index, int[] digits, ConfigException e) {
        String flat = e.path();
        for (String grp : ConfigSchema.GROUPS) {
            if (flat.startsWith(grp + ".")) {
                flat = grp + "_" + flat.substring(grp.length() + 1);
            }
        }
        String path = origin.get(flat);
        if (path == null) {
            path = origin.getOrDefault("family", e.path());
        } else {
            int dim = g.dimensionOf(flat);
            if (dim >= 0) {
                path = path + "[" + digits[dim] + "]";
            }
        }
        String found = e.found();
        Map<String, Object> point = g.varying(index);
        if (!point.isEmpty()) {
            found = found + " at grid point " + index + " " + point;
        }
        return new SpecException(path, found, e.allowed());
    }
}

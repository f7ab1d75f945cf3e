package org.deqsweep.core.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.deqsweep.core.math.Activation;

/**
 * One run's configuration, fully resolved: every key of {@link ConfigSchema} present, family defaults
 * applied, types and combinations checked once, in {@link #fromMap}. Immutable. Two views of the same
 * values: the typed option groups ({@link #model()}, {@link #data()}, {@link #init()}, {@link #train()},
 * {@link #forward()}, {@link #backward()}, {@link #anderson()}, {@link #flow()}) that the solvers and
 * trainers take, and the flat key map whose canonical form (sorted keys, typed values) defines the
 * run_id and the run's seeds, so the same config gives the same bits wherever it runs.
 */
public final class RunConfig {
    /** key to Integer, Long, Double, String or Boolean, in schema order. */
    private final Map<String, Object> values;
    private final ModelOptions model;
    private final DataOptions data;
    private final InitOptions init;
    private final TrainOptions train;
    private final ForwardOptions forward;
    private final BackwardOptions backward;
    private final AndersonOptions anderson;
    private final FlowOptions flow;

    private RunConfig(Map<String, Object> resolved) {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(resolved));
        Family family = Family.of(str("family"));
        model = new ModelOptions(family, integer("d"), integer("width"), Activation.of(str("activation")),
                real("activation_eps"), integer("outputs"), real("gamma"), str("feature_map"), str("loss"), flag("bias"),
                flag("train_a"), flag("train_w"), flag("bias") && flag("train_b"), flag("train_v"));
        data = new DataOptions(str("data"), integer("n"), integer("d"), str("idx_images"), str("idx_labels"),
                real("class_sep"), str("teacher"), str("link"), real("teacher_norm"), real("noise"));
        init = new InitOptions(str("init"), real("init_scale"), real("a_scale"), real("a_norm"), real("a_center"),
                real("w_center"));
        train = new TrainOptions(str("trainer"), real("step_size"), str("step_rule"), integer("max_steps"), real("tol"),
                real("rel_tol"), real("diverge_factor"), (Long) values.get("time_budget_ms"), integer("record_points"));
        forward = new ForwardOptions(str("forward_solver"), real("forward_tol"), integer("forward_max_iter"),
                real("forward_damping"), flag("forward_warm_start"));
        backward = new BackwardOptions(str("grad_mode"), str("backward_solver"), real("backward_tol"),
                integer("backward_max_iter"));
        anderson = new AndersonOptions(integer("anderson_memory"), real("anderson_beta"), real("anderson_lambda"));
        flow = new FlowOptions(real("flow_rtol"), real("flow_atol"));
    }

    /**
     * Parses a config map (flat keys, or the groups forward/backward/anderson/flow nested as maps),
     * fills defaults and checks every value and every combination.
     *
     * @throws ConfigException naming the key, what was found and what is allowed
     */
    public static RunConfig fromMap(Map<String, ?> raw) {
        Map<String, Object> given = flatten(raw);
        Map<String, Object> v = new LinkedHashMap<>();
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            Object x = given.get(f.key());
            v.put(f.key(), x == null ? null : ConfigSchema.coerce(pathOf(f.key()), f, x));
        }
        Family family = Family.of((String) orDefault(v, "family"));
        v.put("family", family.key());
        boolean scalarFamily = family.scalar();
        boolean implicit = family == Family.IMPLICIT_LAYER;
        putIfNull(v, "width", scalarFamily ? 1 : family == Family.OVERPARAM_DEQ ? 64 : 16);
        putIfNull(v, "activation", family == Family.LINEAR_DEQ || implicit ? "identity"
                : family == Family.OVERPARAM_DEQ ? "relu" : "tanh");
        putIfNull(v, "teacher", family == Family.SINGLE_INDEX_DEQ || family == Family.EXPLICIT ? "single_index" : "linear");
        putIfNull(v, "data", implicit ? "mixture" : "gaussian");
        putIfNull(v, "outputs", implicit ? 3 : 1);
        putIfNull(v, "train_v", !scalarFamily && !implicit);
        putIfNull(v, "train_a", family != Family.EXPLICIT);
        putIfNull(v, "init", family == Family.EXPLICIT ? "zero" : "gaussian");
        putIfNull(v, "init_scale", scalarFamily ? 0.1 : 1.0);
        putIfNull(v, "a_scale", scalarFamily ? (Double) v.get("init_scale") : 0.25);
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            putIfNull(v, f.key(), f.defaultValue());
        }
        checkCombinations(v);
        return new RunConfig(v);
    }

    private static void checkCombinations(Map<String, Object> v) {
        String family = (String) v.get("family");
        int width = (Integer) v.get("width");
        switch (family) {
            case "linear_deq":
                if (!v.get("activation").equals("identity")) {
                    throw new ConfigException("activation", ConfigSchema.describe(v.get("activation")) + " with family linear_deq",
                            "identity (the linear DEQ has no nonlinearity; use general_deq for others)");
                }
                break;
            case "single_index_deq":
            case "explicit":
                if (width != 1) {
                    throw new ConfigException("width", width + " with family " + family,
                            "1 (the " + family + " model has a scalar state; use general_deq for width > 1)");
                }
                if (Boolean.TRUE.equals(v.get("train_v"))) {
                    throw new ConfigException("train_v", "true with family " + family, "false (v = 1 is frozen in this family)");
                }
                break;
            default:
                break;
        }
        if (family.equals("explicit")) {
            if (Boolean.TRUE.equals(v.get("train_a"))) {
                throw new ConfigException("train_a", "true with family explicit", "false (the explicit baseline has A = 0)");
            }
            if (!v.get("init").equals("zero")) {
                throw new ConfigException("init", ConfigSchema.describe(v.get("init")) + " with family explicit",
                        "zero (the explicit baseline has A = 0)");
            }
            if (((Double) v.get("a_center")) != 0.0) {
                throw new ConfigException("a_center", v.get("a_center") + " with family explicit", "0 (the explicit baseline has A = 0)");
            }
        }
        checkImplicitLayer(v);
        if (v.get("teacher").equals("deq") && v.get("family").equals("linear_deq") && !v.get("link").equals("same")
                && !v.get("link").equals("identity")) {
            throw new ConfigException("link", ConfigSchema.describe(v.get("link")) + " with family linear_deq", "same or identity");
        }
        if (v.get("trainer").equals("flow") && !v.get("grad_mode").equals("exact")) {
            throw new ConfigException("grad_mode", ConfigSchema.describe(v.get("grad_mode")) + " with trainer flow",
                    "exact (gradient flow follows the true gradient)");
        }
        if (v.get("forward_solver").equals("direct") && !v.get("activation").equals("identity")) {
            throw new ConfigException("forward.solver", "\"direct\" with activation " + v.get("activation"),
                    "auto, picard, anderson or newton (direct solves only the linear fixed point)");
        }
    }

    private static void checkImplicitLayer(Map<String, Object> v) {
        String family = (String) v.get("family");
        boolean implicit = family.equals("implicit_layer");
        String data = (String) v.get("data");
        boolean classes = data.equals("mixture") || data.equals("idx");
        int k = (Integer) v.get("outputs");
        if (classes && !implicit) {
            throw new ConfigException("data", ConfigSchema.describe(data) + " with family " + family,
                    "gaussian or uniform (class data is for family implicit_layer)");
        }
        if (v.get("loss").equals("cross_entropy") && !(implicit && classes)) {
            throw new ConfigException("loss", "\"cross_entropy\" with family " + family + " and data " + data,
                    "mse or half_mse (cross_entropy needs family implicit_layer with data mixture or idx)");
        }
        if (!implicit) {
            if (k != 1) {
                throw new ConfigException("outputs", k + " with family " + family, "1 (only implicit_layer has k outputs)");
            }
            return;
        }
        if (!v.get("activation").equals("identity")) {
            throw new ConfigException("activation", ConfigSchema.describe(v.get("activation")) + " with family implicit_layer",
                    "identity (the implicit layer's nonlinearity is the softmax on A)");
        }
        if (classes && k < 2) {
            throw new ConfigException("outputs", k + " with data " + data, "at least 2 (the number of classes)");
        }
        if (!classes && k != 1) {
            throw new ConfigException("outputs", k + " with data " + data, "1 (regression on a teacher has one output)");
        }
        if (v.get("feature_map").equals("identity") && !v.get("width").equals(v.get("d"))) {
            throw new ConfigException("width", v.get("width") + " with feature_map identity and d = " + v.get("d"),
                    "width = d (or feature_map: projection)");
        }
        if (data.equals("idx") && (((String) v.get("idx_images")).isEmpty() || ((String) v.get("idx_labels")).isEmpty())) {
            throw new ConfigException(((String) v.get("idx_images")).isEmpty() ? "idx_images" : "idx_labels",
                    "nothing", "the path of an IDX file (data: idx needs idx_images and idx_labels)");
        }
        if (!v.get("grad_mode").equals("exact")) {
            throw new ConfigException("grad_mode", ConfigSchema.describe(v.get("grad_mode")) + " with family implicit_layer",
                    "exact (the implicit layer's adjoint is one direct solve)");
        }
        for (String key : new String[] {"bias", "train_v"}) {
            if (Boolean.TRUE.equals(v.get(key))) {
                throw new ConfigException(key, "true with family implicit_layer", "false (the implicit layer has A and B only)");
            }
        }
    }

    private static Object orDefault(Map<String, Object> v, String key) {
        Object x = v.get(key);
        return x != null ? x : ConfigSchema.field(key).defaultValue();
    }

    private static void putIfNull(Map<String, Object> v, String key, Object value) {
        if (v.get(key) == null) {
            v.put(key, value);
        }
    }

    /** Flattens the nested groups and refuses unknown keys, with their path. */
    public static Map<String, Object> flatten(Map<String, ?> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (ConfigSchema.GROUPS.contains(key) && value instanceof Map<?, ?> group) {
                for (Map.Entry<?, ?> g : group.entrySet()) {
                    String flat = key + "_" + g.getKey();
                    if (!ConfigSchema.isKey(flat)) {
                        throw new ConfigException(key + "." + g.getKey(), "an unknown key", "keys of " + key + ": " + groupKeys(key));
                    }
                    putOnce(out, flat, g.getValue());
                }
            } else if (ConfigSchema.isKey(key)) {
                putOnce(out, key, value);
            } else {
                throw new ConfigException(key, "an unknown key", "the run keys " + keyList());
            }
        }
        return out;
    }

    private static void putOnce(Map<String, Object> out, String flat, Object value) {
        if (out.containsKey(flat)) {
            throw new ConfigException(pathOf(flat), "the key given twice (flat and nested)", "one of the two forms");
        }
        out.put(flat, value);
    }

    /** All flat keys, comma separated (for messages). */
    public static String keyList() {
        return String.join(", ", ConfigSchema.fields().stream().map(ConfigSchema.Field::key).toList());
    }

    private static String groupKeys(String group) {
        return String.join(", ", ConfigSchema.fields().stream().map(ConfigSchema.Field::key)
                .filter(k -> k.startsWith(group + "_")).map(k -> k.substring(group.length() + 1)).toList());
    }

    /** The spec path of a flat key: {@code forward_tol} is written {@code forward.tol} in a nested spec. */
    public static String pathOf(String flatKey) {
        for (String g : ConfigSchema.GROUPS) {
            if (flatKey.startsWith(g + "_")) {
                return g + "." + flatKey.substring(g.length() + 1);
            }
        }
        return flatKey;
    }

    /** The canonical JSON of this config: keys sorted, numbers in Java's shortest round-trip form. */
    public String canonicalJson() {
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : new TreeMap<>(values).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append('"').append(e.getKey()).append("\":");
            Object x = e.getValue();
            if (x instanceof String s) {
                b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                b.append(x);
            }
        }
        return b.append('}').toString();
    }

    /** Content hash of the canonical config ({@link #idOf}), stable across sweeps and restarts. */
    public String runId() {
        return idOf(canonicalJson());
    }

    /**
     * A run id: the first 16 hex digits of the SHA-256 of {@code text}. The one place run ids are made:
     * {@link #runId()} hashes the canonical JSON; a sweep point that never becomes a config is named by
     * the hash of its raw form.
     */
    public static String idOf(String text) {
        // HexFormat's lower-case pairs are String.format("%02x") without a Formatter per byte: a resume computes
        // a run_id for every position of a wave it skips
        return java.util.HexFormat.of().formatHex(sha256(text), 0, 8);
    }

    /** Keys that shape the inputs x: data drawn for equal values (and seed) are equal. */
    public static final java.util.List<String> DATA_KEYS = java.util.List.of("d", "n", "data");
    /** Keys that shape the targets. */
    public static final java.util.List<String> TEACHER_KEYS = java.util.List.of("d", "n", "data", "teacher", "link",
            "teacher_norm", "noise", "activation", "activation_eps", "width", "family", "bias", "train_v", "class_sep", "outputs");
    /** Keys that shape the initial parameters. */
    public static final java.util.List<String> INIT_KEYS = java.util.List.of("d", "width", "family", "init", "init_scale",
            "a_scale", "a_norm", "a_center", "w_center", "bias", "train_v", "outputs", "feature_map");

    /**
     * The seed of one consumer's random stream (data, teacher or init): the {@code seed} key mixed with
     * the hash of the keys that consumer depends on and nothing else. So runs that differ only in how they
     * train (step size, trainer, gradient mode, solvers, tolerances) start from the same data and the same
     * initial parameters: a step-size sweep compares like with like.
     */
    public long streamSeed(String consumer, java.util.List<String> keys) {
        StringBuilder b = new StringBuilder(consumer);
        for (String k : keys) {
            b.append('|').append(k).append('=').append(values.get(k));
        }
        byte[] h = sha256(b.toString());
        long mix = 0;
        for (int i = 0; i < 8; i++) {
            mix = (mix << 8) | (h[i] & 0xff);
        }
        return mix ^ (seed() * 0x9E3779B97F4A7C15L);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /** A copy with some keys replaced (re-validated). */
    public RunConfig with(Map<String, ?> changes) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.putAll(changes);
        return fromMap(m);
    }

    /** The value of one flat key (Integer, Long, Double, String or Boolean): for tables and messages. */
    public Object get(String key) {
        return values.get(key);
    }

    /** Every flat key and its value, in schema order. */
    public Map<String, Object> values() {
        return values;
    }

    public ModelOptions model() {
        return model;
    }

    public DataOptions data() {
        return data;
    }

    public InitOptions init() {
        return init;
    }

    public TrainOptions train() {
        return train;
    }

    public ForwardOptions forward() {
        return forward;
    }

    public BackwardOptions backward() {
        return backward;
    }

    public AndersonOptions anderson() {
        return anderson;
    }

    public FlowOptions flow() {
        return flow;
    }

    public Family family() {
        return model.family();
    }

    public int d() {
        return model.d();
    }

    public int width() {
        return model.width();
    }

    public int n() {
        return data.n();
    }

    public long seed() {
        return (Long) values.get("seed");
    }

    private String str(String key) {
        return (String) values.get(key);
    }

    private int integer(String key) {
        return (Integer) values.get(key);
    }

    private double real(String key) {
        return (Double) values.get(key);
    }

    private boolean flag(String key) {
        return (Boolean) values.get(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunConfig other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "RunConfig" + values;
    }
}

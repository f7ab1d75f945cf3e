package org.deqsweep.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.deqsweep.core.math.Activation;

/**
 * Every key a run config may hold, with its type, default, and allowed values or range: the single
 * source for parsing ({@link RunConfig#fromMap}), for the sweep's typed config columns, and for the
 * messages a bad spec gets. Keys are flat snake_case; a spec may nest the {@code forward},
 * {@code backward}, {@code anderson} and {@code flow} groups ({@code forward: {solver: anderson}} is
 * {@code forward_solver: anderson}).
 */
public final class ConfigSchema {

    /** Column type of a config key. */
    public enum Type { INT, LONG, DOUBLE, STRING, BOOLEAN }

    /**
     * One key. {@code defaultValue} null means the family decides ({@link RunConfig} resolves it);
     * {@code min}/{@code max} bound numbers ({@code minExclusive} for "strictly positive"); a non-empty
     * {@code allowed} lists the accepted strings, {@code pattern} accepts more.
     */
    public record Field(String key, Type type, Object defaultValue, Double min, boolean minExclusive, Double max,
                        List<String> allowed, Pattern pattern, String doc) {

        /** What this key accepts, in words, for error messages. */
        public String describeAllowed() {
            switch (type) {
                case BOOLEAN:
                    return "true or false";
                case STRING: {
                    String s = allowed.isEmpty() ? "a string" : "one of " + allowed;
                    return pattern == null ? s : s + " or " + pattern.pattern();
                }
                default: {
                    String kind = type == Type.DOUBLE ? "a finite number" : "an integer";
                    StringBuilder b = new StringBuilder(kind);
                    if (min != null) {
                        b.append(minExclusive ? " > " : " >= ").append(fmt(min));
                    }
                    if (max != null) {
                        b.append(min != null ? " and" : "").append(" <= ").append(fmt(max));
                    }
                    return b.toString();
                }
            }
        }

        private static String fmt(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /** Model families (DESIGN 2). */
    public static final List<String> FAMILIES = Family.keys();
    public static final List<String> LINKS =
            List.of("same", "identity", "tanh", "relu", "cubic", "hermite2", "hermite3", "sigmoid");
    public static final Pattern GRAD_MODE = Pattern.compile("neumann-[1-9][0-9]*");

    private static final Map<String, Field> FIELDS;
    /** Nested groups a spec may write as maps, and the prefix each flattens to. */
    public static final List<String> GROUPS = List.of("forward", "backward", "anderson", "flow");

    static {
        List<Field> f = new ArrayList<>();
        str(f, "family", "general_deq", FAMILIES, "model family (DESIGN 2)");
        num(f, "d", Type.INT, 5, 1.0, false, null, "input dimension");
        num(f, "width", Type.INT, null, 1.0, false, null, "hidden width m (family default: 1 for linear_deq, single_index_deq and explicit; 64 overparam_deq; else 16)");
        num(f, "n", Type.INT, 200, 1.0, false, null, "number of samples");
        str(f, "data", null, List.of("gaussian", "uniform", "mixture", "idx"),
                "x ~ N(0, I_d), U[0,1]^d, a k-class Gaussian mixture, or IDX files (MNIST format; implicit_layer)");
        str(f, "idx_images", "", List.of(), "path of an IDX image file (data: idx)");
        str(f, "idx_labels", "", List.of(), "path of the matching IDX label file (data: idx)");
        num(f, "class_sep", Type.DOUBLE, 3.0, 0.0, false, null, "mixture: |class mean| (noise is N(0, I_d))");
        num(f, "outputs", Type.INT, null, 1.0, false, null, "output dimension k (classes); implicit_layer default 3, else 1");
        num(f, "gamma", Type.DOUBLE, 0.8, 0.0, true, 1.0, "implicit_layer: z = gamma S(A) z + phi(x), gamma in (0, 1] (at 1, I - S(A) is singular: every run ends SINGULAR)");
        str(f, "feature_map", "projection", List.of("identity", "projection"),
                "implicit_layer phi: identity (width = d) or a fixed random projection N(0, 1/d)");
        str(f, "activation", null, Activation.keys(), "activation (family default: identity for linear_deq and implicit_layer, relu for overparam_deq, else tanh)");
        num(f, "activation_eps", Type.DOUBLE, 0.1, 0.0, false, null, "eps of weak_tanh: z + eps tanh(z)");
        str(f, "loss", "mse", List.of("mse", "half_mse", "cross_entropy"),
                "mse = 1/n sum |r|^2; half_mse = 1/(2n) sum |r|^2; cross_entropy (implicit_layer classification)");
        str(f, "teacher", null, List.of("linear", "single_index", "deq"), "target generator (family default: single_index for single_index_deq and explicit, else linear)");
        str(f, "link", "same", LINKS, "single_index teacher link g; same = the model's activation");
        num(f, "teacher_norm", Type.DOUBLE, 2.0, 0.0, false, null, "|theta*| of linear and single_index teachers (d = 1: theta* = teacher_norm)");
        num(f, "noise", Type.DOUBLE, 0.0, 0.0, false, null, "std of Gaussian label noise");
        str(f, "init", null, List.of("gaussian", "orthogonal", "zero", "spectral"), "initialisation scheme of A (default gaussian; explicit: zero)");
        num(f, "init_scale", Type.DOUBLE, null, 0.0, false, null,
                "W_ij ~ w_center + init_scale N(0, 1/d) (overparam_deq: N(0, 2/d)), trained v ~ init_scale N(0, 1/m); default 0.1 for the scalar families, else 1");
        num(f, "a_scale", Type.DOUBLE, null, 0.0, false, null,
                "A_ij ~ N(0, a_scale^2 / m) (overparam_deq: N(0, 2 s^2 / m) with s = a_scale, default 0.25; scalar families: init_scale; else 0.25)");
        num(f, "a_norm", Type.DOUBLE, 0.5, 0.0, false, null, "spectral norm of A under init=spectral (and of the orthogonal init)");
        num(f, "a_center", Type.DOUBLE, 0.0, null, false, null, "added to the diagonal of A (the paper's near-singular start: 1)");
        num(f, "w_center", Type.DOUBLE, 0.0, null, false, null, "added to every entry of W");
        bool(f, "bias", false, "use a bias b");
        bool(f, "train_a", null, "A trainable (family default: true, explicit: false)");
        bool(f, "train_w", true, "W trainable");
        bool(f, "train_b", true, "b trainable (when bias is on)");
        bool(f, "train_v", null, "v trainable (family default: false for linear_deq, single_index_deq, explicit and implicit_layer, else true)");
        str(f, "trainer", "gd", List.of("gd", "flow"), "full-batch gradient descent or gradient flow (Dormand-Prince 5(4))");
        num(f, "step_size", Type.DOUBLE, 0.01, 0.0, true, null, "GD step eta; for flow, the time between recorded steps");
        str(f, "step_rule", "absolute", List.of("absolute", "relative"),
                "absolute: eta = step_size; relative: eta = step_size * 2 / mu_max(init), a fraction of the edge-of-stability step");
        num(f, "max_steps", Type.INT, 1000, 1.0, false, 100000000.0, "GD steps (flow: horizon = step_size * max_steps)");
        num(f, "tol", Type.DOUBLE, 1e-10, 0.0, false, null, "stop when loss <= tol");
        num(f, "rel_tol", Type.DOUBLE, 0.0, 0.0, false, null, "stop when loss <= rel_tol * initial loss");
        num(f, "diverge_factor", Type.DOUBLE, 1e6, 1.0, true, null, "DIVERGED when loss > diverge_factor * max(initial loss, 1)");
        num(f, "time_budget_ms", Type.LONG, 120000L, 1.0, false, null, "per-run wall-clock budget (TIMEOUT)");
        str(f, "grad_mode", "exact", List.of("exact", "jfb", "damped"), GRAD_MODE, "implicit gradient: exact, jfb, neumann-k, damped (DESIGN 2.3)");
        str(f, "forward_solver", "auto", List.of("auto", "direct", "picard", "anderson", "newton"), "fixed-point solver; auto = direct for identity, else anderson (width 1: the scalar path, closed form or Newton)");
        num(f, "forward_tol", Type.DOUBLE, 1e-10, 0.0, true, null, "relative residual |z - act(Az+Wx+b)| / |z|");
        num(f, "forward_max_iter", Type.INT, 500, 1.0, false, null, "forward iteration limit");
        num(f, "forward_damping", Type.DOUBLE, 1.0, 0.0, true, 1.0, "Picard damping: z <- (1-a) z + a act(...)");
        bool(f, "forward_warm_start", true, "start each step's solve from the previous fixed points");
        num(f, "anderson_memory", Type.INT, 5, 1.0, false, 100.0, "Anderson history length");
        num(f, "anderson_beta", Type.DOUBLE, 1.0, 0.0, true, 1.0, "Anderson mixing");
        num(f, "anderson_lambda", Type.DOUBLE, 1e-4, 0.0, false, null, "Anderson Tikhonov regulariser");
        str(f, "backward_solver", "auto", List.of("auto", "direct", "iterative"), "adjoint solve; auto = direct for width <= 64, else iterative");
        num(f, "backward_tol", Type.DOUBLE, 1e-10, 0.0, true, null, "relative residual of the adjoint solve");
        num(f, "backward_max_iter", Type.INT, 500, 1.0, false, null, "adjoint iteration limit");
        num(f, "flow_rtol", Type.DOUBLE, 1e-8, 0.0, true, null, "gradient flow: relative local error tolerance");
        num(f, "flow_atol", Type.DOUBLE, 1e-12, 0.0, true, null, "gradient flow: absolute local error tolerance");
        num(f, "record_points", Type.INT, 200, 2.0, false, 100000.0, "curve points kept (log-spaced steps plus the last)");
        num(f, "seed", Type.LONG, 0L, null, false, null, "the run's seed (data, teacher, init split from it)");
        Map<String, Field> m = new LinkedHashMap<>();
        for (Field x : f) {
            m.put(x.key(), x);
        }
        FIELDS = Collections.unmodifiableMap(m);
    }

    private ConfigSchema() {
    }

    /** All keys in a fixed order (the order of the sweep's config columns). */
    public static List<Field> fields() {
        return List.copyOf(FIELDS.values());
    }

    /** The field of a flat key, or null. */
    public static Field field(String key) {
        return FIELDS.get(key);
    }

    public static boolean isKey(String key) {
        return FIELDS.containsKey(key);
    }

    /**
     * Checks and converts one value for {@code key}: integers to Integer or Long, numbers to Double,
     * strings (lower case kept as given), booleans. Path is used in the message.
     */
    public static Object coerce(String path, Field field, Object value) {
        if (value == null) {
            throw new ConfigException(path, "null", field.describeAllowed());
        }
        switch (field.type()) {
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return value;
                }
                throw new ConfigException(path, describe(value), field.describeAllowed());
            case STRING: {
                if (!(value instanceof String s)) {
                    throw new ConfigException(path, describe(value), field.describeAllowed());
                }
                boolean free = field.allowed().isEmpty() && field.pattern() == null;
                String v = free ? s : s.trim().toLowerCase(Locale.ROOT);
                boolean ok = free
                        || field.allowed().contains(v)
                        || field.pattern() != null && field.pattern().matcher(v).matches();
                if (!ok) {
                    throw new ConfigException(path, describe(value), field.describeAllowed());
                }
                return v;
            }
            case INT:
            case LONG: {
                long l = asLong(path, field, value);
                checkRange(path, field, l, value);
                if (field.type() == Type.INT) {
                    if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) {
                        throw new ConfigException(path, describe(value), field.describeAllowed());
                    }
                    return (int) l;
                }
                return l;
            }
            case DOUBLE: {
                if (!(value instanceof Number num) || value instanceof Boolean) {
                    throw new ConfigException(path, describe(value), field.describeAllowed());
                }
                double d = num.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new ConfigException(path, describe(value), field.describeAllowed());
                }
                checkRange(path, field, d, value);
                return d;
            }
            default:
                throw new AssertionError(field.type());
        }
    }

    private static long asLong(String path, Field field, Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof java.math.BigInteger) {
            throw new ConfigException(path, describe(value), field.describeAllowed());
        }
        if (value instanceof Number num) {
            double d = num.doubleValue();
            if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
        }
        throw new ConfigException(path, describe(value), field.describeAllowed());
    }

    private static void checkRange(String path, Field field, double v, Object raw) {
        boolean bad = field.min() != null && (field.minExclusive() ? v <= field.min() : v < field.min())
                || field.max() != null && v > field.max();
        if (bad) {
            throw new ConfigException(path, describe(raw), field.describeAllowed());
        }
    }

    /** A value as a message shows it: {@code "abc" (a string)}, {@code -3 (a number)}, {@code [1, 2] (a list)}. */
    public static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String kind;
        if (value instanceof String) {
            String s = (String) value;
            String shown = s.length() > 60 ? s.substring(0, 57) + "..." : s;
            return "\"" + shown + "\" (a string)";
        } else if (value instanceof Boolean) {
            kind = "a boolean";
        } else if (value instanceof Number) {
            kind = "a number";
        } else if (value instanceof List<?>) {
            kind = "a list";
        } else if (value instanceof Map<?, ?>) {
            kind = "a map";
        } else {
            kind = value.getClass().getSimpleName();
        }
        String shown = String.valueOf(value);
        if (shown.length() > 60) {
            shown = shown.substring(0, 57) + "...";
        }
        return shown + " (" + kind + ")";
    }

    private static void str(List<Field> f, String key, String def, List<String> allowed, String doc) {
        f.add(new Field(key, Type.STRING, def, null, false, null, List.copyOf(allowed), null, doc));
    }

    private static void str(List<Field> f, String key, String def, List<String> allowed, Pattern p, String doc) {
        f.add(new Field(key, Type.STRING, def, null, false, null, List.copyOf(allowed), p, doc));
    }

    private static void num(List<Field> f, String key, Type t, Object def, Double min, boolean minEx, Double max, String doc) {
        f.add(new Field(key, t, def, min, minEx, max, List.of(), null, doc));
    }

    private static void bool(List<Field> f, String key, Boolean def, String doc) {
        f.add(new Field(key, Type.BOOLEAN, def, null, false, null, List.of(), null, doc));
    }
}

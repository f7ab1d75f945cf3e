package org.deqsweep.sweep.spec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deqsweep.core.config.ConfigSchema;

/**
 * The value forms a grid or zip entry may take (DESIGN 4): a YAML list, a single scalar, or one of
 * the strings {@code range(a, b[, step])}, {@code linspace(a, b, k)}, {@code logspace(a, b, k)},
 * {@code pow2(i, j)}. Expanded reals are rounded to {@value #SIGNIFICANT_DIGITS} significant digits so
 * they print cleanly and hash the same on every machine.
 */
final class ValueForms {

    /** Significant digits kept by linspace and logspace. */
    static final int SIGNIFICANT_DIGITS = 12;

    static final String FORMS = "a list, a single value, range(a, b[, step]), linspace(a, b, k), logspace(a, b, k) or pow2(i, j)";

    private static final Pattern CALL = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\((.*)\\)\\s*", Pattern.DOTALL);
    /** A form cut short: in a YAML flow map {@code {seed: range(0, 10)}} the comma ends the value at "range(0". */
    private static final Pattern CUT = Pattern.compile("\\s*(range|linspace|logspace|pow2)\\s*\\([^)]*", Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");
    private static final MathContext ROUND = new MathContext(SIGNIFICANT_DIGITS, RoundingMode.HALF_EVEN);

    private ValueForms() {
    }

    /**
     * Expands one grid or zip entry into its list of raw values (not yet coerced to the key's type).
     *
     * @param path     the entry's spec path, for messages (for example {@code grid.step_size})
     * @param raw      the YAML value: a list, a scalar or a form string
     * @param maxCount the most values a form may expand to (the grid-size limit); checked before
     *                 anything is materialised
     */
    static List<Object> expand(String path, Object raw, long maxCount) {
        if (raw == null) {
            throw new SpecException(path, "null", FORMS);
        }
        if (raw instanceof List<?> list) {
            if (list.isEmpty()) {
                throw new SpecException(path, "an empty list", "a list of at least one value (or " + FORMS + ")");
            }
            if (list.size() > maxCount) {
                throw tooMany(path, list.size(), maxCount);
            }
            return new ArrayList<>(list);
        }
        if (raw instanceof java.util.Map<?, ?>) {
            throw new SpecException(path, ConfigSchema.describe(raw), FORMS);
        }
        if (raw instanceof String s) {
            Matcher m = CALL.matcher(s);
            if (m.matches()) {
                String fn = m.group(1).toLowerCase(Locale.ROOT);
                String[] args = m.group(2).trim().isEmpty() ? new String[0] : m.group(2).split(",", -1);
                for (int i = 0; i < args.length; i++) {
                    args[i] = args[i].trim();
                }
                switch (fn) {
                    case "range":
                        return range(path, s, args, maxCount);
                    case "linspace":
                        return spaced(path, s, args, false, maxCount);
                    case "logspace":
                        return spaced(path, s, args, true, maxCount);
                    case "pow2":
                        return pow2(path, s, args, maxCount);
                    default:
                        throw new SpecException(path, ConfigSchema.describe(s) + ", an unknown form " + fn + "(...)", FORMS);
                }
            }
            if (CUT.matcher(s).matches()) {
                throw new SpecException(path, ConfigSchema.describe(s) + ", a form cut at a comma (inside {...} a comma ends the value)",
                        "the form quoted, for example '" + s.trim() + ", ...)', or written in block style");
            }
        }
        List<Object> one = new ArrayList<>(1);
        one.add(raw);
        return one;
    }

    /** {@code range(a, b[, step])}: integers from a up to b exclusive, like Python's range. */
    private static List<Object> range(String path, String text, String[] args, long maxCount) {
        String usage = "range(a, b[, step]) with integers a, b and step != 0 giving at least one value";
        if (args.length < 2 || args.length > 3) {
            throw new SpecException(path, quote(text) + " with " + args.length + " arguments", usage);
        }
        long a = integerArg(path, text, args[0], usage);
        long b = integerArg(path, text, args[1], usage);
        long step = args.length == 3 ? integerArg(path, text, args[2], usage) : 1;
        if (step == 0) {
            throw new SpecException(path, quote(text) + " with step 0", usage);
        }
        long count;
        try {
            long span = Math.subtractExact(b, a);
            count = span == 0 || (span > 0) != (step > 0) ? 0 : (Math.abs(span) - 1) / Math.abs(step) + 1;
        } catch (ArithmeticException e) {
            throw new SpecException(path, quote(text) + ", a range beyond 64-bit integers", usage);
        }
        if (count == 0) {
            throw new SpecException(path, quote(text) + ", an empty range", usage);
        }
        if (count > maxCount) {
            throw tooMany(path, count, maxCount);
        }
        List<Object> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            out.add(a + i * step);
        }
        return out;
    }

    /** {@code linspace(a, b, k)} or {@code logspace(a, b, k)}: k values from a to b inclusive, evenly or geometrically. */
    private static List<Object> spaced(String path, String text, String[] args, boolean log, long maxCount) {
        String name = log ? "logspace" : "linspace";
        String usage = name + "(a, b, k) with finite " + (log ? "a > 0 and b > 0 (the endpoint values)" : "a and b")
                + " and an integer k >= 1";
        if (args.length != 3) {
            throw new SpecException(path, quote(text) + " with " + args.length + " arguments", usage);
        }
        double a = realArg(path, text, args[0], usage);
        double b = realArg(path, text, args[1], usage);
        long k = integerArg(path, text, args[2], usage);
        if (k < 1) {
            throw new SpecException(path, quote(text) + " with k = " + k, usage);
        }
        if (log && (a <= 0 || b <= 0)) {
            throw new SpecException(path, quote(text) + " with a non-positive endpoint", usage);
        }
        if (k > maxCount) {
            throw tooMany(path, k, maxCount);
        }
        List<Object> out = new ArrayList<>((int) k);
        double la = Math.log(a);
        double lb = Math.log(b);
        for (long i = 0; i < k; i++) {
            double v;
            if (i == 0) {
                v = a;
            } else if (i == k - 1) {
                v = b;
            } else {
                double t = (double) i / (k - 1);
                v = log ? Math.exp(la + t * (lb - la)) : a + t * (b - a);
            }
            out.add(round(v));
        }
        return out;
    }

    /** {@code pow2(i, j)}: 2^i, ..., 2^j inclusive; integers when i >= 0, reals when i is negative. */
    private static List<Object> pow2(String path, String text, String[] args, long maxCount) {
        String usage = "pow2(i, j) with integers -60 <= i <= j <= 62";
        if (args.length != 2) {
            throw new SpecException(path, quote(text) + " with " + args.length + " arguments", usage);
        }
        long i = integerArg(path, text, args[0], usage);
        long j = integerArg(path, text, args[1], usage);
        if (i > j || i < -60 || j > 62) {
            throw new SpecException(path, quote(text), usage);
        }
        if (j - i + 1 > maxCount) {
            throw tooMany(path, j - i + 1, maxCount);
        }
        List<Object> out = new ArrayList<>();
        for (long e = i; e <= j; e++) {
            out.add(i >= 0 ? (Object) (1L << e) : (Object) Math.scalb(1.0, (int) e));
        }
        return out;
    }

    /** Rounds to {@value #SIGNIFICANT_DIGITS} significant digits (0 stays 0). */
    static double round(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return new BigDecimal(v).round(ROUND).doubleValue();
    }

    private static long integerArg(String path, String text, String arg, String usage) {
        if (!INTEGER.matcher(arg).matches()) {
            throw new SpecException(path, quote(text) + " with argument " + quote(arg), usage);
        }
        try {
            return Long.parseLong(arg.startsWith("+") ? arg.substring(1) : arg);
        } catch (NumberFormatException e) {
            throw new SpecException(path, quote(text) + " with argument " + quote(arg) + " beyond 64-bit integers", usage);
        }
    }

    private static double realArg(String path, String text, String arg, String usage) {
        if (!DECIMAL.matcher(arg).matches()) {
            throw new SpecException(path, quote(text) + " with argument " + quote(arg), usage);
        }
        double v = Double.parseDouble(arg);
        if (!Double.isFinite(v)) {
            throw new SpecException(path, quote(text) + " with argument " + quote(arg) + " beyond double range", usage);
        }
        return v;
    }

    private static SpecException tooMany(String path, long count, long maxCount) {
        return new SpecException(path, count + " values", "at most job.max_grid_size = " + maxCount
                + " values (raise job.max_grid_size to allow more)");
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
    }
}

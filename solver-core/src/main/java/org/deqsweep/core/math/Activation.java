package org.deqsweep.core.math;

import java.util.List;

/**
 * Element-wise activation of a DEQ, z = act(A z + W x + b) (DESIGN 2.1), with its first derivative
 * and a global Lipschitz constant (sup |act'|), which bounds the contraction factor Lip(act) |A|_2.
 *
 * <p>{@code gelu} is the tanh approximation used by the papers' code; {@code gelu_erf} the exact one.
 * {@code weak_tanh} is z + eps tanh(z), a weak nonlinearity around the identity.
 */
public enum Activation {
    IDENTITY("identity", 1.0),
    TANH("tanh", 1.0),
    SIGMOID("sigmoid", 0.25),
    SOFTPLUS("softplus", 1.0),
    RELU("relu", 1.0),
    LEAKY_RELU("leaky_relu", 1.0),
    ELU("elu", 1.0),
    /** sup of the derivative of the tanh-approximated GELU, at u ~ 1.5 (checked by a dense scan in the tests). */
    GELU("gelu", 1.129),
    /** sup of Phi(u) + u phi(u), at u = sqrt(2). */
    GELU_ERF("gelu_erf", 1.12890415),
    /** sup of s(u)(1 + u(1 - s(u))), at u ~ 2.3994. */
    SILU("silu", 1.0999),
    SIN("sin", 1.0),
    /** z + eps tanh(z); Lipschitz 1 + eps, eps = {@code activation_eps}. */
    WEAK_TANH("weak_tanh", Double.NaN);

    /** Slope of leaky_relu for negative inputs (the papers' 0.01). */
    public static final double LEAKY_SLOPE = 0.01;
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_C = 0.044715;
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private final String key;
    private final double lipschitz;

    Activation(String key, double lipschitz) {
        this.key = key;
        this.lipschitz = lipschitz;
    }

    /** The spec name (for example {@code leaky_relu}). */
    public String key() {
        return key;
    }

    /** All spec names, in declaration order. */
    public static List<String> keys() {
        return java.util.Arrays.stream(values()).map(Activation::key).toList();
    }

    /** Looks an activation up by its spec name; unknown names are a caller mistake. */
    public static Activation of(String key) {
        for (Activation a : values()) {
            if (a.key.equals(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + key + "'; allowed: " + keys());
    }

    /** Global Lipschitz constant sup |act'(u)|; {@code eps} is used by weak_tanh only. */
    public double lipschitz(double eps) {
        return this == WEAK_TANH ? 1.0 + Math.abs(eps) : lipschitz;
    }

    /** act(u); {@code eps} is used by weak_tanh only. */
    public double apply(double u, double eps) {
        switch (this) {
            case IDENTITY: return u;
            case TANH: return FastMath.tanh(u);
            case SIGMOID: return sigmoid(u);
            case SOFTPLUS: return u > 30 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
            case RELU: return u > 0 ? u : 0.0;
            case LEAKY_RELU: return u > 0 ? u : LEAKY_SLOPE * u;
            case ELU: return u > 0 ? u : Math.expm1(u);
            case GELU: return 0.5 * u * (1.0 + FastMath.tanh(SQRT_2_OVER_PI * (u + GELU_C * u * u * u)));
            case GELU_ERF: return u * normalCdf(u);
            case SILU: return u * sigmoid(u);
            case SIN: return Math.sin(u);
            case WEAK_TANH: return u + eps * FastMath.tanh(u);
            default: throw new AssertionError(this);
        }
    }

    /**
     * act'(u) when {@code f} is act(u) at the same u: for tanh and sigmoid it is computed from f (1 - f^2,
     * f (1 - f)), which is the same arithmetic as {@link #derivative} and so the same bits, without a second
     * exp; the other activations call {@link #derivative}.
     */
    public double derivative(double u, double f, double eps) {
        switch (this) {
            case TANH: return 1.0 - f * f;
            case SIGMOID: return f * (1.0 - f);
            default: return derivative(u, eps);
        }
    }

    /** act'(u) (the right derivative at the kinks of relu and leaky_relu). */
    public double derivative(double u, double eps) {
        switch (this) {
            case IDENTITY: return 1.0;
            case TANH: {
                double t = FastMath.tanh(u);
                return 1.0 - t * t;
            }
            case SIGMOID: {
                double s = sigmoid(u);
                return s * (1.0 - s);
            }
            case SOFTPLUS: return sigmoid(u);
            case RELU: return u > 0 ? 1.0 : 0.0;
            case LEAKY_RELU: return u > 0 ? 1.0 : LEAKY_SLOPE;
            case ELU: return u > 0 ? 1.0 : Math.exp(u);
            case GELU: {
                double inner = SQRT_2_OVER_PI * (u + GELU_C * u * u * u);
                double t = FastMath.tanh(inner);
                double dInner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * u * u);
                return 0.5 * (1.0 + t) + 0.5 * u * (1.0 - t * t) * dInner;
            }
            case GELU_ERF: return normalCdf(u) + u * INV_SQRT_2PI * Math.exp(-0.5 * u * u);
            case SILU: {
                double s = sigmoid(u);
                return s * (1.0 + u * (1.0 - s));
            }
            case SIN: return Math.cos(u);
            case WEAK_TANH: {
                double t = FastMath.tanh(u);
                return 1.0 + eps * (1.0 - t * t);
            }
            default: throw new AssertionError(this);
        }
    }

    /**
     * o[k] = act(o[k] + u[k]) for k below {@code len}: the forward map's element-wise step, the same bits
     * as {@link #apply} per element. A loop of its own, so that a JVM can keep it out of its callers
     * (the sweep's JIT policy does, DESIGN 5.6): a new activation then recompiles this loop alone, not
     * the solver or objective method it would otherwise be inlined in.
     */
    public void applyShifted(double[] o, double[] u, int len, double eps) {
        for (int k = 0; k < len; k++) {
            o[k] = apply(o[k] + u[k], eps);
        }
    }

    /** out[k] = act'(u[k]) for k below {@code len}, as {@link #derivative(double, double)}; a loop of its own as {@link #applyShifted}. */
    public void derivativeAll(double[] u, double[] out, int len, double eps) {
        for (int k = 0; k < len; k++) {
            out[k] = derivative(u[k], eps);
        }
    }

    /** True where act' is continuous everywhere (finite differences of the gradient are then exact to O(h^2)). */
    public boolean isSmooth() {
        return this != RELU && this != LEAKY_RELU && this != ELU;
    }

    static double sigmoid(double u) {
        if (u >= 0) {
            return 1.0 / (1.0 + Math.exp(-u));
        }
        double e = Math.exp(u);
        return e / (1.0 + e);
    }

    /** Standard normal CDF, 0.5 erfc(-u / sqrt 2). */
    static double normalCdf(double u) {
        return 0.5 * erfc(-u / Math.sqrt(2.0));
    }

    /**
     * Complementary error function to near machine precision: W. J. Cody's rational approximations
     * (Math. Comp. 23, 1969), as in most libm implementations.
     */
    static double erfc(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 0.5) {
            double t = x * x;
            double top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t
                    + 377.485237685302021) * t + 3209.37758913846947;
            double bot = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t
                    + 2844.23683343917062;
            return 1.0 - x * top / bot;
        } else if (ax < 4.0) {
            double top = (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax
                    + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.952221241769090) * ax
                    + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725;
            double bot = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax
                    + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax
                    + 3439.36767414372164) * ax + 1230.33935480374942;
            r = Math.exp(-ax * ax) * top / bot;
        } else {
            double z = 1.0 / (ax * ax);
            double top = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z
                    + 0.125781726111229246) * z + 0.0160837851487422766) * z + 0.000658749161529837803;
            double bot = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z
                    + 0.0605183413124413191) * z + 0.00233520497626869185;
            r = Math.exp(-ax * ax) / ax * (0.564189583547756287 - z * top / bot);
        }
        return x < 0 ? 2.0 - r : r;
    }
}

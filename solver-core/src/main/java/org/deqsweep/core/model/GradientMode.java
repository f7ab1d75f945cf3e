package org.deqsweep.core.model;

/**
 * How the adjoint of the implicit gradient is formed (DESIGN 2.3). With g_i = dL/dz_i:
 * <ul>
 *   <li>EXACT: solve (I - A^T D_i) nu_i = g_i;</li>
 *   <li>JFB (Jacobian-free backprop): nu_i = g_i, dropping (I - A^T D)^{-1};</li>
 *   <li>NEUMANN (k terms): nu_i = sum_{j &lt; k} (A^T D_i)^j g_i;</li>
 *   <li>DAMPED: solve (I - A^T D_i / 2) nu_i = g_i (the paper's factor 1/2; for the scalar model
 *       the factor 1 / (1 - theta2 act' / 2) replaces 1 / (1 - theta2 act')).</li>
 * </ul>
 *
 * @param kind the mode
 * @param terms number of Neumann terms (NEUMANN only, else 0)
 */
public record GradientMode(Kind kind, int terms) {
    public enum Kind { EXACT, JFB, NEUMANN, DAMPED }

    /** Parses exact, jfb, damped or neumann-k (k >= 1). */
    public static GradientMode parse(String s) {
        switch (s) {
            case "exact": return new GradientMode(Kind.EXACT, 0);
            case "jfb": return new GradientMode(Kind.JFB, 0);
            case "damped": return new GradientMode(Kind.DAMPED, 0);
            default:
                if (s.startsWith("neumann-")) {
                    try {
                        int k = Integer.parseInt(s.substring("neumann-".length()));
                        if (k >= 1) {
                            return new GradientMode(Kind.NEUMANN, k);
                        }
                    } catch (NumberFormatException e) {
                        // fall through to the error below
                    }
                }
                throw new IllegalArgumentException("unknown grad_mode '" + s + "'; allowed: exact, jfb, damped, neumann-k (k >= 1)");
        }
    }
}

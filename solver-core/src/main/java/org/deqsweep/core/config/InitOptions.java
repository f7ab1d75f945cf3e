package org.deqsweep.core.config;

/**
 * The initial parameters (DESIGN 2.5).
 *
 * @param scheme    how A starts: gaussian, orthogonal, zero or spectral
 * @param scale     init_scale: W_ij ~ w_center + scale N(0, 1/d), trained v ~ scale N(0, 1/m)
 * @param aScale    gaussian A: A_ij ~ N(0, aScale^2 / m)
 * @param aNorm     |A|_2 under the orthogonal and spectral schemes
 * @param aCenter   added to the diagonal of A
 * @param wCenter   added to every entry of W
 */
public record InitOptions(String scheme, double scale, double aScale, double aNorm, double aCenter, double wCenter) {
}

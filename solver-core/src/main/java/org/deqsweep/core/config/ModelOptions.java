package org.deqsweep.core.config;

import org.deqsweep.core.math.Activation;

/**
 * The model: family, shapes, activation, loss, and which parameters train (DESIGN 2).
 *
 * @param outputs   k, the output dimension (implicit_layer classes; 1 otherwise)
 * @param gamma     implicit_layer: z = gamma S(A) z + phi(x)
 * @param featureMap implicit_layer phi: identity or projection
 * @param loss      mse, half_mse or cross_entropy
 * @param trainB    b trains: bias on and train_b
 */
public record ModelOptions(Family family, int d, int width, Activation activation, double activationEps, int outputs,
                           double gamma, String featureMap, String loss, boolean bias, boolean trainA, boolean trainW,
                           boolean trainB, boolean trainV) {

    /** The factor c in L = c sum r_i^2 over n samples: 1/n for mse, 1/(2n) for half_mse. */
    public double lossFactor(int n) {
        return loss.equals("mse") ? 1.0 / n : 0.5 / n;
    }
}

package org.deqsweep.core.train;

import java.util.Arrays;

/**
 * Optional full trace of a run, for the one-run command's {@code --dump} and replay: the loss at every
 * GD step (every accepted step for gradient flow, with its time). Not kept for sweep runs.
 */
public final class RunTrace {
    private double[] steps = new double[64];
    private double[] times = new double[64];
    private double[] losses = new double[64];
    private int size;

    /** Appends one point. */
    public void add(double step, double time, double loss) {
        if (size == losses.length) {
            int cap = size * 2;
            steps = Arrays.copyOf(steps, cap);
            times = Arrays.copyOf(times, cap);
            losses = Arrays.copyOf(losses, cap);
        }
        steps[size] = step;
        times[size] = time;
        losses[size] = loss;
        size++;
    }

    public int size() {
        return size;
    }

    public double step(int i) {
        return steps[i];
    }

    public double time(int i) {
        return times[i];
    }

    public double loss(int i) {
        return losses[i];
    }
}

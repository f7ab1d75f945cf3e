package org.deqsweep.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one config end to end: data, teacher, init, training, diagnostics (DESIGN 3). The entry point
 * sweep-job calls on the executors. Never throws for numerical trouble or unexpected exceptions:
 * those are statuses on the returned result.
 */
public final class Runner {
    private static final AtomicLong INVOCATIONS = new AtomicLong();

    private Runner() {
    }

    /** Trains {@code cfg} and returns its result (with the subsampled curve). */
    public static RunResult run(RunConfig cfg) {
        INVOCATIONS.incrementAndGet();
        throw new UnsupportedOperationException("Runner.run is being written (solver-core issue 2)");
    }

    /** How many runs this JVM has started: the sweep tests check that each grid point is trained once. */
    public static long invocations() {
        return INVOCATIONS.get();
    }
}

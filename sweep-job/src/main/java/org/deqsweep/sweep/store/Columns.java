package org.deqsweep.sweep.store;

import org.deqsweep.core.train.ResultFields;

/**
 * The column names the sweep's code reads (DESIGN 5.4): run_id, the staging table's curve, the result
 * columns (spelled once, in {@link ResultFields}, which the schemas in {@link Tables} and the one-run
 * JSON are built from) and the few config keys (spelled in {@code ConfigSchema}) that queries group by.
 */
public final class Columns {
    public static final String RUN_ID = "run_id";
    public static final String CURVE = "curve";
    public static final String STATUS = ResultFields.STATUS;
    public static final String STEPS = ResultFields.STEPS;
    public static final String LOSS_INITIAL = ResultFields.LOSS_INITIAL;
    public static final String LOSS_FINAL = ResultFields.LOSS_FINAL;
    public static final String RATE = ResultFields.RATE;
    public static final String RATE_FIT_R2 = ResultFields.RATE_FIT_R2;
    public static final String KAPPA = ResultFields.KAPPA;
    public static final String RATE_EXCESS = ResultFields.RATE_EXCESS;
    public static final String RATE_EXCESS_R2 = ResultFields.RATE_EXCESS_R2;
    public static final String RATE_THEORY = ResultFields.RATE_THEORY;
    public static final String CONSERVATION_DRIFT = ResultFields.CONSERVATION_DRIFT;
    public static final String DISTANCE_GROWTH_MIN = ResultFields.DISTANCE_GROWTH_MIN;
    public static final String SIGMA_MIN_MIN = ResultFields.SIGMA_MIN_MIN;
    public static final String SIGMA_MIN_MAX = ResultFields.SIGMA_MIN_MAX;
    public static final String CONTRACTION_MAX = ResultFields.CONTRACTION_MAX;
    public static final String LAMBDA_MIN_COV = ResultFields.LAMBDA_MIN_COV;
    public static final String LAMBDA_MIN_GRAM_INIT = ResultFields.LAMBDA_MIN_GRAM_INIT;
    public static final String LAMBDA_MIN_GRAM_FINAL = ResultFields.LAMBDA_MIN_GRAM_FINAL;
    public static final String STEP_THEORY = ResultFields.STEP_THEORY;
    public static final String ETA = ResultFields.ETA;
    public static final String ACCURACY = ResultFields.ACCURACY;
    public static final String GRAD_NORM_FINAL = ResultFields.GRAD_NORM_FINAL;
    public static final String FORWARD_ITERS = ResultFields.FORWARD_ITERS;
    public static final String BACKWARD_ITERS = ResultFields.BACKWARD_ITERS;
    public static final String WALL_MS = ResultFields.WALL_MS;
    public static final String FAILURE_REASON = ResultFields.FAILURE_REASON;
    public static final String STEP_AT_FAILURE = ResultFields.STEP_AT_FAILURE;
    public static final String LAST_FINITE_LOSS = ResultFields.LAST_FINITE_LOSS;
    public static final String STEP = ResultFields.STEP;
    public static final String TIME = ResultFields.TIME;
    public static final String LOSS = ResultFields.LOSS;
    public static final String GRAD_NORM = ResultFields.GRAD_NORM;
    public static final String SIGMA_MIN = ResultFields.SIGMA_MIN;
    public static final String CONTRACTION = ResultFields.CONTRACTION;
    public static final String FORWARD_RESIDUAL = ResultFields.FORWARD_RESIDUAL;
    public static final String PARAM_NORM = ResultFields.PARAM_NORM;

    // config keys that the report and the table builders group or join by
    public static final String FAMILY = "family";
    public static final String ACTIVATION = "activation";
    public static final String D = "d";
    public static final String WIDTH = "width";
    public static final String STEP_SIZE = "step_size";
    public static final String SEED = "seed";

    private Columns() {
    }
}

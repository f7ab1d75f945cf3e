package org.deqsweep.sweep.store;

/**
 * The names of the result columns of the tables (DESIGN 5): the one place they are spelled, for the
 * schemas in {@link Tables} and for every query, report and replay that reads them. The config columns
 * are the keys of {@code ConfigSchema}, named by those keys ({@link #FAMILY} and the few others that
 * queries group by are repeated here for them).
 */
public final class Columns {
    public static final String RUN_ID = "run_id";
    public static final String CURVE = "curve";
    public static final String STATUS = "status";
    public static final String STEPS = "steps";
    public static final String LOSS_INITIAL = "loss_initial";
    public static final String LOSS_FINAL = "loss_final";
    public static final String RATE = "rate";
    public static final String RATE_FIT_R2 = "rate_fit_r2";
    public static final String KAPPA = "kappa";
    public static final String RATE_EXCESS = "rate_excess";
    public static final String RATE_EXCESS_R2 = "rate_excess_r2";
    public static final String RATE_THEORY = "rate_theory";
    public static final String CONSERVATION_DRIFT = "conservation_drift";
    public static final String DISTANCE_GROWTH_MIN = "distance_growth_min";
    public static final String SIGMA_MIN_MIN = "sigma_min_min";
    public static final String SIGMA_MIN_MAX = "sigma_min_max";
    public static final String CONTRACTION_MAX = "contraction_max";
    public static final String LAMBDA_MIN_COV = "lambda_min_cov";
    public static final String LAMBDA_MIN_GRAM_INIT = "lambda_min_gram_init";
    public static final String LAMBDA_MIN_GRAM_FINAL = "lambda_min_gram_final";
    public static final String STEP_THEORY = "step_theory";
    public static final String ETA = "eta";
    public static final String ACCURACY = "accuracy";
    public static final String GRAD_NORM_FINAL = "grad_norm_final";
    public static final String FORWARD_ITERS = "forward_iters";
    public static final String BACKWARD_ITERS = "backward_iters";
    public static final String WALL_MS = "wall_ms";
    public static final String FAILURE_REASON = "failure_reason";
    public static final String STEP_AT_FAILURE = "step_at_failure";
    public static final String LAST_FINITE_LOSS = "last_finite_loss";
    public static final String STEP = "step";
    public static final String TIME = "time";
    public static final String LOSS = "loss";
    public static final String GRAD_NORM = "grad_norm";
    public static final String SIGMA_MIN = "sigma_min";
    public static final String CONTRACTION = "contraction";
    public static final String FORWARD_RESIDUAL = "forward_residual";
    public static final String PARAM_NORM = "param_norm";

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

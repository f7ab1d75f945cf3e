package org.deqsweep.core.train;

import java.util.List;
import java.util.function.Function;

/**
 * The fields of a run's result and of a point of its curve, each named once (DESIGN 5.4): the one-run
 * command's JSON and the sweep's runs and curves columns are these, in this order. A DOUBLE field is
 * NaN where it does not apply.
 */
public final class ResultFields {
    /** The value type of a field. */
    public enum Kind { STRING, INT, LONG, DOUBLE }

    /** One field: its name, its type and how to read it. */
    public record Field<T>(String name, Kind kind, Function<T, Object> get) {
    }

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

    /** The result of a run, after its run_id. */
    public static final List<Field<RunResult>> RUN = List.of(
            new Field<RunResult>(STATUS, Kind.STRING, r -> r.status().name()),
            new Field<RunResult>(STEPS, Kind.LONG, RunResult::steps),
            new Field<RunResult>(LOSS_INITIAL, Kind.DOUBLE, RunResult::lossInitial),
            new Field<RunResult>(LOSS_FINAL, Kind.DOUBLE, RunResult::lossFinal),
            new Field<RunResult>(RATE, Kind.DOUBLE, RunResult::rate),
            new Field<RunResult>(RATE_FIT_R2, Kind.DOUBLE, RunResult::rateFitR2),
            new Field<RunResult>(KAPPA, Kind.DOUBLE, RunResult::kappa),
            new Field<RunResult>(RATE_EXCESS, Kind.DOUBLE, RunResult::rateExcess),
            new Field<RunResult>(RATE_EXCESS_R2, Kind.DOUBLE, RunResult::rateExcessR2),
            new Field<RunResult>(RATE_THEORY, Kind.DOUBLE, RunResult::rateTheory),
            new Field<RunResult>(CONSERVATION_DRIFT, Kind.DOUBLE, RunResult::conservationDrift),
            new Field<RunResult>(DISTANCE_GROWTH_MIN, Kind.DOUBLE, RunResult::distanceGrowthMin),
            new Field<RunResult>(SIGMA_MIN_MIN, Kind.DOUBLE, RunResult::sigmaMinMin),
            new Field<RunResult>(SIGMA_MIN_MAX, Kind.DOUBLE, RunResult::sigmaMinMax),
            new Field<RunResult>(CONTRACTION_MAX, Kind.DOUBLE, RunResult::contractionMax),
            new Field<RunResult>(LAMBDA_MIN_COV, Kind.DOUBLE, RunResult::lambdaMinCov),
            new Field<RunResult>(LAMBDA_MIN_GRAM_INIT, Kind.DOUBLE, RunResult::lambdaMinGramInit),
            new Field<RunResult>(LAMBDA_MIN_GRAM_FINAL, Kind.DOUBLE, RunResult::lambdaMinGramFinal),
            new Field<RunResult>(STEP_THEORY, Kind.DOUBLE, RunResult::stepTheory),
            new Field<RunResult>(ETA, Kind.DOUBLE, RunResult::eta),
            new Field<RunResult>(ACCURACY, Kind.DOUBLE, RunResult::accuracy),
            new Field<RunResult>(GRAD_NORM_FINAL, Kind.DOUBLE, RunResult::gradNormFinal),
            new Field<RunResult>(FORWARD_ITERS, Kind.LONG, RunResult::forwardIters),
            new Field<RunResult>(BACKWARD_ITERS, Kind.LONG, RunResult::backwardIters),
            new Field<RunResult>(WALL_MS, Kind.LONG, RunResult::wallMs),
            new Field<RunResult>(FAILURE_REASON, Kind.STRING, RunResult::failureReason),
            new Field<RunResult>(STEP_AT_FAILURE, Kind.LONG, RunResult::stepAtFailure),
            new Field<RunResult>(LAST_FINITE_LOSS, Kind.DOUBLE, RunResult::lastFiniteLoss));

    /** One curve point. */
    public static final List<Field<CurvePoint>> CURVE = List.of(
            new Field<CurvePoint>(STEP, Kind.LONG, CurvePoint::step),
            new Field<CurvePoint>(TIME, Kind.DOUBLE, CurvePoint::time),
            new Field<CurvePoint>(LOSS, Kind.DOUBLE, CurvePoint::loss),
            new Field<CurvePoint>(GRAD_NORM, Kind.DOUBLE, CurvePoint::gradNorm),
            new Field<CurvePoint>(CONSERVATION_DRIFT, Kind.DOUBLE, CurvePoint::conservationDrift),
            new Field<CurvePoint>(SIGMA_MIN, Kind.DOUBLE, CurvePoint::sigmaMin),
            new Field<CurvePoint>(CONTRACTION, Kind.DOUBLE, CurvePoint::contraction),
            new Field<CurvePoint>(FORWARD_ITERS, Kind.INT, CurvePoint::forwardIters),
            new Field<CurvePoint>(FORWARD_RESIDUAL, Kind.DOUBLE, CurvePoint::forwardResidual),
            new Field<CurvePoint>(BACKWARD_ITERS, Kind.INT, CurvePoint::backwardIters),
            new Field<CurvePoint>(PARAM_NORM, Kind.DOUBLE, CurvePoint::paramNorm));

    private ResultFields() {
    }
}

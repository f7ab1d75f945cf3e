package org.deqsweep.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.Runner;
import org.junit.jupiter.api.Test;

/** The same config gives the same bits; another seed gives other bits. */
class DeterminismTest {

    private static RunResult withoutTime(RunResult r) {
        return new RunResult(r.runId(), r.status(), r.steps(), r.lossInitial(), r.lossFinal(), r.rate(), r.rateFitR2(),
                r.kappa(), r.rateExcess(), r.rateExcessR2(), r.rateTheory(), r.conservationDrift(), r.distanceGrowthMin(), r.sigmaMinMin(), r.sigmaMinMax(),
                r.contractionMax(), r.lambdaMinCov(), r.lambdaMinGramInit(), r.lambdaMinGramFinal(), r.stepTheory(), r.eta(), r.accuracy(), r.gradNormFinal(),
                r.forwardIters(), r.backwardIters(), 0, r.failureReason(), r.stepAtFailure(), r.lastFiniteLoss(), r.curve());
    }

    @Test
    void sameConfigSameBits() {
        RunConfig cfg = RunConfig.fromMap(Map.of("width", 6, "d", 3, "n", 40, "activation", "gelu", "step_size", 0.2,
                "max_steps", 300, "seed", 42));
        RunResult a = Runner.run(cfg);
        RunResult b = Runner.run(cfg);
        assertEquals(withoutTime(a), withoutTime(b));
        assertEquals(Double.doubleToRawLongBits(a.lossFinal()), Double.doubleToRawLongBits(b.lossFinal()));
        RunResult c = Runner.run(cfg.with(Map.of("seed", 43L)));
        assertNotEquals(a.lossInitial(), c.lossInitial());
    }
}

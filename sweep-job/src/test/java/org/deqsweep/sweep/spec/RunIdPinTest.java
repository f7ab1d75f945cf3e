package org.deqsweep.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.model.Init;
import org.deqsweep.core.model.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Run ids, and the data and initial parameters drawn for them, pinned to the values the code gave before
 * the configuration became typed (commit e409755, computed there with its own classes). A run_id is the
 * hash of the canonical JSON, so a changed key, default, number format or key order shows here first; the
 * draw hash covers x, y, A, W, b, v (and the implicit layer's feature map) bit for bit. A spec in conf/ that
 * is edited changes its points' run_ids by design: its pins are then recomputed with e409755's classes on
 * the edited spec (seed000-single-index was, when it went to 40000 steps and Newton).
 */
class RunIdPinTest {
    private static final Path CONF = Path.of("..", "conf");

    @ParameterizedTest(name = "{0} point {1}")
    @CsvSource({
        "quickstart.yaml, 0, ce9b0372f21bf8a5, 1572626814",
        "quickstart.yaml, 1, fd13d0f308a65457, ",
        "quickstart.yaml, 7, 0eca797fbd7c910b, ",
        "quickstart.yaml, 42, b2cc9f9f844d3e05, ",
        "quickstart.yaml, 100, 52d49e6e4abdd3ba, ",
        "quickstart.yaml, 215, 6f73b08d39b35508, -381460102",
        "seed000-linear-conservation.yaml, 0, 1dd0848f3313b1a0, 1078318390",
        "seed000-linear-conservation.yaml, 39, 07c2746dcbb0672f, -1362992185",
        "seed000-linear-rate.yaml, 0, 2f741b05586601c1, 857389846",
        "seed000-linear-rate.yaml, 299, 63aed2ac31f45836, -521714436",
        "seed000-single-index.yaml, 0, 9e5e66b865154386, 161979199",
        "seed000-single-index.yaml, 299, 02caff9c8927bda2, 679515182",
        "seed002-overparam-width.yaml, 0, 0c2ce36701ddb108, -596463283",
        "seed002-overparam-width.yaml, 29, d3c8653cd72c2c59, -864329572",
        "seed003-activations.yaml, 0, c7242006a1c00f65, -33489910",
        "seed003-activations.yaml, 34, 19d9510c42856046, 1201124394",
        "seed004-implicit-layer.yaml, 0, 04a6160e93b18f8d, -2104998340",
        "seed004-implicit-layer.yaml, 59, 288bedceb1f59721, -1718592226",
    })
    void specPointsKeepTheirRunIdAndDraws(String spec, long point, String runId, Integer draws) {
        RunConfig cfg = SpecParser.parse(CONF.resolve(spec), List.of()).toGrid().config(point);
        assertEquals(runId, cfg.runId(), cfg.canonicalJson());
        if (draws != null) {
            assertEquals(draws, drawHash(cfg), "data and initial parameters of " + runId);
        }
    }

    @Test
    void theCanonicalJsonOfTheFirstQuickstartRun() {
        RunConfig cfg = SpecParser.parse(CONF.resolve("quickstart.yaml"), List.of()).toGrid().config(0);
        assertEquals("{\"a_center\":0.0,\"a_norm\":0.5,\"a_scale\":0.25,\"activation\":\"tanh\",\"activation_eps\":0.1,"
                + "\"anderson_beta\":1.0,\"anderson_lambda\":1.0E-4,\"anderson_memory\":5,\"backward_max_iter\":500,"
                + "\"backward_solver\":\"auto\",\"backward_tol\":1.0E-10,\"bias\":false,\"class_sep\":3.0,\"d\":2,"
                + "\"data\":\"gaussian\",\"diverge_factor\":1000000.0,\"family\":\"general_deq\",\"feature_map\":\"projection\","
                + "\"flow_atol\":1.0E-12,\"flow_rtol\":1.0E-8,\"forward_damping\":1.0,\"forward_max_iter\":500,"
                + "\"forward_solver\":\"auto\",\"forward_tol\":1.0E-10,\"forward_warm_start\":true,\"gamma\":0.8,"
                + "\"grad_mode\":\"exact\",\"idx_images\":\"\",\"idx_labels\":\"\",\"init\":\"gaussian\",\"init_scale\":1.0,"
                + "\"link\":\"same\",\"loss\":\"mse\",\"max_steps\":500,\"n\":100,\"noise\":0.0,\"outputs\":1,"
                + "\"record_points\":200,\"rel_tol\":0.0,\"seed\":0,\"step_rule\":\"absolute\",\"step_size\":0.01,"
                + "\"teacher\":\"linear\",\"teacher_norm\":2.0,\"time_budget_ms\":120000,\"tol\":0.001,\"train_a\":true,"
                + "\"train_b\":true,\"train_v\":true,\"train_w\":true,\"trainer\":\"gd\",\"w_center\":0.0,\"width\":8}",
                cfg.canonicalJson());
    }

    /** Teachers and initialisations the specs in conf/ do not use: a DEQ teacher with a bias, orthogonal and spectral A. */
    @Test
    void otherTeachersAndInitsKeepTheirDraws() {
        assertPinned(Map.of("family", "general_deq", "teacher", "deq", "width", 6, "d", 3, "n", 20, "bias", true, "seed", 5L),
                "dd50de4750c5c2a1", -971402821);
        assertPinned(Map.of("family", "general_deq", "teacher", "deq", "width", 4, "d", 3, "n", 20, "activation", "identity",
                "init", "orthogonal"), "038b249298684741", 1082588598);
        assertPinned(Map.of("family", "overparam_deq", "init", "spectral", "a_center", 0.5, "w_center", 0.1, "noise", 0.1),
                "f85564aeca2d1dda", 1170160798);
    }

    private static void assertPinned(Map<String, Object> config, String runId, int draws) {
        RunConfig cfg = RunConfig.fromMap(config);
        assertEquals(runId, cfg.runId(), cfg.canonicalJson());
        assertEquals(draws, drawHash(cfg), "data and initial parameters of " + config);
    }

    private static int drawHash(RunConfig cfg) {
        Dataset ds = new DataFactory(cfg).dataset();
        Params p = Init.params(cfg);
        int h = Arrays.hashCode(new int[] {Arrays.hashCode(ds.x().data), Arrays.hashCode(ds.y().data),
            Arrays.hashCode(p.A.data), Arrays.hashCode(p.W.data), Arrays.hashCode(p.b.data), Arrays.hashCode(p.v.data)});
        var features = Init.featureMap(cfg);
        return features == null ? h : 31 * h + Arrays.hashCode(features.data);
    }
}

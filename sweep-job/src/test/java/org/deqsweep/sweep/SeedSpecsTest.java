package org.deqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.spec.SpecParser;
import org.deqsweep.sweep.spec.SweepSpec;
import org.junit.jupiter.api.Test;

/**
 * Every seed paper's spec in conf/ passes validation, and a reduced version of it (the same spec with
 * --set overrides shrinking the grid) runs through the sweep job and shows its claim (issue 4).
 */
class SeedSpecsTest extends SparkTestBase {
    private static final Path CONF = Path.of("..", "conf");

    /** Runs the spec reduced by {@code overrides} and registers its runs table as the view "runs". */
    private Path sweep(String name, String... overrides) {
        List<String> args = new ArrayList<>(List.of("sweep", CONF.resolve(name + ".yaml").toString(), "--out", tmp.toString()));
        for (String o : overrides) {
            args.add("--set");
            args.add(o);
        }
        Cli r = cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Path dir = tmp.resolve(name);
        spark().read().parquet(dir.resolve("runs").toString()).createOrReplaceTempView("runs");
        return dir;
    }

    private static List<Row> sql(String q) {
        return spark().sql(q).collectAsList();
    }

    @Test
    void everySeedSpecPassesValidation() throws Exception {
        List<Path> specs;
        try (Stream<Path> s = Files.list(CONF)) {
            specs = s.filter(p -> p.getFileName().toString().matches("seed00[0-4]-.*\\.yaml")).sorted().toList();
        }
        assertEquals(7, specs.size(), "one spec per claim: " + specs);
        for (Path p : specs) {
            SweepSpec spec = SpecParser.parse(p, List.of());
            assertEquals(p.getFileName().toString().replace(".yaml", ""), spec.name());
            long n = spec.toGrid().countIncluded();
            assertTrue(n >= 20 && n <= 400, p + ": " + n + " points");
        }
    }

    /** GD drift at a fixed horizon is linear in eta; gradient flow conserves Q; the distance to (0, 1) never shrinks. */
    @Test
    void linearConservation() {
        sweep("seed000-linear-conservation", "grid.seed=[0]");
        List<Row> gd = sql("SELECT step_size, conservation_drift FROM runs WHERE trainer = 'gd' ORDER BY step_size DESC");
        assertEquals(4, gd.size());
        for (int i = 0; i + 1 < gd.size(); i++) {
            double ratio = gd.get(i).getDouble(1) / gd.get(i + 1).getDouble(1);
            assertTrue(ratio >= 1.6 && ratio <= 2.4, "drift ratio eta / (eta/2) = " + ratio);
        }
        double flowMax = sql("SELECT max(conservation_drift) FROM runs WHERE trainer = 'flow'").get(0).getDouble(0);
        assertTrue(flowMax < 1e-6, "flow drift " + flowMax);
        double growth = sql("SELECT min(distance_growth_min) FROM runs WHERE trainer = 'gd'").get(0).getDouble(0);
        assertTrue(growth >= -1e-12, "distance to (0, 1) decreased by " + growth);
    }

    /** Inits around 0 converge linearly and stay well-conditioned; near-singular inits start ill-conditioned. */
    @Test
    void linearRate() {
        sweep("seed000-linear-rate", "grid.d=[5]", "grid.step_size=[0.003, 0.03]", "grid.seed=range(0, 3)");
        Row near0 = sql("SELECT count_if(status = 'CONVERGED'), count(*), max(rate), min(rate_fit_r2), min(sigma_min_min) "
                + "FROM runs WHERE a_center = 0.0").get(0);
        assertEquals(near0.getLong(1), near0.getLong(0), "every init around 0 converged");
        assertTrue(near0.getDouble(2) < 1.0 && near0.getDouble(3) > 0.99, "linear rate: " + near0);
        assertTrue(near0.getDouble(4) > 0.3, "well-conditioned: sigma_min(I - A) >= " + near0.getDouble(4));
        double sigmaNear1 = sql("SELECT percentile(sigma_min_min, 0.5) FROM runs WHERE a_center = 1.0").get(0).getDouble(0);
        assertTrue(sigmaNear1 < 0.3, "near-singular starts: median sigma_min(I - A) " + sigmaNear1);
    }

    /** The single-index DEQ from the near init fits the realisable target; the explicit baseline runs beside it. */
    @Test
    void singleIndex() {
        sweep("seed000-single-index", "grid.activation=[tanh]", "grid.grad_mode=[exact, jfb]", "grid.seed=[0]",
                "fixed.n=200", "fixed.max_steps=1500");
        List<Row> rows = sql("SELECT family, grad_mode, w_center, loss_initial, loss_final FROM runs WHERE w_center < 0");
        assertEquals(3, rows.size(), "single_index_deq x {exact, jfb} and the explicit baseline");
        for (Row r : rows) {
            assertTrue(r.getDouble(4) < 0.01 * r.getDouble(3), "near init fits: " + r);
        }
    }

    /** lambda_min of the Gram matrix at init is positive and grows with the width; wider nets fit at least as well. */
    @Test
    void overparamWidth() {
        sweep("seed002-overparam-width", "grid.width=[8, 32]", "grid.seed=range(0, 3)", "fixed.max_steps=400",
                "fixed.n=20");
        List<Row> rows = sql("SELECT width, percentile(lambda_min_gram_init, 0.5), "
                + "percentile(loss_final / loss_initial, 0.5) FROM runs GROUP BY width ORDER BY width");
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).getDouble(1) > 0 && rows.get(1).getDouble(1) > rows.get(0).getDouble(1),
                "lambda_min grows with the width: " + rows);
        assertTrue(rows.get(1).getDouble(2) <= rows.get(0).getDouble(2) * 1.5, "wider fits no worse: " + rows);
        assertTrue(rows.get(1).getDouble(2) < 0.05, "the wide net fits: " + rows);
    }

    /**
     * The refined critical step at width 32, the README's row: a bracket 2% wide at [0.2414, 0.2458], well
     * above 2 / mu_max at init. (With fewer seeds the group is another one, with its own bracket.)
     */
    @Test
    void overparamCriticalStep() {
        Path dir = sweep("seed002-overparam-critical", "grid.width=[32]");
        List<Row> st = spark().read().parquet(dir.resolve("stability").toString())
                .select("refine_state", "refined_lower", "refined_upper", "refined_relative_width", "step_theory").collectAsList();
        assertEquals(1, st.size());
        Row r = st.get(0);
        assertEquals("TARGET_REACHED", r.getString(0), r.toString());
        assertTrue(r.getDouble(3) <= 0.02 && r.getDouble(2) / r.getDouble(1) - 1 <= 0.02, r.toString());
        assertEquals(0.241442, r.getDouble(1), 5e-7, r.toString());
        assertEquals(0.245824, r.getDouble(2), 5e-7, r.toString());
        assertTrue(r.getDouble(1) > 2 * r.getDouble(4), "the boundary lies well above 2 / mu_max at init: " + r);
    }

    /** Every activation with bounded derivatives converges with lambda_min(Gram) > 0. */
    @Test
    void generalActivations() {
        sweep("seed003-activations", "grid.activation=[tanh, softplus, sin]", "grid.seed=[0]", "fixed.max_steps=400");
        List<Row> rows = sql("SELECT activation, status, lambda_min_gram_init, loss_final / loss_initial, rate_excess FROM runs");
        assertEquals(3, rows.size());
        for (Row r : rows) {
            assertTrue(r.getDouble(2) > 0, "lambda_min > 0: " + r);
            assertTrue(r.getDouble(3) < 0.05 && r.getDouble(4) < 1.0, "linear decay: " + r);
        }
    }

    /**
     * A layer narrower than n and k: under the square loss the excess loss L_k - L_min decays linearly
     * (the paper's rate); cross-entropy decreases too, but its excess is not a clean line in 800 steps.
     */
    @Test
    void implicitLayer() {
        sweep("seed004-implicit-layer", "grid.width=[2]", "grid.step_size=[0.01]", "grid.seed=[0]", "fixed.max_steps=800");
        List<Row> rows = sql("SELECT loss, rate_excess, rate_excess_r2, accuracy, loss_final / loss_initial FROM runs ORDER BY loss");
        assertEquals(2, rows.size());
        Row ce = rows.get(0);
        Row mse = rows.get(1);
        assertEquals("mse", mse.getString(0));
        assertTrue(mse.getDouble(1) < 1.0 && mse.getDouble(2) > 0.99, "linear excess decay under the square loss: " + mse);
        assertTrue(ce.getDouble(4) < 0.9, "cross-entropy decreases: " + ce);
        for (Row r : rows) {
            assertTrue(r.getDouble(3) > 0.1, "accuracy above chance (0.1): " + r);
        }
    }
}

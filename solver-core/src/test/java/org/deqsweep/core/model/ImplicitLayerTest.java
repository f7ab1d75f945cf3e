package org.deqsweep.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.deqsweep.core.TestSupport;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.data.IdxReader;
import org.deqsweep.core.data.InvalidInputException;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.Runner;
import org.deqsweep.core.train.Status;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The implicit layer z = gamma S(A) z + phi(x), f = B z (DESIGN 2.4, seed 004). */
class ImplicitLayerTest extends TestSupport {
    @TempDir
    Path dir;

    static RunConfig config(String loss, String featureMap, int width) {
        Map<String, Object> c = new HashMap<>();
        c.put("family", "implicit_layer");
        c.put("loss", loss);
        c.put("feature_map", featureMap);
        c.put("width", width);
        c.put("d", 4);
        c.put("n", 12);
        c.put("outputs", 3);
        c.put("a_scale", 1.0);
        c.put("seed", 5);
        return RunConfig.fromMap(c);
    }

    @ParameterizedTest(name = "{0} {1} m={2}")
    @CsvSource({"mse,projection,3", "cross_entropy,projection,2", "half_mse,identity,4", "cross_entropy,identity,4"})
    void gradientMatchesCentralDifferences(String loss, String fmap, int m) {
        RunConfig cfg = config(loss, fmap, m);
        DataFactory f = new DataFactory(cfg);
        Dataset data = f.dataset();
        Params p = Init.params(cfg);
        ImplicitLayerObjective obj = new ImplicitLayerObjective(cfg, data, Init.featureMap(cfg));
        Objective.Evaluation ev = obj.evaluate(p, true);
        assertTrue(ev.forward().converged() && ev.forward().residual() < 1e-12, "direct solve residual " + ev.forward().residual());
        Params g = obj.gradient().copy();
        double h = 1e-5;
        for (DMatrixRMaj[] pair : new DMatrixRMaj[][] {{p.A, g.A}, {p.W, g.W}}) {
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < pair[0].data.length; i++) {
                double keep = pair[0].data[i];
                pair[0].data[i] = keep + h;
                double up = obj.evaluate(p, false).loss();
                pair[0].data[i] = keep - h;
                double down = obj.evaluate(p, false).loss();
                pair[0].data[i] = keep;
                double fd = (up - down) / (2 * h);
                diff += (fd - pair[1].data[i]) * (fd - pair[1].data[i]);
                norm += fd * fd;
            }
            double rel = Math.sqrt(diff) / Math.sqrt(norm);
            assertTrue(rel <= FD_REL, loss + " " + fmap + ": relative error " + rel);
        }
    }

    @Test
    void softmaxColumnsSumToOneSoTheMapIsAContraction() {
        DMatrixRMaj a = gaussian(5, 5, 3.0);
        DMatrixRMaj s = ImplicitLayerObjective.columnSoftmax(a, new DMatrixRMaj(1, 1));
        for (int j = 0; j < 5; j++) {
            double sum = 0;
            for (int r = 0; r < 5; r++) {
                assertTrue(s.get(r, j) > 0);
                sum += s.get(r, j);
            }
            assertEquals(1.0, sum, TEST_F64);
        }
    }

    /** Width below n and below k: the loss still decays linearly (the paper's claim, no width condition). */
    @Test
    void narrowLayerConvergesLinearlyOnAMixture() {
        Map<String, Object> c = new HashMap<>(config("mse", "projection", 3).values());
        c.put("n", 60);
        c.put("d", 8);
        c.put("outputs", 5);
        c.put("step_size", 0.02);
        c.put("max_steps", 3000);
        c.put("tol", 0.0);
        RunResult r = Runner.run(RunConfig.fromMap(c));
        assertEquals(Status.MAX_STEPS, r.status(), r.failureReason());
        assertTrue(r.lossFinal() < 0.5 * r.lossInitial(), r.lossFinal() + " vs " + r.lossInitial());
        // m = 3 < k = 5 cannot interpolate one-hot targets: the minimum is not zero, and the excess loss
        // L_k - L_min decays linearly
        assertTrue(r.rateExcess() < 0.99 && r.rateExcessR2() > 0.999, "excess rate " + r.rateExcess() + " R^2 " + r.rateExcessR2());
        assertTrue(r.accuracy() > 0.2 && r.accuracy() <= 1.0, "accuracy " + r.accuracy());
        assertTrue(r.contractionMax() > 0, "contraction recorded");
    }

    private static void writeIdx(Path p, int magic, int[] dims, byte[] payload, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(p);
             OutputStream os = gzip ? new GZIPOutputStream(raw) : raw;
             DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(payload);
        }
    }

    @Test
    void idxFilesAreReadPlainAndGzipped() throws IOException {
        int count = 7;
        byte[] pixels = new byte[count * 2 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37);
        }
        byte[] labels = {0, 1, 2, 1, 0, 2, 1};
        for (boolean gz : new boolean[] {false, true}) {
            Path img = dir.resolve("img" + gz);
            Path lab = dir.resolve("lab" + gz);
            writeIdx(img, 0x00000803, new int[] {count, 2, 3}, pixels, gz);
            writeIdx(lab, 0x00000801, new int[] {count}, labels, gz);
            Dataset ds = IdxReader.read(img, lab, 5, 6, 3);
            assertEquals(5, ds.n());
            assertEquals(6, ds.d());
            assertEquals(((byte) (7 * 37) & 0xff) / 255.0f, ds.x().get(1, 1), 1e-7);
            assertEquals(2, ds.labels()[2]);
            assertEquals(1.0, ds.y().get(3, 1));
            // a whole run on the IDX data
            Map<String, Object> c = new HashMap<>(config("cross_entropy", "projection", 2).values());
            c.put("data", "idx");
            c.put("idx_images", img.toString());
            c.put("idx_labels", lab.toString());
            c.put("d", 6);
            c.put("n", 7);
            c.put("max_steps", 20);
            RunResult r = Runner.run(RunConfig.fromMap(c));
            assertTrue(r.status() == Status.MAX_STEPS || r.status() == Status.CONVERGED, r.failureReason());
            assertTrue(Double.isFinite(r.accuracy()));
        }
    }

    @Test
    void malformedIdxIsAnInvalidRunNamingTheProblem() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        writeIdx(img, 0x00000803, new int[] {3, 2, 2}, new byte[12], false);
        writeIdx(lab, 0x00000801, new int[] {3}, new byte[] {0, 1, 1}, false);
        InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> IdxReader.read(img, lab, 3, 5, 2));
        assertTrue(e.getMessage().contains("d = 5") && e.getMessage().contains("d: 4"), e.getMessage());
        Map<String, Object> c = new HashMap<>(config("mse", "projection", 2).values());
        c.put("data", "idx");
        c.put("idx_images", img.toString());
        c.put("idx_labels", dir.resolve("missing").toString());
        c.put("d", 4);
        c.put("n", 3);
        c.put("outputs", 2);
        RunResult r = Runner.run(RunConfig.fromMap(c));
        assertEquals(Status.INVALID, r.status());
        assertTrue(r.failureReason().contains("missing"), r.failureReason());
        writeIdx(lab, 0x00000801, new int[] {3}, new byte[] {0, 1, 1}, false);
        Files.write(img, new byte[] {0, 0, 9, 3, 0, 0, 0, 1});
        e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class, () -> IdxReader.read(img, lab, 1, 4, 2));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }
}

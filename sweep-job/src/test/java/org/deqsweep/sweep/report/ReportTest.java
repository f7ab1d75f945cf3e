package org.deqsweep.sweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.deqsweep.sweep.SparkTestBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportTest extends SparkTestBase {
    /** Below this the image is (nearly) one flat colour. */
    static final double MIN_LUMA_VARIANCE = 200;
    static final int MIN_COLOURS = 12;

    @TempDir
    static Path fixtures;

    static Path sweep;

    @BeforeAll
    void buildFixture() throws IOException {
        List<Map<String, Object>> points = new ArrayList<>();
        points.addAll(FixtureSweep.grid(Map.of("family", "linear_deq", "n", 50, "max_steps", 200, "tol", 1e-10),
                Map.of("d", List.of(1, 3), "step_size", List.of(0.01, 0.1, 0.5), "seed", List.of(0, 1, 2))));
        points.addAll(FixtureSweep.grid(Map.of("family", "general_deq", "width", 4, "n", 40, "max_steps", 150, "tol", 1e-8),
                Map.of("d", List.of(2, 4), "activation", List.of("tanh", "sigmoid"), "step_size", List.of(0.05, 0.5, 5.0),
                        "seed", List.of(0, 1))));
        sweep = fixtures.resolve("small");
        FixtureSweep.write(spark(), sweep, "small", points, true);
    }

    static Cli report(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "report";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli(all);
    }

    @Test
    void smallSweepGivesEveryPlotAsNonBlankPngsAndOnePage() throws IOException {
        Path to = tmp.resolve("rep");
        Cli r = report(sweep.toString(), "--to", to.toString());
        assertEquals(0, r.code(), r.err());
        Set<String> files = names(to);
        Set<String> expected = new TreeSet<>(List.of("report.html", "status_counts.png", "stability.png",
                "stability_theory.png", "conservation_drift.png"));
        for (String act : List.of("general_deq_tanh", "general_deq_sigmoid", "linear_deq_identity")) {
            expected.add("heatmap_kappa_" + act + ".png");
            expected.add("heatmap_failure_" + act + ".png");
        }
        // 6 linear groups (d x step) and 12 general ones (d x activation x step), all under the cap of 20
        for (int g = 1; g <= 18; g++) {
            expected.add(String.format("loss_%02d.png", g));
        }
        assertEquals(expected, files, r.out());
        for (String f : files) {
            if (f.endsWith(".png")) {
                boolean loss = f.startsWith("loss_");
                boolean tall = f.startsWith("stability") || f.startsWith("conservation");
                assertPlot(to.resolve(f), loss ? Charts.LOSS_W : Charts.WIDE_W,
                        loss ? Charts.LOSS_H : tall ? Charts.TALL_H : Charts.WIDE_H);
            }
        }
        String html = Files.readString(to.resolve("report.html"));
        assertEquals(files.size() - 1, count(html, "data:image/png;base64,"), "every PNG embedded once");
        assertTrue(r.out().contains("report: [8/8] write page done"), r.out());
        assertTrue(!html.contains("incomplete"), "a completed sweep is not flagged");
    }

    @Test
    void sweepOfOnlyFailuresStillWritesAPageWithSkipLines() throws IOException {
        Path dir = tmp.resolve("fail");
        FixtureSweep.write(spark(), dir, "fail", FixtureSweep.grid(
                // a step size this large fails every run at its first steps (FORWARD_FAILED)
                Map.of("family", "general_deq", "width", 4, "n", 40, "max_steps", 100, "step_size", 50.0),
                Map.of("d", List.of(1, 2), "seed", List.of(0, 1))), true);
        Path to = tmp.resolve("rep");
        Cli r = report(dir.toString(), "--to", to.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(to.resolve("report.html"));
        for (String skip : List.of("Skipped: heatmaps: the sweep has a single step size",
                "Skipped: stability boundary: the sweep has a single step size",
                "Skipped: conservation drift: the sweep has no linear_deq runs")) {
            assertTrue(html.contains(skip), skip + " in\n" + html);
            assertTrue(r.out().contains("report: skipped " + skip.substring("Skipped: ".length())), r.out());
        }
        String statusLine = html.lines().filter(l -> l.contains("Runs per status:")).findFirst().orElse("");
        assertTrue(!statusLine.isEmpty() && !statusLine.contains("CONVERGED") && !statusLine.contains("MAX_STEPS"),
                "every run failed: " + statusLine);
        assertPlot(to.resolve("status_counts.png"), Charts.WIDE_W, Charts.WIDE_H);
    }

    @Test
    void runningSweepIsReadFromItsCommittedWavesAndFlaggedIncomplete() throws IOException {
        Path dir = tmp.resolve("running");
        FixtureSweep.write(spark(), dir, "running", FixtureSweep.grid(
                Map.of("family", "linear_deq", "n", 50, "max_steps", 100),
                Map.of("d", List.of(1, 2), "step_size", List.of(0.01, 0.1), "seed", List.of(0, 1))), true);
        FixtureSweep.toRunning(spark(), dir, "running", 40);
        Cli r = report(tmp.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(dir.resolve("report").resolve("report.html"));
        assertTrue(html.contains("The sweep is incomplete: _sweep.json has status &quot;running&quot; and no end time"), html);
        assertTrue(html.contains("reads the 1 committed wave"), html);
        assertTrue(html.contains("<td><b>runs read</b></td><td>8</td>"), "the half-written wave is not read");
        assertTrue(r.out().contains("report: note: The sweep is incomplete"), r.out());
        assertTrue(Files.exists(dir.resolve("report").resolve("conservation_drift.png")));
    }

    @Test
    void aDirectoryWithoutSweepIsAUsageError() {
        Cli r = report(tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds no sweep output"), r.err());
    }

    /** A readable PNG of the given size with more than flat content. */
    static void assertPlot(Path png, int w, int h) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " is not a readable image");
        assertEquals(w, img.getWidth(), png + " width");
        assertEquals(h, img.getHeight(), png + " height");
        Set<Integer> colours = new HashSet<>();
        double sum = 0;
        double sum2 = 0;
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                colours.add(rgb & 0xffffff);
                double l = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
                sum += l;
                sum2 += l * l;
                n++;
            }
        }
        double var = sum2 / n - (sum / n) * (sum / n);
        assertTrue(var > MIN_LUMA_VARIANCE, png + ": luminance variance " + var);
        assertTrue(colours.size() > MIN_COLOURS, png + ": " + colours.size() + " colours");
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int k = 0;
        while (m.find()) {
            k++;
        }
        return k;
    }
}

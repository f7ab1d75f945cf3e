package org.deqsweep.sweep.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Where the sections' figures and skip lines go: a figure is embedded in its page section and its PNG kept
 * to be written beside the page, a skip line goes to the page, the console and the result; the PNGs and
 * report.html are written into the output directory in one go at the end.
 */
final class ReportOutput {
    private final Path to;
    private final PrintWriter console;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();

    ReportOutput(Path to, PrintWriter console) {
        this.to = to;
        this.console = console;
    }

    /** A plot that does not apply, and why. */
    void skip(HtmlPage.Section s, String plot, String why) {
        s.skip(plot + ": " + why);
        skipped.add(plot + ": " + why);
        console.println("report: skipped " + plot + ": " + why);
    }

    /** A chart, as the PNG file {@code file} and in the section. */
    void figure(HtmlPage.Section s, String file, String caption, Chart<?, ?> chart) {
        byte[] png = Charts.png(chart);
        files.put(file, png);
        s.figure(new HtmlPage.Figure(file, caption, png));
    }

    /** Writes the PNGs, in the order they were drawn, and then the page as report.html. */
    Report.Result write(HtmlPage page) throws IOException {
        Files.createDirectories(to);
        List<Path> pngs = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = to.resolve(e.getKey());
            Files.write(p, e.getValue());
            pngs.add(p);
        }
        Path html = to.resolve("report.html");
        Files.writeString(html, page.render(), StandardCharsets.UTF_8);
        return new Report.Result(html, pngs, List.copyOf(skipped));
    }
}

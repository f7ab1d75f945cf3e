package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.report.Charts.Line;
import org.deqsweep.sweep.report.Charts.Style;

/**
 * The stability boundary: for each (family,) activation and model size, the largest step size at which no
 * run failed, the smallest at which some run failed and the theory's 2 / mu_max, read from the cells view;
 * the theory quantities beside it ({@link TheoryPlot}) on the same x axis.
 */
final class StabilitySection extends CellsSection {
    StabilitySection() {
        super("Stability boundary", "stability boundary", "the sweep has a single step size, so no critical step size can be located");
    }

    @Override
    void render(ReportContext c, HtmlPage.Section s) {
        // The stability table's columns (every run CONVERGED / some run DIVERGED or NAN) say nothing when runs end at
        // MAX_STEPS or fail in the forward solve; the plot uses failure (any status but CONVERGED and MAX_STEPS).
        List<Row> rows = c.rows("SELECT family, activation, sz, "
                + "max(CASE WHEN n_fail = 0 THEN step_size END) AS stable, "
                + "min(CASE WHEN n_fail > 0 THEN step_size END) AS unstable, "
                + "avg(st_med) AS theory "
                + "FROM " + c.views().cells() + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        Map<String, List<Row>> byPanel = new LinkedHashMap<>();
        boolean manyFamilies = Series.manyFamilies(rows);
        for (Row r : rows) {
            byPanel.computeIfAbsent(Series.panel(manyFamilies, r.getString(0), r.getString(1)), x -> new ArrayList<>()).add(r);
        }
        List<Line> lines = new ArrayList<>();
        int colour = 0;
        double szMin = Double.POSITIVE_INFINITY;
        double szMax = 0;
        for (Map.Entry<String, List<Row>> e : byPanel.entrySet()) {
            for (int col = 3; col <= 5; col++) {
                List<double[]> pts = new ArrayList<>();
                for (Row r : e.getValue()) {
                    if (!r.isNullAt(col)) {
                        pts.add(new double[] {r.getDouble(2), r.getDouble(col)});
                        szMin = Math.min(szMin, r.getDouble(2));
                        szMax = Math.max(szMax, r.getDouble(2));
                    }
                }
                if (pts.isEmpty()) {
                    continue;
                }
                String what = col == 3 ? "no failure up to" : col == 4 ? "failures from" : "theory: 2 / mu_max at init";
                lines.add(Line.of(e.getKey() + ": " + what, pts, colour, col == 3 ? Style.SOLID : col == 4 ? Style.DASHED : Style.DOTTED));
            }
            colour++;
        }
        SweepColumns w = c.sweep();
        String x = w.sizeTitle();
        boolean logX = szMin > 0 && szMax / szMin >= 4;
        if (lines.isEmpty()) {
            c.out().skip(s, name(), "no (" + w.sizeKey() + ", activation) has a step size at which every run converged, "
                    + "nor one at which a run diverged");
        } else {
            s.text("One colour per " + (manyFamilies ? "family and " : "") + "activation. Solid circles: the largest step "
                    + "size at which no run failed (every run CONVERGED or reached MAX_STEPS); dashed diamonds: the smallest "
                    + "step size at which some run failed (DIVERGED, NAN, FORWARD_FAILED, ADJOINT_FAILED, SINGULAR, ...); the critical step "
                    + "size lies between. Dotted triangles, the theory side: the median step_theory, 2 / mu_max with mu_max "
                    + "the largest eigenvalue of the curvature 2 c H of the Gram matrix H at initialisation (for the linear DEQ "
                    + "2 lambda_max(Sigma)(1 + |beta|^2) / sigma_min(I - A)^2): GD expands the top mode above it. The stability table's stricter columns (every run CONVERGED; some run DIVERGED "
                    + "or NAN) are in the stability table." + w.pooledNote());
            c.out().figure(s, "stability.png", "Critical step size against " + w.sizeKey(),
                    Charts.lines("Stability boundary: critical step size against " + w.sizeKey(), x + (logX ? " (log scale)" : ""),
                            "step size eta (log scale)", lines, logX, true));
        }
        TheoryPlot.render(c, s, x, logX);
    }
}

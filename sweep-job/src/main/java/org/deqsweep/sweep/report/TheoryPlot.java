package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.sweep.report.Charts.Line;
import org.deqsweep.sweep.report.Charts.Style;
import org.deqsweep.sweep.store.Sql;

/**
 * The theory quantities beside the stability boundary, on its x axis: the median lambda_min of the Gram
 * matrix at initialisation (one line per (family,) activation) and of the input covariance (one per family).
 */
final class TheoryPlot {
    static final String NAME = "theory quantity";

    private TheoryPlot() {
    }

    /** Draws the plot into the stability section, or skips it when no lambda_min is there to draw. */
    static void render(ReportContext c, HtmlPage.Section s, String x, boolean logX) {
        SweepColumns w = c.sweep();
        List<String> cols = new ArrayList<>();
        for (String col : List.of(ResultFields.LAMBDA_MIN_GRAM_INIT, ResultFields.LAMBDA_MIN_COV)) {
            if (w.has(col)) {
                cols.add(col);
            }
        }
        if (cols.isEmpty()) {
            c.out().skip(s, NAME, "the runs table has no lambda_min columns");
            return;
        }
        List<Line> lines = new ArrayList<>();
        List<String> zero = new ArrayList<>();
        if (cols.contains(ResultFields.LAMBDA_MIN_GRAM_INIT)) {
            // the Gram matrix depends on the activation; one line per (family,) activation
            lines(c, lines, zero, "SELECT family, activation, CAST(" + Sql.ident(w.sizeKey()) + " AS DOUBLE) AS sz, "
                    + "percentile(lambda_min_gram_init, 0.5) FROM " + c.views().runs() + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                    "lambda_min(Gram) at init", Style.SOLID, true);
        }
        if (cols.contains(ResultFields.LAMBDA_MIN_COV)) {
            // the input covariance depends on the data only: one line per family
            lines(c, lines, zero, "SELECT family, '' AS activation, CAST(" + Sql.ident(w.sizeKey()) + " AS DOUBLE) AS sz, "
                    + "percentile(lambda_min_cov, 0.5) FROM " + c.views().runs() + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                    "lambda_min(X^T X / n)", Style.DASHED, false);
        }
        if (lines.isEmpty()) {
            c.out().skip(s, NAME, "lambda_min of the Gram matrix and of the input covariance are zero or missing in every cell");
            return;
        }
        s.text("Beside it, the theory quantities the papers' linear rates are bounded by, median over the runs of each "
                + w.sizeKey() + ": lambda_min of the Gram matrix H_ij = <grad f(x_i), grad f(x_j)> at initialisation (zero, and "
                + "left out, when n exceeds the number of trained parameters) and, dashed, lambda_min of the input covariance."
                + (zero.isEmpty() ? "" : " Zero or missing everywhere: " + String.join("; ", zero) + "."));
        c.out().figure(s, "stability_theory.png", "Theory quantities against " + w.sizeKey(),
                Charts.lines("Theory: lambda_min at initialisation against " + w.sizeKey(), x + (logX ? " (log scale)" : ""),
                        "lambda_min (log scale)", lines, logX, true));
    }

    /** The lines of one quantity, one per panel; the panels with no positive value are named in {@code zero}. */
    private static void lines(ReportContext c, List<Line> lines, List<String> zero, String sql, String what, Style style,
                              boolean perActivation) {
        List<Row> rows = c.rows(sql);
        boolean manyFamilies = Series.manyFamilies(rows);
        Map<String, List<double[]>> byPanel = new LinkedHashMap<>();
        for (Row r : rows) {
            String key = perActivation ? Series.panel(manyFamilies, r.getString(0), r.getString(1))
                    : manyFamilies ? r.getString(0) : "all runs";
            List<double[]> pts = byPanel.computeIfAbsent(key, z -> new ArrayList<>());
            if (!r.isNullAt(3) && r.getDouble(3) > 0) {
                pts.add(new double[] {r.getDouble(2), r.getDouble(3)});
            }
        }
        int colour = perActivation ? 0 : Charts.PALETTE.length - 4;
        for (Map.Entry<String, List<double[]>> e : byPanel.entrySet()) {
            if (e.getValue().isEmpty()) {
                zero.add(e.getKey() + " " + what);
            } else {
                lines.add(Line.of(e.getKey() + ": " + what, e.getValue(), colour, style));
            }
            colour++;
        }
    }
}

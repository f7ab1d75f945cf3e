package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.sweep.report.Charts.Line;
import org.deqsweep.sweep.report.Charts.Style;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.Sql;

/**
 * The conservation drift of the linear DEQ runs: the median relative drift of the conserved quantity against
 * the step size, one line for each of at most {@code maxSeries} evenly chosen model sizes, beside a slope-1 guide.
 */
final class DriftSection extends ReportSection {
    /** The runs the conservation law is about. */
    static final String LINEAR_DEQ = Sql.ident(Columns.FAMILY) + " = " + Sql.literal("linear_deq");

    private final int maxSeries;

    DriftSection(int maxSeries) {
        super("Conservation drift (linear DEQ)", "conservation drift");
        this.maxSeries = maxSeries;
    }

    @Override
    Optional<String> whyNot(ReportContext c) {
        if (!c.sweep().has(ResultFields.CONSERVATION_DRIFT)) {
            return Optional.of("the runs table has no conservation_drift column");
        }
        long linear = c.spark().sql("SELECT count(*) FROM " + c.views().runs() + " WHERE " + LINEAR_DEQ).first().getLong(0);
        if (linear == 0) {
            return Optional.of("the sweep has no linear_deq runs (the conservation law is the linear DEQ's)");
        }
        if (c.distinctSteps(LINEAR_DEQ) < 2) {
            return Optional.of("the linear_deq runs use a single step size; the drift's slope in step size needs two");
        }
        return Optional.empty();
    }

    @Override
    void render(ReportContext c, HtmlPage.Section s) {
        String sizeKey = c.sweep().sizeKey();
        List<Row> rows = c.rows("SELECT CAST(" + Sql.ident(sizeKey) + " AS DOUBLE) AS sz, step_size, percentile(conservation_drift, 0.5), "
                + "count(*) FROM " + c.views().runs() + " WHERE " + LINEAR_DEQ + " AND conservation_drift > 0 "
                + "AND conservation_drift < double('Infinity') GROUP BY 1, 2 ORDER BY 1, 2");
        if (rows.isEmpty()) {
            c.out().skip(s, name(), "no linear_deq run has a positive finite conservation drift");
            return;
        }
        List<Double> sizes = rows.stream().map(r -> r.getDouble(0)).distinct().sorted().toList();
        List<Long> pick = Series.evenly(sizes.size(), maxSeries);
        List<Line> lines = new ArrayList<>();
        double x0 = Double.POSITIVE_INFINITY;
        double y0 = Double.NaN;
        double xMax = 0;
        int colour = 0;
        for (long pi : pick) {
            double sz = sizes.get((int) pi - 1);
            List<Row> pts = rows.stream().filter(r -> r.getDouble(0) == sz).toList();
            double[] xs = pts.stream().mapToDouble(r -> r.getDouble(1)).toArray();
            double[] ys = pts.stream().mapToDouble(r -> r.getDouble(2)).toArray();
            if (xs[0] < x0) {
                x0 = xs[0];
                y0 = ys[0];
            }
            xMax = Math.max(xMax, xs[xs.length - 1]);
            lines.add(new Line(sizeKey + " = " + Charts.fmt(sz) + " (median over seeds)", xs, ys, colour++, Style.SOLID));
        }
        lines.add(new Line("slope 1 guide: drift proportional to eta", new double[] {x0, xMax}, new double[] {y0, y0 * xMax / x0}, -1, Style.GUIDE));
        s.text("Median relative drift |Q_T - Q_0|_F / |Q_0|_F of the conserved quantity Q = W W^T + (I - A)(I - A)^T at the "
                + "end of each linear_deq run, against the step size, on log-log axes. Gradient flow conserves Q exactly; gradient "
                + "descent breaks it by eta^2 |grad|^2 per step, so at a fixed flow time the drift is proportional to eta: parallel "
                + "to the dashed slope-1 guide (drawn through the smallest step size's point). Runs with zero or missing drift "
                + "are left out." + (sizes.size() > pick.size() ? " " + pick.size() + " of " + sizes.size() + " values of "
                + sizeKey + " are drawn." : ""));
        c.out().figure(s, "conservation_drift.png", "Conservation drift against step size (linear_deq)",
                Charts.lines("Conservation drift of linear DEQ runs against step size", "step size eta (log scale)",
                        "relative drift of Q (log scale)", lines, true, true));
    }
}

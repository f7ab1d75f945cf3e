package org.deqsweep.sweep.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.report.Charts.Line;
import org.deqsweep.sweep.report.Charts.Style;
import org.deqsweep.sweep.store.SweepSource;
import org.deqsweep.sweep.store.Tables;

/**
 * The refined stability boundary (DESIGN 4.7): for each group of a step_size refinement, its bracket
 * [refined_lower, refined_upper] from the stability table against the group's step_theory (2 / mu_max
 * at init), with the line eta = step_theory, and a line per group with the bracket, its width, the
 * rounds and runs it took and its state.
 */
final class RefinedBoundarySection extends ReportSection {
    RefinedBoundarySection() {
        super("Refined stability boundary", "refined boundary");
    }

    @Override
    Optional<String> whyNot(ReportContext c) {
        JsonNode m = c.source().manifest();
        if (m == null || !m.has("refinement")) {
            return Optional.of("the spec has no refine: section");
        }
        String key = m.get("refinement").get("key").asText();
        if (!key.equals("step_size")) {
            return Optional.of("the refined key is " + key + "; the boundary is drawn against step_theory for step_size only"
                    + " (the manifest's refinement.by_group holds each group's bracket)");
        }
        if (c.source().kind() != SweepSource.Kind.TABLES) {
            return Optional.of("the tables are not built yet (the sweep has not finished): the manifest's refinement.by_group"
                    + " holds where each group stands");
        }
        return Optional.empty();
    }

    @Override
    void render(ReportContext c, HtmlPage.Section s) {
        org.apache.spark.sql.Dataset<Row> st = c.spark().read().parquet(c.source().dir().table(Tables.STABILITY).toString());
        List<String> cols = Arrays.asList(st.columns());
        int first = cols.indexOf("step_sizes"); // the group keys come before the stability's own columns
        List<String> keys = cols.subList(0, Math.max(0, first));
        List<Row> rows = st.orderBy("step_theory").collectAsList();
        List<double[]> lower = new ArrayList<>();
        List<double[]> upper = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Row r : rows) {
            StringBuilder line = new StringBuilder();
            for (String k : keys) {
                Object v = r.get(r.fieldIndex(k));
                line.append(line.length() == 0 ? "" : ", ").append(k).append(" ").append(v);
            }
            String state = r.getString(r.fieldIndex("refine_state"));
            boolean bracketed = !r.isNullAt(r.fieldIndex("refined_lower"));
            boolean theory = !r.isNullAt(r.fieldIndex("step_theory"));
            line.append(": ");
            if (bracketed) {
                double l = r.getDouble(r.fieldIndex("refined_lower"));
                double u = r.getDouble(r.fieldIndex("refined_upper"));
                line.append(String.format(Locale.ROOT, "[%.6g, %.6g], relative width %.3g", l, u,
                        r.getDouble(r.fieldIndex("refined_relative_width"))));
                if (theory) {
                    double t = r.getDouble(r.fieldIndex("step_theory"));
                    line.append(String.format(Locale.ROOT, "; step_theory %.6g (bracket / theory %.4f to %.4f)", t, l / t, u / t));
                    lower.add(new double[] {t, l});
                    upper.add(new double[] {t, u});
                    lo = Math.min(lo, Math.min(t, l));
                    hi = Math.max(hi, Math.max(t, u));
                }
            } else {
                line.append("no bracket");
            }
            line.append(String.format(Locale.ROOT, "; %d rounds, %d runs at refined values, %s", r.getInt(r.fieldIndex("refine_rounds")),
                    r.getLong(r.fieldIndex("refine_runs")), state));
            if (!r.isNullAt(r.fieldIndex("refine_reason"))) {
                line.append(" (").append(r.getString(r.fieldIndex("refine_reason"))).append(")");
            }
            s.text(line.toString());
        }
        if (lower.isEmpty()) {
            c.out().skip(s, name(), "no group has both a refined bracket and a step_theory");
            return;
        }
        List<Line> lines = new ArrayList<>();
        lines.add(Line.of("refined lower end: the largest passing step size", lower, 0, Style.SOLID));
        lines.add(Line.of("refined upper end: the smallest failing step size", upper, 1, Style.DASHED));
        lines.add(Line.of("eta = step_theory (2 / mu_max at init)", List.of(new double[] {lo, lo}, new double[] {hi, hi}), 2, Style.GUIDE));
        s.text("Each group's refined bracket of the critical step size (the criterion of the refine: section) against "
                + "its median step_theory, 2 / mu_max with mu_max the top eigenvalue of the curvature at initialisation. "
                + "Points on the guide line mean the boundary is where the quadratic theory puts it.");
        c.out().figure(s, "refined-boundary.png", "Refined critical step size against step_theory",
                Charts.lines("Refined stability boundary against step_theory", "step_theory (log scale)", "step size eta (log scale)",
                        lines, true, true));
    }
}

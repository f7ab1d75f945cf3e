package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The rate and failure heatmaps: for each (family,) activation, the median kappa and the fraction of failed
 * runs over model size (rows) and step size (columns), read from the cells view.
 */
final class HeatmapsSection extends CellsSection {
    HeatmapsSection() {
        super("Rate and failure heatmaps", "heatmaps", "the sweep has a single step size; a heatmap over step size needs at least two");
    }

    @Override
    void render(ReportContext c, HtmlPage.Section s) {
        SweepColumns w = c.sweep();
        s.text("For each family and activation: median kappa = -log(rho) / eta (the fitted linear rate per unit of "
                + "flow time, over runs with a fitted rate) and the fraction of failed runs (any status but CONVERGED and "
                + "MAX_STEPS), over " + w.sizeKey() + " (rows) and step size (columns). A blank kappa cell has no run with a "
                + "fitted rate." + w.pooledNote());
        List<Row> rows = c.rows("SELECT family, activation, sz, step_size, kappa_med, fail_frac, runs FROM " + c.views().cells()
                + " ORDER BY 1, 2, 3, 4");
        Map<String, List<Row>> byPanel = new LinkedHashMap<>();
        boolean manyFamilies = Series.manyFamilies(rows);
        for (Row r : rows) {
            byPanel.computeIfAbsent(r.getString(0) + "\u0000" + r.getString(1), x -> new ArrayList<>()).add(r);
        }
        for (List<Row> panel : byPanel.values()) {
            String fam = panel.get(0).getString(0);
            String act = panel.get(0).getString(1);
            String name = Series.panel(manyFamilies, fam, act);
            String file = (manyFamilies ? fam + "_" : "") + act;
            List<Double> xs = panel.stream().map(r -> r.getDouble(3)).distinct().sorted().toList();
            List<Double> ys = panel.stream().map(r -> r.getDouble(2)).distinct().sorted().toList();
            if (xs.size() < 2) {
                c.out().skip(s, "heatmaps for " + name, "only one step size in this panel");
                continue;
            }
            List<String> xl = xs.stream().map(Charts::fmt).toList();
            List<String> yl = ys.stream().map(Charts::fmt).toList();
            List<Number[]> kappa = new ArrayList<>();
            List<Number[]> fail = new ArrayList<>();
            double kmin = Double.POSITIVE_INFINITY;
            double kmax = Double.NEGATIVE_INFINITY;
            for (Row r : panel) {
                int xi = xs.indexOf(r.getDouble(3));
                int yi = ys.indexOf(r.getDouble(2));
                fail.add(new Number[] {xi, yi, r.getDouble(5)});
                if (!r.isNullAt(4) && Double.isFinite(r.getDouble(4))) {
                    double k = r.getDouble(4);
                    kappa.add(new Number[] {xi, yi, k});
                    kmin = Math.min(kmin, k);
                    kmax = Math.max(kmax, k);
                }
            }
            String y = w.sizeTitle();
            if (kappa.isEmpty()) {
                c.out().skip(s, "median-kappa heatmap for " + name, "no run has a fitted rate (kappa is NULL everywhere)");
            } else {
                if (kmax <= kmin) {
                    kmax = kmin + Math.max(1e-12, Math.abs(kmin) * 0.1);
                }
                c.out().figure(s, "heatmap_kappa_" + safe(file) + ".png", "Median kappa for " + name,
                        Charts.heatmap("Median kappa = -log(rho)/eta: " + name, "step size eta", y, xl, yl, kappa,
                                "median kappa (1/time)", kmin, kmax, false));
            }
            c.out().figure(s, "heatmap_failure_" + safe(file) + ".png", "Failure fraction for " + name,
                    Charts.heatmap("Fraction of failed runs: " + name, "step size eta", y, xl, yl, fail,
                            "failed fraction", 0, 1, true));
        }
    }

    /** A panel's name as part of a file name. */
    static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}

package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.Row;
import org.deqsweep.sweep.report.Charts.Line;
import org.deqsweep.sweep.report.Charts.Style;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.Sql;

/**
 * The loss curves: one chart per group of runs that differ only in their seed, for at most {@code maxGroups}
 * evenly spaced groups, each with at most {@code maxSeeds} seeds drawn thin and the median over all the
 * group's seeds drawn thick. Only the drawn curves' points reach the driver.
 */
final class LossCurvesSection extends ReportSection {
    /** Numbering the (already aggregated) groups is a window without partition; Spark warns on each use. */
    static final String WINDOW_LOGGER = "org.apache.spark.sql.execution.window.WindowExec";

    private final int maxGroups;
    private final int maxSeeds;

    LossCurvesSection(int maxGroups, int maxSeeds) {
        super("Loss curves", "loss curves");
        this.maxGroups = maxGroups;
        this.maxSeeds = maxSeeds;
    }

    @Override
    Optional<String> whyNot(ReportContext c) {
        return c.hasCurves() ? Optional.empty() : Optional.of("the sweep recorded no curves (curves table absent)");
    }

    @Override
    void render(ReportContext c, HtmlPage.Section s) {
        LogLevelScope quiet = LogLevelScope.set(WINDOW_LOGGER, Level.ERROR);
        try {
            draw(c, s);
        } finally {
            quiet.restore();
        }
    }

    private void draw(ReportContext c, HtmlPage.Section s) {
        ReportContext.Views v = c.views();
        List<String> keys = c.sweep().varying().stream().filter(k -> !k.equals(Columns.SEED)).toList();
        if (keys.isEmpty()) {
            keys = List.of(Columns.FAMILY);
        }
        String k = keys.stream().map(Sql::ident).collect(Collectors.joining(", "));
        c.spark().sql("SELECT " + k + ", CAST(row_number() OVER (ORDER BY " + k + ") AS BIGINT) AS gidx FROM (SELECT DISTINCT " + k + " FROM "
                + v.runs() + ")").createOrReplaceTempView(v.groups());
        c.spark().catalog().cacheTable(v.groups());
        long groups = c.spark().table(v.groups()).count();
        List<Long> chosen = Series.evenly(groups, maxGroups);
        String in = chosen.stream().map(String::valueOf).collect(Collectors.joining(", "));
        String on = keys.stream().map(x -> "r." + Sql.ident(x) + " <=> g." + Sql.ident(x)).collect(Collectors.joining(" AND "));
        String seed = c.sweep().has(Columns.SEED) ? "r." + Sql.ident(Columns.SEED) : "0";
        c.spark().sql("SELECT r.run_id, " + seed + " AS seed, r.status, g.gidx FROM " + v.runs() + " r JOIN " + v.groups()
                + " g ON " + on + " WHERE g.gidx IN (" + in + ")").createOrReplaceTempView(v.selected());
        c.spark().catalog().cacheTable(v.selected());

        String finite = "c.loss > 0 AND c.loss < double('Infinity')";
        List<Row> drawn = c.rows("SELECT s.gidx, s.seed, s.run_id, c.step, c.loss FROM (SELECT *, row_number() OVER "
                + "(PARTITION BY gidx ORDER BY seed, run_id) AS si FROM " + v.selected() + ") s JOIN " + v.curves()
                + " c ON c.run_id = s.run_id WHERE s.si <= " + maxSeeds + " AND " + finite
                + " ORDER BY s.gidx, s.seed, s.run_id, c.step");
        List<Row> medians = c.rows("SELECT s.gidx, c.step, percentile(c.loss, 0.5) AS med FROM " + v.selected() + " s JOIN "
                + v.curves() + " c ON c.run_id = s.run_id WHERE c.loss IS NOT NULL AND NOT isnan(c.loss) "
                + "GROUP BY s.gidx, c.step ORDER BY 1, 2");
        List<Row> statusRows = c.rows("SELECT gidx, status, count(*) FROM " + v.selected() + " GROUP BY 1, 2 ORDER BY 1, 2");
        List<Row> labels = c.rows("SELECT * FROM " + v.groups() + " WHERE gidx IN (" + in + ") ORDER BY gidx");
        if (drawn.isEmpty()) {
            c.out().skip(s, name(), "no recorded loss is positive and finite (every run failed before its first record, or curves are empty)");
            return;
        }
        s.text("One chart per group of runs that differ only in their seed (groups keyed by " + String.join(", ", keys)
                + "). Thin lines: up to " + maxSeeds + " seeds each; thick line: the median loss over all the group's seeds "
                + "at each recorded step (over the seeds still running at that step). Losses are drawn on a log scale, so "
                + "linear convergence is a straight line; points with zero, infinite or missing loss are left out.");
        if (groups > chosen.size()) {
            s.text("The sweep has " + groups + " groups; " + chosen.size() + " evenly spaced ones (in the order of "
                    + String.join(", ", keys) + ") are drawn, at most " + maxSeeds + " seeds each.");
        }
        Map<Long, Map<String, Long>> statusByGroup = new TreeMap<>();
        for (Row r : statusRows) {
            statusByGroup.computeIfAbsent(r.getLong(0), x -> new LinkedHashMap<>()).put(r.getString(1), r.getLong(2));
        }
        // chart titles name only the keys that vary within the group's family (the caption has them all)
        Map<String, Set<String>> varyingInFamily = varyingPerFamily(c, keys);
        int famIdx = keys.indexOf(Columns.FAMILY);
        Map<Long, String> labelByGroup = new TreeMap<>();
        Map<Long, String> titleByGroup = new TreeMap<>();
        for (Row r : labels) {
            List<String> parts = new ArrayList<>();
            List<String> shortParts = new ArrayList<>();
            String fam = famIdx >= 0 ? String.valueOf(r.get(famIdx)) : null;
            for (int i = 0; i < keys.size(); i++) {
                String part = keys.get(i) + "=" + show(r.get(i));
                parts.add(part);
                if (i == famIdx || fam == null || varyingInFamily.getOrDefault(fam, Set.of()).contains(keys.get(i))) {
                    shortParts.add(i == famIdx ? fam : part);
                }
            }
            labelByGroup.put(r.getLong(keys.size()), String.join(", ", parts));
            titleByGroup.put(r.getLong(keys.size()), "loss: " + String.join(", ", shortParts));
        }
        Map<Long, List<Line>> seedLines = new TreeMap<>();
        collectLines(drawn, seedLines);
        Map<Long, Line> medianLines = new TreeMap<>();
        Map<Long, List<double[]>> med = new TreeMap<>();
        for (Row r : medians) {
            if (!r.isNullAt(2) && r.getDouble(2) > 0) {
                med.computeIfAbsent(r.getLong(0), x -> new ArrayList<>()).add(new double[] {r.getLong(1), r.getDouble(2)});
            }
        }
        med.forEach((g, pts) -> medianLines.put(g, Line.of("median", pts, 0, Style.SOLID)));
        int drawnCharts = 0;
        for (long g : chosen) {
            Map<String, Long> st = statusByGroup.getOrDefault(g, Map.of());
            long total = st.values().stream().mapToLong(Long::longValue).sum();
            List<Line> lines = seedLines.getOrDefault(g, List.of());
            String label = labelByGroup.getOrDefault(g, "group " + g);
            if (lines.isEmpty()) {
                c.out().skip(s, "loss curves of " + label, "no positive finite loss recorded for any of its seeds");
                continue;
            }
            String statusText = st.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
            c.out().figure(s, String.format(Locale.ROOT, "loss_%02d.png", g), label + ": " + total + " runs (" + statusText + ")",
                    Charts.lossCurves(titleByGroup.getOrDefault(g, label), lines, medianLines.get(g),
                            "seeds (" + lines.size() + " of " + total + ", thin)", "median over " + total + " seeds"));
            drawnCharts++;
        }
        if (drawnCharts == 0) {
            c.out().skip(s, name(), "no group has a positive finite loss to draw");
        }
    }

    /** For each family, the group keys that take more than one value among its runs. */
    private static Map<String, Set<String>> varyingPerFamily(ReportContext c, List<String> keys) {
        String d = keys.stream().map(k -> "count(DISTINCT " + Sql.ident(k) + ")").collect(Collectors.joining(", "));
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Row r : c.rows("SELECT family, " + d + " FROM " + c.views().runs() + " GROUP BY family")) {
            Set<String> v = new HashSet<>();
            for (int i = 0; i < keys.size(); i++) {
                if (r.getLong(i + 1) > 1) {
                    v.add(keys.get(i));
                }
            }
            out.put(String.valueOf(r.get(0)), v);
        }
        return out;
    }

    /** One thin line per run of the drawn rows (ordered by group, seed, run and step). */
    private static void collectLines(List<Row> drawn, Map<Long, List<Line>> out) {
        int i = 0;
        while (i < drawn.size()) {
            Row first = drawn.get(i);
            long g = first.getLong(0);
            String run = first.getString(2);
            int j = i;
            while (j < drawn.size() && drawn.get(j).getLong(0) == g && drawn.get(j).getString(2).equals(run)) {
                j++;
            }
            double[] x = new double[j - i];
            double[] y = new double[j - i];
            for (int t = i; t < j; t++) {
                x[t - i] = drawn.get(t).getLong(3);
                y[t - i] = drawn.get(t).getDouble(4);
            }
            out.computeIfAbsent(g, z -> new ArrayList<>()).add(new Line("seed " + show(first.get(1)), x, y));
            i = j;
        }
    }

    /** A group key's value in a label: numbers as the charts print them. */
    static String show(Object v) {
        if (v instanceof Double d) {
            return Charts.fmt(d);
        }
        return String.valueOf(v);
    }
}

package org.deqsweep.sweep.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.Sql;

/** The run outcomes: how many runs ended in each status, per model family, as a sentence and a bar chart. */
final class StatusCountsSection extends ReportSection {
    /** Each status's bar colour, by status name; the switch has a case for every status. */
    static final Map<String, Color> STATUS_COLOURS = Arrays.stream(Status.values())
            .collect(Collectors.toUnmodifiableMap(Status::name, StatusCountsSection::colour));

    private static Color colour(Status s) {
        return switch (s) {
            case CONVERGED -> new Color(0, 158, 115);
            case MAX_STEPS -> new Color(230, 159, 0);
            case DIVERGED -> new Color(213, 94, 0);
            case NAN -> new Color(204, 121, 167);
            case FORWARD_FAILED -> new Color(86, 180, 233);
            case ADJOINT_FAILED -> new Color(0, 90, 160);
            case SINGULAR -> new Color(0, 114, 178);
            case TIMEOUT -> new Color(127, 127, 127);
            case ERROR -> new Color(0, 0, 0);
            case INVALID -> new Color(140, 86, 75);
        };
    }

    StatusCountsSection() {
        super("Run outcomes", "status counts");
    }

    @Override
    Optional<String> whyNot(ReportContext c) {
        return c.sweep().runCount() == 0 ? Optional.of("the sweep has no runs yet") : Optional.empty();
    }

    @Override
    void render(ReportContext c, HtmlPage.Section s) {
        List<Row> rows = c.rows("SELECT " + Sql.ident(Columns.FAMILY) + ", " + Sql.ident(ResultFields.STATUS) + ", count(*) FROM "
                + c.views().runs() + " GROUP BY 1, 2 ORDER BY 1, 2");
        TreeSet<String> families = new TreeSet<>();
        Map<String, Map<String, Long>> byStatus = new LinkedHashMap<>();
        for (Status st : Status.values()) {
            byStatus.put(st.name(), new TreeMap<>());
        }
        for (Row r : rows) {
            String fam = r.isNullAt(0) ? "(none)" : r.getString(0);
            families.add(fam);
            byStatus.computeIfAbsent(r.getString(1), k -> new TreeMap<>()).put(fam, r.getLong(2));
        }
        Map<String, List<Number>> series = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder("Runs per status: ");
        for (Map.Entry<String, Map<String, Long>> e : byStatus.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            series.put(e.getKey(), families.stream().map(f -> (Number) e.getValue().getOrDefault(f, 0L)).toList());
            text.append(e.getKey()).append(' ').append(e.getValue().values().stream().mapToLong(Long::longValue).sum()).append(", ");
        }
        s.text(text.substring(0, text.length() - 2) + ".");
        c.out().figure(s, "status_counts.png", "Number of runs per status, for each model family",
                Charts.bars("Run outcomes per model family (" + c.sweep().runCount() + " runs)", "model family", "runs",
                        new ArrayList<>(families), series, STATUS_COLOURS));
    }
}

package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deqsweep.core.config.ConfigSchema;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.Sql;

/**
 * What the runs view holds: its columns, the config keys among them, the keys that take more than one
 * value, the model-size key the plots are drawn against (width when it takes more values than d, else d)
 * and the number of runs.
 */
record SweepColumns(Set<String> columns, List<String> configKeys, List<String> varying, String sizeKey, long runCount) {

    /** Reads them with one query over the runs view, whose columns are {@code names}. */
    static SweepColumns read(SparkSession spark, String runsView, String[] names) {
        Set<String> columns = new HashSet<>(Arrays.asList(names));
        List<String> configKeys = ConfigSchema.fields().stream().map(ConfigSchema.Field::key).filter(columns::contains).toList();
        String distinct = configKeys.stream().map(k -> "count(DISTINCT " + Sql.ident(k) + ") AS " + Sql.ident(k)).collect(Collectors.joining(", "));
        Row r = spark.sql("SELECT count(*) AS n, " + distinct + " FROM " + runsView).first();
        List<String> varying = new ArrayList<>();
        Map<String, Long> distinctCounts = new LinkedHashMap<>();
        for (int i = 0; i < configKeys.size(); i++) {
            long k = r.getLong(i + 1);
            distinctCounts.put(configKeys.get(i), k);
            if (k > 1) {
                varying.add(configKeys.get(i));
            }
        }
        long nd = distinctCounts.getOrDefault(Columns.D, 0L);
        long nw = distinctCounts.getOrDefault(Columns.WIDTH, 0L);
        return new SweepColumns(Set.copyOf(columns), configKeys, List.copyOf(varying), nw > nd ? Columns.WIDTH : Columns.D, r.getLong(0));
    }

    boolean has(String column) {
        return columns.contains(column);
    }

    /** {@code expr} when the runs view has {@code column}, else a NULL double. */
    String orNull(String column, String expr) {
        return has(column) ? expr : "CAST(NULL AS DOUBLE)";
    }

    /** The axis title of the model size. */
    String sizeTitle() {
        return sizeKey.equals(Columns.D) ? "input dimension d" : "hidden width m";
    }

    /** The sentence naming the varying keys that a (family, activation, size, step size) cell pools, or "". */
    String pooledNote() {
        List<String> pooled = varying.stream().filter(k -> !List.of(Columns.SEED, Columns.STEP_SIZE, sizeKey, Columns.FAMILY, Columns.ACTIVATION)
                .contains(k)).toList();
        return pooled.isEmpty() ? "" : " Runs that differ in " + String.join(", ", pooled) + " are pooled in each cell.";
    }
}

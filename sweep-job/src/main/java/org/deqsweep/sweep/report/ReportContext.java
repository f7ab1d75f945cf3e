package org.deqsweep.sweep.report;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What every report section reads: the Spark session, the names of the report's temporary views, what the
 * runs view holds, whether the sweep recorded curves (then the curves view is registered), the page and
 * the output that figures and skip lines go to, and the sweep read (its manifest and other tables).
 */
record ReportContext(SparkSession spark, Views views, SweepColumns sweep, boolean hasCurves, HtmlPage page, ReportOutput out,
                     org.deqsweep.sweep.store.SweepSource source) {

    /** The names of the temporary views one report registers, and drops when it is done. */
    record Views(String runs, String curves, String groups, String selected, String cells) {
        static final Views REPORT = prefixed("deq_report");

        static Views prefixed(String prefix) {
            return new Views(prefix + "_runs", prefix + "_curves", prefix + "_groups", prefix + "_selected", prefix + "_cells");
        }

        List<String> all() {
            return List.of(runs, curves, groups, selected, cells);
        }
    }

    /** The rows of a query, on the driver: only aggregated series or a bounded number of curve points. */
    List<Row> rows(String sql) {
        return spark.sql(sql).collectAsList();
    }

    /** The number of distinct step sizes among the runs (among those that match {@code where} unless it is null). */
    long distinctSteps(String where) {
        return spark.sql("SELECT count(DISTINCT step_size) FROM " + views.runs() + (where == null ? "" : " WHERE " + where))
                .first().getLong(0);
    }
}

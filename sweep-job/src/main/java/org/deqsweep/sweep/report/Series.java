package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * How the sections choose and name their series: {@code k} evenly spaced ones of {@code n}, and the name of a
 * (family, activation) panel, which names the family only when the rows have several.
 */
final class Series {
    private Series() {
    }

    /** {@code k} evenly spaced indices in 1..n (all of them when n <= k). */
    static List<Long> evenly(long n, int k) {
        List<Long> out = new ArrayList<>();
        if (n <= k) {
            for (long i = 1; i <= n; i++) {
                out.add(i);
            }
            return out;
        }
        for (int i = 0; i < k; i++) {
            long v = 1 + Math.round(i * (n - 1) / (double) (k - 1));
            if (out.isEmpty() || out.get(out.size() - 1) != v) {
                out.add(v);
            }
        }
        return out;
    }

    /** Whether the rows, family in column 0, hold more than one family. */
    static boolean manyFamilies(List<Row> rows) {
        return rows.stream().map(r -> r.getString(0)).distinct().count() > 1;
    }

    /** "family, activation" when the sweep has several families, else "activation". */
    static String panel(boolean manyFamilies, String family, String activation) {
        return manyFamilies ? family + ", " + activation : activation;
    }
}

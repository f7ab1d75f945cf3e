package org.deqsweep.sweep.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.deqsweep.sweep.store.Sql;

/**
 * What one statement answers, as {@code query}'s printers take it: from a session of the command's own
 * ({@link #of}) or from a Spark Connect server ({@link ConnectClient#sql}). Both give the same value types,
 * so a statement prints the same text either way.
 */
interface Answer {
    /**
     * The columns and the first {@code limit} rows (every row when negative). Values are what a classic
     * session's row holds at the top level (Long, Double, String, BigDecimal, java.sql.Timestamp, ...), with
     * a date a LocalDate, binary its SQL literal, a variant Spark's VariantVal (printed as JSON), and nested
     * values plain Java collections: an array a List, a map a Map sorted by key ({@link #byKey}), a struct a
     * Map from field name to value ({@link #plain}).
     */
    Rows rows(int limit);

    /** Each row as one JSON object, by Spark's to_json with null fields kept. */
    Iterator<String> jsonLines();

    /** @param numeric per column, whether its type is a number (the table format aligns those right) */
    record Rows(List<String> names, boolean[] numeric, Iterator<Object[]> values) {
    }

    /** The answer of a statement a classic session has analysed. */
    static Answer of(Dataset<Row> df) {
        return new Answer() {
            @Override
            public Rows rows(int limit) {
                StructField[] f = df.schema().fields();
                boolean[] numeric = new boolean[f.length];
                for (int c = 0; c < f.length; c++) {
                    numeric[c] = f[c].dataType() instanceof NumericType;
                }
                Iterator<Row> it = limit < 0 ? df.toLocalIterator() : df.limit(limit).collectAsList().iterator();
                return new Rows(Arrays.asList(df.columns()), numeric, mapped(it, r -> {
                    Object[] v = new Object[r.size()];
                    for (int c = 0; c < v.length; c++) {
                        v[c] = plain(r.get(c));
                    }
                    return v;
                }));
            }

            @Override
            public Iterator<String> jsonLines() {
                Column all = functions.struct(Arrays.stream(df.columns()).map(c -> df.col(Sql.ident(c))).toArray(Column[]::new));
                return mapped(df.select(functions.to_json(all, Map.of("ignoreNullFields", "false"))).toLocalIterator(), r -> r.getString(0));
            }
        };
    }

    /** The iterator's elements through {@code f}, one at a time as they are read. */
    static <A, B> Iterator<B> mapped(Iterator<A> it, java.util.function.Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public B next() {
                return f.apply(it.next());
            }
        };
    }

    /**
     * A map's entries in the order of their keys' text: a classic row holds a map of five or more entries
     * as a Scala hash map, whose order is not Spark's, so both kinds of session print maps sorted.
     */
    static Map<Object, Object> byKey(Map<Object, Object> m) {
        Map<Object, Object> sorted = new LinkedHashMap<>();
        m.entrySet().stream().sorted(java.util.Comparator.comparing(e -> String.valueOf(e.getKey())))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /**
     * A row's value with Scala's collections and nested rows made plain Java ones; a date as a LocalDate,
     * binary as its SQL literal (X'CAFE').
     */
    static Object plain(Object x) {
        if (x instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (x instanceof byte[] b) {
            return "X'" + java.util.HexFormat.of().withUpperCase().formatHex(b) + "'";
        }
        if (x instanceof Row r) {
            Map<String, Object> m = new LinkedHashMap<>();
            String[] names = r.schema() == null ? null : r.schema().fieldNames();
            for (int i = 0; i < r.size(); i++) {
                m.put(names == null ? "col" + (i + 1) : names[i], plain(r.get(i)));
            }
            return m;
        }
        if (x instanceof scala.collection.Map<?, ?> sm) {
            Map<Object, Object> m = new LinkedHashMap<>();
            scala.collection.Iterator<? extends scala.Tuple2<?, ?>> it = sm.iterator();
            while (it.hasNext()) {
                scala.Tuple2<?, ?> e = it.next();
                m.put(plain(e._1()), plain(e._2()));
            }
            return byKey(m);
        }
        if (x instanceof scala.collection.Iterable<?> s) {
            List<Object> l = new ArrayList<>();
            scala.collection.Iterator<?> it = s.iterator();
            while (it.hasNext()) {
                l.add(plain(it.next()));
            }
            return l;
        }
        return x;
    }
}

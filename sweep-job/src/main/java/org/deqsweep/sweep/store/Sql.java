package org.deqsweep.sweep.store;

import java.util.Collection;
import java.util.stream.Collectors;
import org.deqsweep.core.train.ResultFields;

/**
 * Spark SQL text built from names and values: the one place that quotes them. An identifier is put in
 * backquotes with its backquotes doubled, a string literal in single quotes with its quotes and
 * backslashes escaped, so a config key or a status never changes the shape of a query.
 */
public final class Sql {
    private Sql() {
    }

    /** A column or table name as Spark SQL reads it: {@code `name`}. */
    public static String ident(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /** A string literal: {@code 'text'}. */
    public static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** {@code column IN ('a', 'b', ...)} over the given values. */
    public static String in(String column, Collection<String> values) {
        return ident(column) + " IN (" + values.stream().map(Sql::literal).collect(Collectors.joining(", ")) + ")";
    }

    /** The failure predicate of the failures table ({@code Status.isFailure}), as SQL on the status column. */
    public static String isFailure() {
        return in(ResultFields.STATUS, Tables.failureStatuses());
    }
}

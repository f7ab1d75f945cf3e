package org.deqsweep.sweep.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits what the query prompt has read into complete statements. A statement ends at a {@code ;} that is
 * not inside a string literal ({@code '...'} or {@code "..."}, where a backslash escapes the next
 * character, as Spark SQL reads them), a quoted identifier ({@code `...`}) or a comment ({@code -- ...} to
 * the end of the line, {@code /* ... *}{@code /}).
 */
final class SqlStatements {
    private SqlStatements() {
    }

    /**
     * Removes the complete statements from the front of {@code pending} and returns them, stripped and
     * without their {@code ;}; empty statements are dropped. What follows the last {@code ;} stays.
     */
    static List<String> take(StringBuilder pending) {
        List<String> out = new ArrayList<>();
        int end;
        while ((end = statementEnd(pending)) >= 0) {
            String stmt = pending.substring(0, end).strip();
            pending.delete(0, end + 1);
            if (!stmt.isEmpty()) {
                out.add(stmt);
            }
        }
        return out;
    }

    /** The index of the first {@code ;} that ends a statement, or -1. */
    static int statementEnd(CharSequence s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ';') {
                return i;
            }
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i, c, true);
            } else if (c == '`') {
                i = skipQuoted(s, i, c, false);
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int close = indexOf(s, "*/", i + 2);
                i = close < 0 ? n : close + 2;
            } else {
                i++;
            }
        }
        return -1;
    }

    /** The index after the quote that closes the one at {@code open}, or the length when it is still open. */
    private static int skipQuoted(CharSequence s, int open, char quote, boolean backslashEscapes) {
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        return s.length();
    }

    private static int indexOf(CharSequence s, String what, int from) {
        return s.toString().indexOf(what, from);
    }
}

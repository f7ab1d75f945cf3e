package org.deqsweep.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The query prompt ends a statement at a ';' outside literals, quoted identifiers and comments. */
class SqlStatementsTest {

    private static List<String> take(String text, String rest) {
        StringBuilder pending = new StringBuilder(text);
        List<String> out = SqlStatements.take(pending);
        assertEquals(rest, pending.toString(), "what stays for the next line");
        return out;
    }

    @Test
    void splitsAtTheSemicolonsThatEndStatements() {
        assertEquals(List.of("SELECT 1", "SELECT 2"), take("SELECT 1; SELECT 2;\n", "\n"));
        assertEquals(List.of("SELECT 1"), take(";;SELECT 1;  ;", ""));
        assertEquals(List.of(), take("SELECT 1\n", "SELECT 1\n"));
    }

    @Test
    void aSemicolonInsideALiteralOrIdentifierDoesNotEndTheStatement() {
        assertEquals(List.of("SELECT 'a;b' AS x"), take("SELECT 'a;b' AS x;", ""));
        assertEquals(List.of("SELECT \"a;b\""), take("SELECT \"a;b\";", ""));
        assertEquals(List.of("SELECT 1 AS `odd;name`"), take("SELECT 1 AS `odd;name`;", ""));
        assertEquals(List.of("SELECT 'it\\'s; fine'"), take("SELECT 'it\\'s; fine';", ""));
        assertEquals(List.of("SELECT 'it''s; fine'"), take("SELECT 'it''s; fine';", ""));
    }

    @Test
    void anOpenLiteralWaitsForTheNextLine() {
        assertEquals(List.of(), take("SELECT 'a;\n", "SELECT 'a;\n"));
        assertEquals(List.of("SELECT 'a;\nb'"), take("SELECT 'a;\nb';", ""));
    }

    @Test
    void semicolonsInCommentsAreIgnored() {
        assertEquals(List.of("SELECT /* ; */ 1"), take("SELECT /* ; */ 1;", ""));
        assertEquals(List.of("SELECT 1 -- one; two"), take("SELECT 1 -- one; two\n;", "").stream().map(String::strip).toList());
    }
}

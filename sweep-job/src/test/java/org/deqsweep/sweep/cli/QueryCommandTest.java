package org.deqsweep.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.SweepFixtures;
import org.deqsweep.sweep.store.Tables;
import org.junit.jupiter.api.Test;

/** The query command over the reference sweep: formats, directory forms, errors. */
class QueryCommandTest extends SparkTestBase {

    @Test
    void printsAnAlignedTable() throws IOException {
        Path dir = SweepFixtures.referenceDir();
        Cli r = cli("query", dir.toString(),
                "SELECT activation, step_size, count(*) AS n FROM runs GROUP BY activation, step_size ORDER BY activation, step_size");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("activation | step_size | n", lines.get(0));
        assertTrue(lines.get(1).matches("-+-\\+-+-\\+-+"), lines.get(1));
        assertEquals(6 + 3, lines.size(), r.out());
        assertTrue(lines.get(2).startsWith("sigmoid    |      0.05 | 4"), lines.get(2));
        assertEquals("(6 rows)", lines.get(lines.size() - 1));
    }

    @Test
    void acceptsTheOutputRootWithOneSweepAndWritesCsvToAFile() throws IOException {
        Path root = SweepFixtures.referenceDir().getParent();
        Path file = tmp.resolve("r.csv");
        Cli r = cli("query", root.toString(), "SELECT d, sum(runs) AS runs FROM summary GROUP BY d ORDER BY d",
                "--format", "csv", "--output", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("d,runs", "2,12", "4,12"), Files.readAllLines(file));
    }

    @Test
    void printsJsonLinesWithNulls() throws IOException {
        Cli r = cli("query", SweepFixtures.referenceDir().toString(),
                "SELECT run_id, CAST(NULL AS DOUBLE) AS nothing FROM runs ORDER BY run_id LIMIT 2", "--format", "json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("{\"run_id\":\"") && lines.get(0).contains("\"nothing\":null"), lines.get(0));
    }

    @Test
    void registersEveryTable() throws IOException {
        for (String t : Tables.ALL) {
            Cli r = cli("query", SweepFixtures.referenceDir().toString(), "SELECT count(*) AS n FROM " + t, "--format", "csv");
            assertEquals(0, r.code(), t + ": " + r.err());
            assertTrue(Long.parseLong(r.out().lines().toList().get(1)) > 0, t);
        }
    }

    @Test
    void badSqlIsOneLineAndExitTwo() throws IOException {
        Cli r = cli("query", SweepFixtures.referenceDir().toString(), "SELECT nosuch FROM runs");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("nosuch"), r.err());
        Cli p = cli("query", SweepFixtures.referenceDir().toString(), "SELEC 1");
        assertEquals(2, p.code());
        assertEquals(1, p.err().strip().lines().count(), p.err());
    }

    @Test
    void missingDirectoryIsExitTwo() {
        Cli r = cli("query", tmp.resolve("nope").toString(), "SELECT 1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a directory"), r.err());
        assertFalse(r.err().contains("\tat "));
    }

    @Test
    void usageErrorsAreExitTwo() {
        assertEquals(2, cli("query").code());
        assertEquals(2, cli("sweep", "x.yaml", "--no-such-option").code());
        assertEquals(2, cli().code());
    }

    @Test
    void thePromptKeepsASemicolonInsideAStringLiteral() throws IOException {
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("SELECT 'a;b' AS x,\n  count(*) AS n FROM runs;\nquit\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Cli r = cli("query", SweepFixtures.referenceDir().toString());
            assertEquals(0, r.code(), r.err());
            assertFalse(r.err().contains("error") || r.err().contains("Syntax"), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals("x   | n", lines.get(0), r.out());
            assertTrue(lines.contains("a;b | 24"), r.out());
        } finally {
            System.setIn(stdin);
        }
    }

    /**
     * A server file that names no live server here (a pid that has exited, or another machine) is said
     * once, and the command answers with a session of its own.
     */
    @Test
    void aServerFileNamingNoServerHereIsSaidOnceAndTheCommandAnswersItself() throws Exception {
        Path dir = tmp.resolve("tiny");
        SweepFixtures.copyTree(SweepFixtures.referenceDir(), dir);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String here = org.deqsweep.sweep.serve.Endpoint.hostName();
        for (String[] c : new String[][] {{Long.toString(gone.pid()), here, "names a server that is not running"},
                {Long.toString(ProcessHandle.current().pid()), "elsewhere.example", "names a server on the host elsewhere.example, not this one"}}) {
            Files.writeString(dir.resolve(org.deqsweep.sweep.serve.Endpoint.SERVER_FILE), "{\"url\": \"sc://127.0.0.1:1\","
                    + " \"database\": \"tiny\", \"pid\": " + c[0] + ", \"host\": \"" + c[1] + "\"}");
            Cli r = cli("query", dir.toString(), "SELECT count(*) AS n FROM runs", "--format", "csv");
            assertEquals(0, r.code(), r.err());
            assertEquals("n\n24\n", r.out());
            assertTrue(r.err().contains(c[2]), r.err());
            assertEquals(1, r.err().split("names a server", -1).length - 1, r.err());
            assertFalse(r.err().contains("answered by"), r.err());
        }
    }

    /** --output: a directory is refused before the query; a device is written as it is; a link's target gets the rows. */
    @Test
    void outputToADirectoryADeviceAndALink() throws IOException {
        String dir = SweepFixtures.referenceDir().toString();
        Cli d = cli("query", dir, "SELECT 1", "--output", tmp.toString());
        assertEquals(2, d.code(), d.err());
        assertTrue(d.err().contains("is a directory"), d.err());
        Cli dev = cli("query", dir, "SELECT 1", "--output", "/dev/null");
        assertEquals(0, dev.code(), dev.err());
        Path target = Files.writeString(tmp.resolve("target.csv"), "old\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link.csv"), target);
        Cli l = cli("query", dir, "SELECT count(*) AS n FROM runs", "--format", "csv", "--output", link.toString());
        assertEquals(0, l.code(), l.err());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("n\n24\n", Files.readString(target));
    }
}

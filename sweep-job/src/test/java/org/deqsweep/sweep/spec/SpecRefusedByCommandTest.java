package org.deqsweep.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.deqsweep.sweep.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed specs refused by the sweep command itself ({@link Main#run}, what submit.sh runs): every row
 * of {@link SpecMalformedTest}'s table written to a file, plus file-level faults and bad --set overrides.
 * Each must exit 2 with a message naming the offending path and what is allowed, without a stack trace,
 * before the output directory is created (and so before Spark starts).
 */
class SpecRefusedByCommandTest {

    @TempDir
    Path tmp;

    static Stream<Arguments> malformed() {
        return SpecMalformedTest.malformed();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusedByTheCommand(String name, String yaml, String path, String allowedFragment) throws IOException {
        Path file = tmp.resolve("spec.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        String expectedPath = path.equals("test.yaml") ? file.toString() : path;
        assertRefused(run(file.toString()), expectedPath, allowedFragment);
    }

    /** Faults outside the YAML text: the file itself, and --set overrides on a good spec. */
    static Stream<Arguments> otherFaults() {
        String good = "name: t\ngrid: {d: [2]}\n";
        return Stream.of(
                Arguments.of("missing file", null, List.of(), "no such file"),
                Arguments.of("a directory", "<dir>", List.of(), "a directory"),
                Arguments.of("not UTF-8", "<latin1>", List.of(), "a UTF-8 text file"),
                Arguments.of("billion laughs", "<bomb>", List.of(), "lol5[1]"),
                Arguments.of("--set of an unknown key", good, List.of("--set", "fixed.widht=3"), "did you mean width?"),
                Arguments.of("--set of a bad value", good, List.of("--set", "fixed.n=0"), "fixed.n"),
                Arguments.of("--set without =", good, List.of("--set", "grid.d"), "grid.d"),
                Arguments.of("--set of an unknown refine key", good, List.of("--set", "refine.keys=step_size"), "did you mean key?"),
                Arguments.of("--set of a refine on an integer key", good, List.of("--set", "refine={key: d, rounds: 2}"), "refine.key"),
                Arguments.of("--set making the grid too large", good,
                        List.of("--set", "grid.seed=range(0,1001)", "--set", "grid.d=range(1,1001)"),
                        "at most job.max_grid_size"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherFaults")
    void otherFaultsRefusedByTheCommand(String name, String yaml, List<String> extra, String fragment) throws IOException {
        Path file = tmp.resolve("spec.yaml");
        if (yaml == null) {
            file = tmp.resolve("missing.yaml");
        } else if (yaml.equals("<dir>")) {
            file = Files.createDirectories(tmp.resolve("dir.yaml"));
        } else if (yaml.equals("<latin1>")) {
            Files.write(file, new byte[] {'n', 'a', 'm', 'e', ':', ' ', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        } else if (yaml.equals("<bomb>")) {
            file = SpecTestSupport.resource("bad/billion-laughs.yaml");
        } else {
            Files.writeString(file, yaml);
        }
        List<String> args = new ArrayList<>(List.of(file.toString()));
        args.addAll(extra);
        assertRefused(run(args.toArray(String[]::new)), null, fragment);
    }

    @Test
    void atLeastThirtyMalformedSpecsGoThroughTheCommand() {
        assertTrue(malformed().count() + otherFaults().count() >= 30);
    }

    private record Result(int code, String err, boolean outCreated) {
    }

    private Result run(String... args) {
        Path out = tmp.resolve("out");
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--out", out.toString()));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(a.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, e.toString(), Files.exists(out));
    }

    private static void assertRefused(Result r, String path, String fragment) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("deq-sweep sweep: bad sweep spec "), r.err());
        if (path != null) {
            assertTrue(r.err().contains(": " + path + ": found "), "names " + path + ": " + r.err());
        }
        assertTrue(r.err().contains(fragment), "says '" + fragment + "': " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
        assertFalse(r.outCreated(), "the output directory was not created");
    }
}

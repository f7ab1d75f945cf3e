package org.deqsweep.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad spec is refused before any work with the offending path, what was found and what is allowed
 * (DESIGN 4). Each row: a name, the spec text, the exact path expected and a fragment of "allowed".
 */
class SpecMalformedTest {

    private static final String H = "name: t\n";
    /** A grid a refine section can refine: step_size is a real axis of three positive values. */
    private static final String RG = H + "grid:\n  step_size: [0.1, 0.3, 1.0]\n  seed: 'range(0, 3)'\n  d: [2, 4]\n";

    static Stream<Arguments> malformed() {
        return Stream.of(
                row("wrong type in a grid list", H + "grid: {d: [5, x]}", "grid.d[1]", "an integer"),
                row("string for a real", H + "grid: {step_size: [0.1, abc]}", "grid.step_size[1]", "a finite number"),
                row("real for an integer", H + "fixed: {n: 2.5}", "fixed.n", "an integer"),
                row("string for a boolean", H + "fixed: {bias: maybe}", "fixed.bias", "true or false"),
                row("integer beyond 64 bits", H + "fixed: {seed: 123456789012345678901234}", "fixed.seed", "an integer"),
                row("map as a grid value", H + "grid: {d: {a: 1}}", "grid.d", "range(a, b"),
                row("unknown grid key, close to one", H + "grid: {stepsize: [0.1]}", "grid.stepsize", "did you mean step_size?"),
                row("unknown fixed key, close to one", H + "fixed: {widht: 3}", "fixed.widht", "did you mean width?"),
                row("unknown key, nothing close", H + "fixed: {learning_rate_schedule: cosine}", "fixed.learning_rate_schedule",
                        "a run key, one of: family, d, width"),
                row("unknown nested group key", H + "fixed: {forward: {tl: 1.0e-8}}", "fixed.forward.tl", "did you mean tol?"),
                row("group that is not a map", H + "fixed: {forward: 3}", "fixed.forward", "a map of forward keys"),
                row("unknown top-level key", H + "grids: {d: [1]}", "grids", "did you mean grid?"),
                row("unknown job key", H + "job: {wavesize: 3}", "job.wavesize", "did you mean wave_size?"),
                row("negative wave size", H + "job: {wave_size: -1}", "job.wave_size", ">= 0"),
                row("empty grid list", H + "grid: {d: []}", "grid.d", "at least one value"),
                row("null grid value", H + "grid:\n  d:\n", "grid.d", "a list"),
                row("unquoted form in a flow map", H + "grid: {seed: range(0, 10)}", "grid.seed", "the form quoted"),
                row(".nan in a grid list", H + "grid: {step_size: [0.1, .nan]}", "grid.step_size[1]", "a finite number"),
                row(".inf in fixed", H + "fixed: {tol: .inf}", "fixed.tol", "a finite number"),
                row("-.inf as a grid scalar", H + "grid: {noise: -.inf}", "grid.noise", "a finite number"),
                row("negative dimension", H + "grid: {d: [-5]}", "grid.d[0]", "an integer >= 1"),
                row("zero samples", H + "fixed: {n: 0}", "fixed.n", "an integer >= 1"),
                row("zero step size", H + "grid: {step_size: [0.1, 0]}", "grid.step_size[1]", "a finite number > 0"),
                row("range with step 0", H + "grid: {seed: 'range(0, 10, 0)'}", "grid.seed", "step != 0"),
                row("empty range", H + "grid: {seed: 'range(5, 5)'}", "grid.seed", "at least one value"),
                row("range of reals", H + "grid: {seed: 'range(0, 1.5)'}", "grid.seed", "integers a, b"),
                row("linspace with k = 0", H + "grid: {step_size: 'linspace(0.1, 1, 0)'}", "grid.step_size", "k >= 1"),
                row("logspace from 0", H + "grid: {step_size: 'logspace(0, 1, 5)'}", "grid.step_size", "a > 0 and b > 0"),
                row("logspace with two arguments", H + "grid: {step_size: 'logspace(1e-3, 1)'}", "grid.step_size", "logspace(a, b, k)"),
                row("pow2 reversed", H + "grid: {d: 'pow2(5, 2)'}", "grid.d", "i <= j"),
                row("unknown form", H + "grid: {d: 'powers(1, 3)'}", "grid.d", "range(a, b[, step])"),
                row("linspace to non-integers for an int key", H + "grid: {d: 'linspace(1, 2, 3)'}", "grid.d[1]", "an integer"),
                row("repeated grid value", H + "grid: {d: [5, 5]}", "grid.d[1]", "distinct values"),
                row("zip of unequal lengths", H + "zip:\n  - {n: [100, 200], max_steps: [10, 20, 30]}", "zip[0].max_steps",
                        "the same number of values"),
                row("zip that is not a list", H + "zip: {n: [1, 2]}", "zip", "a list of maps"),
                row("duplicate grid key", H + "grid:\n  d: [1]\n  d: [2]\n", "grid.d", "each key once"),
                row("duplicate top-level key", "name: a\nname: b\n", "name", "each key once"),
                row("alias bomb, many aliases", aliasChain(60), "k51[0]", "at most 50 aliases"),
                row("alias to no anchor", H + "grid: {d: *nowhere}", "grid.d", "aliases to earlier anchors"),
                row("unknown family", H + "family: linear", "family", "one of [general_deq, linear_deq"),
                row("unknown activation", H + "grid: {activation: [tanh, swish]}", "grid.activation[1]", "one of ["),
                row("linear_deq with tanh", H + "family: linear_deq\ngrid: {activation: [identity, tanh]}", "grid.activation[1]",
                        "identity (the linear DEQ has no nonlinearity"),
                row("single_index_deq with width 2", H + "family: single_index_deq\ngrid: {width: [1, 2]}", "grid.width[1]", "1 (the"),
                row("direct solver with tanh (default activation)", H + "grid:\n  forward: {solver: [picard, direct]}",
                        "grid.forward.solver[1]", "auto, picard, anderson or newton"),
                row("grid too large", H + "grid: {d: 'range(1, 1001)', seed: 'range(0, 1001)'}", "grid", "at most job.max_grid_size = 1000000"),
                row("one range too large", H + "grid: {seed: 'range(0, 2000000)'}", "grid.seed", "at most job.max_grid_size"),
                row("key in both grid and fixed", H + "grid: {d: [1, 2]}\nfixed: {d: 3}", "grid.d", "each run key in one place"),
                row("key in both grid and zip", H + "grid: {n: [1, 2]}\nzip:\n  - {n: [3, 4], d: [1, 2]}", "zip[0].n", "each run key in one place"),
                row("family at the top and in fixed", H + "family: linear_deq\nfixed: {family: explicit}", "fixed.family", "each run key in one place"),
                row("exclude key not in the grid", H + "grid: {d: [1, 2]}\nexclude:\n  - {seed: 1}", "exclude[0].seed", "the varying keys: d"),
                row("exclude key that is fixed", H + "grid: {d: [1, 2]}\nfixed: {n: 5}\nexclude:\n  - {n: 5}", "exclude[0].n", "the varying keys: d"),
                row("exclude of every point", H + "grid: {d: [1]}\nexclude:\n  - {d: 1}", "exclude", "at least one point"),
                row("exclude value of the wrong type", H + "grid: {d: [1, 2]}\nexclude:\n  - {d: big}", "exclude[0].d", "an integer"),
                row("not a map", "- a\n- b\n", "test.yaml", "a YAML map"),
                row("empty document", "", "test.yaml", "a YAML map"),
                row("two documents", H + "---\nname: u\n", "test.yaml", "a single YAML document"),
                row("missing name", "grid: {d: [1]}", "name", "[A-Za-z0-9_.-]+"),
                row("name with a slash", "name: a/b", "name", "[A-Za-z0-9_.-]+"),
                row("name of dots", "name: '..'", "name", "not . or .."),
                row("description not a string", H + "description: [1, 2]", "description", "a string"),
                row("malformed YAML", H + "grid: {d: [1, 2}", "grid.d", "well-formed YAML"),
                // refine: (DESIGN 4.7)
                row("refine not a map", RG + "refine: [step_size]", "refine", "a map with key"),
                row("refine with an unknown key", RG + "refine: {key: step_size, round: 3}", "refine.round", "did you mean rounds?"),
                row("refine without a key", RG + "refine: {rounds: 3}", "refine.key", "a real-valued grid key"),
                row("refine of an empty map", RG + "refine: {}", "refine.key", "a real-valued grid key with at least two values, all > 0: step_size"),
                row("refine key not a run key", RG + "refine: {key: stepsize, rounds: 3}", "refine.key", "did you mean step_size?"),
                row("refine key of integer type", RG + "refine: {key: d, rounds: 3}", "refine.key", "a real-valued grid key"),
                row("refine key that is the seed", RG + "refine: {key: seed, rounds: 3}", "refine.key", "a real-valued grid key"),
                row("refine key that is fixed", RG + "fixed: {noise: 0.1}\nrefine: {key: noise, rounds: 3}", "refine.key",
                        "grid key with at least two values, all > 0: step_size"),
                row("refine key not given anywhere", RG + "refine: {key: init_scale, rounds: 3}", "refine.key", "all > 0: step_size"),
                row("refine key in a zip group", H + "grid: {seed: [0, 1]}\nzip:\n  - {step_size: [0.1, 0.2], n: [10, 20]}\n"
                        + "refine: {key: step_size, rounds: 3}", "refine.key", "(this grid has none)"),
                row("refine with the seed zipped", H + "grid: {step_size: [0.1, 1.0]}\nzip:\n  - {seed: [0, 1], n: [10, 20]}\n"
                        + "refine: {key: step_size, rounds: 3}", "zip[0].seed", "seed as a grid axis of its own when refining"),
                row("refine key with one grid value", H + "grid: {step_size: [0.1], seed: [0, 1]}\nrefine: {key: step_size, rounds: 2}",
                        "refine.key", "a bracket needs a passing and a failing value"),
                row("refine key with a value <= 0", H + "grid: {a_center: [-0.5, 0.5]}\nrefine: {key: a_center, rounds: 2}",
                        "refine.key", "relative widths are taken against the lower end"),
                row("exclude rule on the refine key", RG + "exclude:\n  - {step_size: 0.3, d: 4}\nrefine: {key: step_size, rounds: 3}",
                        "exclude[0].step_size", "exclude rules on the other varying keys only"),
                row("refine scale unknown", RG + "refine: {key: step_size, scale: geometric, rounds: 3}", "refine.scale", "one of [log, linear]"),
                row("refine criterion unknown", RG + "refine: {key: step_size, criterion: converged, rounds: 3}", "refine.criterion",
                        "one of [all_converged, converged_fraction]"),
                row("refine threshold with all_converged", RG + "refine: {key: step_size, threshold: 0.5, rounds: 3}", "refine.threshold",
                        "no threshold with all_converged"),
                row("refine converged_fraction without a threshold", RG + "refine: {key: step_size, criterion: converged_fraction, rounds: 3}",
                        "refine.threshold", "a finite number > 0 and <= 1"),
                row("refine threshold above 1", RG + "refine: {key: step_size, criterion: converged_fraction, threshold: 1.5, rounds: 3}",
                        "refine.threshold", "a finite number > 0 and <= 1"),
                row("refine threshold of 0", RG + "refine: {key: step_size, criterion: converged_fraction, threshold: 0, rounds: 3}",
                        "refine.threshold", "a finite number > 0"),
                row("refine without rounds or target", RG + "refine: {key: step_size}", "refine", "at least one of refine.rounds"),
                row("refine rounds of 0", RG + "refine: {key: step_size, rounds: 0}", "refine.rounds", "an integer >= 1 and <= 64"),
                row("refine rounds not an integer", RG + "refine: {key: step_size, rounds: 2.5}", "refine.rounds", "an integer"),
                row("refine target width of 0", RG + "refine: {key: step_size, target_width: 0}", "refine.target_width", "a finite number >="),
                row("refine target width below the least", RG + "refine: {key: step_size, target_width: 1.0e-9}", "refine.target_width",
                        "a finite number >="),
                row("refine target width .inf", RG + "refine: {key: step_size, target_width: .inf}", "refine.target_width", "a finite number"),
                row("refine points per round of 0", RG + "refine: {key: step_size, rounds: 2, points_per_round: 0}",
                        "refine.points_per_round", "an integer >= 1 and <= 64"),
                row("refine points per round too many", RG + "refine: {key: step_size, rounds: 2, points_per_round: 65}",
                        "refine.points_per_round", "an integer >= 1 and <= 64"));
    }

    private static Arguments row(String name, String yaml, String path, String allowedFragment) {
        return Arguments.of(name, yaml, path, allowedFragment);
    }

    /** k0 is a list; each k_i is a list holding one alias to k_{i-1}: the 51st alias is k51[0]. */
    private static String aliasChain(int n) {
        StringBuilder b = new StringBuilder(H).append("k0: &k0 [lol]\n");
        for (int i = 1; i < n; i++) {
            b.append("k").append(i).append(": &k").append(i).append(" [*k").append(i - 1).append("]\n");
        }
        return b.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusedWithPathAndAllowed(String name, String yaml, String path, String allowedFragment) {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(yaml, "test.yaml", List.of()));
        assertRefusal(e, path, allowedFragment);
    }

    static void assertRefusal(SpecException e, String path, String allowedFragment) {
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.allowed().contains(allowedFragment), "allowed should contain '" + allowedFragment + "': " + e.getMessage());
        assertEquals(e.path() + ": found " + e.found() + "; allowed: " + e.allowed(), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), "no exception class in the message: " + e.getMessage());
        assertFalse(e.getMessage().contains("\tat "), "no stack trace in the message: " + e.getMessage());
        assertTrue(e.getMessage().length() < 2000, "a message of reasonable length: " + e.getMessage().length());
    }

    @Test
    void atLeastThirtyRows() {
        assertTrue(malformed().count() >= 30);
    }

    @Test
    void duplicateKeysInAFile() {
        SpecException e = assertThrows(SpecException.class,
                () -> SpecParser.parse(SpecTestSupport.resource("bad/duplicate-keys.yaml"), List.of()));
        assertRefusal(e, "grid.d", "each key once");
    }

    @Test
    void billionLaughsRefusedQuickly() {
        Path bomb = SpecTestSupport.resource("bad/billion-laughs.yaml");
        SpecException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(SpecException.class, () -> SpecParser.parse(bomb, List.of())));
        // lol0..lol4 expand to 74,000 values; the second alias of lol5 passes the 200,000-value budget
        assertRefusal(e, "lol5[1]", "at most " + SpecParser.MAX_NODES + " values");
    }

    @Test
    void fiftyMegabyteValueRefusedQuickly(@TempDir Path dir) throws IOException {
        StringBuilder big = new StringBuilder(H).append("description: \"");
        big.append("x".repeat(50 << 20)).append("\"\n");
        String text = big.toString();
        SpecException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(SpecException.class, () -> SpecParser.parse(text, "big.yaml", List.of())));
        assertRefusal(e, "big.yaml", "at most " + SpecParser.MAX_CODE_POINTS + " characters");

        Path file = dir.resolve("big.yaml");
        Files.writeString(file, text);
        e = assertThrows(SpecException.class, () -> SpecParser.parse(file, List.of()));
        assertRefusal(e, file.toString(), "at most " + SpecParser.MAX_SPEC_BYTES + " bytes");
    }

    @Test
    void largeValueUnderTheLimitsParses() {
        // 300,000 two-byte characters: a long value, within both limits
        String text = H + "description: \"" + "é".repeat(300_000) + "\"\n";
        assertEquals(300_000, SpecParser.parse(text, "wide.yaml", List.of()).description().length());
    }

    @Test
    void nonUtf8BytesNamedByOffset(@TempDir Path dir) throws IOException {
        byte[] head = (H + "description: caf").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xE9; // Latin-1 e-acute, not UTF-8
        bytes[head.length + 1] = '\n';
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, bytes);
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file, List.of()));
        assertRefusal(e, file.toString(), "a UTF-8 text file");
        assertTrue(e.found().contains("byte offset " + head.length + " (0xe9, line 2)"), e.getMessage());
    }

    @Test
    void directoryRefused(@TempDir Path dir) {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(dir, List.of()));
        assertRefusal(e, dir.toString(), "a YAML spec file");
        assertEquals("a directory", e.found());
    }

    @Test
    void missingFileRefused(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(missing, List.of()));
        assertRefusal(e, missing.toString(), "an existing YAML spec file");
        assertEquals("no such file", e.found());
    }

    @Test
    void largeGridCheckedByDimension() {
        // 1000 x 300 = 300,000 points: over the full-check limit, so each value is checked against the first point
        String yaml = H + "family: linear_deq\njob: {max_grid_size: 1000000}\n"
                + "grid:\n  seed: range(0, 1000)\n  d: range(1, 300)\n  activation: [identity, relu]\n";
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(yaml, "test.yaml", List.of()));
        assertRefusal(e, "grid.activation[1]", "identity");
        assertTrue(e.found().contains("at grid point 1 "), e.getMessage());
    }

    @Test
    void suggestionsUseEditDistance() {
        assertEquals("step_size", KeySuggestions.closest("stepsize", KeySuggestions.runKeyCandidates()));
        assertEquals("activation", KeySuggestions.closest("activaton", KeySuggestions.runKeyCandidates()));
        assertEquals(null, KeySuggestions.closest("zzzzzz", KeySuggestions.runKeyCandidates()));
        assertEquals(3, KeySuggestions.editDistance("kitten", "sitting"));
    }
}

package org.deqsweep.sweep.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.config.RunConfig;

/**
 * Reads a sweep spec (DESIGN 4), applies {@code --set} overrides and refuses anything wrong before
 * any work starts, with a {@link SpecException} naming the path, what was found and what is allowed.
 *
 * <p>Hostile input is refused quickly: the file is at most {@value #MAX_SPEC_BYTES} bytes of strict
 * UTF-8, the YAML parser stops past {@value #MAX_CODE_POINTS} code points, and aliases are expanded
 * by the parser itself (Jackson's streaming parser reports them as their anchor's name) at most
 * {@value #MAX_ALIASES} times and to at most {@value #MAX_NODES} values in all, so a "billion laughs"
 * document stops at once.
 *
 * <p>Overrides are {@code path=value} with the value parsed as YAML flow: {@code grid.d=[8,16]},
 * {@code fixed.n=100}, {@code job.wave_size=50}, {@code name=foo}. {@code grid.KEY} and
 * {@code fixed.KEY} move the key there (removing it from the other sections); a bare run key
 * ({@code step_size=0.1} or {@code forward.tol=1e-8}) replaces it wherever it lives, in the grid, a
 * zip group or fixed, and otherwise goes to fixed.
 *
 * <p>The parser is the entry point of the package's parts, called in this order: {@link SpecYaml}
 * loads the text within the limits below, {@link SpecOverrides} applies the overrides and
 * {@link SpecValidator} checks the result and builds the spec, whose canonical JSON comes from
 * {@link CanonicalSpec}; refusals suggest the nearest key through {@link KeySuggestions}.
 */
public final class SpecParser {

    /**
     * The largest spec file read. Real specs are a few kilobytes; the limit is low because SnakeYAML's
     * time grows faster than linearly in a long scalar (about 1 s for 1 Mi characters, 6 s for 3 Mi).
     */
    public static final int MAX_SPEC_BYTES = 1 << 20;
    /** The YAML parser's code point limit (SnakeYAML LoaderOptions), also checked on the text before parsing. */
    public static final int MAX_CODE_POINTS = 1 << 20;
    /** The most aliases ({@code *name}) a spec may use. */
    public static final int MAX_ALIASES = 50;
    /** The most YAML values a spec may hold once its aliases are expanded. */
    public static final int MAX_NODES = 200_000;
    /** The deepest nesting of maps and lists accepted. */
    public static final int MAX_DEPTH = 32;
    /** Grids up to this many points have every included point checked by {@link RunConfig#fromMap}. */
    public static final long FULL_CHECK_LIMIT = 200_000;

    private SpecParser() {
    }

    /**
     * Reads, overrides and validates a spec file.
     *
     * @param file         a readable YAML file of at most {@value #MAX_SPEC_BYTES} bytes of UTF-8
     * @param setOverrides {@code path=value} overrides applied in order (may be empty)
     * @throws SpecException for anything wrong, the file itself included (missing, a directory, not UTF-8)
     */
    public static SweepSpec parse(Path file, List<String> setOverrides) {
        return parse(SpecYaml.readFile(file), file.toString(), setOverrides);
    }

    /**
     * Parses, overrides and validates a spec given as text.
     *
     * @param yamlText   the spec
     * @param sourceName where it came from, for messages and the manifest
     * @param overrides  {@code path=value} overrides applied in order (may be empty)
     * @throws SpecException for anything wrong
     */
    public static SweepSpec parse(String yamlText, String sourceName, List<String> overrides) {
        Map<String, Object> map = SpecYaml.load(yamlText, sourceName);
        List<String> applied = overrides == null ? List.of() : List.copyOf(overrides);
        for (String o : applied) {
            SpecOverrides.apply(map, o);
        }
        return SpecValidator.validate(map, sourceName, yamlText, applied);
    }

    // ---------------------------------------------------------------- suggestions (KeySuggestions)
}

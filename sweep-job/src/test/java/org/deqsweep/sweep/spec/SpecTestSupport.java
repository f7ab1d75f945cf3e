package org.deqsweep.sweep.spec;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** Helpers shared by the spec tests. */
final class SpecTestSupport {

    private SpecTestSupport() {
    }

    /** Parses spec text with no overrides. */
    static SweepSpec parse(String yaml) {
        return SpecParser.parse(yaml, "test.yaml", List.of());
    }

    static SweepSpec parse(String yaml, String... overrides) {
        return SpecParser.parse(yaml, "test.yaml", List.of(overrides));
    }

    /** A test resource under specs/ as a path. */
    static Path resource(String name) {
        try {
            return Path.of(SpecTestSupport.class.getResource("/specs/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource specs/" + name, e);
        }
    }

    /** The values of one grid axis. */
    static List<Object> axis(SweepSpec spec, String key) {
        return spec.grid().stream().filter(a -> a.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no grid axis " + key + " in " + spec.grid())).values();
    }
}

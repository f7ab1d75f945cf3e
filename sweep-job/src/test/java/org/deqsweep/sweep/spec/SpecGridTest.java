package org.deqsweep.sweep.spec;

import static org.deqsweep.sweep.spec.SpecTestSupport.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deqsweep.core.config.RunConfig;
import org.junit.jupiter.api.Test;

/** Mixed-radix numbering of the grid (DESIGN 5): decode, zip groups, exclusions, serialisation. */
class SpecGridTest {

    private static final String SMALL = String.join("\n",
            "name: small",
            "grid:",
            "  d: [2, 3, 4]",
            "  activation: [tanh, relu]",
            "zip:",
            "  - {n: [10, 20], max_steps: [5, 7]}",
            "fixed: {width: 2, seed: 9}",
            "");

    @Test
    void decodeCoversEveryCombinationExactlyOnce() {
        Grid g = parse(SMALL).toGrid();
        assertEquals(12, g.size());
        Set<List<Object>> seen = new HashSet<>();
        for (long i = 0; i < g.size(); i++) {
            Map<String, Object> p = g.point(i);
            assertEquals(2, p.get("width"));
            assertEquals(9L, p.get("seed"));
            assertTrue(seen.add(List.of(p.get("d"), p.get("activation"), p.get("n"), p.get("max_steps"))), "point " + i + " repeated");
        }
        Set<List<Object>> expected = new HashSet<>();
        for (int d : new int[] {2, 3, 4}) {
            for (String a : new String[] {"tanh", "relu"}) {
                expected.add(List.of(d, a, 10, 5));
                expected.add(List.of(d, a, 20, 7));
            }
        }
        assertEquals(expected, seen);
    }

    @Test
    void lastDimensionVariesFastest() {
        Grid g = parse(SMALL).toGrid();
        assertEquals(Map.of("d", 2, "activation", "tanh", "n", 10, "max_steps", 5), g.varying(0));
        assertEquals(Map.of("d", 2, "activation", "tanh", "n", 20, "max_steps", 7), g.varying(1));
        assertEquals(Map.of("d", 2, "activation", "relu", "n", 10, "max_steps", 5), g.varying(2));
        assertEquals(Map.of("d", 3, "activation", "tanh", "n", 10, "max_steps", 5), g.varying(4));
        assertEquals(Map.of("d", 4, "activation", "relu", "n", 20, "max_steps", 7), g.varying(11));
        for (long i = 0; i < g.size(); i++) {
            assertEquals(i, g.index(g.digits(i, null)));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> g.point(12));
        assertThrows(IndexOutOfBoundsException.class, () -> g.point(-1));
    }

    @Test
    void zipValuesStayPaired() {
        Grid g = parse(SMALL).toGrid();
        for (long i = 0; i < g.size(); i++) {
            Map<String, Object> p = g.point(i);
            assertEquals(p.get("n").equals(10) ? 5 : 7, p.get("max_steps"), "n and max_steps move together at " + i);
        }
        assertEquals(List.of("d", "activation", "n", "max_steps"), g.varyingKeys());
    }

    @Test
    void excludeDropsMatchingPointsOnly() {
        SweepSpec s = parse(SMALL + "exclude:\n  - {activation: relu, d: 4}\n  - {n: 20, d: 2}\n");
        Grid g = s.toGrid();
        assertEquals(12, g.size(), "size counts excluded points");
        long included = 0;
        for (long i = 0; i < g.size(); i++) {
            Map<String, Object> p = g.point(i);
            boolean drop = p.get("activation").equals("relu") && p.get("d").equals(4)
                    || p.get("n").equals(20) && p.get("d").equals(2);
            assertEquals(drop, g.excluded(i), "point " + i + " " + p);
            included += drop ? 0 : 1;
        }
        assertEquals(12 - 2 - 2, included);
        assertEquals(included, g.countIncluded());
        assertEquals(0, g.firstIncluded());
    }

    @Test
    void excludeValueNotInTheGridMatchesNothing() {
        SweepSpec s = parse(SMALL + "exclude:\n  - {activation: sigmoid}\n");
        assertEquals(12, s.toGrid().countIncluded());
    }

    @Test
    void configsAreDistinctRunsAndSerialisationKeepsThem() throws Exception {
        Grid g = parse(SMALL).toGrid();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(g);
        }
        assertTrue(bytes.size() < 4096, "a grid ships small: " + bytes.size() + " bytes");
        Grid copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Grid) in.readObject();
        }
        Set<String> ids = new HashSet<>();
        for (long i = 0; i < g.size(); i++) {
            RunConfig c = g.config(i);
            assertEquals(c, copy.config(i));
            assertEquals(g.point(i).get("d"), c.d());
            ids.add(c.runId());
        }
        assertEquals(12, ids.size());
    }

    @Test
    void noVaryingKeyIsOnePoint() {
        Grid g = parse("name: one\nfixed: {d: 3}\n").toGrid();
        assertEquals(1, g.size());
        assertEquals(3, g.config(0).d());
        assertEquals(List.of(), g.varyingKeys());
    }

    @Test
    void bigGridDecodesWithoutMaterialising() {
        SweepSpec s = parse("name: big\ngrid:\n  seed: range(0, 1000)\n  d: range(1, 1001)\n  step_size: logspace(1e-4, 1, 5)\n"
                + "job: {max_grid_size: 10000000}\n");
        Grid g = s.toGrid();
        assertEquals(5_000_000L, g.size());
        long last = g.size() - 1;
        assertEquals(Map.of("seed", 999L, "d", 1000, "step_size", 1.0), g.varying(last));
        List<Object> mid = new ArrayList<>(g.varying(2_345_678).values());
        assertEquals(List.of(469L, 136, 0.1), mid);
    }

    @Test
    void zipMayRepeatAValueInOneKeyButNotATuple() {
        // width 8 twice, paired with different step sizes: two distinct points
        Grid g = parse(String.join("\n", "name: z", "grid:", "  seed: [0, 1]", "zip:",
                "  - {width: [8, 8, 16], step_size: [0.1, 0.2, 0.1]}", "fixed: {d: 2}", "")).toGrid();
        assertEquals(6, g.size());
        assertEquals(false, g.repeatsPoints());
        Set<String> ids = new HashSet<>();
        for (long i = 0; i < g.size(); i++) {
            assertTrue(ids.add(g.config(i).runId()), "point " + i + " has another point's run_id");
        }
        SpecException e = assertThrows(SpecException.class, () -> parse(String.join("\n", "name: z", "grid:", "  seed: [0]",
                "zip:", "  - {width: [8, 8], step_size: [0.1, 0.1]}", "")));
        assertTrue(e.getMessage().contains("zip[0][1]") && e.getMessage().contains("distinct combinations"), e.getMessage());
    }

    @Test
    void repeatsPointsSeesARepeatedTupleThatBypassedTheParser() {
        SweepSpec ok = parse(SMALL);
        assertEquals(false, ok.toGrid().repeatsPoints());
        SweepSpec.ZipGroup z = ok.zip().get(0);
        SweepSpec.ZipGroup twice = new SweepSpec.ZipGroup(List.of(new SweepSpec.Axis("n", List.of(10, 10)),
                new SweepSpec.Axis("max_steps", List.of(5, 5))));
        SweepSpec bad = new SweepSpec(ok.name(), ok.description(), ok.grid(), List.of(twice), ok.exclude(), ok.fixed(), ok.job(),
                ok.refine(), ok.sourceName(), ok.rawText(), ok.overrides(), ok.canonicalJson());
        assertTrue(bad.toGrid().repeatsPoints());
        assertEquals(2, z.axes().size());
    }
}

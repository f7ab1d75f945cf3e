package org.deqsweep.sweep.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqsweep.sweep.refine.Refine;

/**
 * A parsed and validated sweep spec (DESIGN 4): every value already coerced to its key's type
 * (Integer, Long, Double, String or Boolean, flat run keys such as {@code forward_tol}). Made only by
 * {@link SpecParser}, which refuses a bad spec before any work; {@link #toGrid()} gives the
 * executors' view.
 *
 * @param name          the sweep's name, {@code [A-Za-z0-9_.-]+}; output goes to {@code <out>/<name>/}
 * @param description   free text, or null
 * @param grid          the crossed dimensions, in spec order (the last varies fastest)
 * @param zip           groups of keys that vary together; each group is one dimension after the grid's
 * @param exclude       partial points: a point matching every entry of one of them is dropped
 * @param fixed         everything else, the same for every run (including the top-level family)
 * @param job           execution settings
 * @param refine        the {@code refine:} section (DESIGN 4.7), or null when the spec refines nothing
 * @param sourceName    where the spec came from (a file path or a name given by the caller)
 * @param rawText       the spec text as read, before --set overrides, for the manifest
 * @param overrides     the --set overrides applied, in order
 * @param canonicalJson the resolved spec as JSON (fixed and exclude keys sorted), for the manifest
 */
public record SweepSpec(String name, String description, List<Axis> grid, List<ZipGroup> zip,
                        List<Map<String, Object>> exclude, Map<String, Object> fixed, Job job,
                        Refine refine, String sourceName, String rawText, List<String> overrides, String canonicalJson) {

    /** Top-level keys of a spec, in the order they are documented. */
    public static final List<String> TOP_LEVEL_KEYS =
            List.of("name", "description", "family", "grid", "zip", "exclude", "fixed", "job", "refine");

    public SweepSpec {
        grid = List.copyOf(grid);
        zip = List.copyOf(zip);
        List<Map<String, Object>> ex = new ArrayList<>();
        for (Map<String, Object> e : exclude) {
            ex.add(Collections.unmodifiableMap(new LinkedHashMap<>(e)));
        }
        exclude = Collections.unmodifiableList(ex);
        fixed = Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
        overrides = List.copyOf(overrides);
    }

    /**
     * One key with its list of values.
     *
     * @param key    a flat run key ({@code forward_tol}, not {@code forward.tol})
     * @param values the coerced values, at least one
     */
    public record Axis(String key, List<Object> values) {
        public Axis {
            values = Collections.unmodifiableList(new ArrayList<>(values));
        }

        public int size() {
            return values.size();
        }
    }

    /** Keys that vary together: the i-th point of the group takes the i-th value of every axis. */
    public record ZipGroup(List<Axis> axes) {
        public ZipGroup {
            axes = List.copyOf(axes);
        }

        /** The common length of the group's value lists. */
        public int size() {
            return axes.get(0).size();
        }

        public List<String> keys() {
            return axes.stream().map(Axis::key).toList();
        }
    }

    /**
     * Execution settings ({@code job:} section).
     *
     * @param partitions   Spark partitions, or null to derive them from the cores and tasksPerCore
     * @param tasksPerCore partitions per core when {@code partitions} is not given (default 4)
     * @param waveSize     grid points written per wave; 0 = automatic (default)
     * @param maxGridSize  the largest grid accepted (default 1,000,000), counting excluded points
     * @param recordCurves whether the curves table is written (default true)
     */
    public record Job(Integer partitions, int tasksPerCore, int waveSize, long maxGridSize, boolean recordCurves) {
        public static final Job DEFAULTS = new Job(null, 4, 0, 1_000_000L, true);
    }

    /** The model family when it is the same for every run, else null (it varies in the grid or a zip group). */
    public String family() {
        return (String) fixed.get("family");
    }

    /** The keys that vary: the grid's, then each zip group's, in dimension order. */
    public List<String> varyingKeys() {
        List<String> keys = new ArrayList<>();
        for (Axis a : grid) {
            keys.add(a.key());
        }
        for (ZipGroup z : zip) {
            keys.addAll(z.keys());
        }
        return keys;
    }

    /** The executors' compact view: dimensions, fixed values and exclusions, never the points. */
    public Grid toGrid() {
        return Grid.of(this);
    }
}

package org.deqsweep.sweep.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deqsweep.sweep.refine.Criterion;
import org.deqsweep.sweep.refine.Refine;

/**
 * The canonical JSON of a resolved spec, {@link SweepSpec#canonicalJson()} (the manifest's
 * {@code spec.resolved}): coerced values under flat run keys, grid and zip in spec order, fixed and
 * exclude keys sorted, every job setting present and, when the spec has one, every refine setting, so
 * two spellings of one spec give the same bytes.
 */
final class CanonicalSpec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CanonicalSpec() {
    }

    static String json(String name, String desc, List<SweepSpec.Axis> grid, List<SweepSpec.ZipGroup> zip,
                       List<Map<String, Object>> exclude, Map<String, Object> fixed, SweepSpec.Job job, Refine refine) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", desc);
        List<Object> g = new ArrayList<>();
        for (SweepSpec.Axis a : grid) {
            g.add(axisJson(a));
        }
        m.put("grid", g);
        List<Object> z = new ArrayList<>();
        for (SweepSpec.ZipGroup zg : zip) {
            List<Object> axes = new ArrayList<>();
            zg.axes().forEach(a -> axes.add(axisJson(a)));
            z.add(axes);
        }
        m.put("zip", z);
        List<Object> ex = new ArrayList<>();
        exclude.forEach(e -> ex.add(new TreeMap<>(e)));
        m.put("exclude", ex);
        m.put("fixed", new TreeMap<>(fixed));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("partitions", job.partitions());
        j.put("tasks_per_core", job.tasksPerCore());
        j.put("wave_size", job.waveSize());
        j.put("max_grid_size", job.maxGridSize());
        j.put("record_curves", job.recordCurves());
        m.put("job", j);
        if (refine != null) {
            // only when given, so the canonical form of a spec without refinement is what it always was
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("key", refine.key());
            r.put("scale", refine.scale().key());
            r.put("criterion", refine.criterion().key());
            r.put("threshold", refine.criterion() == Criterion.CONVERGED_FRACTION ? refine.threshold() : null);
            r.put("rounds", refine.rounds());
            r.put("target_width", refine.targetWidth());
            r.put("points_per_round", refine.pointsPerRound());
            m.put("refine", r);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a spec of plain values always serialises", e);
        }
    }

    private static Map<String, Object> axisJson(SweepSpec.Axis a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", a.key());
        m.put("values", a.values());
        return m;
    }
}

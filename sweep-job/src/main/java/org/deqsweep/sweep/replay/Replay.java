package org.deqsweep.sweep.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.deqsweep.core.config.ConfigSchema;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.model.Init;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.RunTrace;
import org.deqsweep.core.train.Runner;

/**
 * Replays one run of a sweep (DESIGN 5: a run is reproducible from its config alone): the config of its
 * runs row, the run again in this JVM with its full per-step trace, and the row's status, steps, initial
 * and final loss against the replay's, bit for bit. The {@code replay} command prints what this finds.
 */
public final class Replay {

    /** One compared field: the sweep's value, the replay's, and whether they are equal (bitwise for doubles). */
    public record Check(String field, Object sweep, Object replay, boolean ok) {
    }

    /** A replayed run: its data, initial and trained parameters, every step's loss, and its result. */
    public record Rerun(Dataset data, Params initial, Params trained, RunTrace trace, RunResult result) {
    }

    private Replay() {
    }

    /** Runs {@code cfg} from its own data and initialisation, keeping the whole trace. */
    public static Rerun rerun(RunConfig cfg) {
        Dataset data = new DataFactory(cfg).dataset();
        Params init = Init.params(cfg);
        Params initial = init.copy();
        RunTrace trace = new RunTrace();
        RunResult r = Runner.run(cfg, data, init, trace);
        return new Rerun(data, initial, init, trace, r);
    }

    /** The config map of a runs row: every {@link ConfigSchema} key present as a column with a value. */
    public static Map<String, Object> configOf(Row row, List<String> columns) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            int i = columns.indexOf(f.key());
            if (i >= 0 && !row.isNullAt(i)) {
                m.put(f.key(), row.get(i));
            }
        }
        return m;
    }

    /** Status, steps, loss_initial and loss_final of the row against the replay (NULL in the table is NaN). */
    public static List<Check> compare(Row row, List<String> columns, RunResult r) {
        List<Check> out = new ArrayList<>();
        String st = (String) value(row, columns, ResultFields.STATUS);
        out.add(new Check(ResultFields.STATUS, st, r.status().name(), Objects.equals(st, r.status().name())));
        Object steps = value(row, columns, ResultFields.STEPS);
        Long s = steps == null ? null : ((Number) steps).longValue();
        out.add(new Check(ResultFields.STEPS, s, r.steps(), s != null && s == r.steps()));
        out.add(doubleCheck(ResultFields.LOSS_INITIAL, value(row, columns, ResultFields.LOSS_INITIAL), r.lossInitial()));
        out.add(doubleCheck(ResultFields.LOSS_FINAL, value(row, columns, ResultFields.LOSS_FINAL), r.lossFinal()));
        return out;
    }

    private static Check doubleCheck(String name, Object sweep, double replay) {
        double a = sweep == null ? Double.NaN : ((Number) sweep).doubleValue();
        return new Check(name, a, replay, Double.doubleToLongBits(a) == Double.doubleToLongBits(replay));
    }

    private static Object value(Row row, List<String> columns, String name) {
        int i = columns.indexOf(name);
        return i < 0 || row.isNullAt(i) ? null : row.get(i);
    }
}

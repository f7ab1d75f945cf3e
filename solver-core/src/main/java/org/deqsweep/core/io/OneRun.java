package org.deqsweep.core.io;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.config.ConfigException;
import org.deqsweep.core.config.RunConfig;
import org.deqsweep.core.data.DataFactory;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.model.Init;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.train.RunResult;
import org.deqsweep.core.train.RunTrace;
import org.deqsweep.core.train.Runner;

/**
 * Trains one config and prints its result as JSON (issue 2, item 8).
 * <pre>
 *   java -cp solver-core.jar:... org.deqsweep.core.io.OneRun CONFIG.yaml|json [--dump FILE] [--data FILE] [--init FILE]
 * </pre>
 * {@code --dump} writes config, data (x rows, y), initial parameters (A, W, b, v), the loss at every step
 * and the final parameters, so the run can be replayed in NumPy; {@code --data} (that JSON layout or CSV
 * with the target last) and {@code --init} (the A, W, b, v layout, or a dump) start from given data and
 * parameters. Exit status 0 whatever the run's status; 2 for bad arguments or input, with a message.
 */
public final class OneRun {
    private OneRun() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The command without System.exit, for tests: returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String config = null;
        Path dump = null;
        Path dataFile = null;
        Path initFile = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--dump": dump = Path.of(value(args, ++i, a)); break;
                    case "--data": dataFile = Path.of(value(args, ++i, a)); break;
                    case "--init": initFile = Path.of(value(args, ++i, a)); break;
                    case "-h":
                    case "--help":
                        out.println(usage());
                        return 0;
                    default:
                        if (a.startsWith("-") || config != null) {
                            throw new IllegalArgumentException("unexpected argument '" + a + "'");
                        }
                        config = a;
                }
            }
            if (config == null) {
                throw new IllegalArgumentException("no config file given");
            }
        } catch (IllegalArgumentException e) {
            err.println("one-run: " + e.getMessage() + "\n" + usage());
            return 2;
        }
        RunConfig cfg;
        Dataset data = null;
        Params init = null;
        try {
            Map<String, Object> raw = JsonIo.readMap(Path.of(config));
            if (raw.get("config") instanceof Map<?, ?> nested && raw.containsKey("trajectory")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> c = (Map<String, Object>) nested;
                raw = c; // a dump file replays its own config
            }
            cfg = RunConfig.fromMap(raw);
            if (dataFile != null) {
                data = dataFile.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? JsonIo.csv(dataFile)
                        : JsonIo.dataset(JsonIo.readMap(dataFile), dataFile.toString());
                if (data.d() != cfg.d() || data.n() != cfg.n()) {
                    throw new IllegalArgumentException(dataFile + ": data has n = " + data.n() + ", d = " + data.d()
                            + " but the config says n = " + cfg.n() + ", d = " + cfg.d() + "; set n and d to match the data");
                }
            }
            if (initFile != null) {
                init = JsonIo.params(JsonIo.readMap(initFile), initFile.toString(), cfg.width(), cfg.d());
            }
        } catch (ConfigException e) {
            err.println("one-run: bad config " + config + ": " + e.getMessage());
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            err.println("one-run: " + e.getMessage());
            return 2;
        }
        DataFactory factory = new DataFactory(cfg);
        if (data == null) {
            data = factory.dataset();
        }
        if (init == null) {
            init = Init.params(cfg);
        }
        Params initial = init.copy();
        RunTrace trace = dump == null ? null : new RunTrace();
        RunResult result = Runner.run(cfg, data, init, trace);
        try {
            if (dump != null) {
                writeDump(dump, cfg, data, initial, init, trace, result);
            }
            out.println(JsonIo.JSON.writeValueAsString(JsonIo.result(result)));
        } catch (IOException e) {
            err.println("one-run: cannot write " + dump + ": " + e.getMessage());
            return 2;
        }
        return 0;
    }

    /**
     * Writes the dump JSON (config, data, initial parameters, per-step trajectory, final parameters, result
     * without its curve) atomically to {@code dump}. Public so that sweep-job's replay command writes the
     * same file as {@code --dump} here.
     *
     * @param initial Input: the parameters before training (not modified)
     * @param last Input: the parameters after training (not modified)
     * @param trace Input: the full per-step trace the run recorded
     */
    public static void writeDump(Path dump, RunConfig cfg, Dataset data, Params initial, Params last, RunTrace trace,
                                 RunResult result) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", cfg.values());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("x", JsonIo.rows(data.x()));
        d.put("y", JsonIo.vector(data.y()));
        m.put("data", d);
        m.put("init", JsonIo.params(initial));
        List<Map<String, Object>> traj = new ArrayList<>(trace.size());
        for (int i = 0; i < trace.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            double s = trace.step(i);
            row.put("step", s == Math.rint(s) ? (Object) (long) s : (Object) s);
            row.put("time", JsonIo.num(trace.time(i)));
            row.put("loss", JsonIo.num(trace.loss(i)));
            traj.add(row);
        }
        m.put("trajectory", traj);
        m.put("final", JsonIo.params(last));
        Map<String, Object> res = JsonIo.result(result);
        res.remove("curve");
        m.put("result", res);
        Path parent = dump.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = Files.createTempFile(parent, ".dump", ".json");
        try {
            Files.write(tmp, JsonIo.JSON.writeValueAsString(m).getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, dump, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a file name");
        }
        return args[i];
    }

    static String usage() {
        return "usage: one-run CONFIG.yaml|CONFIG.json [--dump FILE.json] [--data FILE.json|FILE.csv] [--init FILE.json]";
    }
}

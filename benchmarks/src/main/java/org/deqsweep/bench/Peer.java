package org.deqsweep.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deqsweep.core.io.JsonIo;

/**
 * The NumPy peer ({@code benchmarks/peer/peer_numpy.py --serve}) training one dump on request, with
 * single-threaded BLAS: one training per {@link #run}, then its result file at {@link #finish}.
 */
final class Peer {
    private final Process process;
    private final BufferedReader from;
    private final Writer to;
    private final Path out;

    private Peer(Process process, Path out) {
        this.process = process;
        this.out = out;
        this.from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.to = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts the peer on {@code dump} for {@code steps} steps and runs its warm-up training. */
    static Peer start(String python, Path script, Path dump, Path out, long steps) throws IOException {
        Files.deleteIfExists(out);
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), dump.toString(), "--out", out.toString(), "--serve",
                "--steps", Long.toString(steps));
        for (String v : new String[] {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
            pb.environment().put(v, "1");
        }
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Peer p = new Peer(pb.start(), out);
        p.run();
        return p;
    }

    /** One training: {wall s, thread CPU s}. */
    double[] run() throws IOException {
        return CoreBenchmark.peerRun(to, from);
    }

    /** Ends the peer: its result (losses, iteration counts), or null when it failed. */
    Map<String, Object> finish() throws IOException, InterruptedException {
        to.write("quit\n");
        to.flush();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        return process.exitValue() != 0 || !Files.exists(out) ? null : JsonIo.readMap(out);
    }

    /** The exit status of the ended peer. */
    int exitValue() {
        return process.exitValue();
    }

    /** The loss at every step of a peer result (NaN for a JSON null). */
    static double[] losses(Map<String, Object> result) {
        @SuppressWarnings("unchecked")
        List<Object> pl = (List<Object>) result.get("loss");
        double[] l = new double[pl.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = pl.get(i) == null ? Double.NaN : ((Number) pl.get(i)).doubleValue();
        }
        return l;
    }
}

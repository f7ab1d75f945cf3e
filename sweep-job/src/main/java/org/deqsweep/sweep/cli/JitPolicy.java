package org.deqsweep.sweep.cli;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * The JIT policy of a command's own JVM (DESIGN 5.6): Spark and the libraries it brings (Scala, Janino,
 * Parquet, Hadoop, Netty, Jackson, ANTLR, Kryo), and the JDK packages only Spark leans on
 * ({@link #JDK_FOR_SPARK}), are compiled by C1 only; the rest of the JDK and the numerics keep C2. A cold quickstart spent 37 s of CPU in the JIT, 30 s of it in C2, on the two cores the runs need;
 * most of that compiled Spark code that runs for seconds. Measured by bench-fanout (three runs, one per
 * policy): cold commands of 216 and 864 runs took 45.8 and 93.4 s with the JVM's own policy and 31.4 and
 * 70.0 s with this one, and a warm sweep of 864 runs on local[2] 51.1 and 51.8 s. A stricter policy
 * (C2 only for org.deqsweep, EJML and the JDK's maths) was as fast cold but took 78.3 s warm: it left
 * the JDK code the runs share at C1. Installed through the JVM's diagnostic command
 * {@code Compiler.directives_add} (what {@code jcmd PID Compiler.directives_add} does), which needs no
 * launcher flag, works under spark-submit too and prints nothing. Executors of a cluster keep the JVM's
 * own policy: they live long enough for C2 to pay. {@code DEQ_JIT=default} leaves the policy alone.
 */
public final class JitPolicy {
    /**
     * The JDK's packages that serve Spark and not the runs (serialization, class loading and definition,
     * method handles and lambda spinning, regex, formatting, locales, zip and jar, net, security, NIO,
     * concurrency, time, text): a cold quickstart spent 9 of its 14.8 s of C2 on JDK code, most of it
     * here, and a fresh JVM still spent 6.8 s of C2 in its first sweep after a plain loop had warmed the
     * numerics. java/lang's core classes, java/util's collections and Arrays, and java/lang/Math keep C2:
     * the numerics inline them, and a method C2 may not compile is not inlined into C2 code either.
     */
    static final String[] JDK_FOR_SPARK = {"java/io/*.*", "java/util/regex/*.*", "java/lang/invoke/*.*", "java/lang/reflect/*.*",
        "java/lang/ref/*.*", "jdk/internal/org/*.*", "jdk/internal/loader/*.*", "jdk/internal/reflect/*.*", "jdk/internal/math/*.*",
        "jdk/internal/misc/*.*", "jdk/internal/ref/*.*", "java/util/Formatter*.*", "java/util/zip/*.*", "java/util/jar/*.*",
        "java/util/concurrent/*.*", "java/net/*.*", "java/nio/*.*", "java/security/*.*", "java/time/*.*", "java/text/*.*",
        "javax/*.*", "jdk/jfr/*.*", "sun/*.*", "java/util/Locale*.*"};

    /**
     * The solver core's code that runs once per run, not per step: the run config (parsing, canonical
     * JSON, run_id and stream seeds), its I/O, the runner and the run's result. A fresh JVM's sweep of the
     * 864-run grid spent 1.0 s of C2 on RunConfig and ConfigSchema alone, for code that then runs 864
     * times; the model, solvers, maths and the training loop keep C2.
     */
    static final String[] CORE_PER_RUN = {"org/deqsweep/core/config/*.*", "org/deqsweep/core/io/*.*",
        "org/deqsweep/core/train/Runner.*", "org/deqsweep/core/train/RunResult*.*", "org/deqsweep/core/train/ResultFields.*",
        "org/deqsweep/core/train/MemoryEstimate.*"};

    /**
     * Methods compiled on their own and never inlined into their callers: the activation's element-wise
     * loops, the Anderson mixing step and the adjoint's shared-factorization test. Each holds a branch that
     * depends on the run (the activation; a row that must leave the batched mixing; rows that differ), so
     * the first run to take it deoptimises the compiled code it sits in. Inlined, that code was
     * DeqObjective.evaluate, AndersonCore.solve or DirectAdjointSolver.solve with everything under them,
     * which C2 then compiled again (evaluate 7 to 8 times, 1.4 to 2.0 s of C2, in a fresh 864-run sweep,
     * after a profiled loop predicate on the activation failed). Each is called once per solver iteration
     * or solve on a whole n x m block, so the call itself costs nothing.
     */
    static final String[] OUT_OF_LINE = {"org/deqsweep/core/math/Activation.applyShifted",
        "org/deqsweep/core/math/Activation.derivativeAll", "org/deqsweep/core/solve/AndersonCore.mixAll",
        "org/deqsweep/core/solve/DirectAdjointSolver.rowsIdentical"};

    /** The JVM's "c2 Exclude" for these packages (C1 compiles them at full speed); every other method as usual. */
    static final String DIRECTIVES = "[\n"
            + "  { match: [\"org/apache/*.*\", \"scala/*.*\", \"org/codehaus/*.*\", \"shaded/*.*\", \"org/antlr/*.*\","
            + " \"com/fasterxml/*.*\", \"io/netty/*.*\", \"org/json4s/*.*\", \"com/esotericsoftware/*.*\","
            + " \"com/twitter/*.*\", \"org/roaringbitmap/*.*\", \"org/deqsweep/sweep/*.*\", "
            + java.util.stream.Stream.concat(java.util.Arrays.stream(JDK_FOR_SPARK), java.util.Arrays.stream(CORE_PER_RUN))
                    .map(m -> "\"" + m + "\"").collect(java.util.stream.Collectors.joining(", "))
            + "], c2: { Exclude: true } },\n"
            + "  { match: \"*.*\", inline: [" + java.util.Arrays.stream(OUT_OF_LINE).map(m -> "\"-" + m + "\"")
                    .collect(java.util.stream.Collectors.joining(", ")) + "] }\n"
            + "]\n";

    private JitPolicy() {
    }

    /**
     * Installs {@link #DIRECTIVES} unless DEQ_JIT=default; returns the JVM's answer ("1 compiler directives
     * added"), or why it was not installed. A JVM without the diagnostic command keeps its own policy.
     */
    public static String apply() {
        if ("default".equals(System.getenv("DEQ_JIT"))) {
            return "DEQ_JIT=default: the JVM's own JIT policy";
        }
        Path file = null;
        try {
            file = Files.createTempFile("deq-sweep-jit", ".json");
            Files.writeString(file, DIRECTIVES, StandardCharsets.UTF_8);
            Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            return String.valueOf(answer).trim();
        } catch (Exception | LinkageError e) {
            return "the JVM's own JIT policy (" + e + ")";
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (java.io.IOException ignored) {
                    // a temp file left behind
                }
            }
        }
    }
}

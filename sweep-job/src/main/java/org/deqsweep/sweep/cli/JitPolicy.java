package org.deqsweep.sweep.cli;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * The JIT policy of a command's own JVM (DESIGN 5.6): only the numerics (ours and EJML's, and the JDK
 * maths they call) are compiled by C2; the rest of Spark, Scala, Parquet and the JDK stays at C1. A cold
 * quickstart spent 37 s of CPU in the JIT, 30 s of it in C2 compiling Spark code that runs for seconds,
 * on the two cores the runs need; with this policy, 13 s. Installed through the JVM's diagnostic command
 * {@code Compiler.directives_add} (what {@code jcmd PID Compiler.directives_add} does), which needs no
 * launcher flag and works under spark-submit too. Executors of a cluster keep the JVM's own policy: they
 * live long enough for C2 to pay. {@code DEQ_JIT=default} leaves the policy alone.
 */
public final class JitPolicy {
    /** C2 for these methods; the JVM's "c2 Exclude" for every other method (C1 compiles it at full speed). */
    static final String DIRECTIVES = "[\n"
            + "  { match: [\"org/deqsweep/*.*\", \"org/ejml/*.*\", \"java/lang/Math.*\", \"java/lang/StrictMath.*\","
            + " \"java/lang/Double.*\", \"java/util/Arrays.*\"], c2: { Exclude: false } },\n"
            + "  { match: \"*.*\", c2: { Exclude: true } }\n"
            + "]\n";

    private JitPolicy() {
    }

    /**
     * Installs {@link #DIRECTIVES} unless DEQ_JIT=default; returns the JVM's answer ("2 compiler directives
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

package org.deqsweep.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class JitPolicyTest {
    private static String dcmd(String op) throws Exception {
        return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), op, new Object[] {new String[0]},
                new String[] {String[].class.getName()}));
    }

    @Test
    void theJvmAcceptsTheDirectiveAndExcludesC2ForSparkAndTheJdkCodeOnlySparkUses() throws Exception {
        String answer = JitPolicy.apply();
        try {
            assertEquals("2 compiler directives added", answer);
            String installed = dcmd("compilerDirectivesPrint");
            int spark = installed.indexOf("org/apache/*.*");
            assertTrue(spark >= 0 && installed.contains("scala/*.*") && installed.contains("org/codehaus/*.*"), installed);
            // the numerics (solver-core, EJML) and the JDK code they inline are not in it: they keep C2
            String matching = installed.substring(installed.lastIndexOf("matching:", spark), installed.indexOf('\n', spark));
            assertTrue(!matching.contains("org/deqsweep/core/model") && !matching.contains("org/deqsweep/core/solve")
                    && !matching.contains("org/deqsweep/core/math") && !matching.contains("org/deqsweep/core/train/Trainer")
                    && !matching.contains("org/deqsweep/core/train/*") && !matching.contains("org/deqsweep/core/*")
                    && !matching.contains("org/ejml"), matching);
            // the solver core's once-per-run code (config, I/O, the runner) is C1's
            assertTrue(matching.contains("org/deqsweep/core/config/*.*") && matching.contains("org/deqsweep/core/train/Runner.*"), matching);
            for (String kept : new String[] {"java/lang/*", "java/lang/Math", "java/util/*", "java/util/Arrays", "java/util/ArrayList"}) {
                assertTrue(!matching.contains(kept + ".*") && !matching.contains(kept + "*.*"), kept + " must keep C2: " + matching);
            }
            // the JDK code that serves Spark only: serialization, class definition, method handles
            assertTrue(matching.contains("java/io/*.*") && matching.contains("jdk/internal/loader/*.*")
                    && matching.contains("java/lang/invoke/*.*"), matching);
            // the Spark application's own code runs seconds, with Parquet's and Spark's under it: C1 as they are
            assertTrue(matching.contains("org/deqsweep/sweep/*.*"), matching);
            String c2 = installed.substring(installed.indexOf("c2 directives:", spark));
            assertTrue(c2.replaceAll("\\s+", " ").contains("Exclude:true"), c2);
            // every other method: the run-dependent loops are compiled on their own, not inlined (by C1 or C2)
            String rest = installed.substring(installed.indexOf("matching:", installed.indexOf("c2 directives:", spark)));
            for (String loop : JitPolicy.OUT_OF_LINE) {
                assertTrue(rest.contains("-" + loop), loop + " in " + rest);
            }
        } finally {
            dcmd("compilerDirectivesRemove"); // this JVM runs the other tests: back to its own policy
        }
    }
}

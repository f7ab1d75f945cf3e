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
    void theJvmAcceptsBothDirectivesAndKeepsC2ForTheNumericsOnly() throws Exception {
        String answer = JitPolicy.apply();
        try {
            assertEquals("2 compiler directives added", answer);
            String installed = dcmd("compilerDirectivesPrint");
            assertTrue(installed.contains("org/deqsweep/*.*") && installed.contains("org/ejml/*.*"), installed);
            // the numerics' directive: C2 not excluded; the catch-all after it: C2 excluded
            int numerics = installed.indexOf("org/deqsweep/*.*");
            int catchAll = installed.indexOf("matching: *.*");
            assertTrue(numerics >= 0 && catchAll > numerics, installed);
            String c2Numerics = installed.substring(installed.indexOf("c2 directives:", numerics));
            assertTrue(c2Numerics.replaceAll("\\s+", " ").contains("Exclude:false"), c2Numerics);
            String c2Rest = installed.substring(installed.indexOf("c2 directives:", catchAll));
            assertTrue(c2Rest.replaceAll("\\s+", " ").contains("Exclude:true"), c2Rest);
        } finally {
            dcmd("compilerDirectivesRemove"); // this JVM runs the other tests: back to its own policy
            dcmd("compilerDirectivesRemove");
        }
    }
}

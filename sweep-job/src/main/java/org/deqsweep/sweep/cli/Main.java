package org.deqsweep.sweep.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deqsweep.sweep.engine.SweepFailure;
import org.deqsweep.sweep.store.Manifest;
import org.deqsweep.sweep.store.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The sweep-job entry point (DESIGN 6): {@code sweep SPEC ...} (the default when the first argument is a
 * .yaml file), {@code query DIR [SQL]}, {@code report DIR} and {@code replay DIR RUN_ID}. Caller mistakes
 * exit with status 2 and a one-paragraph message.
 */
@Command(name = "deq-sweep", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {SweepCommand.class, QueryCommand.class, ServeCommand.class, ReportCommand.class, ReplayCommand.class,
            CommandLine.HelpCommand.class},
        description = "Parameter sweeps of deep-equilibrium-model training on Spark.")
public final class Main implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        JitPolicy.apply(); // this process's JVM only; the tests' JVM, which calls run, keeps its own
        String defaults = System.getProperty(SparkDefaults.PROPERTY);
        if (defaults != null) {
            try {
                SparkDefaults.apply(java.nio.file.Path.of(defaults), System.getProperties());
            } catch (java.io.IOException | IllegalArgumentException e) {
                String why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
                System.err.println("deq-sweep: cannot read the Spark defaults file " + defaults + " (" + SparkDefaults.PROPERTY + "): " + why);
                System.exit(2);
            }
        }
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Parses and runs one command; returns its exit status (0 ok, 2 usage, 1 unexpected failure). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (!a.isEmpty() && (a.get(0).endsWith(".yaml") || a.get(0).endsWith(".yml"))) {
            a.add(0, "sweep");
        }
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof UsageException) {
                err.println("deq-sweep " + line.getCommandName() + ": " + ex.getMessage());
                err.flush();
                return 2;
            }
            if (ex instanceof SweepFailure) {
                err.println("deq-sweep " + line.getCommandName() + ": " + ex.getMessage());
                err.flush();
                return 1;
            }
            err.println("deq-sweep " + line.getCommandName() + ": failed: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return 1;
        });
        return cmd.execute(a.toArray(String[]::new));
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("deq-sweep: a command is required: sweep SPEC (or just SPEC.yaml), query DIR, report DIR or replay DIR RUN_ID");
        spec.commandLine().usage(err);
        return 2;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"deq-sweep " + Manifest.projectVersion()};
        }
    }
}

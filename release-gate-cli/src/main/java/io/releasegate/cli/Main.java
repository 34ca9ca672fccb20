package io.releasegate.cli;

import io.releasegate.error.ReleaseGateException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code release-gate}: the command line over the core. Exit codes: 0 success, 1 refused by policy
 * (or a failed verification), 2 usage or input error (including an unreachable store or ledger),
 * 3 internal error.
 *
 * <p>The subcommands are listed in {@link Commands}, not in this annotation: only the commands named on
 * the command line are built (picocli builds a command's model by reflection over its class and every
 * class its options mention); the others are stand-ins carrying just their name and one-line description,
 * so that {@code --help}, {@code --version} and errors read as before without building thirty models.
 */
@Command(name = "release-gate",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Build once, prove it, gate it, promote the same digest, and leave an audit trail."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success", "  1  refused by policy (the message names the rule, the evidence and the remedy)",
                "  2  usage or input error (bad argument, missing file, unreachable store or ledger)",
                "  3  internal error"})
public final class Main implements Runnable {

    public static final int EXIT_INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. Used by tests and the launcher. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // what picocli prints for the version option, without building any command-line model
            for (String line : new Version().getVersion()) {
                out.println(line);
            }
            out.flush();
            return 0;
        }
        if (args.length == 0 || (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")))) {
            // the top-level usage, as picocli renders it for the whole tree, kept with the classes (CommandsTest keeps it true)
            String usage = rootUsage();
            if (usage != null) {
                out.print(usage);
                out.flush();
                return 0;
            }
        }
        CommandLine cl = Commands.commandLine(new Main(), args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            CliOutput output = commandLine.getCommand() instanceof JsonAware j ? j.output() : null;
            if (ex instanceof ReleaseGateException rge) {
                if (output != null) {
                    output.failure(rge);
                } else {
                    err.println("release-gate: " + rge.getMessage());
                }
                return rge.exitCode();
            }
            err.println("release-gate: internal error: " + ex);
            ex.printStackTrace(err);
            return EXIT_INTERNAL;
        });
        return cl.execute(args);
    }

    /** Where the rendered top-level usage is kept, next to this class. */
    static final String USAGE_RESOURCE = "usage.txt";

    /** The top-level usage text, or null when the resource is missing (then picocli renders it). */
    static String rootUsage() {
        try (java.io.InputStream in = Main.class.getResourceAsStream(USAGE_RESOURCE)) {
            return in == null ? null : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"release-gate " + (v == null ? "development build" : v)};
        }
    }

    /** Commands that can report failures as JSON. */
    interface JsonAware {
        CliOutput output();
    }
}

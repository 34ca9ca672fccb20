package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The table of top-level commands says what the commands' own annotations say. */
class CommandsTest {

    private static final List<String> NAMES = Commands.ALL.stream().map(Commands.Entry::name).toList();

    @Test
    void everyEntryIsTheCommandOfThatNameWithItsFirstDescriptionLine() {
        for (Commands.Entry e : Commands.ALL) {
            CommandLine real = new CommandLine(Commands.create(e.name()));
            assertThat(real.getCommandName()).as("name of %s", e.name()).isEqualTo(e.name());
            String[] header = real.getCommandSpec().usageMessage().header();
            assertThat(header.length > 0 ? header[0] : real.getCommandSpec().usageMessage().description()[0])
                    .as("summary of %s", e.name()).isEqualTo(e.summary());
            assertThat(real.getCommandSpec().aliases()).as("aliases of %s", e.name()).isEmpty();
            assertThat(real.getCommandSpec().usageMessage().hidden()).as("hidden %s", e.name()).isFalse();
        }
        assertThat(NAMES).doesNotHaveDuplicates();
    }

    @Test
    void topLevelHelpWithStandInsIsTheHelpOfTheWholeTree() {
        assertThat(usage(Commands.commandLine(new Main(), new String[0])))
                .isEqualTo(usage(Commands.commandLine(new Main(), NAMES)))
                .contains("build-once", "verify-tag", "demo", "help", "Exit codes:");
    }

    @Test
    void theKeptTopLevelUsageIsWhatPicocliRendersForTheWholeTree() throws Exception {
        String rendered = usage(Commands.commandLine(new Main(), NAMES));
        String kept = Main.rootUsage();
        if (!rendered.equals(kept)) {
            java.nio.file.Path fresh = java.nio.file.Path.of("target", Main.USAGE_RESOURCE);
            java.nio.file.Files.writeString(fresh, rendered);
            org.assertj.core.api.Assertions.fail("src/main/resources/io/releasegate/cli/" + Main.USAGE_RESOURCE + " is out of date: "
                    + "a command or its summary changed; copy " + fresh.toAbsolutePath() + " over it");
        }
        // and it is what --help, -h, help and no arguments print
        for (String[] args : new String[][] {{}, {"--help"}, {"-h"}, {"help"}}) {
            StringWriter out = new StringWriter();
            assertThat(Main.run(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))).isZero();
            assertThat(out.toString()).as(String.join(" ", args)).isEqualTo(rendered);
        }
    }

    @Test
    void theLaunchersTrainingRunPrintsNothingAndLeavesNothingBehind() throws Exception {
        java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        java.util.function.Supplier<Long> leftovers = () -> {
            try (var s = java.nio.file.Files.list(tmp)) {
                return s.filter(p -> p.getFileName().toString().startsWith("release-gate-cds")).count();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        long before = leftovers.get();
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true));
        try {
            CdsTraining.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        assertThat(out.toString()).isEmpty();
        assertThat(leftovers.get()).isEqualTo(before);
    }

    @Test
    void onlyTheNamedCommandsAreBuilt() {
        CommandLine cl = Commands.commandLine(new Main(), new String[] {"help", "next-version"});
        assertThat((Object) cl.getSubcommands().get("next-version").getCommand()).isInstanceOf(NextVersionCommand.class);
        assertThat((Object) cl.getSubcommands().get("build-once").getCommand()).as("a stand-in has no command object").isNull();
        assertThat(cl.getSubcommands().keySet()).containsExactlyElementsOf(
                java.util.stream.Stream.concat(NAMES.stream(), java.util.stream.Stream.of("help")).toList());
    }

    private static String usage(CommandLine cl) {
        StringWriter w = new StringWriter();
        cl.usage(new PrintWriter(w, true));
        return w.toString();
    }
}

package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up must not grow with the number of commands: the classes a child JVM loads for {@code release-gate --version}
 * and {@code --help} (counted from {@code -Xlog:class+load}, JDK classes from the class-data-sharing archive
 * included) stay under a budget.
 *
 * <p>Budgets: the counts measured on JDK 17.0.15 when they were set, plus 15 % for JDK updates and small
 * changes, rounded up. Measured (this test's class path, JDK 17.0.15) with the per-command model of
 * {@link Commands}: {@code --version} 622 classes (it is answered before any command-line model is built; a
 * class that only prints a line loads about 410), {@code --help} 504 (the top-level usage is kept with the classes, as
 * picocli renders it for the whole tree, and printed without building any model: {@code CommandsTest} keeps it true;
 * with the root model, picocli's help renderer and the stand-ins it was 1,241), {@code next-version --help} 1,264
 * (one real command). Before, when all 25 commands were built on every run, {@code --version} loaded
 * 1,260 classes and {@code --help} 1,356, and each new command added its classes and the classes its options
 * mention; a new command now adds none to these runs. A failure here means something heavy (a JSON mapper,
 * a crypto provider, JGit, a command's model) has come onto the start path: find it with
 * {@code java -Xlog:class+load -jar release-gate-cli/target/release-gate.jar --version}.
 */
class StartupClassBudgetTest {

    static final int VERSION_BUDGET = 720;       // 622 measured + 15 %
    static final int HELP_BUDGET = 600;          // 504 measured + 15 %, rounded up
    static final int ONE_COMMAND_BUDGET = 1_460; // 1,264 measured + 15 %

    @TempDir
    Path dir;

    @Test
    void versionLoadsFewClasses() throws Exception {
        assertThat(classesLoaded("--version")).isLessThanOrEqualTo(VERSION_BUDGET);
    }

    @Test
    void helpDoesNotBuildTheCommands() throws Exception {
        assertThat(classesLoaded("--help")).isLessThanOrEqualTo(HELP_BUDGET);
    }

    @Test
    void oneCommandBuildsOnlyItsOwnModel() throws Exception {
        assertThat(classesLoaded("next-version", "--help")).isLessThanOrEqualTo(ONE_COMMAND_BUDGET);
    }

    /** Runs the CLI in a child JVM (the test's class path, the launcher's GC) and counts the classes it loaded. */
    private long classesLoaded(String... args) throws Exception {
        Path log = dir.resolve("class-load-" + String.join("-", args).replace("-", "") + ".txt");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:class+load:file=" + log,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the CLI exits").isTrue();
        assertThat(p.exitValue()).as("exit of %s: %s", String.join(" ", args), Files.readString(dir.resolve("err.txt")))
                .isZero();
        long count;
        try (var lines = Files.lines(log)) {
            count = lines.filter(l -> l.contains("source:")).count();
        }
        System.out.println("release-gate " + String.join(" ", args) + ": " + count + " classes loaded"
                + " (class path entries: " + System.getProperty("java.class.path").split(File.pathSeparator).length + ")");
        return count;
    }
}

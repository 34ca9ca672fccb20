package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.signing.KeySigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user has it: the {@code release-gate} launcher next to the shaded jar (copied into a directory of
 * the test's own). Its class-data-sharing archive is made on the first run from the training run, holds the classes
 * the quick commands start with (picocli's among them, which only a static archive can hold), is remade when the jar
 * changes, is never left half-made, and a damaged or refused archive only costs time.
 */
class LauncherIT {

    @TempDir
    Path dir;

    Path dist;
    Path jar;
    Path archive;

    @BeforeEach
    void distribution() throws IOException {
        dist = Files.createDirectories(dir.resolve("dist"));
        Path launcher = Files.copy(Path.of(System.getProperty("release-gate.launcher")), dist.resolve("release-gate"));
        launcher.toFile().setExecutable(true);
        jar = Files.copy(Path.of(System.getProperty("release-gate.jar")), dist.resolve("release-gate.jar"));
        archive = dist.resolve("release-gate.jar.jsa");
    }

    record Run(int exit, String out, String err) {
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(dist.resolve("release-gate").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().remove("RELEASE_GATE_JAVA_OPTS");
        pb.environment().remove("RELEASE_GATE_CDS");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dist)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.equals("release-gate") && !n.equals("release-gate.jar") && !n.equals("release-gate.jar.jsa"))
                    .toList();
        }
    }

    /** The source each class was loaded from, by class name, from a {@code -Xlog:class+load} file. */
    private static String sourceOf(Path log, String className) throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(" " + className + " source: ")).findFirst()
                    .map(l -> l.substring(l.indexOf(" source: ") + 9)).orElse("not loaded");
        }
    }

    @Test
    void theFirstRunMakesAnArchiveThatHoldsWhatTheQuickCommandsStartWith() throws Exception {
        Run first = run(Map.of(), "--version");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("release-gate ");
        assertThat(archive).isRegularFile();
        assertThat(leftovers()).as("no class list or half-made archive is left").isEmpty();

        Path log = dir.resolve("classes.txt");
        Run help = run(Map.of("RELEASE_GATE_JAVA_OPTS", "-Xlog:class+load:file=" + log), "next-version", "--help");
        assertThat(help.exit()).as(help.err()).isZero();
        assertThat(sourceOf(log, "picocli.CommandLine")).as("picocli (class-file version 49) in the static archive")
                .isEqualTo("shared objects file");
        assertThat(sourceOf(log, "io.releasegate.cli.NextVersionCommand")).isEqualTo("shared objects file");

        String[] pem = KeySigner.generatePem();
        Path key = Files.writeString(dir.resolve("key.pem"), pem[0]);
        Path pub = Files.writeString(dir.resolve("key.pub"), pem[1]);
        Path file = Files.writeString(dir.resolve("file.txt"), "signed\n");
        assertThat(run(Map.of(), "sign", "--key", key.toString(), file.toString()).exit()).isZero();
        Run verify = run(Map.of("RELEASE_GATE_JAVA_OPTS", "-Xlog:class+load:file=" + log), "verify", "--key", pub.toString(),
                file.toString());
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("verified " + file);
        assertThat(sourceOf(log, "org.bouncycastle.openssl.PEMParser")).as("the key parser, from the training's verify --key")
                .isEqualTo("shared objects file");
    }

    @Test
    void aNewerJarRemakesTheArchive() throws Exception {
        assertThat(run(Map.of(), "--version").exit()).isZero();
        Instant now = Instant.now();
        Files.setLastModifiedTime(archive, FileTime.from(now.minusSeconds(60)));
        Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(30)));

        assertThat(run(Map.of(), "--version").exit()).isZero();
        assertThat(Files.getLastModifiedTime(archive).toInstant()).isAfter(Files.getLastModifiedTime(jar).toInstant());
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aDamagedArchiveOnlyCostsTime() throws Exception {
        assertThat(run(Map.of(), "--version").exit()).isZero();
        archive.toFile().setWritable(true);
        Files.write(archive, new byte[64 * 1024]);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));

        Run version = run(Map.of(), "--version");
        assertThat(version.exit()).as(version.err()).isZero();
        assertThat(version.out()).startsWith("release-gate ");
        assertThat(version.err()).isEmpty();
        Run bad = run(Map.of(), "next-version", "--repo", dir.resolve("no-such-repo").toString());
        assertThat(bad.exit()).as("a usage error is still exit 2, not a JVM failure").isEqualTo(2);
    }

    @Test
    void withTheArchiveTurnedOffNoneIsMade() throws Exception {
        Run run = run(Map.of("RELEASE_GATE_CDS", "0"), "--version");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(archive).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    /** A JVM that fails while dumping (after writing part of the archive): the launcher keeps nothing of it and runs. */
    @Test
    void aFailedDumpLeavesNothingBehind() throws Exception {
        Path fakeHome = Files.createDirectories(dir.resolve("jdk/bin"));
        Path java = fakeHome.resolve("java");
        String real = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, """
                #!/bin/sh
                for a in "$@"; do
                  case "$a" in
                    -XX:SharedArchiveFile=*) target="${a#-XX:SharedArchiveFile=}" ;;
                    -Xshare:dump) dump=1 ;;
                  esac
                done
                if [ -n "$dump" ]; then printf 'half an archive' > "$target"; exit 1; fi
                exec %s "$@"
                """.formatted(real));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run run = run(Map.of("JAVA_HOME", fakeHome.getParent().toString()), "--version");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("release-gate ");
        assertThat(archive).doesNotExist();
        assertThat(leftovers()).as("the class list and the half-made archive are removed").isEmpty();
    }
}

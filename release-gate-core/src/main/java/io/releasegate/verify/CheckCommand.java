package io.releasegate.verify;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs one check command (an argv, no shell of ours around it) in a directory with extra environment variables, within
 * a timeout (past it the command and everything it started are killed), its output (stdout and stderr together) going
 * to a temporary file of which only the last {@code maxOutput} bytes are kept. The one way checks are run:
 * verify-production's smoke checks and the rollout's health checks and stage checks.
 */
public final class CheckCommand {

    /** The bytes of output a check keeps: its tail. */
    public static final int MAX_OUTPUT = 4096;

    /** What a run gave: its exit code (-1 when it did not finish), the tail of its output, and whether it timed out. */
    public record Outcome(int exitCode, String output, boolean timedOut, boolean truncated) {
        public Outcome {
            Objects.requireNonNull(output, "output");
        }

        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }
    }

    private CheckCommand() {
    }

    public static Outcome run(List<String> argv, Path workdir, Map<String, String> env, Duration timeout) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a check needs a command");
        }
        Path log = null;
        try {
            log = Files.createTempFile("release-gate-check", ".log");
            ProcessBuilder pb = new ProcessBuilder(argv).directory(workdir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Outcome(-1, "timed out after " + timeout.toSeconds() + "s", true, false);
            }
            long size = Files.size(log);
            byte[] tail;
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                int n = (int) Math.min(size, MAX_OUTPUT);
                f.seek(size - n);
                tail = new byte[n];
                f.readFully(tail);
            }
            return new Outcome(p.exitValue(), new String(tail, StandardCharsets.UTF_8).strip(), false, size > MAX_OUTPUT);
        } catch (IOException e) {
            return new Outcome(-1, "cannot run: " + e.getMessage(), false, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("interrupted while running " + argv.get(0), e);
        } finally {
            if (log != null) {
                log.toFile().delete();
            }
        }
    }
}

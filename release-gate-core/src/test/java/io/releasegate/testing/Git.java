package io.releasegate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The git command line, as an independent checker of what JGit wrote. No global configuration is read. */
public final class Git {

    private Git() {
    }

    /** Runs {@code git ARGS} in {@code dir}; returns stdout; fails the test on a non-zero exit. */
    public static String run(Path dir, String... args) {
        return run(dir, java.util.Map.of(), args);
    }

    /** Runs git with extra environment variables (e.g. GNUPGHOME). */
    public static String run(Path dir, java.util.Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=Release Test", "-c",
                "user.email=test@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) {
                throw new AssertionError("git " + String.join(" ", args) + " exited " + rc + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run git (is it installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * {@code git patch-id --stable} of a commit, from the git command line: {@code git show} of the commit piped into
     * it. The independent check of {@code io.releasegate.commits.PatchId}.
     */
    public static String patchIdStable(Path dir, String commit) {
        String patch = run(dir, "show", "--format=", "--no-renames", "--no-color", commit);
        ProcessBuilder pb = new ProcessBuilder("git", "patch-id", "--stable").directory(dir.toFile());
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        try {
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(("commit " + commit + "\n" + patch).getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0 || out.isEmpty()) {
                throw new AssertionError("git patch-id --stable gave no id for " + commit + ": " + out);
            }
            return out.split(" ")[0];
        } catch (IOException e) {
            throw new AssertionError("cannot run git patch-id: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

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
}

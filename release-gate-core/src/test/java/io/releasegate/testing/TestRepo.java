package io.releasegate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** A real git repository built with the git CLI, for history scenarios. */
public final class TestRepo {

    private final Path dir;
    private final AtomicInteger counter = new AtomicInteger();

    private TestRepo(Path dir) {
        this.dir = dir;
    }

    public static TestRepo init(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Git.run(dir, "init", "-q", "-b", "main");
        return new TestRepo(dir);
    }

    public Path dir() {
        return dir;
    }

    public String git(String... args) {
        return Git.run(dir, args).trim();
    }

    /** Commits a change to a new file with this message; returns the commit id. */
    public String commit(String message) {
        return commitAs(message, "Dev Eloper", "dev@example.com");
    }

    public String commitAs(String message, String name, String email) {
        int n = counter.incrementAndGet();
        try {
            Files.writeString(dir.resolve("change-" + n + "-" + Math.abs(message.hashCode()) + ".txt"), message + n);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        git("add", "-A");
        Git.run(dir, "-c", "user.name=" + name, "-c", "user.email=" + email, "commit", "-q", "-m", message);
        return head();
    }

    /** As {@link #commitAs}, authored and committed at {@code when}. */
    public String commitAt(String message, String name, String email, java.time.Instant when) {
        int n = counter.incrementAndGet();
        try {
            Files.writeString(dir.resolve("change-" + n + "-" + Math.abs(message.hashCode()) + ".txt"), message + n);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        git("add", "-A");
        String date = when.getEpochSecond() + " +0000";
        Git.run(dir, java.util.Map.of("GIT_AUTHOR_DATE", date, "GIT_COMMITTER_DATE", date), "-c", "user.name=" + name,
                "-c", "user.email=" + email, "commit", "-q", "-m", message);
        return head();
    }

    /** Writes {@code text} to {@code path} in the work tree, making its directories. */
    public void write(String path, String text) {
        try {
            Path f = dir.resolve(path);
            Files.createDirectories(f.getParent());
            Files.writeString(f, text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Commits everything in the work tree as this author; returns the commit id. */
    public String commitAll(String message, String name, String email) {
        git("add", "-A");
        Git.run(dir, "-c", "user.name=" + name, "-c", "user.email=" + email, "commit", "-q", "-m", message);
        return head();
    }

    public String head() {
        return git("rev-parse", "HEAD");
    }

    public void tag(String name) {
        git("tag", "-a", name, "-m", "release " + name);
    }
}

package io.releasegate.demo;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A small, real sample project for the demo: a git repository with a few Conventional Commits by
 * different people, and a reproducible build producing {@code target/payments-VERSION.jar}
 * (entries sorted, timestamps from the last commit, like {@code SOURCE_DATE_EPOCH} builds).
 */
public final class SampleProject {

    public static final String NAME = "payments";

    private final Path dir;
    private final List<RevCommit> commits;

    private SampleProject(Path dir, List<RevCommit> commits) {
        this.dir = dir;
        this.commits = List.copyOf(commits);
    }

    public Path directory() {
        return dir;
    }

    public List<RevCommit> commits() {
        return commits;
    }

    /** Creates the repository in {@code dir}, which must be missing or empty. */
    public static SampleProject create(Path dir, Instant start) {
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new InputException("demo directory " + dir + " is not empty; give a new or empty directory");
                    }
                }
            }
            Files.createDirectories(dir);
            List<RevCommit> commits = new ArrayList<>();
            try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
                write(dir, ".gitignore", "target/\n.release-gate/\n");
                write(dir, "README.md", "# payments\n\nAuthorises and settles card payments.\n");
                write(dir, "src/main/java/com/example/payments/Payments.java", """
                        package com.example.payments;

                        /** Authorises payments. */
                        public final class Payments {
                            public static boolean authorise(long amountCents) {
                                return amountCents > 0 && amountCents <= 1_000_000;
                            }

                            public static void main(String[] args) {
                                System.out.println(authorise(Long.parseLong(args.length > 0 ? args[0] : "100")));
                            }
                        }
                        """);
                commits.add(commit(git, "feat(api): authorise card payments\n\nRefs: PAY-101\n", "Alice Example",
                        "alice@example.com", start));
                write(dir, "src/main/java/com/example/payments/Rounding.java", """
                        package com.example.payments;

                        import java.math.BigDecimal;
                        import java.math.RoundingMode;

                        /** Rounds amounts half-even, as the ledger expects. */
                        public final class Rounding {
                            public static BigDecimal cents(BigDecimal amount) {
                                return amount.setScale(2, RoundingMode.HALF_EVEN);
                            }
                        }
                        """);
                commits.add(commit(git, "fix(rounding): round amounts half-even\n\nRefs: PAY-117\n", "Bob Example",
                        "bob@example.com", start.plusSeconds(3600)));
                write(dir, "docs/operations.md", "# Operations\n\nRoll back by promoting the last known-good digest.\n");
                commits.add(commit(git, "docs: describe operations and rollback\n\nRefs: PAY-120\n", "Alice Example",
                        "alice@example.com", start.plusSeconds(7200)));
            }
            return new SampleProject(dir, commits);
        } catch (IOException | GitAPIException e) {
            throw new InputException("cannot create the sample project in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Compiles the sources and writes a reproducible jar; returns its workspace-relative path. */
    public String build(String version) {
        try {
            Path classes = dir.resolve("target/classes");
            Files.createDirectories(classes);
            List<String> sources;
            try (Stream<Path> s = Files.walk(dir.resolve("src/main/java"))) {
                sources = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            if (javac == null) {
                throw new InputException("the demo compiles its sample project and needs a JDK (javac), not a JRE");
            }
            List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(), "-encoding", "UTF-8"));
            args.addAll(sources);
            int rc = javac.run(null, OutputStream.nullOutputStream(), System.err, args.toArray(String[]::new));
            if (rc != 0) {
                throw new InputException("compiling the sample project failed (javac exit " + rc + ")");
            }
            String jarName = "target/" + NAME + "-" + version + ".jar";
            long time = commits.get(commits.size() - 1).getCommitTime() * 1000L;
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "com.example.payments.Payments");
            mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, NAME);
            mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(dir.resolve(jarName)))) {
                JarEntry me = new JarEntry("META-INF/MANIFEST.MF");
                me.setLastModifiedTime(FileTime.fromMillis(time));
                jar.putNextEntry(me);
                mf.write(jar);
                jar.closeEntry();
                List<Path> files;
                try (Stream<Path> s = Files.walk(classes)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    JarEntry e = new JarEntry(classes.relativize(f).toString().replace('\\', '/'));
                    e.setLastModifiedTime(FileTime.fromMillis(time));
                    jar.putNextEntry(e);
                    jar.write(Files.readAllBytes(f));
                    jar.closeEntry();
                }
            }
            return jarName;
        } catch (IOException e) {
            throw new InputException("cannot build the sample project: " + e.getMessage(), e);
        }
    }

    private static void write(Path dir, String rel, String content) throws IOException {
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
    }

    private static RevCommit commit(Git git, String message, String name, String email, Instant when)
            throws GitAPIException {
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent(name, email, when, ZoneOffset.UTC);
        return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }
}

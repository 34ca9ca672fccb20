package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.signing.KeySigner;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestRepo;
import io.releasegate.testing.TestTrust;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency: each step of a release ({@code build-once}, {@code sign --release}, {@code sbom}, {@code verify --release},
 * {@code provenance}, {@code approve}, {@code promote}) is run as its own process and killed with SIGKILL at points
 * chosen from the I/O it is seen doing: the state directory (store, ledger, witnesses, checkpoints) is watched, and the
 * process is killed after a randomly chosen number of the changes a whole run makes (counted by a first run to
 * completion). After every kill: the same command run again completes, and nothing is torn: {@code audit --all} finds
 * nothing (every event signed, every release's artifact and evidence verifying against the store, every environment's
 * tag naming the promoted digest, the ledger an extension of its checkpoints), {@code git fsck} passes on the ledger,
 * every file the store names is there, and the workspace is as it was. Temporary files a kill leaves (a write that had
 * not been moved into place) are counted and must not be taken for content.
 */
class CrashConsistencyTest {

    /** Kills per step; seven steps. {@code -Dreleasegate.crash.killsPerStep=N} for a longer run. */
    static final int KILLS_PER_STEP = Integer.getInteger("releasegate.crash.killsPerStep", 15);

    @TempDir
    Path tmp;

    TestTrust trust;
    TestRepo repo;
    Path signKey;
    Path publicKey;
    String digest = "";

    /** A command, and the refusals a re-run of it after a kill may end in (the kill came after its event was recorded). */
    record Step(String name, Function<Path, List<String>> args, List<String> refusalsOnReRun) {
        Step(String name, Function<Path, List<String>> args) {
            this(name, args, List.of());
        }
    }

    record Outcome(int exit, String out, String err) {
    }

    private Outcome inProcess(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(exit, out.toString(), err.toString());
    }

    /** The common options of a command run by CI with the state directory {@code state}. */
    private List<String> ci(Path state, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", state.toString(), "--trust", trust.file().toString(), "--event-key",
                trust.ciKeyFile().toString()));
        return all;
    }

    private List<Step> steps() {
        return List.of(
                new Step("build-once", s -> ci(s, "build-once", "--json", "--workspace", repo.dir().toString(), "--actor", "rita", "--name",
                        "payments", "--version", "1.0.0", "lib/*.jar", "README.txt")),
                new Step("sign --release", s -> ci(s, "sign", "--release", "payments@1.0.0", "--key", signKey.toString(),
                        "--public-key", publicKey.toString(),
                        "--actor", "ci")),
                new Step("sbom", s -> ci(s, "sbom", "payments@1.0.0", "--actor", "ci")),
                new Step("provenance", s -> ci(s, "provenance", "payments@1.0.0", "--key", signKey.toString(), "--actor", "ci")),
                new Step("verify --release", s -> ci(s, "verify", "--release", "payments@1.0.0", "--key", publicKey.toString(),
                        "--actor", "ci")),
                new Step("approve", s -> {
                    List<String> a = new ArrayList<>(List.of("approve", "payments@1.0.0", "--digest", digest, "--approver", "mia",
                            "--role", "maintainer", "--environment", "staging", "--rationale", "tested in dev", "--repo", repo.dir().toString(),
                            "--state-dir", s.toString(), "--trust", trust.file().toString(), "--event-key",
                            trust.sshKeyFile("mia").toString()));
                    return a;
                }, List.of("approval.duplicate")),
                new Step("promote", s -> ci(s, "promote", "payments@1.0.0", "--digest", digest, "--to", "dev", "--repo",
                        repo.dir().toString(), "--actor", "ci")));
    }

    @Test
    void killedAtAnyPointEveryStepCompletesOnTheNextRunAndNothingIsTorn() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora");
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.write("lib/app.jar", "a jar of the release\n".repeat(4000));
        repo.write("README.txt", "payments\n");
        repo.write(".release/policy.yaml", "approvals:\n  members:\n    maintainer:\n      people: [mia, dora]\n");
        repo.commitAll("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        String[] pem = KeySigner.generatePem();
        signKey = Files.writeString(tmp.resolve("release-key.pem"), pem[0]);
        publicKey = Files.writeString(tmp.resolve("release-key.pub"), pem[1]);
        String workspaceBefore = repo.git("status", "--porcelain", "--ignored");

        // the state before each step, made by running the steps in order
        List<Step> steps = steps();
        Map<String, Path> before = new LinkedHashMap<>();
        Map<String, java.util.Set<String>> expected = new LinkedHashMap<>();
        Path state = tmp.resolve("state");
        Files.createDirectories(state);
        for (Step step : steps) {
            before.put(step.name(), copy(state, tmp.resolve("before-" + before.size())));
            Outcome o = inProcess(step.args().apply(state));
            assertThat(o.exit()).as(step.name() + ": " + o.out() + o.err()).isZero();
            // what the audit says of the release at this point when nothing was killed (evidence still to come)
            expected.put(step.name(), findings(state));
            if (step.name().equals("build-once")) {
                digest = Json.mapper().readTree(o.out()).path("digest").asText();
                assertThat(digest).startsWith("sha256:");
            }
        }

        long seed = Long.getLong("releasegate.crash.seed", System.nanoTime());
        System.out.println("crash consistency: seed " + seed + " (-Dreleasegate.crash.seed=" + seed + " repeats the kill points)");
        Random random = new Random(seed);
        int kills = 0;
        int finishedFirst = 0;
        int litter = 0;
        List<String> torn = new ArrayList<>();
        Map<String, Integer> changesPerRun = new LinkedHashMap<>();
        int run = 0;
        long childNanos = 0;
        long rerunNanos = 0;
        long checkNanos = 0;
        String only = System.getProperty("releasegate.crash.steps", "");
        for (Step step : steps) {
            if (!only.isEmpty() && !List.of(only.split(",")).contains(step.name())) {
                continue;
            }
            // a first run to completion: how many changes of the state directory it is seen to make
            Path calibration = copy(before.get(step.name()), tmp.resolve("run-" + run++));
            Killed full = runAndKillAfter(step.args().apply(calibration), calibration, Integer.MAX_VALUE, 0);
            assertThat(full.exit()).as(step.name() + " runs to completion: " + full.err()).isZero();
            int changes = Math.max(1, full.changes());
            changesPerRun.put(step.name(), changes);
            int killsOfStep = 0;
            for (int i = 0; killsOfStep < KILLS_PER_STEP && i < 2 * KILLS_PER_STEP; i++) {
                Path dir = copy(before.get(step.name()), tmp.resolve("run-" + run++));
                long t0 = System.nanoTime();
                // a point among the changes a whole run makes (the last ones may not come: runs differ a little)
                Killed k = runAndKillAfter(step.args().apply(dir), dir, 1 + random.nextInt(Math.max(1, changes - 1)),
                        random.nextInt(4));
                long t1 = System.nanoTime();
                childNanos += t1 - t0;
                if (k.killed()) {
                    kills++;
                    killsOfStep++;
                } else {
                    finishedFirst++;
                }
                litter += temporaryFiles(dir).size();
                // the same command again: it completes
                long t2 = System.nanoTime();
                Outcome again = inProcess(step.args().apply(dir));
                rerunNanos += System.nanoTime() - t2;
                boolean cleanRefusal = again.exit() == 1 && step.refusalsOnReRun().stream().anyMatch(r -> again.err().contains(r));
                if (again.exit() != 0 && !cleanRefusal) {
                    torn.add(step.name() + " after a kill at change " + k.changes() + ": the re-run exited " + again.exit() + ": "
                            + again.err().trim() + again.out().trim());
                    continue;
                }
                long t3 = System.nanoTime();
                torn.addAll(tornState(step.name(), k.changes(), dir, expected.get(step.name())));
                checkNanos += System.nanoTime() - t3;
                deleteTree(dir);
            }
        }
        assertThat(repo.git("status", "--porcelain", "--ignored")).as("the workspace is as it was").isEqualTo(workspaceBefore);
        System.out.println("crash consistency: " + kills + " kills (" + finishedFirst + " runs ended before their kill), "
                + torn.size() + " torn states, " + litter + " temporary files left by kills; changes per run " + changesPerRun
                + String.format("; seconds in the killed processes %.1f, re-runs %.1f, checks %.1f", childNanos / 1e9,
                        rerunNanos / 1e9, checkNanos / 1e9));
        assertThat(expected.get("promote")).as("the release, all its steps done, audits clean").isEmpty();
        assertThat(torn).as("torn states").isEmpty();
        if (only.isEmpty()) {
            assertThat(kills).as("kills").isGreaterThanOrEqualTo(KILLS_PER_STEP * steps.size());
        }
    }

    /** What is wrong in {@code dir} after a kill and a re-run. */
    private List<String> tornState(String step, int at, Path dir, java.util.Set<String> expected) throws Exception {
        List<String> problems = new ArrayList<>();
        String where = step + " after a kill at change " + at + ": ";
        for (String f : findings(dir)) {
            if (!expected.contains(f)) {
                problems.add(where + "audit: " + f);
            }
        }
        try {
            Git.run(dir, "--git-dir", dir.resolve("ledger.git").toString(), "fsck", "--no-dangling", "--strict");
        } catch (AssertionError e) {
            problems.add(where + "git fsck: " + e.getMessage());
        }
        // every manifest and blob the layout's index names is there
        Path store = dir.resolve("store");
        JsonNode index = Json.mapper().readTree(store.resolve("index.json").toFile());
        for (JsonNode m : index.path("manifests")) {
            Path blob = store.resolve("blobs").resolve(m.path("digest").asText().replace(':', '/'));
            if (!Files.isRegularFile(blob)) {
                problems.add(where + "the store's index names " + m.path("digest").asText() + ", which is not there");
            }
        }
        return problems;
    }

    /** The audit's findings of the whole ledger and every release, with the state directory's path taken out. */
    private java.util.Set<String> findings(Path dir) throws Exception {
        Outcome audit = inProcess(ci(dir, "audit", "--all", "--json"));
        assertThat(audit.exit()).as("audit: " + audit.err()).isBetween(0, 1);
        java.util.Set<String> out = new java.util.TreeSet<>();
        collectFindings(Json.mapper().readTree(audit.out()), out);
        return out.stream().map(f -> f.replace(dir.toString(), "<state>")).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    private static void collectFindings(JsonNode node, java.util.Set<String> out) {
        if (node.isObject() && node.has("rule") && node.has("message")) {
            out.add(node.path("rule").asText() + ": " + node.path("message").asText());
        }
        node.forEach(child -> collectFindings(child, out));
    }

    record Killed(boolean killed, int exit, int changes, String err) {
    }

    /**
     * Runs {@code args} in a process of its own and kills it (SIGKILL) once {@code changes} changes of {@code watched} were
     * seen (then {@code extraMillis} later); when it ends first, it was not killed.
     */
    private Killed runAndKillAfter(List<String> args, Path watched, int changes, int extraMillis) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        String last = fingerprint(watched);
        int seen = 0;
        boolean killed = false;
        while (p.isAlive()) {
            Thread.sleep(1);
            String now = fingerprint(watched);
            if (!now.equals(last)) {
                last = now;
                if (++seen >= changes) {
                    if (extraMillis > 0) {
                        Thread.sleep(extraMillis);
                    }
                    if (p.isAlive()) {
                        p.destroyForcibly();
                        killed = true;
                    }
                    break;
                }
            }
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Killed(killed, p.exitValue(), seen, Files.readString(err));
    }

    /** Every file under {@code dir} with its size and modification time: a change of it is I/O seen. */
    private static String fingerprint(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(f -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    sb.append(f).append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append('\n');
                } catch (IOException gone) {
                    sb.append(f).append(" gone\n");
                }
            });
        } catch (java.io.UncheckedIOException | IOException racing) {
            return sb.append("racing").toString();
        }
        return sb.toString();
    }

    private static List<Path> temporaryFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.endsWith(".tmp") || n.endsWith(".lock") || n.startsWith("tmp_") || n.startsWith("noz");
            }).toList();
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}

package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.signing.KeySigner;
import io.releasegate.testing.Git;
import io.releasegate.testing.LocalRegistry;
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
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency: each step of a release ({@code build-once}, {@code sign --release}, {@code sbom},
 * {@code provenance}, {@code verify --release}, {@code approve}, {@code promote}) is run as its own process and killed
 * with SIGKILL at points chosen from the I/O it is seen doing: the directories it writes (the state directory with the
 * embedded store and ledger; or a real registry's storage and a remote ledger) are watched, and the process is killed
 * after a randomly chosen number of the changes a whole run makes (counted by a first run to completion). After every
 * kill: the same command run again completes (or refuses because what it records was recorded: an approval), and
 * nothing is torn: {@code audit --all} finds nothing that the same state reached without a kill does not (every
 * event signed, every release's artifact and evidence verifying against the store, every environment's tag naming the
 * promoted digest, the ledger an extension of its checkpoints), {@code git fsck --strict} passes on the ledger, every
 * manifest the layout's index names is there, and the workspace is as it was. Temporary files a kill leaves (a write
 * not yet moved into place) are counted; they must not be taken for content.
 */
class CrashConsistencyTest {

    /** Kills per step over the embedded store and ledger; seven steps. {@code -Dreleasegate.crash.killsPerStep=N}. */
    static final int KILLS_PER_STEP = Integer.getInteger("releasegate.crash.killsPerStep", 15);
    /** Kills per step over a registry and a remote ledger; two steps. */
    static final int REMOTE_KILLS_PER_STEP = Integer.getInteger("releasegate.crash.remoteKillsPerStep", 6);
    /** Kills of one set promotion of three members. */
    static final int SET_KILLS = Integer.getInteger("releasegate.crash.setKills", 10);

    @TempDir
    Path tmp;

    TestTrust trust;
    TestRepo repo;
    Path signKey;
    Path publicKey;
    String digest = "";
    String workspaceBefore;
    Random random;
    int run;
    /** More checks of a place after a kill and a re-run, beyond those every step gets. */
    Function<Place, List<String>> extraCheck = p -> List.of();
    /** Checks of a place right after a kill, before the re-run. */
    Function<Place, List<String>> killedCheck = p -> List.of();

    /** Where one run's store and ledger are, what it writes (watched), and what to take out of the audit's messages. */
    record Place(Path state, Optional<String> store, Optional<String> ledger, Path ledgerGitDir, List<Path> watched,
                 Map<String, String> names) {

        static Place embedded(Path state) {
            return new Place(state, Optional.empty(), Optional.empty(), state.resolve("ledger.git"), List.of(state),
                    Map.of(state.toString(), "<state>"));
        }
    }

    /** A command, and the refusals a re-run of it after a kill may end in (the kill came after its event was recorded). */
    record Step(String name, Function<Place, List<String>> args, List<String> refusalsOnReRun) {
        Step(String name, Function<Place, List<String>> args) {
            this(name, args, List.of());
        }
    }

    record Outcome(int exit, String out, String err) {
    }

    record Killed(boolean killed, int exit, int changes, String err) {
    }

    /** What the kills of one test found. */
    static final class Tally {
        int kills;
        int finishedFirst;
        int litter;
        long killedNanos;
        final List<String> torn = new ArrayList<>();
        final Map<String, Integer> changesPerRun = new LinkedHashMap<>();

        String summary() {
            return kills + " kills (" + finishedFirst + " runs ended before their kill), " + torn.size() + " torn states, "
                    + litter + " temporary files left by kills; changes per run " + changesPerRun
                    + String.format("; %.1f s in the killed processes", killedNanos / 1e9);
        }
    }

    @BeforeEach
    void release() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora");
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.write("lib/app.jar", "a jar of the release\n".repeat(4000));
        repo.write("README.txt", "payments\n");
        repo.write(".release/policy.yaml", "approvals:\n  members:\n    maintainer:\n      people: [mia, dora]\n");
        repo.commitAll("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        String[] pem = KeySigner.generatePem();
        signKey = Files.writeString(tmp.resolve("release-key.pem"), pem[0]);
        publicKey = Files.writeString(tmp.resolve("release-key.pub"), pem[1]);
        workspaceBefore = repo.git("status", "--porcelain", "--ignored");
        long seed = Long.getLong("releasegate.crash.seed", System.nanoTime());
        System.out.println("crash consistency: seed " + seed + " (-Dreleasegate.crash.seed=" + seed + " repeats the kill points)");
        random = new Random(seed);
    }

    private Outcome inProcess(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(exit, out.toString(), err.toString());
    }

    /** A command as CI runs it on {@code place}, signing its events with {@code eventKey}. */
    private static List<String> command(Place place, TestTrust trust, Path eventKey, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", place.state().toString(), "--trust", trust.file().toString(), "--event-key",
                eventKey.toString()));
        place.store().ifPresent(s -> all.addAll(List.of("--store", s)));
        place.ledger().ifPresent(l -> all.addAll(List.of("--ledger", l)));
        return all;
    }

    private List<String> ci(Place place, String... args) {
        return command(place, trust, trust.ciKeyFile(), args);
    }

    private Step buildOnce() {
        return new Step("build-once", p -> ci(p, "build-once", "--json", "--workspace", repo.dir().toString(), "--actor", "rita",
                "--name", "payments", "--version", "1.0.0", "lib/*.jar", "README.txt"));
    }

    private Step promote() {
        return new Step("promote", p -> ci(p, "promote", "payments@1.0.0", "--digest", digest, "--to", "dev", "--repo",
                repo.dir().toString(), "--actor", "ci"));
    }

    private List<Step> steps() {
        return List.of(
                buildOnce(),
                new Step("sign --release", p -> ci(p, "sign", "--release", "payments@1.0.0", "--key", signKey.toString(),
                        "--public-key", publicKey.toString(), "--actor", "ci")),
                new Step("sbom", p -> ci(p, "sbom", "payments@1.0.0", "--actor", "ci")),
                new Step("provenance", p -> ci(p, "provenance", "payments@1.0.0", "--key", signKey.toString(), "--actor", "ci")),
                new Step("verify --release", p -> ci(p, "verify", "--release", "payments@1.0.0", "--key", publicKey.toString(),
                        "--actor", "ci")),
                new Step("approve", p -> command(p, trust, trust.sshKeyFile("mia"), "approve", "payments@1.0.0", "--digest", digest,
                        "--approver", "mia", "--role", "maintainer", "--environment", "staging", "--rationale", "tested in dev",
                        "--repo", repo.dir().toString()), List.of("approval.duplicate")),
                promote());
    }

    @Test
    void killedAtAnyPointEveryStepCompletesOnTheNextRunAndNothingIsTorn() throws Exception {
        // the state before each step, made by running the steps in order, and what the audit says after it
        List<Step> steps = steps();
        Map<String, Path> before = new LinkedHashMap<>();
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        Place place = Place.embedded(Files.createDirectories(tmp.resolve("state")));
        for (Step step : steps) {
            before.put(step.name(), copy(place.state(), tmp.resolve("before-" + before.size())));
            Outcome o = inProcess(step.args().apply(place));
            assertThat(o.exit()).as(step.name() + ": " + o.out() + o.err()).isZero();
            if (step.name().equals("build-once")) {
                digest = Json.mapper().readTree(o.out()).path("digest").asText();
                assertThat(digest).startsWith("sha256:");
            }
            expected.put(step.name(), findings(place));
        }
        assertThat(expected.get("promote")).as("the release, all its steps done, audits clean").isEmpty();

        Tally tally = new Tally();
        String only = System.getProperty("releasegate.crash.steps", "");
        for (Step step : steps) {
            if (only.isEmpty() || List.of(only.split(",")).contains(step.name())) {
                killRepeatedly(step, () -> Place.embedded(copy(before.get(step.name()), tmp.resolve("run-" + run++))),
                        expected.get(step.name()), KILLS_PER_STEP, tally);
            }
        }
        System.out.println("crash consistency, embedded store and ledger: " + tally.summary());
        assertThat(repo.git("status", "--porcelain", "--ignored")).as("the workspace is as it was").isEqualTo(workspaceBefore);
        assertThat(tally.torn).as("torn states").isEmpty();
        if (only.isEmpty()) {
            assertThat(tally.kills).as("kills").isGreaterThanOrEqualTo(KILLS_PER_STEP * steps.size());
        }
    }

    @Test
    void killedOverARegistryAndARemoteLedgerTheNextRunCompletesAndNothingIsTorn() throws Exception {
        Tally tally = new Tally();
        try (LocalRegistry registry = LocalRegistry.start()) {
            // each run its own namespace and remote ledger, made up to the step (build-once first, for promote)
            for (Step step : List.of(buildOnce(), promote())) {
                // what the audit says of a place this step completed on without a kill
                Place completed = remotePlace(registry, step);
                Outcome done = inProcess(step.args().apply(completed));
                assertThat(done.exit()).as(done.err()).isZero();
                killRepeatedly(step, () -> remotePlace(registry, step), findings(completed), REMOTE_KILLS_PER_STEP, tally);
            }
        }
        System.out.println("crash consistency, registry and remote ledger: " + tally.summary());
        assertThat(tally.torn).as("torn states").isEmpty();
        assertThat(tally.kills).isGreaterThanOrEqualTo(2 * REMOTE_KILLS_PER_STEP);
    }

    /**
     * A set promotion killed anywhere, between members included: before the re-run no member is in the environment
     * without the recorded decision of the whole set, and after it every member and the set are there exactly once.
     */
    @Test
    void killedHalfWayThroughASetPromotionTheNextRunCompletesTheSet() throws Exception {
        Place place = Place.embedded(Files.createDirectories(tmp.resolve("state")));
        List<String> members = List.of("svc-lib", "svc-app", "svc-web");
        for (String m : members) {
            Outcome b = inProcess(ci(place, "build-once", "--workspace", repo.dir().toString(), "--actor", "rita", "--name", m,
                    "--version", "1.0.0", "lib/*.jar", "README.txt"));
            assertThat(b.exit()).as(b.err()).isZero();
        }
        Outcome created = inProcess(ci(place, "manifest", "create", "--json", "--name", "platform", "--version", "2026.12.0",
                "--repo", repo.dir().toString(), "--actor", "ci", "svc-lib@1.0.0", "svc-app@1.0.0", "svc-web@1.0.0"));
        assertThat(created.exit()).as(created.err()).isZero();
        String set = Json.mapper().readTree(created.out()).path("digest").asText();
        Path before = copy(place.state(), tmp.resolve("before-set"));
        Step step = new Step("promote set", p -> ci(p, "promote", "platform@2026.12.0", "--digest", set, "--to", "dev", "--repo",
                repo.dir().toString(), "--actor", "ci"));
        Outcome done = inProcess(step.args().apply(place));
        assertThat(done.exit()).as(done.err()).isZero();
        Set<String> expected = findings(place);
        List<String> subjects = new ArrayList<>(members.stream().map(m -> m + "@1.0.0").toList());
        subjects.add("platform@2026.12.0");
        extraCheck = p -> inDev(p, subjects).entrySet().stream().filter(e -> e.getValue() != 1)
                .map(e -> e.getKey() + " is in dev " + e.getValue() + " times after the re-run").toList();
        killedCheck = p -> {
            Map<String, Long> in = inDev(p, subjects);
            boolean anyMember = members.stream().anyMatch(m -> in.get(m + "@1.0.0") != 0);
            Outcome setEvents = inProcess(ci(p, "inspect", "platform@2026.12.0", "--json"));
            return anyMember && !setEvents.out().contains("set-promotion-started")
                    ? List.of("members " + in + " are in dev with no recorded decision of the set") : List.of();
        };
        Tally tally = new Tally();
        killRepeatedly(step, () -> Place.embedded(copy(before, tmp.resolve("run-" + run++))), expected, SET_KILLS, tally);
        System.out.println("crash consistency, set promotion of " + members.size() + " members: " + tally.summary());
        assertThat(tally.torn).as("torn states").isEmpty();
        assertThat(tally.kills).isGreaterThanOrEqualTo(SET_KILLS);
    }

    /** How many times each subject was promoted to dev, as inspect shows it (-1: inspect failed). */
    private Map<String, Long> inDev(Place p, List<String> subjects) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String subject : subjects) {
            Outcome inspect = inProcess(ci(p, "inspect", subject, "--json"));
            long n = 0;
            try {
                for (JsonNode e : Json.mapper().readTree(inspect.out()).path("record").path("promotions")) {
                    n += e.path("environment").asText().equals("dev") ? 1 : 0;
                }
            } catch (IOException e) {
                n = -1;
            }
            out.put(subject, n);
        }
        return out;
    }

    /** A new namespace of the registry and a new remote ledger (file://, pushed to and fetched from), made up to {@code step}. */
    private Place remotePlace(LocalRegistry registry, Step step) {
        int n = run++;
        try {
            Path remote = tmp.resolve("remote-" + n + ".git");
            Git.run(tmp, "init", "-q", "--bare", "-b", "main", remote.toString());
            Git.run(tmp, "--git-dir", remote.toString(), "config", "gc.auto", "0");
            Git.run(tmp, "--git-dir", remote.toString(), "config", "receive.autogc", "false");
            String ns = "crash" + n + "x" + Long.toHexString(System.nanoTime());
            Path state = Files.createDirectories(tmp.resolve("state-" + n));
            Place place = new Place(state, Optional.of(registry.uri(ns)), Optional.of(remote.toUri().toString()), remote,
                    List.of(state, remote, registry.storage()),
                    Map.of(state.toString(), "<state>", remote.toUri().toString(), "<ledger>", remote.toString(), "<ledger>",
                            registry.uri(ns), "<store>", ns, "<namespace>"));
            if (step.name().equals("promote")) {
                Outcome built = inProcess(buildOnce().args().apply(place));
                assertThat(built.exit()).as(built.err()).isZero();
                digest = Json.mapper().readTree(built.out()).path("digest").asText();
            }
            return place;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    interface Fresh {
        Place make() throws IOException;
    }

    /**
     * Runs {@code step} to completion once on a fresh place (to count the changes a run makes), then kills it
     * {@code wanted} times, each on a fresh place, and checks each killed place after a re-run.
     */
    private void killRepeatedly(Step step, Fresh fresh, Set<String> expected, int wanted, Tally tally) throws Exception {
        Place calibration = fresh.make();
        Killed full = runAndKillAfter(step.args().apply(calibration), calibration.watched(), Integer.MAX_VALUE, 0);
        assertThat(full.exit()).as(step.name() + " runs to completion: " + full.err()).isZero();
        int changes = Math.max(1, full.changes());
        tally.changesPerRun.put(step.name(), changes);
        int killed = 0;
        for (int i = 0; killed < wanted && i < 2 * wanted; i++) {
            Place place = fresh.make();
            long t0 = System.nanoTime();
            // a point among the changes a whole run makes (the last ones may not come: runs differ a little)
            Killed k = runAndKillAfter(step.args().apply(place), place.watched(), 1 + random.nextInt(Math.max(1, changes - 1)),
                    random.nextInt(4));
            tally.killedNanos += System.nanoTime() - t0;
            if (k.killed()) {
                tally.kills++;
                killed++;
            } else {
                tally.finishedFirst++;
            }
            tally.litter += temporaryFiles(place.state()).size() + temporaryFiles(place.ledgerGitDir()).size();
            String where = step.name() + " after a kill at change " + k.changes() + ": ";
            killedCheck.apply(place).forEach(x -> tally.torn.add(where + "before the re-run: " + x));
            Outcome again = inProcess(step.args().apply(place));
            boolean cleanRefusal = again.exit() == 1 && step.refusalsOnReRun().stream().anyMatch(r -> again.err().contains(r));
            if (again.exit() != 0 && !cleanRefusal) {
                tally.torn.add(where + "the re-run exited " + again.exit() + ": " + again.err().trim() + again.out().trim());
                continue;
            }
            tally.torn.addAll(tornState(where, place, expected));
            deleteTree(place.state());
        }
    }

    /** What is wrong on {@code place} after a kill and a re-run. */
    private List<String> tornState(String where, Place place, Set<String> expected) throws Exception {
        List<String> problems = new ArrayList<>();
        extraCheck.apply(place).forEach(x -> problems.add(where + x));
        for (String f : findings(place)) {
            if (!expected.contains(f)) {
                problems.add(where + "audit: " + f);
            }
        }
        try {
            Git.run(tmp, "--git-dir", place.ledgerGitDir().toString(), "fsck", "--no-dangling", "--strict");
        } catch (AssertionError e) {
            problems.add(where + "git fsck: " + e.getMessage());
        }
        Path store = place.state().resolve("store");
        if (place.store().isEmpty()) {
            // every manifest the layout's index names is there
            JsonNode index = Json.mapper().readTree(store.resolve("index.json").toFile());
            for (JsonNode m : index.path("manifests")) {
                Path blob = store.resolve("blobs").resolve(m.path("digest").asText().replace(':', '/'));
                if (!Files.isRegularFile(blob)) {
                    problems.add(where + "the store's index names " + m.path("digest").asText() + ", which is not there");
                }
            }
        }
        return problems;
    }

    /** The audit's findings of the whole ledger and every release, with the run's own names taken out. */
    private Set<String> findings(Place place) throws Exception {
        Outcome audit = inProcess(ci(place, "audit", "--all", "--json"));
        assertThat(audit.exit()).as("audit: " + audit.err()).isBetween(0, 1);
        Set<String> out = new TreeSet<>();
        collectFindings(Json.mapper().readTree(audit.out()), out);
        Set<String> named = new TreeSet<>();
        for (String f : out) {
            for (Map.Entry<String, String> e : place.names().entrySet()) {
                f = f.replace(e.getKey(), e.getValue());
            }
            named.add(f);
        }
        return named;
    }

    private static void collectFindings(JsonNode node, Set<String> out) {
        if (node.isObject() && node.has("rule") && node.has("message")) {
            out.add(node.path("rule").asText() + ": " + node.path("message").asText());
        }
        node.forEach(child -> collectFindings(child, out));
    }

    /**
     * Runs {@code args} in a process of its own and kills it (SIGKILL) once {@code changes} changes of {@code watched} were
     * seen (then {@code extraMillis} later); when it ends first, it was not killed.
     */
    private Killed runAndKillAfter(List<String> args, List<Path> watched, int changes, int extraMillis) throws Exception {
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
        String said = Files.readString(err);
        Files.delete(err);
        return new Killed(killed, p.exitValue(), seen, said);
    }

    /** Every file under the directories with its size and modification time: a change of it is I/O seen. */
    private static String fingerprint(List<Path> dirs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path dir : dirs) {
            if (!Files.exists(dir)) {
                continue;
            }
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
                sb.append(dir).append(" racing\n");
            }
        }
        return sb.toString();
    }

    private static List<Path> temporaryFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
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
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}

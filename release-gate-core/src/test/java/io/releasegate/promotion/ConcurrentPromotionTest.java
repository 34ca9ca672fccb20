package io.releasegate.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digest;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventSigner;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.RegistryStore;
import io.releasegate.testing.Evidence;
import io.releasegate.testing.Git;
import io.releasegate.testing.GitHttpServer;
import io.releasegate.testing.LocalRegistry;
import io.releasegate.testing.LocalRegistryExtension;
import io.releasegate.testing.TestTrust;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrency at scale, as separate CI agents sharing one real registry and one remote ledger (git smart HTTP) would
 * meet it: 50 promotions of 50 different releases to dev at once, while 10 promotions of the same release race to
 * production (5 of the racers in JVMs of their own), and 4 more try to promote that release with the digest of another
 * version of the same name. Every worker has its own store and ledger objects and its own state directory (remote cache,
 * witness). Afterwards the remote ledger is read with JGit and with the git command line: exactly one promotion event
 * per release and environment, none lost, none duplicated, a linear history of signed events each believed as the
 * product believes them, the registry's environment tags naming the promoted digests; one winner in the race, every
 * other racer told that the release is already there (by which event), the wrong digest refused, and nothing left
 * behind by a loser.
 */
@ExtendWith(LocalRegistryExtension.class)
class ConcurrentPromotionTest {

    static final int RELEASES = 50;
    static final int RACERS = 10;
    /** Of the racers, these run in JVMs of their own (in-JVM threads share JGit's caches, which could hide a race). */
    static final int JVM_RACERS = 5;
    static final int WRONG_DIGEST = 4;
    static final Instant MONDAY = Instant.parse("2026-11-23T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(MONDAY, ZoneOffset.UTC);
    static final String USER = "release-ci";
    static final String PASSWORD = "s3cret-token";

    @TempDir
    Path tmp;

    @Test
    void fiftyReleasesAtOnceAndTenRacersForOneReleaseLoseNothingAndRecordOneWinner(LocalRegistry registry) throws Exception {
        long started = System.nanoTime();
        TestTrust trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora");
        Path policyFile = Files.writeString(tmp.resolve("policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia]
                    domain-reviewer:
                      people: [dora]
                """);
        Policy policy = PolicyLoader.load(Optional.of(policyFile));
        Path served = Files.createDirectories(tmp.resolve("served"));
        Path bare = served.resolve("ledger.git");
        String storeUri = registry.uri("conc-" + UUID.randomUUID().toString().substring(0, 8));

        try (GitHttpServer http = GitHttpServer.start(served, USER, PASSWORD)) {
            String ledgerUrl = http.url("ledger.git").replace("://", "://" + USER + ":" + PASSWORD + "@");

            // ---- the racers to production, each in its own JVM, started first (a JVM takes a while), opened and waiting
            // for the start, which brings the digest
            List<Process> jvms = new ArrayList<>();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (int r = 0; r < JVM_RACERS; r++) {
                jvms.add(new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                        "-cp", System.getProperty("java.class.path"), PromoteMain.class.getName(), storeUri, ledgerUrl,
                        tmp.resolve("racer-" + r).toString(), trust.file().toString(), trust.ciKeyFile().toString(),
                        policyFile.toString(), "payments", "1.0.0", "production", MONDAY.toString())
                        .redirectError(tmp.resolve("racer-" + r + ".err").toFile()).start());
            }
            // ---- setup meanwhile, straight into the bare repository the server serves: the releases, one of them up
            // to staging
            Map<String, Digest> built = new java.util.concurrent.ConcurrentHashMap<>();
            ExecutorService builders = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> builds = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    int first = k;
                    builds.add(builders.submit(() -> {
                        try (ReleaseContext ctx = ReleaseContext.open(options(storeUri, bare.toString(), "builder-" + first,
                                trust.ci(), trust))) {
                            for (int i = first; i < RELEASES; i += 4) {
                                built.put(service(i), build(ctx, service(i), "1.0.0"));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : builds) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                builders.shutdownNow();
            }
            Digest payments;
            Digest otherVersion;
            try (ReleaseContext ctx = ReleaseContext.open(options(storeUri, bare.toString(), "setup", trust.ci(), trust))) {
                payments = build(ctx, "payments", "1.0.0");
                otherVersion = build(ctx, "payments", "1.1.0");
                Evidence.record(ctx.store(), ctx.ledger(), "payments", "1.0.0", tmp.resolve("release-keys"), CLOCK);
                for (String env : List.of("dev", "staging")) {
                    new PromoteDigest(policy, ctx.store(), ctx.ledger()).release("payments", "1.0.0").digest(payments).to(env)
                            .actor("ci").clock(CLOCK).call();
                }
            }
            for (String[] approver : List.of(new String[] {"mia", "maintainer"}, new String[] {"dora", "domain-reviewer"})) {
                try (ReleaseContext ctx = ReleaseContext.open(options(storeUri, bare.toString(), "setup-" + approver[0],
                        trust.person(approver[0]), trust))) {
                    new ApproveProduction(policy, ctx.ledger(), RoleDirectory.resolve(policy, tmp)).release("payments", "1.0.0")
                            .digest(payments).approver(approver[0]).role(approver[1]).rationale("staging checks green")
                            .authors(Set.of("Alice Author")).clock(CLOCK).call();
                }
            }
            int setupEvents = Integer.parseInt(Git.run(tmp, "--git-dir", bare.toString(), "rev-list", "--count", "main").trim());
            long setupDone = System.nanoTime();
            System.out.printf("concurrency: setup of %d events in %.1f s%n", setupEvents, (setupDone - started) / 1e9);

            for (int r = 0; r < JVM_RACERS; r++) {
                String ready = new String(jvms.get(r).getInputStream().readNBytes("ready\n".length()), StandardCharsets.UTF_8);
                assertThat(ready).as("racer " + r + ": " + read(tmp.resolve("racer-" + r + ".err"))).isEqualTo("ready\n");
            }

            System.out.printf("concurrency: racers' JVMs ready %.1f s after the start%n", (System.nanoTime() - started) / 1e9);

            // ---- the 50 promotions of different releases and the wrong-digest attempts, each an agent of its own
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(RELEASES + RACERS - JVM_RACERS + WRONG_DIGEST);
            List<Future<PromoteDigest.Result>> releases = new ArrayList<>();
            List<Future<PromoteDigest.Result>> racing = new ArrayList<>();
            List<Future<PromoteDigest.Result>> wrong = new ArrayList<>();
            try {
                for (int i = 0; i < RELEASES; i++) {
                    String name = service(i);
                    Digest d = built.get(name);
                    releases.add(pool.submit(agent(storeUri, ledgerUrl, "agent-" + i, trust, go, ctx ->
                            new PromoteDigest(policy, ctx.store(), ctx.ledger()).release(name, "1.0.0").digest(d).to("dev")
                                    .actor("ci").clock(CLOCK).call())));
                }
                for (int i = JVM_RACERS; i < RACERS; i++) {
                    racing.add(pool.submit(agent(storeUri, ledgerUrl, "racer-" + i, trust, go, ctx ->
                            new PromoteDigest(policy, ctx.store(), ctx.ledger()).release("payments", "1.0.0")
                                    .digest(payments).to("production").actor("ci").clock(CLOCK).call())));
                }
                for (int i = 0; i < WRONG_DIGEST; i++) {
                    wrong.add(pool.submit(agent(storeUri, ledgerUrl, "wrong-" + i, trust, go, ctx ->
                            new PromoteDigest(policy, ctx.store(), ctx.ledger()).release("payments", "1.0.0")
                                    .digest(otherVersion).to("production").actor("ci").clock(CLOCK).call())));
                }
                long raceStart = System.nanoTime();
                for (Process p : jvms) {
                    try (OutputStream in = p.getOutputStream()) {
                        in.write((payments + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                go.countDown();

                // every promotion of a different release succeeded, each with an event of its own
                List<PromoteDigest.Result> results = new ArrayList<>();
                for (Future<PromoteDigest.Result> f : releases) {
                    results.add(f.get(5, TimeUnit.MINUTES));
                }
                assertThat(results).allSatisfy(r -> assertThat(r.alreadyThere()).isFalse());
                assertThat(results).extracting(PromoteDigest.Result::eventId).doesNotHaveDuplicates().hasSize(RELEASES);

                // the wrong digest is refused, whoever wins the race
                for (Future<PromoteDigest.Result> f : wrong) {
                    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> f.get(5, TimeUnit.MINUTES));
                    assertThat(thrown).hasCauseInstanceOf(RefusedException.class);
                    assertThat(((RefusedException) thrown.getCause()).refusals()).extracting(x -> x.rule())
                            .contains("promote.digest-mismatch");
                }

                // one racer won; each other one was told the release is already there, by the winner's event
                List<String> outputs = new ArrayList<>();
                for (Future<PromoteDigest.Result> f : racing) {
                    PromoteDigest.Result r = f.get(5, TimeUnit.MINUTES);
                    outputs.add(r.describe() + "\nresult " + io.releasegate.json.Json.compact(io.releasegate.json.Json.tree(r)));
                }
                for (int r = 0; r < JVM_RACERS; r++) {
                    Process p = jvms.get(r);
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
                    assertThat(p.exitValue()).as("racer " + r + ": " + out + "\n" + read(tmp.resolve("racer-" + r + ".err")))
                            .isZero();
                    outputs.add(out);
                }
                long raceDone = System.nanoTime();
                List<com.fasterxml.jackson.databind.JsonNode> racers = outputs.stream()
                        .map(o -> readJson(o.substring(o.indexOf("result ") + "result ".length()))).toList();
                List<com.fasterxml.jackson.databind.JsonNode> winners = racers.stream()
                        .filter(n -> !n.path("alreadyThere").asBoolean()).toList();
                assertThat(winners).as(String.join("\n", outputs)).hasSize(1);
                String winner = winners.get(0).path("eventId").asText();
                assertThat(racers).hasSize(RACERS).allSatisfy(n -> {
                    assertThat(n.path("eventId").asText()).isEqualTo(winner);
                    assertThat(n.path("reference").asText()).isEqualTo("payments/production:1.0.0");
                });
                assertThat(outputs).filteredOn(o -> o.startsWith("already in ")).hasSize(RACERS - 1).allSatisfy(o ->
                        assertThat(o).startsWith("already in production: payments/production:1.0.0 = " + payments
                                + " (promoted by event " + winner + "; nothing recorded)"));

                // ---- the remote ledger, read by the product (JGit) from a fresh workspace
                int expected = setupEvents + RELEASES + 1;
                System.out.printf("concurrency: %d + %d promotions (+%d wrong digest) in %.1f s, git requests %s%n",
                        RELEASES, RACERS, WRONG_DIGEST, (raceDone - raceStart) / 1e9, http.requests());
                try (ReleaseContext auditor = ReleaseContext.open(new ReleaseContext.Options(storeUri, ledgerUrl,
                        tmp.resolve("auditor"), Optional.empty()).withTrust(Optional.of(trust.file())))) {
                    Ledger reader = auditor.ledger();
                    List<Ledger.Entry> entries = reader.entries();
                    assertThat(entries).hasSize(expected);
                    assertThat(entries).allSatisfy(en -> assertThat(en.verification().verified())
                            .as(en.event().id() + " " + en.verification()).isTrue());
                    Map<String, Long> promoted = entries.stream().map(Ledger.Entry::event)
                            .filter(e -> e.type().equals("promoted"))
                            .collect(Collectors.groupingBy(e -> e.subject() + " " + e.text("environment").orElseThrow()
                                    + " " + e.digest().orElseThrow(), Collectors.counting()));
                    for (int i = 0; i < RELEASES; i++) {
                        assertThat(promoted).containsEntry(service(i) + "@1.0.0 dev " + built.get(service(i)), 1L);
                    }
                    assertThat(promoted).containsEntry("payments@1.0.0 production " + payments, 1L)
                            .containsEntry("payments@1.0.0 dev " + payments, 1L)
                            .containsEntry("payments@1.0.0 staging " + payments, 1L)
                            .hasSize(RELEASES + 3);
                    assertThat(entries.stream().filter(en -> en.event().type().equals("promoted")
                            && en.event().subject().equals("payments@1.0.0")
                            && en.event().text("environment").orElseThrow().equals("production")).findFirst().orElseThrow()
                            .event().id()).isEqualTo(winner);
                    assertThat(reader.checkpoints()).isNotEmpty()
                            .allSatisfy(c -> assertThat(c.problem()).as("checkpoint " + c.size()).isEmpty());
                }
                assertRawHistory(bare, expected);

                // ---- git itself, as an independent checker of the served repository
                Map<String, String> gpg = gnupgHome(trust);
                String log = gitStdout(gpg, "-c", "gpg.ssh.allowedSignersFile=" + trust.allowedSigners(),
                        "--git-dir", bare.toString(), "log", "--format=%H %P%x09%G?%x09%s", "main");
                List<String> lines = log.lines().toList();
                assertThat(lines).hasSize(expected);
                assertThat(lines).allSatisfy(l -> {
                    assertThat(l.split("\t")[0].split(" ")).as("one parent at most: " + l).hasSizeLessThanOrEqualTo(2);
                    assertThat(l.split("\t")[1]).as("signature of " + l).isIn("G", "U");
                });
                assertThat(Git.run(tmp, "--git-dir", bare.toString(), "rev-list", "--merges", "main")).isBlank();
                Map<String, Long> bySubject = lines.stream().map(l -> l.split("\t")[2]).filter(s -> s.startsWith("promoted "))
                        .collect(Collectors.groupingBy(s -> s.substring(0, s.lastIndexOf(' ')), Collectors.counting()));
                assertThat(bySubject).hasSize(RELEASES + 1).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(
                        k.equals("promoted payments@1.0.0") ? 3L : 1L));
                Git.run(tmp, "--git-dir", bare.toString(), "fsck", "--strict", "--no-dangling");
                List<String> reflog = read(bare.resolve("logs/refs/heads/main")).lines().toList();
                Map<String, String> parentOf = new HashMap<>();
                for (String l : lines) {
                    String[] ids = l.split("\t")[0].trim().split(" ");
                    parentOf.put(ids[0], ids.length > 1 ? ids[1] : "0".repeat(40));
                }
                assertThat(reflog).as("every update of main a fast-forward by one event").hasSize(expected)
                        .allSatisfy(e -> assertThat(parentOf.get(e.split(" ")[1])).as(e).isEqualTo(e.split(" ")[0]));

                // ---- the registry: every environment tag names the promoted digest
                try (ArtifactStore store = RegistryStore.open(storeUri, Optional.empty())) {
                    for (int i = 0; i < RELEASES; i++) {
                        assertThat(store.fetchManifest(service(i) + "/dev", "1.0.0").orElseThrow().digest())
                                .isEqualTo(built.get(service(i)));
                    }
                    assertThat(store.fetchManifest("payments/production", "1.0.0").orElseThrow().digest()).isEqualTo(payments);
                    assertThat(store.fetchManifest("payments/production", "1.1.0")).isEmpty();
                }

                // ---- nothing left behind: no lock file in the served repository or in any agent's state
                try (Stream<Path> files = Files.walk(tmp)) {
                    assertThat(files.filter(f -> f.getFileName().toString().endsWith(".lock")).toList()).isEmpty();
                }
                System.out.printf("concurrency: setup %d events in %.1f s; %d + %d promotions (+%d wrong digest) in %.1f s; "
                                + "%d events expected, %d found; %d winner(s) of %d racers%n",
                        setupEvents, (setupDone - started) / 1e9, RELEASES, RACERS, WRONG_DIGEST,
                        (raceDone - raceStart) / 1e9, expected, lines.size(), winners.size(), RACERS);
            } finally {
                pool.shutdownNow();
                jvms.forEach(Process::destroyForcibly);
            }
        }
    }

    /** A history read with plain JGit: linear, from one root, each commit holding one event.json and signed. */
    private static void assertRawHistory(Path bare, int expected) throws Exception {
        try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(repo.resolve(GitLedger.BRANCH)));
            int n = 0;
            int roots = 0;
            for (RevCommit c : walk) {
                n++;
                assertThat(c.getParentCount()).as(c.name()).isLessThanOrEqualTo(1);
                roots += c.getParentCount() == 0 ? 1 : 0;
                assertThat(c.getRawGpgSignature()).as("signature of " + c.name()).isNotNull();
            }
            assertThat(n).isEqualTo(expected);
            assertThat(roots).isEqualTo(1);
        }
    }

    private static String service(int i) {
        return String.format("svc-%02d", i);
    }

    private Digest build(ReleaseContext ctx, String name, String version) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws").resolve(name + "-" + version));
        Files.writeString(ws.resolve("app.txt"), name + " " + version);
        return new BuildOnce(ctx.store(), ctx.ledger()).name(name).version(version).workspace(ws).outputs(List.of("app.txt"))
                .actor("ci").clock(CLOCK).call().digest();
    }

    private ReleaseContext.Options options(String store, String ledger, String state, EventSigner signer, TestTrust trust) {
        return new ReleaseContext.Options(store, ledger, tmp.resolve(state), Optional.empty())
                .withTrust(Optional.of(trust.file())).withSigner(Optional.of(signer));
    }

    /** One CI agent: its own store and ledger objects and state directory, started with the others. */
    private Callable<PromoteDigest.Result> agent(String store, String ledger, String state, TestTrust trust, CountDownLatch go,
                                                 Function<ReleaseContext, PromoteDigest.Result> work) {
        return () -> {
            try (ReleaseContext ctx = ReleaseContext.open(options(store, ledger, state, trust.ci(), trust))) {
                go.await();
                return work.apply(ctx);
            }
        };
    }

    /** A GnuPG home that knows the trust's OpenPGP keys, for git's own signature check. */
    private Map<String, String> gnupgHome(TestTrust trust) throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "gpg");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder pb = new ProcessBuilder("gpg", "--batch", "--import", trust.dir().resolve("keyring.asc").toString())
                .redirectErrorStream(true);
        pb.environment().put("GNUPGHOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return Map.of("GNUPGHOME", home.toString());
    }

    /** What git prints on standard output (its standard error, where gpg's chatter goes, apart). */
    private String gitStdout(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(tmp.resolve("git.err").toFile());
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(read(tmp.resolve("git.err"))).isZero();
        return out;
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(String s) {
        try {
            return io.releasegate.json.Json.mapper().readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not a result: " + s, e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (Exception e) {
            return "";
        }
    }
}

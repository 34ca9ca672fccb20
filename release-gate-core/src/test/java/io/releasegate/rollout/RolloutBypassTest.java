package io.releasegate.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.Evidence;
import io.releasegate.testing.TestRepo;
import io.releasegate.testing.TestTrust;
import io.releasegate.verify.VerifyProduction;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A progressive rollout (canary 5% for at least 30 minutes, with a passing check, a signed checklist and healthy error
 * rate; ring2 25% with a dashboard link; then production) that insiders try to shortcut: skipping a stage, another
 * digest, no evidence, before the soak time, a failed health check, evidence of another digest or stage, a checklist
 * signed by the wrong person. Every event is signed as in a real installation; each attempt is refused by its rule and
 * nothing is promoted. Then the happy path, and the automatic rollback to the known-good release.
 */
class RolloutBypassTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z"); // a Monday, inside the change window
    static final Set<String> AUTHORS = Set.of("Alice Author", "alice@example.com");

    @TempDir
    Path tmp;
    TestTrust trust;
    TestRepo repo;
    Policy policy;
    RoleDirectory roles;
    OciLayoutStore store;
    final Map<String, Ledger> ledgers = new LinkedHashMap<>();
    final Map<String, Digest> digests = new HashMap<>();
    Path errorRate;

    static Clock at(int minutes) {
        return Clock.fixed(T0.plus(Duration.ofMinutes(minutes)), ZoneOffset.UTC);
    }

    @BeforeEach
    void setUp() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora", "carol", "alice", "rita", "eve");
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia, alice]
                    domain-reviewer:
                      people: [dora, carol]
                rollout:
                  stages:
                    - name: canary
                      percent: 5
                      soak: 30m
                      evidence: [check, checklist]
                      health:
                        - name: error-rate
                          command: ["sh", "-c", "cat \\"$1\\"", "error-rate", "error-rate.txt"]
                          max: 0.01
                          timeout: 5s
                    - name: ring2
                      percent: 25
                      evidence: [dashboard]
                """);
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        roles = RoleDirectory.resolve(policy, repo.dir());
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        errorRate = Files.writeString(tmp.resolve("error-rate.txt"), "0.002\n");
    }

    @AfterEach
    void close() {
        ledgers.values().forEach(Ledger::close);
    }

    Ledger as(String who) {
        return ledgers.computeIfAbsent(who, w -> GitLedger.open(GitLedger.Options.of("", tmp.resolve("state"))
                .withTrust(Optional.of(trust.file()))
                .withSigner(Optional.of(w.equals("ci") ? trust.ci() : trust.person(w)))));
    }

    Ledger ci() {
        return as("ci");
    }

    /** Built with its own content, with signatures, SBOMs, provenance, passing gates and production's two approvals. */
    Digest approved(String version) throws Exception {
        Files.writeString(repo.dir().resolve("app.txt"), "payments " + version);
        Digest d = new BuildOnce(store, ci()).name("payments").version(version).workspace(repo.dir()).outputs(List.of("*.txt"))
                .actor("rita").clock(at(0)).call().digest();
        digests.put(version, d);
        Evidence.record(store, ci(), "payments", version, tmp.resolve("keys-" + version), at(0));
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            new ApproveProduction(policy, as(a[0]), roles).release("payments", version).digest(d).approver(a[0]).role(a[1])
                    .rationale("evidence complete").authors(AUTHORS).clock(at(0)).call();
        }
        promote(version, "dev", 0).call();
        promote(version, "staging", 0).call();
        return d;
    }

    PromoteDigest promote(String version, String env, int minutes) {
        return new PromoteDigest(policy, store, ci()).release("payments", version).digest(digests.get(version)).to(env)
                .actor("ci").roles(roles).authors(AUTHORS).clock(at(minutes));
    }

    StageEvidence evidence(String who, String version, String stage, StageEvidence.Kind kind, int minutes) {
        return new StageEvidence(policy, as(who)).release("payments", version).stage(stage).actor(who).evidence(kind)
                .roles(roles).authors(AUTHORS).clock(at(minutes));
    }

    StageEvidence.Check check(String command) {
        return new StageEvidence.Check(List.of("sh", "-c", command), tmp, Duration.ofSeconds(5));
    }

    StageHealth health(String version, int minutes) {
        return new StageHealth(policy, store, ci()).release("payments", version).stage("canary").actor("ci").workdir(tmp)
                .clock(at(minutes));
    }

    /** In canary with everything the next stage needs, recorded at minute 5. */
    void canaryVerified(String version) {
        promote(version, "production-canary", 0).call();
        assertThat(evidence("ci", version, "canary", check("echo 'p99 latency 120ms'"), 5).call().passed()).isTrue();
        evidence("carol", version, "canary", new StageEvidence.Checklist("logs clean, no new alerts"), 5).call();
        assertThat(health(version, 5).call().passed()).isTrue();
    }

    long promotions(String version, String env) {
        return ci().events("payments@" + version).stream().filter(e -> e.type().equals("promoted")
                && e.text("environment").orElse("").equals(env)).count();
    }

    void refused(Supplier<?> attempt, String rule, String message) {
        int before = ci().events().size();
        Throwable thrown = catchThrowable(attempt::get);
        assertThat(thrown).isInstanceOf(RefusedException.class);
        assertThat(((RefusedException) thrown).refusals()).as(thrown.getMessage())
                .anySatisfy(r -> {
                    assertThat(r.rule()).isEqualTo(rule);
                    assertThat(r.evidence()).contains(message);
                    assertThat(r.remedy()).isNotBlank();
                });
        assertThat(ci().events()).as("nothing recorded").hasSize(before);
    }

    @Test
    void theStagesAreEnvironmentsBetweenStagingAndProduction() {
        assertThat(policy.environments().stream().map(Policy.Environment::name))
                .containsExactly("dev", "staging", "production-canary", "production-ring2", "production");
        assertThat(policy.requireEnvironment("production-canary").requires())
                .isEqualTo(policy.requireEnvironment("production").requires());
        assertThat(policy.production()).isEqualTo("production");
        assertThat(policy.stageOf("production-ring2").map(Policy.Stage::percent)).contains(25);
        assertThat(policy.stageOf("production")).isEmpty();
    }

    @Test
    void skippingAStageIsRefused() throws Exception {
        approved("1.0.0");
        refused(() -> promote("1.0.0", "production", 60).call(), "promote.skip-environment", "production-ring2");
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "promote.skip-environment", "production-canary");
        assertThat(promotions("1.0.0", "production")).isZero();
    }

    @Test
    void aDifferentDigestAtTheNextStageIsRefused() throws Exception {
        approved("1.0.0");
        canaryVerified("1.0.0");
        Digest other = approved("1.0.1");
        refused(() -> new PromoteDigest(policy, store, ci()).release("payments", "1.0.0").digest(other).to("production-ring2")
                .actor("ci").roles(roles).authors(AUTHORS).clock(at(60)).call(), "promote.digest-mismatch", "1.0.0");
        refused(() -> promote("1.0.1", "production-ring2", 60).call(), "promote.skip-environment", "production-canary");
    }

    @Test
    void theNextStageWithoutEvidenceIsRefused() throws Exception {
        approved("1.0.0");
        promote("1.0.0", "production-canary", 0).call();
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.evidence-missing", "no check evidence");
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.evidence-missing", "no checklist");
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.evidence-missing", "no health check");
        // a failing check is no evidence
        assertThat(evidence("ci", "1.0.0", "canary", check("echo broken; exit 4"), 5).call().passed()).isFalse();
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.evidence-missing", "did not pass: exit 4");
        assertThat(promotions("1.0.0", "production-ring2")).isZero();
    }

    @Test
    void theNextStageBeforeTheSoakTimeIsRefused() throws Exception {
        approved("1.0.0");
        canaryVerified("1.0.0");
        refused(() -> promote("1.0.0", "production-ring2", 29).call(), "rollout.soak", "of the stage's soak time PT30M");
        assertThat(promote("1.0.0", "production-ring2", 30).call().alreadyThere()).isFalse();
    }

    @Test
    void aFailedHealthCheckBlocksTheNextStage() throws Exception {
        approved("1.0.0");
        canaryVerified("1.0.0");
        Files.writeString(errorRate, "0.25\n");
        StageHealth.Result r = health("1.0.0", 20).call();
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).contains("error-rate: 0.25 is not <= 0.01");
        assertThat(r.rollback()).isInstanceOf(StageHealth.NotAsked.class);
        Event recorded = r.event();
        assertThat(recorded.payload().path("checks").get(0).path("value").asText()).isEqualTo("0.25");
        assertThat(recorded.payload().path("checks").get(0).path("threshold").asText()).isEqualTo("<= 0.01");
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.health-failed", "0.25 is not <= 0.01");
        assertThat(promotions("1.0.0", "production-ring2")).isZero();
    }

    @Test
    void evidenceOfAnotherDigestOrAnotherStageProvesNothing() throws Exception {
        approved("1.0.0");
        promote("1.0.0", "production-canary", 0).call();
        // evidence about a digest that is not the one in the stage is refused outright
        Digest another = approvedOther();
        refused(() -> evidence("ci", "1.0.0", "canary", check("true"), 5).digest(Optional.of(another)).call(),
                "rollout.not-in-stage", "not sha256:");
        // evidence recorded (by hand, signed by CI) for another digest or another stage does not count
        Digest other = digests.get("1.0.1");
        for (Object[] fake : new Object[][] {{other, "production-canary"}, {digests.get("1.0.0"), "production-ring2"}}) {
            ci().append(Event.draft("stage-verified", "payments@1.0.0", Optional.of((Digest) fake[0]), "ci", at(5).instant(),
                    Json.object().put("environment", (String) fake[1]).put("kind", "check").put("result", "pass")));
            as("carol").append(Event.draft("stage-checklist-signed", "payments@1.0.0", Optional.of((Digest) fake[0]), "carol",
                    at(5).instant(), Json.object().put("environment", (String) fake[1]).put("checklist", "ok")));
            ci().append(Event.draft("health-checked", "payments@1.0.0", Optional.of((Digest) fake[0]), "ci", at(5).instant(),
                    Json.object().put("environment", (String) fake[1]).put("result", "pass")));
        }
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.evidence-missing", "no check evidence");
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.evidence-missing", "no checklist");
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.evidence-missing", "no health check");
    }

    Digest approvedOther() throws Exception {
        return approved("1.0.1");
    }

    @Test
    void aChecklistSignedByTheWrongPersonIsRefusedAndDoesNotCount() throws Exception {
        approved("1.0.0");
        promote("1.0.0", "production-canary", 0).call();
        StageEvidence.Checklist list = new StageEvidence.Checklist("looked fine");
        refused(() -> evidence("eve", "1.0.0", "canary", list, 5).call(), "rollout.checklist-signer", "eve holds none of the roles");
        refused(() -> evidence("alice", "1.0.0", "canary", list, 5).call(), "rollout.checklist-author", "alice authored");
        refused(() -> evidence("rita", "1.0.0", "canary", list, 5).call(), "rollout.checklist-signer", "rita holds none");
        // signed by her own key and appended by hand: still not counted
        as("alice").append(Event.draft("stage-checklist-signed", "payments@1.0.0", Optional.of(digests.get("1.0.0")), "alice",
                at(5).instant(), Json.object().put("environment", "production-canary").put("checklist", "mine, fine")));
        evidence("ci", "1.0.0", "canary", check("true"), 5).call();
        health("1.0.0", 5).call();
        refused(() -> promote("1.0.0", "production-ring2", 60).call(), "rollout.checklist-signer", "alice (event");
        // a checklist asserted by the CI key in carol's name is not believed
        assertThatThrownBy(() -> ci().append(Event.draft("stage-checklist-signed", "payments@1.0.0",
                Optional.of(digests.get("1.0.0")), "carol", at(5).instant(),
                Json.object().put("environment", "production-canary").put("checklist", "ok"))))
                .isInstanceOf(RuntimeException.class);
        assertThat(promotions("1.0.0", "production-ring2")).isZero();
    }

    @Test
    void theHappyPathGoesCanaryRingProductionAndVerifiesEachStage() throws Exception {
        approved("1.0.0");
        canaryVerified("1.0.0");
        assertThat(new VerifyProduction(store, ci()).release("payments", "1.0.0").environment("production-canary").workdir(tmp)
                .actor("ci").clock(at(10)).call().ok()).isTrue();
        promote("1.0.0", "production-ring2", 31).call();
        refused(() -> promote("1.0.0", "production", 40).call(), "rollout.evidence-missing", "no dashboard evidence");
        evidence("ci", "1.0.0", "ring2", new StageEvidence.Dashboard(URI.create("https://dash.example.test/d/payments")), 35).call();
        assertThat(promote("1.0.0", "production", 40).call().environment()).isEqualTo("production");
        assertThat(store.fetchManifest("payments/production-ring2", "1.0.0").orElseThrow().digest()).isEqualTo(digests.get("1.0.0"));
        assertThat(new VerifyProduction(store, ci()).release("payments", "1.0.0").workdir(tmp).actor("ci").clock(at(45)).call().ok())
                .isTrue();
        RolloutStatus.Status status = RolloutStatus.of(policy, ci().events("payments@1.0.0"), "payments@1.0.0");
        assertThat(status.stages()).extracting(RolloutStatus.StageStatus::environment)
                .containsExactly("production-canary", "production-ring2", "production");
        assertThat(status.stages()).allSatisfy(s -> assertThat(s.promoted()).isPresent());
    }

    @Test
    void aStageVerificationDoesNotMakeADigestKnownGood() throws Exception {
        approved("1.0.0");
        canaryVerified("1.0.0");
        new VerifyProduction(store, ci()).release("payments", "1.0.0").environment("production-canary").workdir(tmp)
                .actor("ci").clock(at(10)).call();
        assertThat(io.releasegate.promotion.KnownGood.whyNot(ci().events("payments@1.0.0"), "payments@1.0.0",
                digests.get("1.0.0"))).isPresent();
    }

    /** 0.9.0 rolled out fully and verified in production: the known-good release. */
    void knownGood() throws Exception {
        approved("0.9.0");
        canaryVerified("0.9.0");
        promote("0.9.0", "production-ring2", 31).call();
        evidence("ci", "0.9.0", "ring2", new StageEvidence.Dashboard(URI.create("https://dash.example.test/d/1")), 35).call();
        promote("0.9.0", "production", 40).call();
        assertThat(new VerifyProduction(store, ci()).release("payments", "0.9.0").workdir(tmp).actor("ci").clock(at(45)).call().ok())
                .isTrue();
    }

    @Test
    void aFailedHealthCheckRollsTheStageBackToTheKnownGoodDigestRecordingWhy() throws Exception {
        knownGood();
        approved("1.0.0");
        promote("1.0.0", "production-canary", 60).call();
        Files.writeString(errorRate, "0.5\n");
        StageHealth.Result r = health("1.0.0", 70).autoRollback(true).call();
        assertThat(r.passed()).isFalse();
        StageHealth.RolledBack back = (StageHealth.RolledBack) r.rollback();
        assertThat(back.knownGood()).isEqualTo("payments@0.9.0");
        assertThat(back.digest()).isEqualTo(digests.get("0.9.0"));
        assertThat(back.refused()).isEmpty();
        assertThat(back.promotions()).singleElement().satisfies(p -> {
            assertThat(p.environment()).isEqualTo("production-canary");
            assertThat(p.rollback()).isTrue();
        });
        Event rollback = ci().events("payments@0.9.0").stream().filter(e -> e.type().equals("promoted")
                && e.payload().path("rollback").asBoolean()).findFirst().orElseThrow();
        assertThat(rollback.text("environment")).contains("production-canary");
        assertThat(rollback.text("reason").orElseThrow()).contains("error-rate: 0.5 is not <= 0.01").contains(r.event().id());
        assertThat(rollback.text("incident")).contains("health-checked " + r.event().id());
        assertThat(store.fetchManifest("payments/production-canary", "0.9.0").orElseThrow().digest())
                .isEqualTo(digests.get("0.9.0"));
        refused(() -> promote("1.0.0", "production-ring2", 120).call(), "rollout.health-failed", "0.5 is not <= 0.01");
        // canary runs 0.9.0 again: a health check or evidence measured there now is not about 1.0.0
        Files.writeString(errorRate, "0.001\n");
        refused(() -> health("1.0.0", 80).call(), "rollout.not-in-stage", "production-canary no longer runs payments@1.0.0");
        refused(() -> evidence("ci", "1.0.0", "canary", check("true"), 80).call(), "rollout.not-in-stage", "rolled back");
        refused(() -> promote("1.0.0", "production-ring2", 120).call(), "rollout.health-failed", "0.5 is not <= 0.01");
    }

    @Test
    void anAutoRollbackWithoutAKnownGoodDigestIsRefusedAndSaysSo() throws Exception {
        approved("1.0.0");
        promote("1.0.0", "production-canary", 0).call();
        Files.writeString(errorRate, "0.5\n");
        StageHealth.Result r = health("1.0.0", 10).autoRollback(true).call();
        assertThat(r.passed()).isFalse();
        StageHealth.Refused no = (StageHealth.Refused) r.rollback();
        assertThat(no.refusals()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("promote.rollback-known-good");
            assertThat(f.evidence()).contains("no known-good release of payments");
        });
        assertThat(ci().events().stream().filter(e -> e.type().equals("promoted") && e.payload().path("rollback").asBoolean()))
                .isEmpty();
    }

    @Test
    void aHealthCommandThatHangsOrPrintsGarbageFailsAndNothingPasses() throws Exception {
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), Files.readString(repo.dir().resolve(".release/policy.yaml"))
                .replace("command: [\"sh\", \"-c\", \"cat \\\"$1\\\"\", \"error-rate\", \"error-rate.txt\"]",
                        "command: [\"sh\", \"-c\", \"cat \\\"$1\\\"; sleep \\\"$2\\\"\", \"x\", \"error-rate.txt\", \"$SLEEP\"]")
                .replace("timeout: 5s", "timeout: 1s"));
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        approved("1.0.0");
        promote("1.0.0", "production-canary", 0).call();
        // "$SLEEP" is passed as it is: no shell of ours expands it, so sleep fails on it
        StageHealth.Result bad = health("1.0.0", 5).call();
        assertThat(bad.passed()).isFalse();
        assertThat(bad.summary()).contains("exit");
        Files.writeString(errorRate, "all good!\n");
        policy = PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("garbage.yaml"),
                Files.readString(repo.dir().resolve(".release/policy.yaml")).replace("\"$SLEEP\"", "\"0\""))));
        StageHealth.Result garbage = health("1.0.0", 6).call();
        assertThat(garbage.passed()).isFalse();
        assertThat(garbage.summary()).contains("printed 'all good!', not a number");
        assertThat(garbage.event().payload().path("checks").get(0).has("value")).isFalse();
        Files.writeString(errorRate, "0.001\n");
        policy = PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("hang.yaml"),
                Files.readString(repo.dir().resolve(".release/policy.yaml")).replace("\"$SLEEP\"", "\"30\""))));
        long started = System.nanoTime();
        StageHealth.Result hung = health("1.0.0", 7).call();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(hung.passed()).isFalse();
        assertThat(hung.summary()).contains("timed out after 1s");
        assertThat(ci().events("payments@1.0.0").stream().filter(e -> e.type().equals("health-checked"))
                .map(e -> e.text("result").orElse(""))).containsExactly("fail", "fail", "fail");
    }

    @Test
    void anUnknownStageIsAnInputErrorNamingTheStages() throws Exception {
        approved("1.0.0");
        assertThatThrownBy(() -> health("1.0.0", 0).stage("ring9").call()).isInstanceOf(InputException.class)
                .hasMessageContaining("unknown rollout stage 'ring9'").hasMessageContaining("[canary, ring2]");
        refused(() -> health("1.0.0", 0).call(), "rollout.not-in-stage", "never promoted to production-canary");
    }
}

package io.releasegate.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** approveProduction and promoteDigest against every bypass the policy must stop, and the happy paths. */
class GovernanceTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final Clock FRIDAY = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);
    static final Set<String> AUTHORS = Set.of("Alice Author", "alice@example.com");

    @TempDir
    Path tmp;
    TestRepo repo;
    Policy policy;
    OciLayoutStore store;
    Ledger ledger;
    RoleDirectory roles;
    BuildResult built;
    Digest digest;

    @BeforeEach
    void release() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia, alice, ci]
                      structureFile: meta/STRUCTURE.md
                    domain-reviewer:
                      people: [dora]
                """);
        Files.createDirectories(repo.dir().resolve("meta"));
        Files.writeString(repo.dir().resolve("meta/STRUCTURE.md"), "# Payments\n\n## Maintainers\n\n- @max\n\n## Other\n\n- @nobody\n");
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        roles = RoleDirectory.resolve(policy, repo.dir());
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        ledger = TestLedgers.embedded(tmp.resolve("state"));
        built = new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(repo.dir())
                .outputs(List.of("*.txt")).actor("ci").clock(MONDAY).call();
        digest = built.digest();
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    void evidence(Digest d) {
        assertThat(d).isEqualTo(digest);
        io.releasegate.testing.Evidence.record(store, ledger, "payments", "1.0.0", tmp.resolve("keys"), MONDAY);
    }

    ApproveProduction approve(String who, String role) {
        return new ApproveProduction(policy, ledger, roles).release("payments", "1.0.0").digest(digest).approver(who)
                .role(role).rationale("tests green; rollback plan reviewed").authors(AUTHORS).clock(MONDAY);
    }

    PromoteDigest promote(String env) {
        return new PromoteDigest(policy, store, ledger).release("payments", "1.0.0").digest(digest).to(env).actor("ci")
                .roles(roles).authors(AUTHORS).clock(MONDAY);
    }

    void toStaging() {
        evidence(digest);
        promote("dev").call();
        promote("staging").call();
    }

    @Test
    void theHappyPathPromotesTheSameBytesAllTheWayWithTwoIndependentApprovals() {
        toStaging();
        assertThat(approve("mia", "maintainer").call().status().satisfied()).isFalse();
        assertThat(approve("dora", "domain-reviewer").call().status().satisfied()).isTrue();
        PromoteDigest.Result prod = promote("production").call();
        assertThat(prod.reference()).isEqualTo("payments/production:1.0.0");
        assertThat(store.fetchManifest("payments/production", "1.0.0").orElseThrow().digest()).isEqualTo(digest);
        assertThat(store.fetchManifest("payments/staging", "1.0.0").orElseThrow().digest()).isEqualTo(digest);
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> e.type().equals("promoted"))
                .extracting(e -> e.text("environment").orElseThrow()).containsExactly("dev", "staging", "production");
        // every decision names the effective policy it was taken under, by its digest
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> List.of("approved", "decision", "promoted").contains(e.type()))
                .hasSizeGreaterThanOrEqualTo(6).allSatisfy(e -> assertThat(e.text(Policy.EVENT_FIELD)).as(e.type())
                        .contains(policy.digest().toString()));
        // again: already there, nothing new recorded
        int before = ledger.events().size();
        assertThat(promote("production").call().alreadyThere()).isTrue();
        assertThat(ledger.events()).hasSize(before);
        // a maintainer listed only in meta/STRUCTURE.md holds the role too
        assertThat(roles.holds("max", "maintainer")).isTrue();
        assertThat(roles.holds("nobody", "maintainer")).isFalse();
    }

    record Bypass(String name, Consumer<GovernanceTest> setUp, java.util.function.Function<GovernanceTest, Object> attempt,
                  String rule) {
    }

    @Test
    void everyBypassAttemptIsRefusedWithItsOwnRule() throws Exception {
        List<Bypass> table = List.of(
                new Bypass("self-approval by the releaser", t -> t.toStaging(), t -> t.approve("ci", "maintainer").call(),
                        "approval.releaser"),
                new Bypass("one person approving twice", t -> {
                    t.toStaging();
                    t.approve("mia", "maintainer").call();
                }, t -> t.approve("mia", "maintainer").call(), "approval.duplicate"),
                new Bypass("approver not in the role", t -> t.toStaging(), t -> t.approve("eve", "domain-reviewer").call(),
                        "approval.not-in-role"),
                new Bypass("the author approving", t -> t.toStaging(), t -> t.approve("alice", "maintainer").call(),
                        "approval.author"),
                new Bypass("approval naming another digest", t -> t.toStaging(), t -> t.approve("mia", "maintainer")
                        .digest(Digest.parse("sha256:" + "e".repeat(64))).call(), "approval.digest"),
                new Bypass("approval without rationale", t -> t.toStaging(), t -> t.approve("mia", "maintainer")
                        .rationale("  ").call(), "approval.rationale"),
                new Bypass("out of the window without an emergency record", t -> {
                    t.toStaging();
                    t.approve("mia", "maintainer").call();
                    t.approve("dora", "domain-reviewer").call();
                }, t -> t.promote("production").clock(FRIDAY).call(), "window.outside"),
                new Bypass("emergency record missing a field", t -> {
                    t.toStaging();
                    t.approve("mia", "maintainer").call();
                    t.approve("dora", "domain-reviewer").call();
                }, t -> t.promote("production").clock(FRIDAY).emergency(Optional.of(new EmergencyChange("outage", "cto",
                        "payments", "", List.of("postmortem")))).call(), "emergency.incomplete"),
                new Bypass("promoting a rebuilt digest under the same version", t -> t.evidence(t.digest),
                        t -> t.promote("dev").digest(Digest.parse("sha256:" + "f".repeat(64))).call(), "promote.digest-mismatch"),
                new Bypass("skipping staging", t -> {
                    t.evidence(t.digest);
                    t.promote("dev").call();
                    t.approve("mia", "maintainer").call();
                    t.approve("dora", "domain-reviewer").call();
                }, t -> t.promote("production").call(), "promote.skip-environment"),
                new Bypass("promoting without signatures", t -> t.promote("dev").call(), t -> t.promote("staging").call(),
                        "promote.evidence-signatures"),
                new Bypass("promoting after the stored provenance failed its verification", t -> {
                    t.evidence(t.digest);
                    t.promote("dev").call();
                    t.ledger.append(Event.draft("attestation-failed", "payments@1.0.0", Optional.of(t.digest), "ci", MONDAY.instant(),
                            Json.object().put("reason", "provenance.digest: the stored document does not match its digest")));
                }, t -> t.promote("staging").call(), "promote.evidence-provenance"),
                new Bypass("production without the approvals", t -> {
                    t.toStaging();
                    t.approve("mia", "maintainer").call();
                }, t -> t.promote("production").call(), "promote.approvals"),
                new Bypass("rolling back to a digest never in production", t -> t.toStaging(),
                        t -> t.promote("production").rollback(Optional.of("INC-9")).call(), "promote.rollback-known-good"));
        for (Bypass b : table) {
            Path fresh = Files.createTempDirectory(tmp, "case");
            GovernanceTest t = new GovernanceTest();
            t.tmp = fresh;
            t.release();
            try {
                b.setUp().accept(t);
                int events = t.ledger.events().size();
                Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> b.attempt().apply(t));
                assertThat(thrown).as(b.name() + " must be refused").isInstanceOf(RefusedException.class);
                assertThat(((RefusedException) thrown).refusals()).extracting(r -> r.rule()).as(b.name()).contains(b.rule());
                assertThat(t.ledger.events()).as(b.name() + ": nothing recorded").hasSize(events);
            } finally {
                t.close();
            }
        }
    }

    @Test
    void anEmergencyChangeOutsideTheWindowIsRecordedWithItsReviewDueDate() {
        toStaging();
        approve("mia", "maintainer").call();
        approve("dora", "domain-reviewer").call();
        EmergencyChange change = new EmergencyChange("card outage", "max", "payments only", "promote 0.9.0 again",
                List.of("postmortem PAY-77"));
        new ApproveEmergency(policy, ledger, roles).release("payments", "1.0.0").digest(digest).record(change).authors(AUTHORS)
                .clock(FRIDAY).call();
        PromoteDigest.Result r = promote("production").clock(FRIDAY).emergency(Optional.of(change)).call();
        List<Event> events = ledger.events("payments@1.0.0");
        Event emergency = events.stream().filter(e -> e.type().equals("emergency-change")).findFirst().orElseThrow();
        assertThat(emergency.text("reviewDue")).contains("2026-12-02T10:00:00Z");
        Event promoted = events.get(events.size() - 1);
        assertThat(promoted.id()).isEqualTo(r.eventId());
        assertThat(promoted.text("emergency")).contains(emergency.id());
    }

    @Test
    void codeownersGrantRolesAndDecisionsAreRecordedEitherWay() throws Exception {
        Files.writeString(repo.dir().resolve("CODEOWNERS"), "# owners\n*.java @dora-lead @team/payments\ndocs/ carl@example.com\n");
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), "approvals:\n  members:\n    domain-reviewer:\n"
                + "      codeowners: true\n    maintainer:\n      people: [mia]\n");
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        roles = RoleDirectory.resolve(policy, repo.dir());
        assertThat(roles.holds("dora-lead", "domain-reviewer")).isTrue();
        assertThat(roles.holds("carl", "domain-reviewer")).isTrue();
        assertThat(roles.holds("mia", "domain-reviewer")).isFalse();
        toStaging();
        approve("mia", "maintainer").call();
        approve("dora-lead", "domain-reviewer").call();
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> e.type().equals("decision"))
                .singleElement().satisfies(e -> assertThat(e.text("decision")).contains("go"));
        ApproveProduction.recordDecision(ledger, "payments@1.0.0", digest, "mia", false, "aborted at the input: freeze", "production", MONDAY);
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> e.type().equals("decision"))
                .extracting(e -> e.text("decision").orElseThrow()).containsExactly("go", "no-go");
    }

    @Test
    void aPromotionInterruptedAfterTheStoreCopyIsCompletedByRunningItAgain() {
        evidence(digest);
        Ledger failing = new io.releasegate.testing.FailingLedger(ledger);
        assertThatThrownBy(() -> new PromoteDigest(policy, store, failing).release("payments", "1.0.0").digest(digest).to("dev")
                .actor("ci").clock(MONDAY).call()).hasMessageContaining("unreachable");
        assertThat(store.fetchManifest("payments/dev", "1.0.0")).isPresent();
        assertThat(ledger.events("payments@1.0.0")).noneMatch(e -> e.type().equals("promoted"));
        PromoteDigest.Result again = promote("dev").call();
        assertThat(again.alreadyThere()).isFalse();
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> e.type().equals("promoted")).hasSize(1);
    }

    @Test
    void concurrentPromotionsAgainstARealRegistry() throws Exception {
        try (io.releasegate.testing.LocalRegistry registry = io.releasegate.testing.LocalRegistry.start()) {
            io.releasegate.store.RegistryStore remote = io.releasegate.store.RegistryStore.open(registry.uri("team"), Optional.empty());
            try (Ledger l = TestLedgers.embedded(tmp.resolve("registry-state"))) {
                BuildResult b = new BuildOnce(remote, l).name("payments").version("1.0.0").workspace(repo.dir())
                        .outputs(List.of("*.txt")).actor("ci").clock(MONDAY).call();
                io.releasegate.testing.Evidence.record(remote, l, "payments", "1.0.0", tmp.resolve("registry-keys"), MONDAY);
            }
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                for (String env : List.of("dev", "staging")) {
                    List<Callable<PromoteDigest.Result>> tasks = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        tasks.add(() -> {
                            try (Ledger own = TestLedgers.embedded(tmp.resolve("registry-state"))) {
                                io.releasegate.store.RegistryStore s = io.releasegate.store.RegistryStore.open(registry.uri("team"), Optional.empty());
                                Digest d = own.events("payments@1.0.0").get(0).digest().orElseThrow();
                                return new PromoteDigest(policy, s, own).release("payments", "1.0.0").digest(d).to(env)
                                        .actor("ci").clock(MONDAY).call();
                            }
                        });
                    }
                    List<PromoteDigest.Result> results = new ArrayList<>();
                    for (Future<PromoteDigest.Result> f : pool.invokeAll(tasks)) {
                        results.add(f.get());
                    }
                    assertThat(results).as(env).filteredOn(r -> !r.alreadyThere()).hasSize(1);
                    assertThat(remote.fetchManifest("payments/" + env, "1.0.0").orElseThrow().digest())
                            .isEqualTo(results.get(0).digest());
                }
            } finally {
                pool.shutdownNow();
            }
            try (Ledger l = TestLedgers.embedded(tmp.resolve("registry-state"))) {
                assertThat(l.events("payments@1.0.0")).filteredOn(e -> e.type().equals("promoted"))
                        .extracting(e -> e.text("environment").orElseThrow()).containsExactly("dev", "staging");
            }
        }
    }

    @Test
    void anOverdueEmergencyReviewIsReportedUntilItIsRecorded() {
        anEmergencyChangeOutsideTheWindowIsRecordedWithItsReviewDueDate();
        Instant later = Instant.parse("2026-12-05T00:00:00Z");
        assertThat(EmergencyReviews.overdue(ledger.events(), Instant.parse("2026-11-30T00:00:00Z"), policy, roles)).isEmpty();
        List<Event> overdue = EmergencyReviews.overdue(ledger.events(), later, policy, roles);
        assertThat(overdue).singleElement().satisfies(e -> assertThat(e.text("reason")).contains("card outage"));
        EmergencyReviews.review(ledger, policy, roles, overdue.get(0).id(), "dora", "root cause fixed; runbook updated", MONDAY);
        assertThat(EmergencyReviews.overdue(ledger.events(), later, policy, roles)).isEmpty();
    }

    @Test
    void verifyProductionChecksTheTaggedDigestTheSmokeChecksAndRollbackReadiness() throws Exception {
        toStaging();
        approve("mia", "maintainer").call();
        approve("dora", "domain-reviewer").call();
        promote("production").call();
        io.releasegate.verify.VerifyProduction.Result ok = new io.releasegate.verify.VerifyProduction(store, ledger)
                .release("payments", "1.0.0").check("digest-served", "test \"$RELEASE_DIGEST\" = " + digest)
                .check("health", "true").workdir(tmp).call();
        assertThat(ok.ok()).as(ok.problems().toString()).isTrue();
        assertThat(ok.tagged()).contains(digest);
        assertThat(ok.rollbackReady()).isTrue();

        io.releasegate.verify.VerifyProduction.Result bad = new io.releasegate.verify.VerifyProduction(store, ledger)
                .release("payments", "1.0.0").check("health", "exit 3").check("slow", "sleep 30")
                .timeout(java.time.Duration.ofMillis(500)).workdir(tmp).call();
        assertThat(bad.ok()).isFalse();
        assertThat(bad.problems()).anySatisfy(p -> assertThat(p).contains("check health failed (exit 3)"));
        assertThat(bad.checks()).filteredOn(c -> c.name().equals("slow")).singleElement()
                .satisfies(c -> assertThat(c.output()).contains("timed out"));

        // the production tag no longer names the promoted digest
        Path index = tmp.resolve("state/store/index.json");
        Files.writeString(index, Files.readString(index).replace("payments/production:1.0.0", "payments/production:0.0.1"));
        io.releasegate.verify.VerifyProduction.Result moved = new io.releasegate.verify.VerifyProduction(store, ledger)
                .release("payments", "1.0.0").workdir(tmp).call();
        assertThat(moved.ok()).isFalse();
        assertThat(moved.problems()).anySatisfy(p -> assertThat(p).contains("nothing is tagged payments/production:1.0.0"));
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> e.type().equals("production-verified"))
                .extracting(e -> e.text("result").orElseThrow()).containsExactly("pass", "fail", "fail");
    }

    @Test
    void aRollbackPromotesAKnownGoodDigestAgainAndIsRecordedAsOne() {
        toStaging();
        approve("mia", "maintainer").call();
        approve("dora", "domain-reviewer").call();
        promote("production").call();
        assertThat(new io.releasegate.verify.VerifyProduction(store, ledger).release("payments", "1.0.0").check("health", "true")
                .workdir(tmp).call().ok()).isTrue();
        PromoteDigest.Result back = promote("production").rollback(Optional.of("INC-42")).call();
        assertThat(back.rollback()).isTrue();
        Event last = ledger.events().get(ledger.events().size() - 1);
        assertThat(last.payload().path("rollback").asBoolean()).isTrue();
        assertThat(last.text("incident")).contains("INC-42");
    }

    @Test
    void concurrentPromotionsToOneEnvironmentSerialize() throws Exception {
        evidence(digest);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<PromoteDigest.Result>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(() -> {
                    try (Ledger own = TestLedgers.embedded(tmp.resolve("state"))) {
                        return new PromoteDigest(policy, OciLayoutStore.open(tmp.resolve("state/store")), own)
                                .release("payments", "1.0.0").digest(digest).to("dev").actor("ci").clock(MONDAY).call();
                    }
                });
            }
            List<PromoteDigest.Result> results = new ArrayList<>();
            for (Future<PromoteDigest.Result> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            assertThat(results).filteredOn(r -> !r.alreadyThere()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> e.type().equals("promoted")).hasSize(1);
    }

    @Test
    void aReleaseHaltStopsEveryPromotionPastDevExceptARollbackAndOnlySomeoneElseLiftsIt() {
        toStaging();
        approve("mia", "maintainer").call();
        approve("dora", "domain-reviewer").call();
        promote("production").call();
        assertThat(new io.releasegate.verify.VerifyProduction(store, ledger).release("payments", "1.0.0").check("health", "true")
                .workdir(tmp).call().ok()).isTrue();
        // the next version is built while an incident is open
        Digest fix = new BuildOnce(store, ledger).name("payments").version("1.0.1").workspace(repo.dir()).outputs(List.of("*.txt"))
                .actor("ci").clock(MONDAY).call().digest();
        io.releasegate.testing.Evidence.record(store, ledger, "payments", "1.0.1", tmp.resolve("keys"), MONDAY);
        PromoteDigest next = new PromoteDigest(policy, store, ledger).release("payments", "1.0.1").digest(fix).actor("ci")
                .roles(roles).authors(AUTHORS).clock(MONDAY);

        Event halt = ReleaseHalt.set(ledger, "rita", "card payments fail for every customer", "INC-7", "sev1", policy, MONDAY);
        assertThatThrownBy(() -> ReleaseHalt.set(ledger, "max", "again", "INC-8", "sev2", policy, MONDAY))
                .isInstanceOf(RefusedException.class).hasMessageContaining("halt.standing");
        next.to("dev").call();                                            // dev stays open for the fix
        assertThatThrownBy(() -> next.to("staging").call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining(ReleaseHalt.RULE).hasMessageContaining("set by rita").hasMessageContaining("INC-7");
        // a rollback to the known-good digest still goes through
        assertThat(promote("production").rollback(Optional.of("INC-7")).call().rollback()).isTrue();

        // whoever set the halt cannot lift it alone; someone else can, and then promotions go on
        assertThatThrownBy(() -> ReleaseHalt.lift(ledger, "Rita", "fixed", policy, MONDAY)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("halt.self-lift");
        Event lifted = ReleaseHalt.lift(ledger, "max", "INC-7 resolved, root cause fixed in 1.0.1", policy, MONDAY);
        assertThat(lifted.text("halt")).contains(halt.id());
        assertThatThrownBy(() -> ReleaseHalt.lift(ledger, "max", "again", policy, MONDAY)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("halt.none");
        assertThat(next.to("staging").call().environment()).isEqualTo("staging");
        assertThat(ReleaseHalt.active(ledger.events(ReleaseHalt.SUBJECT))).isEmpty();
    }

    @Test
    void anIncidentPastItsSeveritysResponseTimeIsOverdueAndATeamCannotLengthenIt() throws Exception {
        Event halt = ReleaseHalt.set(ledger, "rita", "checkout down", "INC-9", "sev1", policy, MONDAY);
        assertThat(ReleaseHalt.overdue(halt, policy, MONDAY.instant().plus(java.time.Duration.ofMinutes(59)))).isEmpty();
        assertThat(ReleaseHalt.overdue(halt, policy, MONDAY.instant().plus(java.time.Duration.ofMinutes(90))))
                .contains(java.time.Duration.ofMinutes(30));
        assertThatThrownBy(() -> ReleaseHalt.set(ledger, "max", "x", "INC-10", "sev9", policy, MONDAY))
                .isInstanceOf(io.releasegate.error.InputException.class).hasMessageContaining("unknown incident severity 'sev9'");
        assertThatThrownBy(() -> ReleaseHalt.set(ledger, "max", " ", "INC-10", "", policy, MONDAY))
                .isInstanceOf(io.releasegate.error.InputException.class).hasMessageContaining("a reason");

        // a team may answer faster than the library's table, never slower
        Path team = repo.dir().resolve(".release/policy.yaml");
        Files.writeString(team, Files.readString(team) + "incidents:\n  responseTime:\n    sev1: 30m\n");
        assertThat(PolicyLoader.load(Optional.of(team)).incidents().responseTime().get("sev1")).isEqualTo(java.time.Duration.ofMinutes(30));
        Files.writeString(team, Files.readString(team).replace("sev1: 30m", "sev1: 2h"));
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(team))).isInstanceOf(RefusedException.class)
                .hasMessageContaining("policy.loosened").hasMessageContaining("incidents.responseTime.sev1");
        Files.writeString(team, Files.readString(team).replace("sev1: 2h", "sev1: soon"));
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(team))).isInstanceOf(io.releasegate.error.InputException.class)
                .hasMessageContaining("'soon' is not a duration");
    }

    @Test
    void anAuditedReleaseInProductionStillVerifiesAndMissesNoSbomFormat() {
        toStaging();
        approve("mia", "maintainer").call();
        approve("dora", "domain-reviewer").call();
        promote("production").call();
        io.releasegate.signing.RevokedKeys none = ledger.trust().revoked();
        List<io.releasegate.verify.ReleaseAudit.Report> reports = io.releasegate.verify.ReleaseAudit.of(store, none, ledger.events(),
                s -> true, "production", b -> Optional.empty());
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.release()).isEqualTo("payments@1.0.0");
            assertThat(r.approvals()).extracting(Event::actor).containsExactly("mia", "dora");
            assertThat(r.findings()).isEmpty();
        });
        // the same history without its SPDX document: a release in production must have both formats
        List<Event> withoutSpdx = ledger.events().stream().filter(e -> !(e.type().equals("sbom-generated")
                && e.text("format").orElse("").equals("spdx"))).toList();
        assertThat(io.releasegate.verify.ReleaseAudit.of(store, none, withoutSpdx, s -> true, "production", b -> Optional.empty()).get(0).findings())
                .singleElement().satisfies(f -> {
                    assertThat(f.rule()).isEqualTo(io.releasegate.verify.ReleaseAudit.SBOM_FORMAT);
                    assertThat(f.message()).contains("without a spdx SBOM").contains("to proceed: generate both SBOM formats");
                });
    }

    @Test
    void aReleaseMissingADeclaredTargetGoesToStagingButNeverToProduction() {
        BuildResult partial = new BuildOnce(store, ledger).name("payments").version("1.0.1").workspace(repo.dir())
                .outputs(List.of("*.txt")).expectTargets(List.of("*.txt", "payments-linux-arm64.tar.gz", "*.txt"))
                .actor("ci").clock(MONDAY).call();
        assertThat(partial.missingTargets()).containsExactly("payments-linux-arm64.tar.gz");
        assertThat(ledger.events("payments@1.0.1").get(0).payload().path("expectedTargets")).hasSize(2);
        io.releasegate.testing.Evidence.record(store, ledger, "payments", "1.0.1", tmp.resolve("keys"), MONDAY);
        java.util.function.Function<String, PromoteDigest> to = env -> new PromoteDigest(policy, store, ledger)
                .release("payments", "1.0.1").digest(partial.digest()).to(env).actor("ci").roles(roles).authors(AUTHORS).clock(MONDAY);
        to.apply("dev").call();
        to.apply("staging").call();
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            new ApproveProduction(policy, ledger, roles).release("payments", "1.0.1").digest(partial.digest()).approver(a[0])
                    .role(a[1]).rationale("tests green; rollback plan reviewed").authors(AUTHORS).clock(MONDAY).call();
        }
        int before = ledger.events().size();
        assertThatThrownBy(() -> to.apply("production").call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("promote.targets.missing").hasMessageContaining("payments-linux-arm64.tar.gz");
        assertThat(ledger.events()).hasSize(before);
        assertThat(store.fetchManifest("payments/production", "1.0.1")).isEmpty();
        // and the audit says it is incomplete
        assertThat(io.releasegate.verify.ReleaseAudit.of(store, ledger.trust().revoked(), ledger.events(),
                s -> s.equals("payments@1.0.1"), "production", b -> Optional.empty()).get(0).findings())
                .extracting(io.releasegate.verify.ReleaseAudit.Finding::rule)
                .containsExactly(io.releasegate.verify.ReleaseAudit.TARGET_MISSING);
        // a malformed target is refused before anything is built
        assertThatThrownBy(() -> new BuildOnce(store, ledger).expectTargets(List.of("  ")))
                .isInstanceOf(io.releasegate.error.InputException.class).hasMessageContaining("expected target is empty");
    }

    @Test
    void theAuditFindsAnAuthorsApprovalAndAnUnverifiedCertificateThatTheLedgerWasGiven() throws Exception {
        toStaging();
        approve("mia", "maintainer").call();
        approve("dora", "domain-reviewer").call();
        promote("production").call();
        // written past the approval rule by someone with write access to the ledger: the author approves her own change,
        // and a certificate signature appears that nobody verified
        ledger.append(Event.draft("approved", "payments@1.0.0", Optional.of(digest), "Alice@Example.com", MONDAY.instant(),
                Json.object().put("role", "maintainer").put("environment", "production")));
        ledger.append(Event.draft("signed", "payments@1.0.0", Optional.of(digest), "ci", MONDAY.instant(),
                Json.object().put("certificate", "-----BEGIN CERTIFICATE-----").put("bundleDigest", digest.toString())));
        java.util.function.Function<Event, Optional<Set<String>>> authors = b -> {
            try (io.releasegate.commits.History h = io.releasegate.commits.History.open(repo.dir())) {
                return Optional.of(io.releasegate.approval.ReleaseAuthors.of(h, b.text("commit").orElseThrow(),
                        b.text("version").orElseThrow()));
            }
        };
        List<io.releasegate.verify.ReleaseAudit.Finding> findings = io.releasegate.verify.ReleaseAudit.of(store,
                ledger.trust().revoked(), ledger.events(), s -> true, "production", authors).get(0).findings();
        assertThat(findings).extracting(io.releasegate.verify.ReleaseAudit.Finding::rule).containsExactlyInAnyOrder(
                io.releasegate.verify.ReleaseAudit.CERTIFICATE_MISSING, io.releasegate.verify.ReleaseAudit.AUTHOR_APPROVED);
        assertThat(findings).filteredOn(f -> f.rule().equals(io.releasegate.verify.ReleaseAudit.AUTHOR_APPROVED)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("Alice@Example.com approved " + digest)
                        .contains("wrote or committed a change of payments@1.0.0"));
        // without the history at hand the authors are not judged (the CLI says so), the rest still is
        assertThat(io.releasegate.verify.ReleaseAudit.of(store, ledger.trust().revoked(), ledger.events(), s -> true, "production",
                b -> Optional.empty()).get(0).findings()).extracting(io.releasegate.verify.ReleaseAudit.Finding::rule)
                .containsExactly(io.releasegate.verify.ReleaseAudit.CERTIFICATE_MISSING);
    }
}

package io.releasegate.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.gates.PolicyException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestRepo;
import io.releasegate.verify.VerifyProduction;
import io.releasegate.testing.TestTrust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * Insiders who can run the pipeline's steps and write the workspace try to take a release further than the
 * policy lets them: a failed gate replaced by a later run, an emergency change approved by the wrong person,
 * a rollback to a digest that never verified in production. Every event is signed as in a real installation:
 * the pipeline's by the CI key, each person's by their own SSH key. Each attempt is refused by its rule, and
 * nothing is promoted.
 */
class PromotionBypassTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final Clock FRIDAY = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);
    static final String SUBJECT = "payments@1.0.0";
    static final Set<String> AUTHORS = Set.of("Alice Author", "alice@example.com");

    @TempDir
    Path tmp;
    TestTrust trust;
    TestRepo repo;
    Policy policy;
    RoleDirectory roles;
    OciLayoutStore store;
    final Map<String, Ledger> ledgers = new LinkedHashMap<>();
    Digest digest;
    Path blocking;
    Path clean;
    Path junit;
    Path osv;
    Path sbom;

    @BeforeEach
    void built() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora", "max", "carol", "alice", "rita", "eve");
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia, alice, max]
                    domain-reviewer:
                      people: [dora, carol]
                gates:
                  notApplicable:
                    dast: batch job, no network endpoint
                """);
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        roles = RoleDirectory.resolve(policy, repo.dir());
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        digest = new BuildOnce(store, ci()).name("payments").version("1.0.0").workspace(repo.dir()).outputs(List.of("*.txt"))
                .actor("rita").clock(MONDAY).call().digest();
        blocking = Files.writeString(tmp.resolve("sast.sarif"), """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner", "rules": [
                  {"id": "java/sql-injection", "properties": {"security-severity": "8.8"}}]}},
                  "results": [{"ruleId": "java/sql-injection", "level": "error", "message": {"text": "SQL built from user input"}}]}]}
                """);
        clean = Files.writeString(tmp.resolve("clean.sarif"), "{\"version\": \"2.1.0\", \"runs\": []}");
        junit = Files.writeString(tmp.resolve("junit.xml"), "<testsuite tests=\"1\"><testcase classname=\"A\" name=\"b\"/></testsuite>");
        osv = Files.writeString(tmp.resolve("osv.json"), "{\"results\": []}");
        sbom = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\": \"CycloneDX\", \"components\": []}");
    }

    @AfterEach
    void close() {
        ledgers.values().forEach(Ledger::close);
    }

    /** The ledger as {@code who} writes it: the CI key for "ci", otherwise that person's own key. */
    Ledger as(String who) {
        return ledgers.computeIfAbsent(who, w -> GitLedger.open(GitLedger.Options.of("", tmp.resolve("state"))
                .withTrust(Optional.of(trust.file()))
                .withSigner(Optional.of(w.equals("ci") ? trust.ci() : trust.person(w)))));
    }

    Ledger ci() {
        return as("ci");
    }

    /** Real signatures, SBOMs and provenance in the store, verified as verify --release does. */
    void evidence() {
        io.releasegate.testing.Evidence.signed(store, ci(), "payments", "1.0.0", tmp.resolve("keys"), MONDAY);
    }

    EvaluateGates gate() {
        return new EvaluateGates(policy, ci()).release("payments", "1.0.0", digest).junit(List.of(junit))
                .vulnerabilities(List.of(osv)).sbom(List.of(sbom)).notApplicable("dast", "batch job, no network endpoint")
                .context("payments", "main", "staging").actor("ci").clock(MONDAY);
    }

    PromoteDigest promote(String env) {
        return new PromoteDigest(policy, store, ci()).release("payments", "1.0.0").digest(digest).to(env).actor("ci")
                .roles(roles).authors(AUTHORS).clock(MONDAY);
    }

    long promotions(String env) {
        return ci().events(SUBJECT).stream().filter(e -> e.type().equals("promoted")
                && e.text("environment").orElse("").equals(env)).count();
    }

    /** The attempt is refused by {@code rule}, with {@code message} in its evidence, and nothing is recorded. */
    void refused(Supplier<?> attempt, String rule, String message) {
        int before = ci().events().size();
        Throwable thrown = catchThrowable(attempt::get);
        assertThat(thrown).isInstanceOf(RefusedException.class);
        assertThat(((RefusedException) thrown).refusals()).as(thrown.getMessage())
                .anySatisfy(r -> {
                    assertThat(r.rule()).isEqualTo(rule);
                    assertThat(r.evidence()).contains(message);
                });
        assertThat(ci().events()).as("nothing recorded").hasSize(before);
    }

    // cause: a failed gate can be replaced

    @Test
    void aFailedSastGateIsNotReplacedByALaterRunDeclaringSastNotApplicable() {
        evidence();
        promote("dev").call();
        assertThat(gate().sarif(List.of(blocking)).call().pass()).isFalse();
        refused(() -> gate().notApplicable("sast", "no code of ours").call(), "gates.not-applicable-fixed", "sast");
        refused(() -> promote("staging").call(), "promote.evidence-gates", "sast");
        assertThat(promotions("staging")).isZero();
    }

    @Test
    void aNotApplicableRunRecordedAfterAFailureDoesNotClearIt() {
        evidence();
        promote("dev").call();
        assertThat(gate().sarif(List.of(blocking)).call().pass()).isFalse();
        // the events such a run records, as a release without the gate-time check would have recorded them
        ci().append(Event.draft("check-recorded", SUBJECT, Optional.of(digest), "ci", MONDAY.instant(), Json.object()
                .put("name", "sast").put("result", "not-applicable").put("summary", "declared not applicable")
                .put("rationale", "no code of ours")));
        ci().append(Event.draft("gate-evaluated", SUBJECT, Optional.of(digest), "ci", MONDAY.instant(), Json.object()
                .put("name", "gates").put("result", "pass").put("summary", "pass: 0 finding(s)")));
        refused(() -> promote("staging").call(), "promote.evidence-gates", "gate sast");
        assertThat(promotions("staging")).isZero();
    }

    /** The team's policy with sast declared not applicable too, as a working-tree edit or a --policy file would have it. */
    Policy sastNotApplicable() throws Exception {
        Path f = Files.writeString(tmp.resolve("dry-run-policy.yaml"), Files.readString(repo.dir().resolve(".release/policy.yaml"))
                + "    sast: no code of ours\n");
        return PolicyLoader.load(Optional.of(f));
    }

    @Test
    void aFirstRunDeclaringSastNotApplicableWithoutThePolicysDeclarationIsRefusedAndRecordsNothing() {
        evidence();
        promote("dev").call();
        refused(() -> gate().notApplicable("sast", "no code of ours").call(), "gates.not-applicable-unconfigured", "gate sast");
        refused(() -> promote("staging").call(), "promote.evidence-gates", "no gate decision");
        assertThat(promotions("staging")).isZero();
    }

    @Test
    void aNotApplicableRecordedUnderADryRunPolicyDoesNotTakeTheReleaseToProduction() throws Exception {
        evidence();
        promote("dev").call();
        // a staging run under the working tree's policy, which declares sast not applicable, passes and goes to staging ...
        Policy dryRun = sastNotApplicable();
        assertThat(new EvaluateGates(dryRun, ci()).release("payments", "1.0.0", digest).junit(List.of(junit))
                .vulnerabilities(List.of(osv)).sbom(List.of(sbom)).context("payments", "main", "staging").actor("ci").clock(MONDAY)
                .call().pass()).isTrue();
        new PromoteDigest(dryRun, store, ci()).release("payments", "1.0.0").digest(digest).to("staging").actor("ci").roles(roles)
                .authors(AUTHORS).clock(MONDAY).call();
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            new ApproveProduction(policy, as(a[0]), roles).release("payments", "1.0.0").digest(digest).approver(a[0]).role(a[1])
                    .rationale("evidence complete").authors(AUTHORS).clock(MONDAY).call();
        }
        // ... but production's policy (the committed one) does not declare it: the "not applicable" does not stand there
        refused(() -> promote("production").call(), "promote.evidence-gates", "gate sast");
        assertThat(promotions("production")).isZero();
        // a report of the gate does
        assertThat(gate().sarif(List.of(clean)).call().pass()).isTrue();
        promote("production").call();
        assertThat(promotions("production")).isOne();
    }

    @Test
    void aReportAndANotApplicableDeclarationForTheSameGateInOneRunKeepTheReport() throws Exception {
        evidence();
        promote("dev").call();
        policy = sastNotApplicable();
        EvaluateGates.Decision d = gate().sarif(List.of(blocking)).notApplicable("sast", "no code of ours").call();
        assertThat(d.pass()).isFalse();
        assertThat(d.checks()).filteredOn(c -> c.gate().equals("sast")).singleElement()
                .satisfies(c -> assertThat(c.result()).isEqualTo("fail"));
        refused(() -> promote("staging").call(), "promote.evidence-gates", "sast");
    }

    @Test
    void aLaterPassingReportOfTheSameGateOrAValidExceptionClearsTheFailure() throws Exception {
        evidence();
        promote("dev").call();
        assertThat(gate().sarif(List.of(blocking)).call().pass()).isFalse();
        assertThat(gate().sarif(List.of(clean)).call().pass()).isTrue();
        assertThat(promote("staging").call().alreadyThere()).isFalse();
    }

    @Test
    void anExceptionApprovedOnlyByItsAuthorUnderAnotherFormOfTheNameWaivesNothing() throws Exception {
        evidence();
        promote("dev").call();
        Path dir = Files.createDirectories(tmp.resolve("exceptions"));
        Files.writeString(dir.resolve("EXC-1.yaml"), """
                id: EXC-1
                owner: team-payments
                author: alice@example.com
                type: temporary
                policyRef: SEC-7.2
                scope:
                  findings: [java/sql-injection]
                risk: medium, input is validated upstream
                compensatingControls: [WAF rule 912]
                approvers: ["@Alice"]
                expires: 2026-12-31
                reviewDate: 2026-12-15
                rollback: revert to the previous query builder
                evidence: [SEC-88]
                """);
        EvaluateGates.Decision d = gate().sarif(List.of(blocking)).exceptions(PolicyException.loadAll(dir)).call();
        assertThat(d.pass()).isFalse();
        assertThat(d.findings()).singleElement().satisfies(f -> assertThat(f.reason()).contains("approved only by its author"));
        refused(() -> promote("staging").call(), "promote.evidence-gates", "sast");
        // approved by someone else, it waives the finding and clears the gate
        Files.writeString(dir.resolve("EXC-1.yaml"), Files.readString(dir.resolve("EXC-1.yaml")).replace("\"@Alice\"", "bob"));
        assertThat(gate().sarif(List.of(blocking)).exceptions(PolicyException.loadAll(dir)).call().pass()).isTrue();
        assertThat(promote("staging").call().alreadyThere()).isFalse();
    }
    // cause: the emergency approver is not checked

    void approvedForProduction() {
        evidence();
        promote("dev").call();
        assertThat(gate().sarif(List.of(clean)).call().pass()).isTrue();
        promote("staging").call();
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            new ApproveProduction(policy, as(a[0]), roles).release("payments", "1.0.0").digest(digest).approver(a[0]).role(a[1])
                    .rationale("evidence complete").authors(AUTHORS).clock(MONDAY).call();
        }
    }

    static EmergencyChange record(String approver) {
        return new EmergencyChange("card payments fail (INC-7)", approver, "payments only", "promote 0.9.0 again",
                List.of("post-incident review PAY-200"));
    }

    ApproveEmergency approveEmergency(String approver) {
        return new ApproveEmergency(policy, as(approver.isBlank() ? "eve" : approver), roles).release("payments", "1.0.0")
                .digest(digest).record(record(approver)).authors(AUTHORS).clock(FRIDAY);
    }

    PromoteDigest emergencyPromotion(String approver) {
        return promote("production").clock(FRIDAY).emergency(Optional.of(record(approver)));
    }

    @Test
    void anEmergencyChangeApprovedByTheReleaserIsRefused() {
        approvedForProduction();
        refused(() -> emergencyPromotion("rita").call(), "emergency.approver-releaser", "rita");
        refused(() -> approveEmergency("rita").call(), "emergency.approver-releaser", "rita");
        // the one who promotes it is a releaser too
        approveEmergency("max").call();
        refused(() -> emergencyPromotion("max").actor("max").call(), "emergency.approver-releaser", "max");
        assertThat(promotions("production")).isZero();
    }

    @Test
    void anEmergencyChangeApprovedByAnAuthorIsRefused() {
        approvedForProduction();
        refused(() -> emergencyPromotion("alice").call(), "emergency.approver-author", "alice");
        refused(() -> approveEmergency("alice").call(), "emergency.approver-author", "alice");
        assertThat(promotions("production")).isZero();
    }

    @Test
    void anEmergencyChangeApprovedByNobodyWithARoleIsRefused() {
        approvedForProduction();
        refused(() -> emergencyPromotion("eve").call(), "emergency.approver-not-in-role", "eve");
        refused(() -> approveEmergency("eve").call(), "emergency.approver-not-in-role", "eve");
        refused(() -> emergencyPromotion(" ").call(), "emergency.approver-missing", "names no approver");
        assertThat(promotions("production")).isZero();
    }

    @Test
    void anEmergencyChangeWithoutTheApproversOwnSignedApprovalIsRefused() {
        approvedForProduction();
        refused(() -> emergencyPromotion("max").call(), "emergency.approver-unsigned", "no emergency approval by max");
        // the pipeline's key cannot sign it for max, nor can anyone else's
        int before = ci().events().size();
        Throwable byCi = catchThrowable(() -> ci().append(ApproveEmergency.draft(SUBJECT, digest, "production", record("max"),
                Optional.empty(), FRIDAY)));
        assertThat(byCi).hasMessageContaining("event.unauthorized-signer");
        Throwable byMia = catchThrowable(() -> as("mia").append(ApproveEmergency.draft(SUBJECT, digest, "production",
                record("max"), Optional.empty(), FRIDAY)));
        assertThat(byMia).hasMessageContaining("event.unauthorized-signer");
        assertThat(ci().events()).hasSize(before);
        // max's approval of another record, or for another environment, is not an approval of this one
        new ApproveEmergency(policy, as("max"), roles).release("payments", "1.0.0").digest(digest).environment("staging")
                .record(record("max")).authors(AUTHORS).clock(FRIDAY).call();
        new ApproveEmergency(policy, as("max"), roles).release("payments", "1.0.0").digest(digest)
                .record(new EmergencyChange("a smaller change", "max", "payments only", "promote 0.9.0 again",
                        List.of("review"))).authors(AUTHORS).clock(FRIDAY).call();
        refused(() -> emergencyPromotion("max").call(), "emergency.approver-unsigned", "another record or environment");
        assertThat(promotions("production")).isZero();
    }

    @Test
    void anEmergencyChangeApprovedAndSignedByARoleHolderGoesOutAndIsReviewedBySomeoneElse() {
        approvedForProduction();
        Event approval = approveEmergency("max").call();
        PromoteDigest.Result r = emergencyPromotion("max").call();
        List<Event> events = ci().events(SUBJECT);
        Event change = events.stream().filter(e -> e.type().equals("emergency-change")).findFirst().orElseThrow();
        assertThat(change.text("approver")).contains("max");
        assertThat(change.text("approval")).contains(approval.id());
        assertThat(events.get(events.size() - 1).id()).isEqualTo(r.eventId());
        assertThat(promotions("production")).isOne();

        Instant later = Instant.parse("2026-12-05T00:00:00Z");
        assertThat(EmergencyReviews.overdue(ci().events(), later, policy, roles)).singleElement()
                .satisfies(e -> assertThat(e.id()).isEqualTo(change.id()));
        refused(() -> EmergencyReviews.review(as("max"), policy, roles, change.id(), "max", "all good", FRIDAY),
                "emergency.reviewer-approver", "max");
        refused(() -> EmergencyReviews.review(as("eve"), policy, roles, change.id(), "eve", "all good", FRIDAY),
                "emergency.reviewer-not-in-role", "eve");
        EmergencyReviews.review(as("carol"), policy, roles, change.id(), "carol", "root cause fixed; alert added", FRIDAY);
        assertThat(EmergencyReviews.overdue(ci().events(), later, policy, roles)).isEmpty();
    }
    // one identity matcher: one person, two forms of their name

    @Test
    void onePersonApprovingUnderTwoFormsOfTheirIdentityCountsOnce() throws Exception {
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia]
                    domain-reviewer:
                      people: [mia@example.com, dora]
                gates:
                  notApplicable:
                    dast: batch job, no network endpoint
                """);
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        roles = RoleDirectory.resolve(policy, repo.dir());
        evidence();
        promote("dev").call();
        assertThat(gate().sarif(List.of(clean)).call().pass()).isTrue();
        promote("staging").call();
        new ApproveProduction(policy, as("mia"), roles).release("payments", "1.0.0").digest(digest).approver("mia")
                .role("maintainer").rationale("evidence complete").authors(AUTHORS).clock(MONDAY).call();
        refused(() -> new ApproveProduction(policy, as("mia"), roles).release("payments", "1.0.0").digest(digest)
                .approver("mia@example.com").role("domain-reviewer").rationale("and again").authors(AUTHORS).clock(MONDAY).call(),
                "approval.duplicate", "already approved");
        // signed by her own key under the other form of her name, as a hand-made append would be
        as("mia").append(Event.draft("approved", SUBJECT, Optional.of(digest), "mia@example.com", MONDAY.instant(), Json.object()
                .put("role", "domain-reviewer").put("rationale", "and again").put("environment", "production")));
        refused(() -> promote("production").call(), "promote.approvals", "1 of 2 approval(s)");
        assertThat(promotions("production")).isZero();
    }

    // cause: rollback accepts a digest that never verified

    void inProduction() {
        approvedForProduction();
        promote("production").call();
    }

    boolean verifyProduction(String check) {
        return new VerifyProduction(store, ci()).release("payments", "1.0.0").check("smoke", check).workdir(tmp).actor("ci")
                .clock(MONDAY).call().ok();
    }

    PromoteDigest rollback() {
        return promote("production").rollback(Optional.of("INC-9"));
    }

    @Test
    void aRollbackToADigestThatNeverRanVerifyProductionIsRefused() {
        inProduction();
        refused(() -> rollback().call(), "promote.rollback-known-good", "never passed verify-production in production");
        assertThat(promotions("production")).isOne();
    }

    @Test
    void aRollbackToADigestWhoseVerifyProductionFailedIsRefused() {
        inProduction();
        assertThat(verifyProduction("exit 3")).isFalse();
        refused(() -> rollback().call(), "promote.rollback-known-good", "failed");
        assertThat(verifyProduction("true")).isTrue();
        assertThat(verifyProduction("exit 3")).isFalse();
        refused(() -> rollback().call(), "promote.rollback-known-good", "failed its last verify-production");
        assertThat(promotions("production")).isOne();
    }

    @Test
    void aRollbackToADigestMarkedBadAfterItVerifiedIsRefused() {
        inProduction();
        assertThat(verifyProduction("true")).isTrue();
        Event bad = KnownGood.markBad(ci(), SUBJECT, digest, "ci", "INC-9: corrupts refunds", MONDAY);
        refused(() -> rollback().call(), "promote.rollback-known-good", "was marked bad (event " + bad.id());
        assertThat(promotions("production")).isOne();
    }

    @Test
    void aRollbackToAKnownGoodDigestIsRecordedAsOne() {
        inProduction();
        assertThat(verifyProduction("true")).isTrue();
        PromoteDigest.Result r = rollback().call();
        assertThat(r.rollback()).isTrue();
        assertThat(promotions("production")).isEqualTo(2);
    }
}

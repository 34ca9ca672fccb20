package io.releasegate.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates.Disposition;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventSigner;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.Git;
import io.releasegate.testing.Gpg;
import io.releasegate.testing.TestTrust;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gate bypasses against every way around them: a bypass passes a gate's blocking findings only when recorded by two
 * different people with their own keys, for exactly that digest and gate, before its remediation date, for a gate the
 * policy lets be bypassed. Real signed ledgers: the CI identity's OpenPGP key, each person's SSH key.
 */
class GateBypassesTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final Clock AFTER_REMEDIATION = Clock.fixed(Instant.parse("2026-12-16T10:00:00Z"), ZoneOffset.UTC);
    static final String REMEDIATION = "2026-12-15";

    @TempDir
    Path tmp;
    TestTrust trust;
    Path ws;
    Policy policy;
    RoleDirectory roles;
    Digest digest;
    Path sarif;
    Path vulns;
    Path sbom;
    Path green;

    @BeforeEach
    void setUp() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "alice", "bob", "carol", "mallory", "dora");
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "app");
        policy = team("""
                gates:
                  notApplicable:
                    dast: batch job, no network endpoint
                approvals:
                  members:
                    maintainer:
                      people: [bob, carol]
                    domain-reviewer:
                      people: [dora]
                """);
        roles = RoleDirectory.resolve(policy, ws);
        digest = build("payments", "1.0.0", "app");
        sarif = Files.writeString(tmp.resolve("sast.sarif"), """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner", "rules": [
                  {"id": "java/sql-injection", "properties": {"security-severity": "8.8"}}]}},
                  "results": [{"ruleId": "java/sql-injection", "level": "error", "message": {"text": "SQL built from user input"}}]}]}
                """);
        vulns = Files.writeString(tmp.resolve("vulns.json"), "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"vulnerabilities\": []}");
        sbom = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": []}");
        green = Files.writeString(tmp.resolve("TEST-green.xml"), """
                <testsuite name="unit" tests="1" failures="0"><testcase classname="PaymentsTest" name="authorises"/></testsuite>
                """);
    }

    Policy team(String yaml) throws Exception {
        return PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("policy-" + Math.abs(yaml.hashCode()) + ".yaml"), yaml)));
    }

    GitLedger ledger(EventSigner signer) {
        return GitLedger.open(GitLedger.Options.of(tmp.resolve("ledger.git").toString(), tmp.resolve("state"))
                .withTrust(Optional.of(trust.file())).withSigner(Optional.of(signer)));
    }

    <T> T as(String who, Function<Ledger, T> action) {
        try (GitLedger l = ledger(who.equals("ci") ? trust.ci() : trust.person(who))) {
            return action.apply(l);
        }
    }

    Digest build(String name, String version, String bytes) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("build-" + name + version));
        Files.writeString(dir.resolve("app.jar"), bytes);
        return as("ci", l -> new BuildOnce(OciLayoutStore.open(tmp.resolve("state/store")), l).name(name).version(version)
                .workspace(dir).outputs(List.of("app.jar")).actor("ci").clock(MONDAY).call().digest());
    }

    int size() {
        return as("ci", l -> l.entries().size());
    }

    Event request(String who, String gate, String remediation) {
        return as(who, l -> GateBypasses.request(l, policy, "payments", "1.0.0", digest, gate, who, "hot fix for the outage, "
                + "the finding is behind the WAF", remediation, Optional.of("SEC-42"), MONDAY));
    }

    Event approve(String who, Event request) {
        return approve(who, request, new GateBypasses.Approvers(Optional.of(roles), Set.of()));
    }

    Event approve(String who, Event request, GateBypasses.Approvers approvers) {
        return as(who, l -> GateBypasses.approve(l, policy, "payments", "1.0.0", request.id(), Optional.empty(), who,
                "reviewed the WAF rule", approvers, MONDAY));
    }

    EvaluateGates.Decision gate(Clock clock, Path... junit) {
        return gate("1.0.0", digest, clock, junit);
    }

    EvaluateGates.Decision gate(String version, Digest d, Clock clock, Path... junit) {
        return as("ci", l -> new EvaluateGates(policy, l).release("payments", version, d).sarif(List.of(sarif))
                .vulnerabilities(List.of(vulns)).sbom(List.of(sbom)).junit(List.of(junit.length == 0 ? new Path[] {green} : junit))
                .context("payments", "main", "production").clock(clock)
                .bypassApprovers(new GateBypasses.Approvers(Optional.of(roles), Set.of())).call());
    }

    static List<String> rules(RefusedException e) {
        return e.refusals().stream().map(Refusal::rule).toList();
    }

    void refused(Runnable attempt, String rule) {
        int before = size();
        assertThatThrownBy(attempt::run).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(rules((RefusedException) e)).contains(rule));
        assertThat(size()).as("nothing recorded").isEqualTo(before);
    }

    static Optional<EvaluateGates.Check> check(EvaluateGates.Decision d, String gate) {
        return d.checks().stream().filter(c -> c.gate().equals(gate)).findFirst();
    }

    static EvaluateGates.Dispositioned finding(EvaluateGates.Decision d, String id) {
        return d.findings().stream().filter(f -> f.finding().id().equals(id)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------------ the valid case

    @Test
    void aBypassRequestedAndApprovedByAnotherPersonPassesTheGateAndIsRecordedInTheDecision() {
        assertThat(gate(MONDAY).pass()).as("the high SAST finding blocks").isFalse();
        Event req = request("alice", "sast", REMEDIATION);
        Event ok = approve("bob", req);
        assertThat(ok.text("request")).contains(req.id());
        assertThat(ok.digest()).contains(digest);

        EvaluateGates.Decision d = gate(MONDAY);
        assertThat(d.pass()).isTrue();
        assertThat(finding(d, "java/sql-injection").disposition()).isEqualTo(Disposition.BYPASSED);
        assertThat(finding(d, "java/sql-injection").reason()).contains("requested by alice", "approved by bob", REMEDIATION);
        EvaluateGates.Check sast = check(d, "sast").orElseThrow();
        assertThat(sast.result()).isEqualTo(EvaluateGates.BYPASSED);
        assertThat(sast.summary()).contains(req.id().substring(0, 12), ok.id().substring(0, 12), "alice", "bob", REMEDIATION);
        assertThat(d.bypasses()).extracting(b -> b.request().id()).containsExactly(req.id());

        List<Event> events = as("ci", l -> l.events("payments@1.0.0"));
        Event evaluated = events.stream().filter(e -> e.id().equals(d.eventId())).findFirst().orElseThrow();
        JsonNode p = evaluated.payload();
        assertThat(p.path("findings").path(0).path("disposition").asText()).isEqualTo("bypassed");
        assertThat(p.path("bypasses").path(0).path("request").asText()).isEqualTo(req.id());
        assertThat(p.path("bypasses").path(0).path("approval").asText()).isEqualTo(ok.id());
        assertThat(p.path("bypasses").path(0).path("approver").asText()).isEqualTo("bob");
        Event sastCheck = events.stream().filter(e -> e.type().equals("check-recorded") && e.text("name").orElse("").equals("sast"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(sastCheck.text("result")).contains("bypassed");
        assertThat(sastCheck.text("bypass")).contains(req.id());
        assertThat(sastCheck.text("bypassApproval")).contains(ok.id());
    }

    // ------------------------------------------------------------------------------------------------ refused at record time

    @Test
    void selfApprovalIsRefusedAndNothingIsRecorded() {
        Event req = request("alice", "sast", REMEDIATION);
        refused(() -> approve("alice", req), "bypass.self-approval");
        assertThat(gate(MONDAY).pass()).isFalse();
    }

    @Test
    void anApproverWhoAuthoredTheReleaseOrHoldsNoApprovalRoleIsRefused() {
        Event req = request("alice", "sast", REMEDIATION);
        refused(() -> approve("bob", req, new GateBypasses.Approvers(Optional.of(roles), Set.of("bob", "bob@example.com"))),
                "bypass.approver-author");
        refused(() -> approve("mallory", req), "bypass.approver-not-in-role");
    }

    @Test
    void requestsForAnotherDigestAnUnknownReleaseAPastDateOrANeverBypassGateAreRefused() throws Exception {
        Digest other = Digest.parse("sha256:" + "e".repeat(64));
        refused(() -> as("alice", l -> GateBypasses.request(l, policy, "payments", "1.0.0", other, "sast", "alice", "why",
                REMEDIATION, Optional.empty(), MONDAY)), "bypass.digest");
        refused(() -> as("alice", l -> GateBypasses.request(l, policy, "payments", "9.9.9", digest, "sast", "alice", "why",
                REMEDIATION, Optional.empty(), MONDAY)), "bypass.unknown-release");
        refused(() -> request("alice", "sast", "2026-11-23"), "bypass.remediation-date");
        refused(() -> request("alice", "sast", "2026-01-01"), "bypass.remediation-date");
        policy = team("""
                gates:
                  notApplicable:
                    dast: batch job, no network endpoint
                  neverBypass: [sast]
                """);
        refused(() -> request("alice", "sast", REMEDIATION), "bypass.never");
    }

    @Test
    void approvingAnUnknownRequestOrARequestForAnotherDigestIsRefused() {
        Event req = request("alice", "sast", REMEDIATION);
        refused(() -> as("bob", l -> GateBypasses.approve(l, policy, "payments", "1.0.0", "0".repeat(40), Optional.empty(), "bob",
                "", new GateBypasses.Approvers(Optional.of(roles), Set.of()), MONDAY)), "bypass.unknown-request");
        refused(() -> as("bob", l -> GateBypasses.approve(l, policy, "payments", "1.0.0", req.id(),
                Optional.of(Digest.parse("sha256:" + "e".repeat(64))), "bob", "", new GateBypasses.Approvers(Optional.of(roles),
                        Set.of()), MONDAY)), "bypass.digest");
    }

    @Test
    void badInputIsAnInputErrorNamingTheInputAndNothingIsRecorded() {
        int before = size();
        assertThatThrownBy(() -> request("alice", "nosuchgate", REMEDIATION)).isInstanceOf(InputException.class)
                .hasMessageContaining("--gate").hasMessageContaining("nosuchgate");
        assertThatThrownBy(() -> request("alice", "sast", "15/12/2026")).isInstanceOf(InputException.class)
                .hasMessageContaining("--remediation");
        assertThatThrownBy(() -> as("alice", l -> GateBypasses.request(l, policy, "payments", "1.0.0", digest, "sast", "alice",
                " ", REMEDIATION, Optional.empty(), MONDAY))).isInstanceOf(InputException.class).hasMessageContaining("--rationale");
        assertThat(size()).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------------ not valid at decision time

    @Test
    void aBypassOfGateSastDoesNotPassAFailingUnitGate() throws Exception {
        Path red = Files.writeString(tmp.resolve("TEST-red.xml"), """
                <testsuite name="unit" tests="1" failures="1"><testcase classname="PaymentsTest" name="refunds">
                <failure message="expected 10"/></testcase></testsuite>
                """);
        approve("bob", request("alice", "sast", REMEDIATION));
        EvaluateGates.Decision d = gate(MONDAY, red);
        assertThat(d.pass()).isFalse();
        assertThat(check(d, "sast").orElseThrow().result()).isEqualTo("bypassed");
        assertThat(check(d, "unit").orElseThrow().result()).isEqualTo("fail");
        assertThat(finding(d, "PaymentsTest.refunds").disposition()).isEqualTo(Disposition.BLOCKING);
    }

    @Test
    void aBypassForDigestADoesNotApplyToDigestB() throws Exception {
        approve("bob", request("alice", "sast", REMEDIATION));
        // the same service rebuilt with other bytes is another version and another digest: its gates still block
        Digest b = build("payments", "1.0.1", "app, fixed");
        assertThat(b).isNotEqualTo(digest);
        EvaluateGates.Decision d = gate("1.0.1", b, MONDAY);
        assertThat(d.pass()).isFalse();
        assertThat(finding(d, "java/sql-injection").disposition()).isEqualTo(Disposition.BLOCKING);
        // a request a person signs by hand for another digest, under this release, approved: it bypasses nothing here
        Digest a = Digest.parse("sha256:" + "a".repeat(64));
        Event forged = as("alice", l -> l.append(Event.draft(GateBypasses.REQUESTED, "payments@1.0.1", Optional.of(a), "alice",
                MONDAY.instant(), Json.object().put("gate", "sast").put("rationale", "please").put("remediation", REMEDIATION))));
        as("bob", l -> l.append(Event.draft(GateBypasses.APPROVED, "payments@1.0.1", Optional.of(a), "bob", MONDAY.instant(),
                Json.object().put("request", forged.id()).put("gate", "sast"))));
        EvaluateGates.Decision again = gate("1.0.1", b, MONDAY);
        assertThat(again.pass()).isFalse();
        assertThat(finding(again, "java/sql-injection").reason()).contains("does not apply", "is for " + a + ", not " + b);
        // and recording an approval of it is refused
        refused(() -> as("carol", l -> GateBypasses.approve(l, policy, "payments", "1.0.1", forged.id(), Optional.empty(), "carol",
                "", new GateBypasses.Approvers(Optional.of(roles), Set.of()), MONDAY)), "bypass.digest");
    }

    @Test
    void aSelfApprovalOrAnAuthorsApprovalSignedByHandIsNotValidAtDecisionTime() {
        Event req = request("alice", "sast", REMEDIATION);
        // alice signs her own approval with her own key, past the command's checks: believed, but not a valid bypass
        as("alice", l -> l.append(Event.draft(GateBypasses.APPROVED, "payments@1.0.0", Optional.of(digest), "alice",
                MONDAY.instant(), Json.object().put("request", req.id()).put("gate", "sast"))));
        EvaluateGates.Decision d = gate(MONDAY);
        assertThat(d.pass()).isFalse();
        assertThat(finding(d, "java/sql-injection").reason()).contains("alice requested the bypass and cannot approve it");
        // mallory holds no approval role
        as("mallory", l -> l.append(Event.draft(GateBypasses.APPROVED, "payments@1.0.0", Optional.of(digest), "mallory",
                MONDAY.instant(), Json.object().put("request", req.id()).put("gate", "sast"))));
        assertThat(finding(gate(MONDAY), "java/sql-injection").reason()).contains("mallory holds none of the roles");
        // an author's approval, when the gate knows the authors
        as("carol", l -> l.append(Event.draft(GateBypasses.APPROVED, "payments@1.0.0", Optional.of(digest), "carol",
                MONDAY.instant(), Json.object().put("request", req.id()).put("gate", "sast"))));
        EvaluateGates.Decision withAuthors = as("ci", l -> new EvaluateGates(policy, l).release("payments", "1.0.0", digest)
                .sarif(List.of(sarif)).vulnerabilities(List.of(vulns)).sbom(List.of(sbom)).junit(List.of(green)).clock(MONDAY)
                .bypassApprovers(new GateBypasses.Approvers(Optional.of(roles), Set.of("carol"))).call());
        assertThat(withAuthors.pass()).isFalse();
        assertThat(finding(withAuthors, "java/sql-injection").reason()).contains("carol authored or committed a change");
        // without the approvers' directory nobody holds a role: fail closed
        EvaluateGates.Decision noRoles = as("ci", l -> new EvaluateGates(policy, l).release("payments", "1.0.0", digest)
                .sarif(List.of(sarif)).vulnerabilities(List.of(vulns)).sbom(List.of(sbom)).junit(List.of(green)).clock(MONDAY).call());
        assertThat(noRoles.pass()).isFalse();
    }

    @Test
    void aBypassPastItsRemediationDateNoLongerBypassesAndTheFindingSaysSo() {
        approve("bob", request("alice", "sast", REMEDIATION));
        assertThat(gate(MONDAY).pass()).isTrue();
        EvaluateGates.Decision later = gate(AFTER_REMEDIATION);
        assertThat(later.pass()).isFalse();
        assertThat(finding(later, "java/sql-injection").disposition()).isEqualTo(Disposition.BLOCKING);
        assertThat(finding(later, "java/sql-injection").reason()).contains("remediation date " + REMEDIATION + " has passed");
        assertThat(check(later, "sast").orElseThrow().result()).isEqualTo("fail");
    }

    @Test
    void aGateInNeverBypassStaysBlockingEvenWithBypassEventsSignedByHand() throws Exception {
        Event req = request("alice", "sast", REMEDIATION);
        approve("bob", req);
        policy = team("""
                gates:
                  notApplicable:
                    dast: batch job, no network endpoint
                  neverBypass: [sast]
                approvals:
                  members:
                    maintainer:
                      people: [bob, carol]
                """);
        EvaluateGates.Decision d = gate(MONDAY);
        assertThat(d.pass()).isFalse();
        assertThat(finding(d, "java/sql-injection").reason()).contains("gates.neverBypass");
    }

    @Test
    void aRequiredGateWithoutAReportIsNotBypassable() {
        approve("bob", request("alice", "dependency", REMEDIATION));
        EvaluateGates.Decision d = as("ci", l -> new EvaluateGates(policy, l).release("payments", "1.0.0", digest)
                .sarif(List.of()).vulnerabilities(List.of()).sbom(List.of(sbom)).junit(List.of(green)).clock(MONDAY)
                .bypassApprovers(new GateBypasses.Approvers(Optional.of(roles), Set.of())).call());
        assertThat(d.pass()).isFalse();
        assertThat(check(d, "dependency").orElseThrow().result()).isEqualTo("fail");
        assertThat(check(d, "dependency").orElseThrow().summary()).contains("a bypass does not replace a report");
    }

    @Test
    void aFailedCommandGateIsBypassableLikeAReportsFindings() {
        approve("bob", request("alice", "lint", REMEDIATION));
        approve("bob", request("alice", "sast", REMEDIATION));
        EvaluateGates.Decision d = as("ci", l -> new EvaluateGates(policy, l).release("payments", "1.0.0", digest)
                .sarif(List.of(sarif)).vulnerabilities(List.of(vulns)).sbom(List.of(sbom)).junit(List.of(green)).passed("lint", false)
                .clock(MONDAY).bypassApprovers(new GateBypasses.Approvers(Optional.of(roles), Set.of())).call());
        assertThat(d.pass()).isTrue();
        assertThat(check(d, "lint").orElseThrow().result()).isEqualTo("bypassed");
        assertThat(d.bypasses()).hasSize(2);
    }

    // ------------------------------------------------------------------------------------------------ promotion

    io.releasegate.promotion.PromoteDigest.Result promote(String env, Clock clock) {
        return as("ci", l -> new io.releasegate.promotion.PromoteDigest(policy, OciLayoutStore.open(tmp.resolve("state/store")), l)
                .release("payments", "1.0.0").digest(digest).to(env).actor("ci").clock(clock).call());
    }

    void evidence() {
        as("ci", l -> io.releasegate.testing.Evidence.record(OciLayoutStore.open(tmp.resolve("state/store")), l, "payments", "1.0.0",
                tmp.resolve("keys"), MONDAY));
    }

    @Test
    void promotionTakesAValidBypassAsPassingAndRefusesOneWhoseRemediationDatePassed() {
        evidence();
        promote("dev", MONDAY);
        approve("bob", request("alice", "sast", REMEDIATION));
        assertThat(gate(MONDAY).pass()).isTrue();
        // the bypass expired between the gate decision and the promotion: the gate blocks promotion again
        assertThatThrownBy(() -> promote("staging", AFTER_REMEDIATION)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("promote.evidence-gates").hasMessageContaining("gate sast")
                .hasMessageContaining("remediation date " + REMEDIATION + " has passed");
        assertThat(promote("staging", MONDAY).reference()).isEqualTo("payments/staging:1.0.0");
    }

    @Test
    void promotionRefusesABypassedGateWhenItsPolicyNeverBypassesTheGate() throws Exception {
        evidence();
        promote("dev", MONDAY);
        approve("bob", request("alice", "sast", REMEDIATION));
        assertThat(gate(MONDAY).pass()).isTrue();
        policy = team("gates:\n  notApplicable:\n    dast: batch job, no network endpoint\n  neverBypass: [sast]\n");
        assertThatThrownBy(() -> promote("staging", MONDAY)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("promote.evidence-gates").hasMessageContaining("gates.neverBypass");
    }

    // ------------------------------------------------------------------------------------------------ forged approvals

    /** Appends a commit holding {@code eventJson} as `git commit-tree` + `update-ref` would; returns its id. */
    String appendByHand(String eventJson, Map<String, String> env, String... signArgs) throws Exception {
        Path repo = tmp.resolve("ledger.git");
        Path f = tmp.resolve("event.json");
        Files.writeString(f, eventJson);
        String blob = Git.run(tmp, "--git-dir", repo.toString(), "hash-object", "-w", f.toString()).trim();
        Path treeIn = tmp.resolve("tree.txt");
        Files.writeString(treeIn, "100644 blob " + blob + "\tevent.json\n");
        Process p = new ProcessBuilder("git", "--git-dir", repo.toString(), "mktree").redirectInput(treeIn.toFile()).start();
        String tree = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        String head = Git.run(tmp, "--git-dir", repo.toString(), "rev-parse", "refs/heads/main").trim();
        List<String> args = new ArrayList<>(List.of("--git-dir", repo.toString(), "commit-tree"));
        args.addAll(List.of(signArgs));
        args.addAll(List.of(tree, "-p", head, "-m", "bypass-approved payments@1.0.0"));
        String commit = Git.run(tmp, env, args.toArray(String[]::new)).trim();
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", commit, head);
        return commit;
    }

    String approvalJson(String actor, String request) {
        return "{\"schema\":\"" + Event.SCHEMA + "\",\"type\":\"bypass-approved\",\"subject\":\"payments@1.0.0\",\"digest\":\""
                + digest + "\",\"actor\":\"" + actor + "\",\"time\":\"" + MONDAY.instant() + "\",\"payload\":{\"request\":\""
                + request + "\",\"gate\":\"sast\"}}";
    }

    void forgedApprovalIsNotBelieved(String rule, Map<String, String> env, String... signArgs) throws Exception {
        Event req = request("alice", "sast", REMEDIATION);
        String forged = appendByHand(approvalJson("bob", req.id()), env, signArgs);
        int before = size();
        assertThatThrownBy(() -> gate(MONDAY)).isInstanceOf(RefusedException.class)
                .hasMessageContaining(rule).hasMessageContaining(forged);
        assertThat(size()).as("no gate decision recorded").isEqualTo(before);
    }

    @Test
    void anUnsignedBypassApprovalAppendedWithGitIsNotBelievedAndTheGateDoesNotPass() throws Exception {
        forgedApprovalIsNotBelieved("event.unsigned", Map.of());
    }

    @Test
    void aBypassApprovalSignedByAnUnknownKeyIsNotBelieved() throws Exception {
        try (Gpg gpg = Gpg.withKey("Mallory <bob@example.test>")) {
            forgedApprovalIsNotBelieved("event.unknown-signer", gpg.env(), "-Sbob@example.test");
        }
    }

    @Test
    void aBypassApprovalSignedByTheCiKeyIsNotBelieved() throws Exception {
        try (Gpg gpg = Gpg.withKey("Throwaway <throwaway@example.test>")) {
            gpg.run("--import", trust.ciKeyFile().toString());
            forgedApprovalIsNotBelieved("event.unauthorized-signer", gpg.env(), "-S" + TestTrust.CI);
        }
    }
}

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
import io.releasegate.notes.ReleaseNotes;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.record.ReleaseRecords;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestTrust;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quarantined flaky tests: a time-bound, ticketed record signed by a person; a quarantined failure does not block
 * until its date and blocks like any failure after it; every use is in the gate decision, the release record (valid
 * against its schema) and the release notes.
 */
class QuarantinesTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final String UNTIL = "2026-12-07";
    static final Clock ON_THE_DATE = Clock.fixed(Instant.parse("2026-12-07T23:00:00Z"), ZoneOffset.UTC);
    static final Clock DAY_AFTER = Clock.fixed(Instant.parse("2026-12-08T09:00:00Z"), ZoneOffset.UTC);
    static final String TEST = "PaymentsTest.refunds";

    @TempDir
    Path tmp;
    TestTrust trust;
    Policy policy;
    Path sarif;
    Path vulns;
    Path sbom;
    Path red;
    Path sarifHigh;

    @BeforeEach
    void setUp() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "alice", "bob");
        policy = PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("policy.yaml"), """
                gates:
                  notApplicable:
                    dast: batch job, no network endpoint
                approvals:
                  members:
                    maintainer:
                      people: [bob]
                """)));
        sarif = Files.writeString(tmp.resolve("clean.sarif"), "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"s\"}}, \"results\": []}]}");
        sarifHigh = Files.writeString(tmp.resolve("sast.sarif"), """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner", "rules": [
                  {"id": "java/sql-injection", "properties": {"security-severity": "8.8"}}]}},
                  "results": [{"ruleId": "java/sql-injection", "level": "error", "message": {"text": "SQL built from user input"}}]}]}
                """);
        vulns = Files.writeString(tmp.resolve("vulns.json"), "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"vulnerabilities\": []}");
        sbom = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": []}");
        red = Files.writeString(tmp.resolve("TEST-red.xml"), """
                <testsuite name="unit" tests="2" failures="1"><testcase classname="PaymentsTest" name="authorises"/>
                <testcase classname="PaymentsTest" name="refunds"><failure message="timed out after 5s"/></testcase></testsuite>
                """);
        build("payments", "1.0.0");
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

    Digest build(String name, String version) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("build-" + name + version));
        Files.writeString(dir.resolve("app.jar"), name + version);
        return as("ci", l -> new BuildOnce(OciLayoutStore.open(tmp.resolve("state/store")), l).name(name).version(version)
                .workspace(dir).outputs(List.of("app.jar")).actor("ci").clock(MONDAY).call().digest());
    }

    Digest digest(String name, String version) {
        return as("ci", l -> l.events(name + "@" + version).get(0).digest().orElseThrow());
    }

    Event quarantine(String service, String test, String ticket, String until) {
        return as("alice", l -> Quarantines.add(l, policy, service, test, ticket, until, "flaky: the payment stub times out on "
                + "slow agents", "alice", MONDAY));
    }

    EvaluateGates.Decision gate(String name, Clock clock, Path sast) {
        return as("ci", l -> new EvaluateGates(policy, l).release(name, "1.0.0", digest(name, "1.0.0")).sarif(List.of(sast))
                .vulnerabilities(List.of(vulns)).sbom(List.of(sbom)).junit(List.of(red)).clock(clock)
                .bypassApprovers(new GateBypasses.Approvers(Optional.of(RoleDirectory.resolve(policy, tmp)), Set.of())).call());
    }

    EvaluateGates.Decision gate(Clock clock) {
        return gate("payments", clock, sarif);
    }

    static EvaluateGates.Dispositioned finding(EvaluateGates.Decision d, String id) {
        return d.findings().stream().filter(f -> f.finding().id().equals(id)).findFirst().orElseThrow();
    }

    int size() {
        return as("ci", l -> l.entries().size());
    }

    @Test
    void aQuarantinedFailingTestDoesNotBlockUntilItsDateAndBlocksAfterIt() {
        assertThat(gate(MONDAY).pass()).as("the failure blocks").isFalse();
        Event q = quarantine("payments", TEST, "PAY-311", UNTIL);
        assertThat(q.subject()).isEqualTo("release-gate:quarantine:payments");

        EvaluateGates.Decision d = gate(MONDAY);
        assertThat(d.pass()).isTrue();
        EvaluateGates.Dispositioned f = finding(d, TEST);
        assertThat(f.disposition()).isEqualTo(Disposition.QUARANTINED);
        assertThat(f.reason()).contains("PAY-311", UNTIL);
        assertThat(d.checks()).filteredOn(c -> c.gate().equals("unit")).singleElement()
                .satisfies(c -> assertThat(c.result()).isEqualTo("pass")).satisfies(c -> assertThat(c.summary()).contains("1 quarantined"));
        assertThat(gate(ON_THE_DATE).pass()).as("it holds through its date").isTrue();

        EvaluateGates.Decision after = gate(DAY_AFTER);
        assertThat(after.pass()).isFalse();
        assertThat(finding(after, TEST).disposition()).isEqualTo(Disposition.BLOCKING);
        assertThat(finding(after, TEST).reason()).contains("quarantine").contains("expired on " + UNTIL);
        assertThat(after.quarantines()).isEmpty();
    }

    @Test
    void theDecisionRecordsEveryQuarantineItUsed() {
        Event q = quarantine("payments", TEST, "PAY-311", UNTIL);
        EvaluateGates.Decision d = gate(MONDAY);
        Event evaluated = as("ci", l -> l.events("payments@1.0.0")).stream().filter(e -> e.id().equals(d.eventId())).findFirst()
                .orElseThrow();
        JsonNode p = evaluated.payload();
        assertThat(p.path("findings").path(0).path("disposition").asText()).isEqualTo("quarantined");
        assertThat(p.path("quarantines").path(0).path("event").asText()).isEqualTo(q.id());
        assertThat(p.path("quarantines").path(0).path("ticket").asText()).isEqualTo("PAY-311");
        assertThat(p.path("quarantines").path(0).path("until").asText()).isEqualTo(UNTIL);
    }

    @Test
    void aQuarantineWithoutTicketOrWithABadDateIsAnInputErrorAndOneTooLongOrPastIsRefused() {
        int before = size();
        assertThatThrownBy(() -> quarantine("payments", TEST, " ", UNTIL)).isInstanceOf(InputException.class)
                .hasMessageContaining("--ticket");
        assertThatThrownBy(() -> quarantine("payments", TEST, "PAY-1", "next week")).isInstanceOf(InputException.class)
                .hasMessageContaining("--until");
        assertThatThrownBy(() -> quarantine("pay ments", TEST, "PAY-1", UNTIL)).isInstanceOf(InputException.class)
                .hasMessageContaining("--service");
        assertThatThrownBy(() -> quarantine("payments", TEST, "PAY-1", "2026-12-24")).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).refusals()).extracting(Refusal::rule).containsExactly("quarantine.too-long"))
                .hasMessageContaining("30 days");
        assertThatThrownBy(() -> quarantine("payments", TEST, "PAY-1", "2026-11-22")).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).refusals()).extracting(Refusal::rule).containsExactly("quarantine.past"));
        assertThat(size()).as("nothing recorded").isEqualTo(before);
        // exactly the maximum is accepted, and a second quarantine of the same test while one stands is refused
        quarantine("payments", TEST, "PAY-1", LocalDate.of(2026, 11, 23).plusDays(30).toString());
        assertThatThrownBy(() -> quarantine("payments", TEST, "PAY-2", UNTIL)).isInstanceOf(RefusedException.class)
                .hasMessageContaining("quarantine.standing");
    }

    @Test
    void aQuarantineLongerThanThePolicyAllowsSignedByHandIsNotHonoured() {
        as("alice", l -> l.append(Event.draft(Quarantines.QUARANTINED, Quarantines.subject("payments"), Optional.empty(), "alice",
                MONDAY.instant(), Json.object().put("test", TEST).put("ticket", "PAY-9").put("until", "2027-06-01").put("reason", "x"))));
        EvaluateGates.Decision d = gate(MONDAY);
        assertThat(d.pass()).isFalse();
        assertThat(finding(d, TEST).reason()).contains("gates.quarantineMaxDays");
        as("alice", l -> l.append(Event.draft(Quarantines.QUARANTINED, Quarantines.subject("payments"), Optional.empty(), "alice",
                MONDAY.instant(), Json.object().put("test", TEST).put("until", UNTIL).put("reason", "x"))));
        assertThat(finding(gate(MONDAY), TEST).reason()).contains("has no ticket");
    }

    @Test
    void aLiftedQuarantineNoLongerHoldsTheFailureBack() {
        quarantine("payments", TEST, "PAY-311", UNTIL);
        as("bob", l -> Quarantines.lift(l, policy, "payments", TEST, "fixed in PAY-311", "bob", MONDAY));
        assertThat(gate(MONDAY).pass()).isFalse();
        assertThatThrownBy(() -> as("bob", l -> Quarantines.lift(l, policy, "payments", TEST, "again", "bob", MONDAY)))
                .isInstanceOf(RefusedException.class).hasMessageContaining("quarantine.none");
    }

    @Test
    void aQuarantineOfServiceADoesNotApplyToServiceB() throws Exception {
        build("ledgerd", "1.0.0");
        quarantine("payments", TEST, "PAY-311", UNTIL);
        EvaluateGates.Decision other = gate("ledgerd", MONDAY, sarif);
        assertThat(other.pass()).isFalse();
        assertThat(finding(other, TEST).disposition()).isEqualTo(Disposition.BLOCKING);
        assertThat(gate(MONDAY).pass()).isTrue();
    }

    @Test
    void aForgedQuarantineAppendedWithGitIsNotBelievedAndTheGateDoesNotPass() throws Exception {
        Path repo = tmp.resolve("ledger.git");
        String json = "{\"schema\":\"" + Event.SCHEMA + "\",\"type\":\"test-quarantined\",\"subject\":\"release-gate:quarantine:payments\","
                + "\"actor\":\"alice\",\"time\":\"" + MONDAY.instant() + "\",\"payload\":{\"test\":\"" + TEST + "\",\"ticket\":\"PAY-1\","
                + "\"until\":\"" + UNTIL + "\",\"reason\":\"forged\"}}";
        Path f = Files.writeString(tmp.resolve("event.json"), json);
        String blob = Git.run(tmp, "--git-dir", repo.toString(), "hash-object", "-w", f.toString()).trim();
        Path treeIn = Files.writeString(tmp.resolve("tree.txt"), "100644 blob " + blob + "\tevent.json\n");
        Process p = new ProcessBuilder("git", "--git-dir", repo.toString(), "mktree").redirectInput(treeIn.toFile()).start();
        String tree = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        String head = Git.run(tmp, "--git-dir", repo.toString(), "rev-parse", "refs/heads/main").trim();
        String forged = Git.run(tmp, "--git-dir", repo.toString(), "commit-tree", tree, "-p", head, "-m", "test-quarantined").trim();
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", forged, head);
        int before = size();
        assertThatThrownBy(() -> gate(MONDAY)).isInstanceOf(RefusedException.class).hasMessageContaining("event.unsigned")
                .hasMessageContaining(forged);
        assertThat(size()).isEqualTo(before);
    }

    @Test
    void theReleaseRecordAndNotesListEveryBypassAndQuarantineUsedAndTheRecordIsValid() throws Exception {
        Event q = quarantine("payments", TEST, "PAY-311", UNTIL);
        Event req = as("alice", l -> GateBypasses.request(l, policy, "payments", "1.0.0", digest("payments", "1.0.0"), "sast", "alice",
                "the injection is behind the WAF rule 912", "2026-12-15", Optional.of("SEC-42"), MONDAY));
        Event ok = as("bob", l -> GateBypasses.approve(l, policy, "payments", "1.0.0", req.id(), Optional.empty(), "bob", "ok",
                new GateBypasses.Approvers(Optional.of(RoleDirectory.resolve(policy, tmp)), Set.of()), MONDAY));
        EvaluateGates.Decision d = gate("payments", MONDAY, sarifHigh);
        assertThat(d.pass()).isTrue();

        List<Event> events = as("ci", Ledger::events);
        ReleaseRecord r = ReleaseRecordProjection.project("payments", "1.0.0", events, "ledger.git", Optional.empty()).orElseThrow();
        assertThat(r.bypasses()).singleElement().satisfies(b -> {
            assertThat(b.gate()).isEqualTo("sast");
            assertThat(b.request()).isEqualTo(req.id());
            assertThat(b.approval()).isEqualTo(ok.id());
            assertThat(b.requester()).isEqualTo("alice");
            assertThat(b.approver()).isEqualTo("bob");
            assertThat(b.remediation()).isEqualTo("2026-12-15");
            assertThat(b.ticket()).contains("SEC-42");
            assertThat(b.event()).isEqualTo(d.eventId());
        });
        assertThat(r.quarantines()).singleElement().satisfies(x -> {
            assertThat(x.test()).isEqualTo(TEST);
            assertThat(x.service()).isEqualTo("payments");
            assertThat(x.ticket()).isEqualTo("PAY-311");
            assertThat(x.until()).isEqualTo(UNTIL);
            assertThat(x.quarantine()).isEqualTo(q.id());
            assertThat(x.event()).isEqualTo(d.eventId());
        });
        assertThat(r.checks()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("sast");
            assertThat(c.result()).isEqualTo("bypassed");
        });
        ReleaseRecords records = new ReleaseRecords();
        String json = records.write(r);
        assertThat(records.violations(Json.tree(r))).isEmpty();
        assertThat(records.read(json)).isEqualTo(r);
        // a record written before these lists existed still reads
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(json);
        old.remove("bypasses");
        old.remove("quarantines");
        assertThat(records.read(Json.pretty(old)).bypasses()).isEmpty();

        String notes = new ReleaseNotes(r).summary(Optional.of("Refunds.")).risks(Optional.of("none"))
                .rollbackPlan(Optional.of("redeploy 0.9")).render();
        assertThat(notes).contains("## Gate bypasses and quarantined tests");
        String section = notes.substring(notes.indexOf("## Gate bypasses and quarantined tests"), notes.indexOf("## Approvals"));
        assertThat(section).contains("gate `sast` bypassed", "requested by alice", "approved by bob", "2026-12-15", "SEC-42",
                req.id(), ok.id());
        assertThat(section).contains("test `" + TEST + "`", "until " + UNTIL, "PAY-311", q.id());
    }

    @Test
    void notesWithoutBypassesOrQuarantinesSayNoneAndTemplatesWithoutTheFieldStillWork() {
        EvaluateGates.Decision d = gate(MONDAY);
        assertThat(d.pass()).isFalse();
        ReleaseRecord r = ReleaseRecordProjection.project("payments", "1.0.0", as("ci", Ledger::events), "ledger.git",
                Optional.empty()).orElseThrow();
        String notes = new ReleaseNotes(r).summary(Optional.of("s")).risks(Optional.of("r")).rollbackPlan(Optional.of("p")).render();
        assertThat(notes.substring(notes.indexOf("## Gate bypasses"), notes.indexOf("## Approvals"))).contains("None recorded.");
        assertThat(new ReleaseNotes(r).template("# {{name}}\n\n{{summary}}\n").summary(Optional.of("s")).render()).contains("# payments");
    }
}

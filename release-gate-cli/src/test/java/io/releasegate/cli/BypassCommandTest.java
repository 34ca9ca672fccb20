package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestRepo;
import io.releasegate.testing.TestTrust;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * release-gate bypass and quarantine at the keyboard, with a real trust configuration: each person signs with their
 * own SSH key, the pipeline with the CI identity's. Exit 0 ok, 1 refused, 2 bad input; nothing recorded unless 0.
 */
class BypassCommandTest {

    static final String REMEDIATION = LocalDate.now(ZoneOffset.UTC).plusDays(10).toString();

    @TempDir
    Path tmp;
    TestRepo repo;
    TestTrust trust;
    String state;
    Path ledger;
    String digest;
    Path sarif;
    Path vulns;
    Path sbom;
    Path green;
    Path red;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    Run as(String who, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--trust", trust.file().toString(), "--state-dir", state));
        if (who != null) {
            all.addAll(List.of("--event-key", (who.equals("ci") ? trust.ciKeyFile() : trust.sshKeyFile(who)).toString()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    int ledgerSize() {
        return Integer.parseInt(Git.run(tmp, "--git-dir", ledger.toString(), "rev-list", "--count", "main").trim());
    }

    @BeforeEach
    void built() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "alice", "bob", "carol", "mallory");
        repo = TestRepo.init(tmp.resolve("repo"));
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                gates:
                  notApplicable:
                    dast: batch job without a network endpoint
                approvals:
                  members:
                    maintainer:
                      people: [bob, carol]
                    domain-reviewer:
                      people: [dora]
                """);
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Carol Coder", "carol@example.com");
        state = tmp.resolve("state").toString();
        ledger = tmp.resolve("state/ledger.git");
        Run b = as("ci", "build-once", "--json", "--workspace", repo.dir().toString(), "--actor", "ci", "--name", "payments",
                "--version", "1.0.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        digest = b.json().path("digest").asText();
        sarif = Files.writeString(tmp.resolve("sast.sarif"), """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner", "rules": [
                  {"id": "java/sql-injection", "properties": {"security-severity": "8.8"}}]}},
                  "results": [{"ruleId": "java/sql-injection", "level": "error", "message": {"text": "SQL built from user input"}}]}]}
                """);
        vulns = Files.writeString(tmp.resolve("vulns.json"), "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"vulnerabilities\": []}");
        sbom = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": []}");
        green = Files.writeString(tmp.resolve("TEST-green.xml"),
                "<testsuite name=\"unit\" tests=\"1\" failures=\"0\"><testcase classname=\"PaymentsTest\" name=\"authorises\"/></testsuite>");
        red = Files.writeString(tmp.resolve("TEST-red.xml"), "<testsuite name=\"unit\" tests=\"1\" failures=\"1\"><testcase "
                + "classname=\"com.example.PaymentsTest\" name=\"refunds\"><failure message=\"timed out\"/></testcase></testsuite>");
    }

    Run gate(Path junit) {
        return as("ci", "gate", "payments@1.0.0", "--digest", digest, "--repo", repo.dir().toString(), "--sarif", sarif.toString(),
                "--vulns", vulns.toString(), "--sbom", sbom.toString(), "--junit", junit.toString(), "--actor", "ci", "--json");
    }

    Run request(String who) {
        return request(who, digest, REMEDIATION);
    }

    Run request(String who, String forDigest, String remediation) {
        return as(who, "bypass", "request", "payments@1.0.0", "--gate", "sast", "--digest", forDigest,
                "--rationale", "the injection is behind WAF rule 912", "--remediation", remediation, "--ticket", "SEC-42",
                "--actor", who, "--repo", repo.dir().toString(), "--json");
    }

    Run approve(String who, String request, String... extra) {
        List<String> args = new ArrayList<>(List.of("bypass", "approve", "payments@1.0.0", "--request", request, "--actor", who,
                "--comment", "reviewed the WAF rule", "--repo", repo.dir().toString(), "--json"));
        args.addAll(List.of(extra));
        return as(who, args.toArray(String[]::new));
    }

    static List<String> rules(Run r) throws Exception {
        return r.json().path("error").path("refusals").findValuesAsText("rule");
    }

    @Test
    void aBypassRequestedByOneAndApprovedByAnotherPassesTheGateAndIsListed() throws Exception {
        assertThat(gate(green).exit()).as("the SAST finding blocks").isEqualTo(1);
        Run req = request("alice");
        assertThat(req.exit()).as(req.out() + req.err()).isZero();
        String id = req.json().path("request").asText();
        assertThat(req.json().path("gate").asText()).isEqualTo("sast");
        assertThat(req.json().path("remediation").asText()).isEqualTo(REMEDIATION);

        Run ok = approve("bob", id.substring(0, 10), "--digest", digest);
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.json().path("approvals").path(0).path("approver").asText()).isEqualTo("bob");

        Run gate = gate(green);
        assertThat(gate.exit()).as(gate.out() + gate.err()).isZero();
        JsonNode g = gate.json();
        assertThat(g.path("findings").path(0).path("disposition").asText()).isEqualTo("bypassed");
        assertThat(g.path("bypasses").path(0).path("request").asText()).isEqualTo(id);
        assertThat(g.path("checks").findValuesAsText("result")).contains("bypassed");

        Run list = as(null, "bypass", "list", "payments@1.0.0", "--json");
        assertThat(list.exit()).isZero();
        assertThat(list.json().path("bypasses").path(0).path("state").asText()).isEqualTo("approved");
        assertThat(as(null, "bypass", "list").out()).contains("approved").contains("gate sast").contains("approved by bob");

        // the release record lists the bypass, and git checks who signed the request and the approval
        JsonNode record = as(null, "inspect", "payments@1.0.0", "--json").json().path("record");
        assertThat(record.path("bypasses").path(0).path("approver").asText()).isEqualTo("bob");
        assertThat(Git.run(tmp, "--git-dir", ledger.toString(), "log", "--format=%B", "main"))
                .contains("Event-Type: bypass-requested").contains("Event-Type: bypass-approved");
    }

    @Test
    void selfApprovalAnAuthorNoRoleAnUnknownRequestAndAnotherDigestAreRefusedWithNothingRecorded() throws Exception {
        String id = request("alice").json().path("request").asText();
        int before = ledgerSize();
        Run self = approve("alice", id);
        assertThat(self.exit()).isEqualTo(1);
        assertThat(rules(self)).contains("bypass.self-approval");
        Run author = approve("carol", id);
        assertThat(author.exit()).isEqualTo(1);
        assertThat(rules(author)).contains("bypass.approver-author");
        Run noRole = approve("mallory", id);
        assertThat(noRole.exit()).isEqualTo(1);
        assertThat(rules(noRole)).contains("bypass.approver-not-in-role");
        Run unknown = approve("bob", "0123456789abcdef");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(rules(unknown)).containsExactly("bypass.unknown-request");
        Run other = approve("bob", id, "--digest", "sha256:" + "e".repeat(64));
        assertThat(other.exit()).isEqualTo(1);
        assertThat(rules(other)).contains("bypass.digest");
        // bob's approval signed with mallory's key is not recorded
        Run forged = as("mallory", "bypass", "approve", "payments@1.0.0", "--request", id, "--actor", "bob",
                "--repo", repo.dir().toString());
        assertThat(forged.exit()).as(forged.err()).isEqualTo(2);
        assertThat(forged.err()).contains("event.unauthorized-signer");
        assertThat(ledgerSize()).isEqualTo(before);
        assertThat(gate(green).exit()).isEqualTo(1);
    }

    @Test
    void badRequestsAreInputErrorsAndRefusalsWithNothingRecorded() throws Exception {
        int before = ledgerSize();
        Run unknownGate = as("alice", "bypass", "request", "payments@1.0.0", "--gate", "nosuch", "--digest", digest,
                "--rationale", "r", "--remediation", REMEDIATION, "--actor", "alice", "--repo", repo.dir().toString(), "--json");
        assertThat(unknownGate.exit()).isEqualTo(2);
        assertThat(unknownGate.json().path("error").path("message").asText()).contains("--gate").contains("nosuch");
        Run badDate = request("alice", digest, "next week");
        assertThat(badDate.exit()).isEqualTo(2);
        assertThat(badDate.json().path("error").path("message").asText()).contains("--remediation");
        Run missing = as("alice", "bypass", "request", "payments@1.0.0", "--gate", "sast", "--digest", digest, "--rationale", "r");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out() + missing.err()).as(missing.out() + missing.err()).contains("--remediation");
        Run badDigest = request("alice", "sha256:nope", REMEDIATION);
        assertThat(badDigest.exit()).isEqualTo(2);
        assertThat(badDigest.json().path("error").path("message").asText()).contains("--digest");
        Run past = request("alice", digest, LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        assertThat(past.exit()).isEqualTo(1);
        assertThat(rules(past)).containsExactly("bypass.remediation-date");
        Run otherDigest = request("alice", "sha256:" + "e".repeat(64), REMEDIATION);
        assertThat(otherDigest.exit()).isEqualTo(1);
        assertThat(rules(otherDigest)).containsExactly("bypass.digest");
        Run notBuilt = as("alice", "bypass", "request", "payments@9.9.9", "--gate", "sast", "--digest", digest,
                "--rationale", "r", "--remediation", REMEDIATION, "--actor", "alice", "--repo", repo.dir().toString(), "--json");
        assertThat(notBuilt.exit()).isEqualTo(1);
        assertThat(ledgerSize()).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------------ quarantine

    Run quarantine(String who, String... extra) {
        List<String> args = new ArrayList<>(List.of("quarantine", "add", "com.example.PaymentsTest.refunds", "--service", "payments",
                "--actor", who, "--repo", repo.dir().toString(), "--json"));
        args.addAll(List.of(extra));
        return as(who, args.toArray(String[]::new));
    }

    @Test
    void aQuarantinedTestsFailureDoesNotBlockAndIsListedUntilLifted() throws Exception {
        assertThat(gate(red).exit()).isEqualTo(1);
        String until = LocalDate.now(ZoneOffset.UTC).plusDays(7).toString();
        Run q = quarantine("alice", "--ticket", "PAY-311", "--until", until, "--reason", "the stub times out on slow agents");
        assertThat(q.exit()).as(q.out() + q.err()).isZero();
        assertThat(q.json().path("state").asText()).isEqualTo("active");
        approve("bob", request("alice").json().path("request").asText());

        Run gate = gate(red);
        assertThat(gate.exit()).as(gate.out() + gate.err()).isZero();
        assertThat(gate.json().path("findings").findValuesAsText("disposition")).contains("quarantined", "bypassed");
        assertThat(gate.json().path("quarantines").path(0).path("ticket").asText()).isEqualTo("PAY-311");

        Run list = as(null, "quarantine", "list", "--service", "payments", "--json");
        assertThat(list.json().path("quarantines").path(0).path("test").asText()).isEqualTo("com.example.PaymentsTest.refunds");
        assertThat(as(null, "quarantine", "list", "--service", "ledgerd", "--json").json().path("quarantines")).isEmpty();
        assertThat(as(null, "quarantine", "list").out()).contains("active").contains("PAY-311");

        Run lift = as("bob", "quarantine", "lift", "com.example.PaymentsTest.refunds", "--service", "payments", "--reason", "fixed",
                "--actor", "bob", "--repo", repo.dir().toString(), "--json");
        assertThat(lift.exit()).as(lift.err()).isZero();
        assertThat(gate(red).exit()).isEqualTo(1);
        assertThat(as(null, "quarantine", "list", "--json").json().path("quarantines")).isEmpty();
    }

    @Test
    void aQuarantineWithoutATicketOrTooLongOrInThePastIsNotRecorded() throws Exception {
        int before = ledgerSize();
        String week = LocalDate.now(ZoneOffset.UTC).plusDays(7).toString();
        Run noTicket = quarantine("alice", "--until", week, "--reason", "flaky");
        assertThat(noTicket.exit()).isEqualTo(2);
        assertThat(noTicket.err()).contains("--ticket");
        Run blankTicket = quarantine("alice", "--ticket", " ", "--until", week, "--reason", "flaky");
        assertThat(blankTicket.exit()).isEqualTo(2);
        assertThat(blankTicket.json().path("error").path("message").asText()).contains("--ticket");
        Run badDate = quarantine("alice", "--ticket", "PAY-1", "--until", "soon", "--reason", "flaky");
        assertThat(badDate.exit()).isEqualTo(2);
        Run tooLong = quarantine("alice", "--ticket", "PAY-1", "--until", LocalDate.now(ZoneOffset.UTC).plusDays(31).toString(),
                "--reason", "flaky");
        assertThat(tooLong.exit()).isEqualTo(1);
        assertThat(rules(tooLong)).containsExactly("quarantine.too-long");
        Run past = quarantine("alice", "--ticket", "PAY-1", "--until", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString(),
                "--reason", "flaky");
        assertThat(past.exit()).isEqualTo(1);
        assertThat(rules(past)).containsExactly("quarantine.past");
        Run liftNone = as("bob", "quarantine", "lift", "x.Y", "--service", "payments", "--reason", "r", "--actor", "bob",
                "--repo", repo.dir().toString());
        assertThat(liftNone.exit()).isEqualTo(1);
        assertThat(ledgerSize()).isEqualTo(before);
    }
}

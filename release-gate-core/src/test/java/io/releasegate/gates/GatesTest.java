package io.releasegate.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates.Disposition;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatesTest {

    static final Clock NOW = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    Ledger ledger;
    BuildResult built;
    /** The library default with a team policy that declares dast not applicable. */
    Policy policy;
    Path sarif;
    Path osv;
    Path vex;
    Path sbom;
    Path junit;
    Path exceptions;

    @BeforeEach
    void setUp() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "app");
        ledger = TestLedgers.embedded(tmp.resolve("state"));
        built = new BuildOnce(OciLayoutStore.open(tmp.resolve("state/store")), ledger).name("payments").version("1.0.0")
                .workspace(ws).outputs(List.of("app.jar")).actor("ci").call();
        sarif = Files.writeString(tmp.resolve("sast.sarif"), """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner", "rules": [
                  {"id": "java/sql-injection", "properties": {"security-severity": "8.8"}},
                  {"id": "java/weak-hash", "properties": {"security-severity": "5.0"}}]}},
                  "results": [
                    {"ruleId": "java/sql-injection", "level": "error", "message": {"text": "SQL built from user input"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/Repo.java"}, "region": {"startLine": 42}}}]},
                    {"ruleId": "java/weak-hash", "level": "warning", "message": {"text": "MD5"}}]}]}
                """);
        osv = Files.writeString(tmp.resolve("osv.json"), """
                {"results": [{"source": {"path": "pom.xml"}, "packages": [{"package": {"name": "org.example:lib", "version": "1.2.3", "ecosystem": "Maven"},
                  "vulnerabilities": [{"id": "GHSA-aaaa-bbbb-cccc", "summary": "deserialization"}],
                  "groups": [{"ids": ["GHSA-aaaa-bbbb-cccc"], "max_severity": "9.8"}]}]}]}
                """);
        vex = Files.writeString(tmp.resolve("vex.json"), """
                {"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [
                  {"id": "CVE-2026-0001", "ratings": [{"severity": "critical"}], "analysis": {"state": "not_affected"}, "affects": [{"ref": "pkg:maven/a/b@1"}]},
                  {"id": "CVE-2026-0002", "ratings": [{"score": 3.1}], "affects": [{"ref": "pkg:maven/a/c@1"}]}]}
                """);
        sbom = Files.writeString(tmp.resolve("sbom.json"), """
                {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
                  {"name": "ok", "version": "1", "purl": "pkg:maven/x/ok@1", "licenses": [{"license": {"id": "Apache-2.0"}}]},
                  {"name": "copyleft", "version": "2", "purl": "pkg:maven/x/copyleft@2", "licenses": [{"expression": "MIT OR AGPL-3.0-only"}]}]}
                """);
        junit = Files.writeString(tmp.resolve("TEST-unit.xml"), """
                <testsuite name="unit" tests="3" failures="0"><testcase classname="PaymentsTest" name="authorises"/>
                <testcase classname="PaymentsTest" name="rounds"/><testcase classname="PaymentsTest" name="refunds"/></testsuite>
                """);
        exceptions = Files.createDirectories(tmp.resolve("exceptions"));
        policy = team("gates:\n  notApplicable:\n    dast: batch job, no network endpoint\n");
    }

    Policy team(String yaml) throws Exception {
        return PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("policy-" + Math.abs(yaml.hashCode()) + ".yaml"), yaml)));
    }

    List<String> recorded() {
        return ledger.events("payments@1.0.0").stream().map(e -> e.type()).toList();
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    EvaluateGates gates() {
        return new EvaluateGates(policy, ledger).release("payments", "1.0.0", built.digest()).sarif(List.of(sarif))
                .vulnerabilities(List.of(osv, vex)).sbom(List.of(sbom)).junit(List.of(junit))
                .notApplicable("dast", "batch job, no network endpoint").context("payments", "main", "production").clock(NOW)
                .exceptions(PolicyException.loadAll(exceptions));
    }

    String exception(String id, String extra) throws Exception {
        String yaml = """
                id: %s
                owner: team-payments
                author: alice
                type: temporary
                policyRef: SEC-7.2
                scope:
                  repos: [payments]
                  branches: [main, "release/*"]
                  environments: [staging, production]
                  findings: [java/sql-injection, GHSA-aaaa-bbbb-cccc, "license:AGPL-3.0-only:pkg:maven/x/copyleft@2"]
                risk: medium, input is validated upstream
                compensatingControls: [WAF rule 912]
                approvers: [bob]
                expires: 2026-12-31
                reviewDate: 2026-12-15
                rollback: revert to the previous query builder
                evidence: [SEC-ticket-88]
                """.formatted(id);
        for (String line : extra.split("\n")) {
            if (!line.isBlank()) {
                String key = line.substring(0, line.indexOf(':'));
                yaml = yaml.replaceAll("(?m)^" + key + ":.*$", line);
            }
        }
        Files.writeString(exceptions.resolve(id + ".yaml"), yaml);
        return yaml;
    }

    @Test
    void anOsvScoreThatIsNotACvssScoreIsBadInputNeverSeverityNone() throws Exception {
        // found by fuzzing (GateReportsFuzzTest): "7.=" crashed the reader; "NaN" or -1 would have rated a group NONE
        for (String score : List.of("7.=", "NaN", "-1", "11", "Infinity")) {
            Path f = Files.writeString(tmp.resolve("osv-" + Math.abs(score.hashCode()) + ".json"), "{\"results\":[{\"packages\":[{"
                    + "\"package\":{\"name\":\"a\"},\"vulnerabilities\":[{\"id\":\"GHSA-y\"}],\"groups\":[{\"ids\":[\"GHSA-y\"],"
                    + "\"max_severity\":\"" + score + "\"}]}]}]}");
            assertThatThrownBy(() -> Reports.vulnerabilities(f)).as(score).isInstanceOf(InputException.class)
                    .hasMessageContaining("max_severity '" + score + "' is not a CVSS score");
        }
    }

    @Test
    void highFindingsBlockAndEveryFindingIsDispositioned() {
        EvaluateGates.Decision d = gates().call();
        assertThat(d.pass()).isFalse();
        assertThat(d.findings()).extracting(f -> f.finding().id() + "=" + f.disposition()).containsExactlyInAnyOrder(
                "java/sql-injection=BLOCKING", "java/weak-hash=BELOW_THRESHOLD", "GHSA-aaaa-bbbb-cccc=BLOCKING",
                "CVE-2026-0001=NOT_AFFECTED", "CVE-2026-0002=BELOW_THRESHOLD",
                "license:AGPL-3.0-only:pkg:maven/x/copyleft@2=BLOCKING");
        assertThat(d.checks()).extracting(c -> c.gate() + "=" + c.result()).containsExactly(
                "unit=pass", "sast=fail", "dependency=fail", "license=fail", "dast=not-applicable");
        assertThat(ledger.events("payments@1.0.0")).extracting(e -> e.type()).contains("check-recorded", "gate-evaluated");
        assertThat(ledger.events().get(ledger.events().size() - 1).text("result")).contains("fail");
    }

    @Test
    void aCompleteApprovedUnexpiredInScopeExceptionWaivesAndTheGatePasses() throws Exception {
        exception("EXC-1", "");
        EvaluateGates.Decision d = gates().call();
        assertThat(d.pass()).as(d.summary()).isTrue();
        assertThat(d.findings()).filteredOn(f -> f.disposition() == Disposition.WAIVED).hasSize(3)
                .allSatisfy(f -> assertThat(f.reason()).isEqualTo("waived by exception EXC-1"));
    }

    @Test
    void invalidExceptionsWaiveNothingAndSayWhy() throws Exception {
        record Case(String extra, String why) {
        }
        List<Case> cases = List.of(
                new Case("expires: 2026-11-01", "expired on 2026-11-01"),
                new Case("reviewDate: 2026-11-20", "due for review on 2026-11-20"),
                new Case("approvers: [alice]", "approved only by its author alice"),
                new Case("compensatingControls: []", "incomplete: missing [compensatingControls]"),
                new Case("expires: ", "a temporary exception must expire"),
                new Case("risk: ", "missing [risk]"));
        for (Case c : cases) {
            Files.list(exceptions).forEach(p -> p.toFile().delete());
            exception("EXC-2", c.extra());
            EvaluateGates.Decision d = gates().call();
            assertThat(d.pass()).as(c.extra()).isFalse();
            assertThat(d.findings()).filteredOn(f -> f.finding().id().equals("java/sql-injection")).singleElement()
                    .satisfies(f -> {
                        assertThat(f.disposition()).isEqualTo(Disposition.BLOCKING);
                        assertThat(f.reason()).as(c.extra()).contains(c.why());
                    });
        }
        // out of scope: the environment
        Files.list(exceptions).forEach(p -> p.toFile().delete());
        exception("EXC-3", "");
        EvaluateGates.Decision dev = gates().context("payments", "main", "dev").call();
        assertThat(dev.findings()).filteredOn(f -> f.finding().id().equals("java/sql-injection")).singleElement()
                .satisfies(f -> assertThat(f.reason()).contains("does not cover environment dev"));
        EvaluateGates.Decision branch = gates().context("payments", "feature/PAY-1", "production").call();
        assertThat(branch.pass()).isFalse();
    }

    @Test
    void aRequiredGateWithoutReportOrRationaleFailsAndNotApplicableNeedsARationale() {
        EvaluateGates.Decision d = new EvaluateGates(policy, ledger).release("payments", "1.0.0", built.digest())
                .junit(List.of(junit)).clock(NOW).call();
        assertThat(d.pass()).isFalse();
        assertThat(d.checks()).filteredOn(c -> c.gate().equals("sast")).singleElement()
                .satisfies(c -> assertThat(c.summary()).contains("no report"));
        assertThatThrownBy(() -> gates().notApplicable("dast", " ")).isInstanceOf(InputException.class)
                .hasMessageContaining("rationale");
    }

    // "not applicable" is the policy's, never a run's

    @Test
    void aNotApplicableArgumentForAGateThePolicyDoesNotDeclareIsRefusedAndNothingIsRecorded() {
        policy = PolicyLoader.defaults();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> new EvaluateGates(policy, ledger)
                .release("payments", "1.0.0", built.digest()).junit(List.of(junit)).vulnerabilities(List.of(osv)).sbom(List.of(sbom))
                .notApplicable("sast", "no code of ours").notApplicable("dast", "batch job").clock(NOW).call());
        assertThat(thrown).isInstanceOf(RefusedException.class);
        assertThat(((RefusedException) thrown).refusals()).extracting(Refusal::rule)
                .containsExactly(EvaluateGates.NOT_APPLICABLE_UNCONFIGURED, EvaluateGates.NOT_APPLICABLE_UNCONFIGURED);
        assertThat(((RefusedException) thrown).refusals().get(0).evidence()).contains("gate sast", "library's default policy");
        assertThat(((RefusedException) thrown).refusals().get(0).remedy()).contains(".release/policy.yaml", "gates.notApplicable.sast");
        assertThat(recorded()).containsExactly("built");
    }

    @Test
    void thePolicysDeclarationsApplyWithoutAnArgumentAndTheirRationaleIsRecorded() throws Exception {
        policy = team("gates:\n  notApplicable:\n    sast: configuration only\n    dast: batch job\n");
        EvaluateGates.Decision d = new EvaluateGates(policy, ledger).release("payments", "1.0.0", built.digest())
                .junit(List.of(junit)).vulnerabilities(List.of(vex)).sbom(List.of(sbom))
                .notApplicable("dast", "an argument's own words").clock(NOW).exceptions(PolicyException.loadAll(exceptions)).call();
        assertThat(d.checks()).filteredOn(c -> c.result().equals("not-applicable"))
                .extracting(c -> c.gate() + "=" + c.rationale().orElse("")).containsExactly("sast=configuration only", "dast=batch job");
        assertThat(ledger.events("payments@1.0.0")).filteredOn(e -> e.type().equals("check-recorded")
                        && e.text("result").orElse("").equals("not-applicable"))
                .extracting(e -> e.text("rationale").orElse("")).containsExactly("configuration only", "batch job");
    }

    @Test
    void aReportDecidesAGateThePolicyDeclaresNotApplicable() throws Exception {
        policy = team("gates:\n  notApplicable:\n    sast: configuration only\n    dast: batch job\n");
        EvaluateGates.Decision d = gates().call();
        assertThat(d.checks()).filteredOn(c -> c.gate().equals("sast")).singleElement()
                .satisfies(c -> assertThat(c.result()).isEqualTo("fail"));
    }

    @Test
    void aGateWithAResultDoesNotBecomeNotApplicableByThePolicyInALaterRun() throws Exception {
        policy = team("gates:\n  notApplicable:\n    sast: configuration only\n    dast: batch job\n");
        assertThat(gates().call().pass()).isFalse();
        int before = ledger.events().size();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> new EvaluateGates(policy, ledger)
                .release("payments", "1.0.0", built.digest()).junit(List.of(junit)).clock(NOW).call());
        assertThat(thrown).isInstanceOf(RefusedException.class);
        assertThat(((RefusedException) thrown).refusals()).extracting(Refusal::rule).contains(EvaluateGates.NOT_APPLICABLE_FIXED);
        assertThat(((RefusedException) thrown).refusals()).extracting(Refusal::evidence).anySatisfy(e -> assertThat(e).contains("gate sast"));
        assertThat(ledger.events()).hasSize(before);
    }

    @Test
    void failingTestsBlockAndBadReportsAreClearErrors() throws Exception {
        Files.writeString(junit, "<testsuite tests=\"1\"><testcase classname=\"A\" name=\"b\"><failure message=\"boom\"/></testcase></testsuite>");
        assertThat(gates().call().findings()).filteredOn(f -> f.finding().gate().equals("unit")).singleElement()
                .satisfies(f -> assertThat(f.disposition()).isEqualTo(Disposition.BLOCKING));
        Files.writeString(sarif, "{\"version\": \"1.0\"}");
        assertThatThrownBy(() -> gates().call()).isInstanceOf(InputException.class).hasMessageContaining("not a SARIF 2.1.0 log");
        Files.writeString(junit, "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><testsuite>&e;</testsuite>");
        assertThatThrownBy(() -> Reports.junit(junit)).isInstanceOf(InputException.class);
    }

    /** One judgement of a severity against a threshold for every gate and command: unknown blocks, fail closed. */
    @Test
    void aSeverityBlocksAtOrAboveTheThresholdAndAnUnknownOneAlways() {
        for (Finding.Severity threshold : Finding.Severity.values()) {
            assertThat(Finding.Severity.UNKNOWN.blocksAt(threshold)).as("unknown at " + threshold).isTrue();
            assertThat(Finding.Severity.CRITICAL.blocksAt(threshold)).isTrue();
        }
        assertThat(Finding.Severity.HIGH.blocksAt(Finding.Severity.HIGH)).isTrue();
        assertThat(Finding.Severity.MEDIUM.blocksAt(Finding.Severity.HIGH)).isFalse();
        assertThat(Finding.Severity.LOW.blocksAt(Finding.Severity.MEDIUM)).isFalse();
        assertThat(Finding.Severity.NONE.blocksAt(Finding.Severity.LOW)).isFalse();
    }
}

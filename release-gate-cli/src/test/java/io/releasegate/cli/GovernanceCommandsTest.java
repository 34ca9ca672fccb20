package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.testing.TestRepo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GovernanceCommandsTest {

    @TempDir
    Path tmp;
    TestRepo repo;
    String state;
    String digest;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void built() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        // production decisions take the policy committed at the built commit
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"),
                "approvals:\n  members:\n    maintainer:\n      people: [alice, mia]\n"
                        + "gates:\n  notApplicable:\n    dast: batch job without network endpoint\n");
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        state = tmp.resolve("state").toString();
        Run b = run("build-once", "--json", "--state-dir", state, "--workspace", repo.dir().toString(), "--actor", "ci",
                "--name", "payments", "--version", "1.0.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        digest = b.json().path("digest").asText();
    }

    @Test
    void promotesToDevAndRefusesStagingWithEveryMissingEvidence() throws Exception {
        Run dev = run("promote", "payments@1.0.0", "--digest", digest, "--to", "dev", "--repo", repo.dir().toString(),
                "--state-dir", state, "--actor", "ci", "--json");
        assertThat(dev.exit()).as(dev.err()).isZero();
        assertThat(dev.json().path("reference").asText()).isEqualTo("payments/dev:1.0.0");
        Run staging = run("promote", "payments@1.0.0", "--digest", digest, "--to", "staging", "--repo", repo.dir().toString(),
                "--state-dir", state, "--actor", "ci", "--json");
        assertThat(staging.exit()).isEqualTo(1);
        assertThat(staging.json().path("error").path("refusals").findValuesAsText("rule")).containsExactlyInAnyOrder(
                "promote.evidence-signatures", "promote.evidence-sbom", "promote.evidence-provenance", "promote.evidence-gates");
        Run rebuilt = run("promote", "payments@1.0.0", "--digest", "sha256:" + "0".repeat(64), "--to", "dev", "--repo",
                repo.dir().toString(), "--state-dir", state, "--actor", "ci");
        assertThat(rebuilt.exit()).isEqualTo(1);
        assertThat(rebuilt.err()).contains("promote.digest-mismatch");
        assertThat(run("promote", "payments@1.0.0", "--digest", "nope", "--to", "dev", "--state-dir", state).exit()).isEqualTo(2);
    }

    @Test
    void theAuthorCannotApproveButAnotherMaintainerCan() throws Exception {
        Run author = run("approve", "payments@1.0.0", "--digest", digest, "--approver", "alice", "--role", "maintainer",
                "--rationale", "looks good", "--repo", repo.dir().toString(), "--state-dir", state);
        assertThat(author.exit()).isEqualTo(1);
        assertThat(author.err()).contains("approval.author");
        Run mia = run("approve", "payments@1.0.0", "--digest", digest, "--approver", "mia", "--role", "maintainer",
                "--rationale", "tests green", "--repo", repo.dir().toString(), "--state-dir", state, "--json");
        assertThat(mia.exit()).as(mia.err()).isZero();
        assertThat(mia.json().path("satisfied").asBoolean()).isFalse();
        assertThat(mia.json().path("status").asText()).contains("1 of 2").contains("domain-reviewer");
    }

    @Test
    void gateFailsOnAHighFindingAndPassesWhenEveryGateIsAccountedFor() throws Exception {
        Path sarif = Files.writeString(tmp.resolve("sast.sarif"), "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": "
                + "{\"name\": \"s\"}}, \"results\": [{\"ruleId\": \"java/xss\", \"level\": \"error\", \"message\": {\"text\": \"xss\"}}]}]}");
        Path clean = Files.writeString(tmp.resolve("clean.sarif"), "{\"version\": \"2.1.0\", \"runs\": []}");
        Path junit = Files.writeString(tmp.resolve("junit.xml"), "<testsuite tests=\"1\"><testcase classname=\"A\" name=\"b\"/></testsuite>");
        Path osv = Files.writeString(tmp.resolve("osv.json"), "{\"results\": []}");
        Path sbom = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\": \"CycloneDX\", \"components\": []}");
        Run fail = run("gate", "payments@1.0.0", "--digest", digest, "--repo", repo.dir().toString(), "--state-dir", state,
                "--sarif", sarif.toString(), "--junit", junit.toString(), "--vulns", osv.toString(), "--sbom", sbom.toString(),
                "--not-applicable", "dast=batch job without network endpoint", "--json");
        assertThat(fail.exit()).as(fail.err()).isEqualTo(1);
        assertThat(fail.json().path("findings").get(0).path("disposition").asText()).isEqualTo("blocking");
        Run pass = run("gate", "payments@1.0.0", "--digest", digest, "--repo", repo.dir().toString(), "--state-dir", state,
                "--sarif", clean.toString(), "--junit", junit.toString(), "--vulns", osv.toString(), "--sbom", sbom.toString(),
                "--not-applicable", "dast=batch job without network endpoint");
        assertThat(pass.exit()).as(pass.out() + pass.err()).isZero();
        assertThat(pass.out()).contains("gate dast: not-applicable").contains("pass:");
        Run inspect = run("inspect", "payments@1.0.0", "--state-dir", state, "--json");
        assertThat(inspect.json().path("record").path("checks").findValuesAsText("name")).contains("sast", "dast", "gates");
    }

    @Test
    void everyCommandSpeaksJson() throws Exception {
        Run check = run("policy", "check", "--json", tmp.resolve("missing.yaml").toString());
        assertThat(check.exit()).isEqualTo(2);
        assertThat(check.json().path("error").path("kind").asText()).isEqualTo("input");
        Files.createDirectories(repo.dir().resolve(".release/exceptions"));
        Files.writeString(repo.dir().resolve(".release/exceptions/EXC-9.yaml"), "id: EXC-9\ntype: temporary\n");
        Run list = run("exceptions", "list", "--json", "--dir", repo.dir().resolve(".release/exceptions").toString());
        assertThat(list.json().path("exceptions").get(0).path("state").asText()).contains("incomplete");
        Run emergencies = run("emergencies", "--json", "--state-dir", state);
        assertThat(emergencies.exit()).isZero();
        assertThat(emergencies.json().path("overdue")).isEmpty();
        Run verify = run("verify", "--json", "--key", tmp.resolve("none.pem").toString(), "x");
        assertThat(verify.exit()).isEqualTo(2);
        assertThat(verify.json().path("error").path("message").asText()).contains("key file not found");
    }

    @Test
    void policyCheckNamesTheLineAndExplainPrintsTheEffectivePolicy() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "windows:\n  timezone: UTC\n  weekly:\n    - days: [MON]\n      from: \"18:00\"\n      to: \"08:00\"\n");
        Run check = run("policy", "check", bad.toString());
        assertThat(check.exit()).isEqualTo(2);
        assertThat(check.err()).contains("bad.yaml:4").contains("impossible window");
        assertThat(run("policy", "check", repo.dir().resolve(".release/policy.yaml").toString()).exit()).isZero();
        Run explain = run("policy", "explain", "--policy", repo.dir().resolve(".release/policy.yaml").toString());
        assertThat(explain.exit()).isZero();
        JsonNode p = Json.mapper().readTree(explain.out());
        assertThat(p.path("approvals").path("members").path("maintainer").path("people").toString()).contains("mia");
        assertThat(p.path("environments").findValuesAsText("name")).containsExactly("dev", "staging", "production");
        assertThat(p.path("gates").path("notApplicable").path("dast").asText()).isEqualTo("batch job without network endpoint");
    }
}

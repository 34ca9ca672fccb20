package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.testing.TestRepo;
import io.releasegate.testing.TestTrust;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promotion bypasses as an insider tries them with the command line, each command signing its events with
 * the key it is given: a failed gate replaced by a "not applicable" run, an emergency change approved by the
 * wrong person or not signed by its approver, a rollback to a digest that never verified or was marked bad.
 * The pipeline's own evidence (signatures, SBOM, provenance, verify-production) is recorded with the CI key.
 */
class PromotionCliBypassTest {

    static final String SUBJECT = "payments@1.0.0";

    @TempDir
    Path tmp;
    TestTrust trust;
    TestRepo repo;
    Path state;
    String digest;
    Path blocking;
    Path clean;
    Path junit;
    Path osv;
    Path sbom;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    /** Runs a command with the store, ledger, trust and repository of this release, signing with {@code key}. */
    Run as(Path key, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", state.toString(), "--trust", trust.file().toString(), "--event-key", key.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    Run ci(String... args) {
        return as(trust.ciKeyFile(), args);
    }

    Run person(String who, String... args) {
        return as(trust.sshKeyFile(who), args);
    }

    @BeforeEach
    void built() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora", "max", "eve");
        repo = TestRepo.init(tmp.resolve("repo"));
        // production decisions take the policy committed at the built commit
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), "approvals:\n  members:\n    maintainer:\n"
                + "      people: [mia, alice, max]\n    domain-reviewer:\n      people: [dora]\n"
                + "windows:\n  blackouts: [" + today.minusDays(1) + ", " + today + ", " + today.plusDays(1) + "]\n"
                + "gates:\n  notApplicable:\n    dast: batch job without network endpoint\n");
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        state = tmp.resolve("state");
        Run b = ci("build-once", "--json", "--workspace", repo.dir().toString(), "--actor", "rita", "--name", "payments",
                "--version", "1.0.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        digest = b.json().path("digest").asText();
        blocking = Files.writeString(tmp.resolve("sast.sarif"), "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": "
                + "{\"name\": \"s\"}}, \"results\": [{\"ruleId\": \"java/xss\", \"level\": \"error\", \"message\": {\"text\": \"xss\"}}]}]}");
        clean = Files.writeString(tmp.resolve("clean.sarif"), "{\"version\": \"2.1.0\", \"runs\": []}");
        junit = Files.writeString(tmp.resolve("junit.xml"), "<testsuite tests=\"1\"><testcase classname=\"A\" name=\"b\"/></testsuite>");
        osv = Files.writeString(tmp.resolve("osv.json"), "{\"results\": []}");
        sbom = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\": \"CycloneDX\", \"components\": []}");
    }

    /** Signs, SBOMs and provenance in the store and the ledger, verified as verify --release does, by the CI key. */
    void pipelineEvidence() {
        try (Ledger l = GitLedger.open(GitLedger.Options.of("", state).withTrust(Optional.of(trust.file()))
                .withSigner(Optional.of(trust.ci())));
             io.releasegate.store.OciLayoutStore store = io.releasegate.store.OciLayoutStore.open(state.resolve("store"))) {
            io.releasegate.testing.Evidence.signed(store, l, "payments", "1.0.0", tmp.resolve("keys"), java.time.Clock.systemUTC());
        }
    }

    /** Records events as the pipeline does, signed by the CI key. */
    void pipelineRecords(String... types) {
        try (Ledger l = GitLedger.open(GitLedger.Options.of("", state).withTrust(Optional.of(trust.file()))
                .withSigner(Optional.of(trust.ci())))) {
            for (String type : types) {
                l.append(Event.draft(type, SUBJECT, Optional.of(Digest.parse(digest)), "ci", Instant.now(),
                        Json.object().put("result", "pass").put("promoted", digest)));
            }
        }
    }

    Run gate(String... extra) {
        List<String> args = new ArrayList<>(List.of("gate", SUBJECT, "--digest", digest, "--repo", repo.dir().toString(),
                "--junit", junit.toString(), "--vulns", osv.toString(), "--sbom", sbom.toString(),
                "--not-applicable", "dast=batch job without network endpoint", "--actor", "ci"));
        args.addAll(List.of(extra));
        return ci(args.toArray(String[]::new));
    }

    Run promote(String env, String... extra) {
        List<String> args = new ArrayList<>(List.of("promote", SUBJECT, "--digest", digest, "--to", env, "--repo",
                repo.dir().toString(), "--actor", "ci", "--json"));
        args.addAll(List.of(extra));
        return ci(args.toArray(String[]::new));
    }

    long promotions(String env) throws Exception {
        Run inspect = ci("inspect", SUBJECT, "--json");
        assertThat(inspect.exit()).as(inspect.out() + inspect.err()).isZero();
        long n = 0;
        for (JsonNode p : inspect.json().path("record").path("promotions")) {
            n += p.path("environment").asText().equals(env) ? 1 : 0;
        }
        return n;
    }

    static void refused(Run r, String rule) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains(rule);
    }

    Path record(String approver) throws Exception {
        return Files.writeString(tmp.resolve("emergency-" + approver + ".json"), "{\"reason\": \"card payments fail (INC-7)\", "
                + "\"approver\": \"" + approver + "\", \"scope\": \"payments only\", \"rollbackPlan\": \"promote 0.9.0 again\", "
                + "\"followUps\": [\"post-incident review PAY-200\"]}");
    }

    @Test
    void aFailedGateIsNotReplacedByDeclaringItNotApplicable() throws Exception {
        pipelineEvidence();
        assertThat(promote("dev").exit()).isZero();
        refused(gate("--sarif", blocking.toString()), "blocking");
        refused(gate("--not-applicable", "sast=no code of ours"), "gates.not-applicable-fixed");
        refused(promote("staging"), "promote.evidence-gates");
        assertThat(promotions("staging")).isZero();
        // a later passing report of the same gate clears it
        assertThat(gate("--sarif", clean.toString()).exit()).isZero();
        assertThat(promote("staging").exit()).isZero();
    }

    @Test
    void anEmergencyChangeNeedsAnApproverWhoMayApproveAndTheirOwnSignature() throws Exception {
        pipelineEvidence();
        assertThat(promote("dev").exit()).isZero();
        assertThat(gate("--sarif", clean.toString()).exit()).isZero();
        assertThat(promote("staging").exit()).isZero();
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            Run approved = person(a[0], "approve", SUBJECT, "--digest", digest, "--approver", a[0], "--role", a[1],
                    "--rationale", "evidence complete", "--repo", repo.dir().toString());
            assertThat(approved.exit()).as(approved.err()).isZero();
        }
        refused(promote("production"), "window.blackout");
        refused(promote("production", "--emergency", record("rita").toString()), "emergency.approver-releaser");
        refused(promote("production", "--emergency", record("alice").toString()), "emergency.approver-author");
        refused(promote("production", "--emergency", record("eve").toString()), "emergency.approver-not-in-role");
        refused(person("eve", "emergency-approve", SUBJECT, "--digest", digest, "--record", record("eve").toString(),
                "--repo", repo.dir().toString()), "emergency.approver-not-in-role");
        refused(promote("production", "--emergency", record("max").toString()), "emergency.approver-unsigned");
        // mia cannot sign max's approval
        Run forged = person("mia", "emergency-approve", SUBJECT, "--digest", digest, "--record", record("max").toString(),
                "--repo", repo.dir().toString());
        assertThat(forged.exit()).isEqualTo(2);
        assertThat(forged.err()).contains("event.unauthorized-signer");
        assertThat(promotions("production")).isZero();

        Run approval = person("max", "emergency-approve", SUBJECT, "--digest", digest, "--record", record("max").toString(),
                "--repo", repo.dir().toString(), "--json");
        assertThat(approval.exit()).as(approval.err()).isZero();
        Run out = promote("production", "--emergency", record("max").toString());
        assertThat(out.exit()).as(out.err()).isZero();
        assertThat(promotions("production")).isOne();
    }

    @Test
    void aRollbackTakesOnlyAKnownGoodDigest() throws Exception {
        assertThat(promote("dev").exit()).isZero();
        refused(promote("dev", "--rollback", "--incident", "INC-9"), "never passed verify-production in production");
        pipelineRecords("production-verified");
        Run bad = ci("mark-bad", SUBJECT, "--digest", digest, "--reason", "INC-9: corrupts refunds", "--actor", "ci");
        assertThat(bad.exit()).as(bad.err()).isZero();
        refused(promote("dev", "--rollback", "--incident", "INC-9"), "was marked bad");
        assertThat(promotions("dev")).isOne();
    }
}

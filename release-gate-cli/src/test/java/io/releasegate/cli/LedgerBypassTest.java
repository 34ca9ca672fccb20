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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger attacks of docs/threat-model.md, as an insider at the keyboard makes them: with the command line,
 * git plumbing and file edits, holding their own key but not the CI identity's nor another approver's.
 */
class LedgerBypassTest {

    @TempDir
    Path tmp;
    TestRepo repo;
    TestTrust trust;
    String state;
    Path ledger;
    String digest;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    /** Runs the command line with the team's trust configuration and {@code key} signing what it records. */
    Run as(Path key, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--trust", trust.file().toString()));
        if (key != null) {
            all.addAll(List.of("--event-key", key.toString()));
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
        trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora", "mallory");
        repo = TestRepo.init(tmp.resolve("repo"));
        // production decisions take the policy committed at the built commit
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"),
                "approvals:\n  members:\n    maintainer:\n      people: [mia, mallory]\n    domain-reviewer:\n      people: [dora]\n");
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        state = tmp.resolve("state").toString();
        ledger = tmp.resolve("state/ledger.git");
        Run b = as(trust.ciKeyFile(), "build-once", "--json", "--state-dir", state, "--workspace", repo.dir().toString(),
                "--actor", "ci", "--name", "payments", "--version", "1.0.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        digest = b.json().path("digest").asText();
    }

    /** `git commit-tree` + `update-ref`: an approval by dora, unsigned, on top of the ledger. */
    void appendForgedApproval() throws Exception {
        appendForged("{\"schema\":\"https://releasegate.io/schemas/event/v1\","
                + "\"type\":\"approved\",\"subject\":\"payments@1.0.0\",\"digest\":\"" + digest + "\",\"actor\":\"dora\","
                + "\"time\":\"2026-12-01T10:00:00Z\",\"payload\":{\"environment\":\"production\",\"role\":\"domain-reviewer\","
                + "\"rationale\":\"forged\"}}", "approved payments@1.0.0");
    }

    /** An event document committed on top of the ledger with git plumbing, unsigned. */
    void appendForged(String document, String message) throws Exception {
        Path event = Files.writeString(tmp.resolve("event.json"), document);
        String blob = Git.run(tmp, "--git-dir", ledger.toString(), "hash-object", "-w", event.toString()).trim();
        Path listing = Files.writeString(tmp.resolve("tree.txt"), "100644 blob " + blob + "\tevent.json\n");
        Process mktree = new ProcessBuilder("git", "--git-dir", ledger.toString(), "mktree").redirectInput(listing.toFile()).start();
        String tree = new String(mktree.getInputStream().readAllBytes()).trim();
        assertThat(mktree.waitFor()).isZero();
        String head = Git.run(tmp, "--git-dir", ledger.toString(), "rev-parse", "main").trim();
        String commit = Git.run(tmp, "--git-dir", ledger.toString(), "commit-tree", tree, "-p", head, "-m", message).trim();
        Git.run(tmp, "--git-dir", ledger.toString(), "update-ref", "refs/heads/main", commit, head);
    }

    @Test
    void aForgedApprovalAppendedWithGitPlumbingIsRefusedAtProductionAndListedByInspect() throws Exception {
        assertThat(as(trust.sshKeyFile("mia"), "approve", "payments@1.0.0", "--digest", digest, "--approver", "mia",
                "--role", "maintainer", "--rationale", "tests green", "--repo", repo.dir().toString(), "--state-dir", state)
                .exit()).isZero();
        appendForgedApproval();
        Run promote = as(trust.ciKeyFile(), "promote", "payments@1.0.0", "--digest", digest, "--to", "production",
                "--repo", repo.dir().toString(), "--state-dir", state, "--actor", "ci", "--json");
        assertThat(promote.exit()).as(promote.out() + promote.err()).isEqualTo(1);
        assertThat(promote.json().path("error").path("refusals").findValuesAsText("rule")).containsExactly("event.unsigned");
        assertThat(Git.run(tmp, "--git-dir", ledger.toString(), "log", "--format=%s", "-1", "main")).contains("approved");

        Run inspect = as(null, "inspect", "payments@1.0.0", "--state-dir", state);
        assertThat(inspect.exit()).isEqualTo(1);
        assertThat(inspect.out()).contains("approved by mia").contains("signed by mia")
                .contains("approved by dora").contains("NOT BELIEVED (event.unsigned)");
        JsonNode json = as(null, "inspect", "payments@1.0.0", "--state-dir", state, "--json").json();
        assertThat(json.path("ledger").path("unbelieved").asInt()).isEqualTo(1);
    }

    @Test
    void anApprovalSignedWithAnotherPersonsKeyIsNotRecorded() {
        int before = ledgerSize();
        Run forged = as(trust.sshKeyFile("mallory"), "approve", "payments@1.0.0", "--digest", digest, "--approver", "dora",
                "--role", "domain-reviewer", "--rationale", "in dora's name", "--repo", repo.dir().toString(),
                "--state-dir", state);
        assertThat(forged.exit()).as(forged.err()).isEqualTo(2);
        assertThat(forged.err()).contains("would not be believed").contains("event.unauthorized-signer");
        Run withoutKey = as(null, "approve", "payments@1.0.0", "--digest", digest, "--approver", "dora",
                "--role", "domain-reviewer", "--rationale", "no key", "--repo", repo.dir().toString(), "--state-dir", state);
        assertThat(withoutKey.exit()).isEqualTo(2);
        assertThat(withoutKey.err()).contains("--event-key");
        assertThat(ledgerSize()).isEqualTo(before);
    }

    @Test
    void aPipelineEventSignedWithAPersonsKeyIsNotRecorded() {
        int before = ledgerSize();
        Run gate = as(trust.sshKeyFile("mia"), "gate", "payments@1.0.0", "--digest", digest, "--repo", repo.dir().toString(),
                "--state-dir", state, "--passed", "unit=true", "--passed", "sast=true", "--passed", "dependency=true",
                "--passed", "license=true", "--passed", "dast=true");
        assertThat(gate.exit()).as(gate.out() + gate.err()).isEqualTo(2);
        assertThat(gate.err()).contains("the CI identity's key");
        assertThat(ledgerSize()).isEqualTo(before);
    }

    @Test
    void theApproversOwnSignatureIsCheckedByGitItself() {
        Run mia = as(trust.sshKeyFile("mia"), "approve", "payments@1.0.0", "--digest", digest, "--approver", "mia",
                "--role", "maintainer", "--rationale", "tests green", "--repo", repo.dir().toString(), "--state-dir", state);
        assertThat(mia.exit()).as(mia.err()).isZero();
        String out = Git.run(tmp, "--git-dir", ledger.toString(), "-c", "gpg.format=ssh", "-c",
                "gpg.ssh.allowedSignersFile=" + trust.allowedSigners(), "log", "--show-signature", "-1", "main");
        assertThat(out).contains("Good \"git\" signature for mia");
    }

    @Test
    void aResetLedgerReadFromAnotherStateDirectoryIsRefusedByTheCheckpoint() throws Exception {
        String first = Git.run(tmp, "--git-dir", ledger.toString(), "rev-list", "--max-parents=0", "main").trim();
        assertThat(as(trust.ciKeyFile(), "promote", "payments@1.0.0", "--digest", digest, "--to", "dev",
                "--repo", repo.dir().toString(), "--state-dir", state, "--actor", "ci").exit()).isZero();
        Git.run(tmp, "--git-dir", ledger.toString(), "update-ref", "refs/heads/main", first);
        // another state directory, sharing the ledger and the store but not the witness
        Path other = tmp.resolve("other");
        Run inspect = as(null, "inspect", "payments@1.0.0", "--state-dir", other.toString(), "--ledger", ledger.toString(),
                "--store", tmp.resolve("state/store").toString());
        assertThat(inspect.exit()).as(inspect.out() + inspect.err()).isEqualTo(1);
        assertThat(inspect.err()).contains("ledger.checkpoint").contains("was rewritten");
        Run same = as(null, "inspect", "payments@1.0.0", "--state-dir", state);
        assertThat(same.exit()).isEqualTo(1);
        assertThat(same.err()).contains("ledger.append-only");
    }

    @Test
    void auditListsEveryUnbelievedEventAndEveryCheckpointTheLedgerNoLongerExtends() throws Exception {
        String first = Git.run(tmp, "--git-dir", ledger.toString(), "rev-list", "--max-parents=0", "main").trim();
        assertThat(as(trust.ciKeyFile(), "promote", "payments@1.0.0", "--digest", digest, "--to", "dev",
                "--repo", repo.dir().toString(), "--state-dir", state, "--actor", "ci").exit()).isZero();
        Run clean = as(null, "audit", "--state-dir", state, "--json");
        assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.json().path("findings")).isEmpty();
        assertThat(clean.json().path("checkpoints")).hasSize(ledgerSize());
        assertThat(clean.json().path("checkpoints").findValuesAsText("ok")).containsOnly("true");

        appendForgedApproval();
        Run forged = as(null, "audit", "--state-dir", state, "--json");
        assertThat(forged.exit()).isEqualTo(1);
        assertThat(forged.json().path("findings").findValuesAsText("rule")).containsExactly("event.unsigned");
        assertThat(as(null, "audit", "--state-dir", state).out()).contains("FINDING event.unsigned");

        // the insider resets the ledger to its first event; an auditor with a fresh state directory sees it
        Git.run(tmp, "--git-dir", ledger.toString(), "update-ref", "refs/heads/main", first);
        Run reset = as(null, "audit", "--state-dir", tmp.resolve("auditor").toString(), "--ledger", ledger.toString(),
                "--store", tmp.resolve("state/store").toString(), "--json");
        assertThat(reset.exit()).isEqualTo(1);
        assertThat(reset.json().path("findings").findValuesAsText("rule")).contains("ledger.checkpoint");
        assertThat(reset.json().path("checkpoints").get(0).path("ok").asBoolean()).isTrue();
        assertThat(reset.json().path("checkpoints").get(1).path("ok").asBoolean()).isFalse();
    }

    @Test
    void auditListsAReleaseSignedByAKeyRevokedFromBeforeItsSignature() throws Exception {
        String[] pair = io.releasegate.signing.KeySigner.generatePem();
        Path key = Files.writeString(tmp.resolve("release.pem"), pair[0]);
        Path pub = Files.writeString(tmp.resolve("release.pub.pem"), pair[1]);
        Run signed = as(trust.ciKeyFile(), "sign", "--release", "payments@1.0.0", "--key", key.toString(), "--public-key",
                pub.toString(), "--state-dir", state, "--actor", "ci");
        assertThat(signed.exit()).as(signed.err()).isZero();
        String fingerprint = io.releasegate.signing.KeyFiles.fingerprint(io.releasegate.signing.KeySigner.publicKey(pub));
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        String base = Files.readString(trust.file());

        // revoked from tomorrow: the signature was made before, and still counts
        Files.writeString(trust.file(), base + "revoked:\n  - fingerprint: " + fingerprint + "\n    since: " + today.plusDays(1)
                + "\n    reason: rotated\n");
        Run later = as(null, "audit", "--state-dir", state, "--json");
        assertThat(later.exit()).as(later.out() + later.err()).isZero();
        assertThat(later.json().path("findings")).isEmpty();

        // revoked from yesterday (the key left on a lost laptop): the release signed with it is listed, exit 1
        Files.writeString(trust.file(), base + "revoked:\n  - fingerprint: sha256:" + fingerprint + "\n    since: "
                + today.minusDays(1) + "\n    reason: key left on a lost laptop\n");
        Run audit = as(null, "audit", "--state-dir", state, "--json");
        assertThat(audit.exit()).isEqualTo(1);
        JsonNode finding = audit.json().path("findings").get(0);
        assertThat(finding.path("rule").asText()).isEqualTo("signature.revoked-key");
        assertThat(finding.path("release").asText()).isEqualTo("payments@1.0.0");
        assertThat(finding.path("message").asText()).contains(fingerprint).contains("key left on a lost laptop");
        assertThat(as(null, "audit", "--state-dir", state).out()).contains("FINDING signature.revoked-key");
    }

    @Test
    void aReleaseHaltSignedByItsSetterStopsStagingAndOnlySomeoneElseLiftsIt() throws Exception {
        Run halt = as(trust.sshKeyFile("mia"), "halt", "--reason", "card payments fail", "--incident", "INC-7", "--severity", "sev1",
                "--actor", "mia", "--repo", repo.dir().toString(), "--state-dir", state, "--json");
        assertThat(halt.exit()).as(halt.err()).isZero();
        assertThat(halt.json().path("halt").path("actor").asText()).isEqualTo("mia");
        assertThat(as(trust.ciKeyFile(), "promote", "payments@1.0.0", "--digest", digest, "--to", "dev", "--repo",
                repo.dir().toString(), "--state-dir", state, "--actor", "ci").exit()).isZero();   // dev stays open
        Run staging = as(trust.ciKeyFile(), "promote", "payments@1.0.0", "--digest", digest, "--to", "staging", "--repo",
                repo.dir().toString(), "--state-dir", state, "--actor", "ci");
        assertThat(staging.exit()).isEqualTo(1);
        assertThat(staging.err()).contains("promote.halted").contains("set by mia").contains("INC-7");
        Run audit = as(null, "audit", "--state-dir", state, "--json");
        assertThat(audit.json().path("halt").path("incident").asText()).isEqualTo("INC-7");

        // mia cannot lift her own halt; a lift in dora's name signed with mallory's key is not recorded; dora lifts it
        int before = ledgerSize();
        Run self = as(trust.sshKeyFile("mia"), "halt", "--lift", "--reason", "fixed", "--actor", "mia", "--state-dir", state);
        assertThat(self.exit()).isEqualTo(1);
        assertThat(self.err()).contains("halt.self-lift");
        Run forged = as(trust.sshKeyFile("mallory"), "halt", "--lift", "--reason", "fixed", "--actor", "dora", "--state-dir", state);
        assertThat(forged.exit()).isEqualTo(2);
        assertThat(ledgerSize()).isEqualTo(before);
        Run lifted = as(trust.sshKeyFile("dora"), "halt", "--lift", "--reason", "INC-7 resolved", "--actor", "dora", "--state-dir",
                state, "--json");
        assertThat(lifted.exit()).as(lifted.err()).isZero();
        assertThat(lifted.json().path("halt").isNull()).isTrue();
        Run after = as(trust.ciKeyFile(), "promote", "payments@1.0.0", "--digest", digest, "--to", "staging", "--repo",
                repo.dir().toString(), "--state-dir", state, "--actor", "ci");
        assertThat(after.err()).doesNotContain("promote.halted");
        // git itself checks who signed the halt and its lift
        String log = Git.run(tmp, "--git-dir", ledger.toString(), "-c", "gpg.format=ssh", "-c",
                "gpg.ssh.allowedSignersFile=" + trust.allowedSigners(), "log", "--show-signature", "main");
        assertThat(log).contains("Good \"git\" signature for dora").contains("Good \"git\" signature for mia")
                .contains("Event-Type: halted").contains("Event-Type: halt-lifted");
    }

    @Test
    void aLiftAppendedWithGitPlumbingIsNotBelievedAndThePromotionStaysRefused() throws Exception {
        Run halt = as(trust.sshKeyFile("mia"), "halt", "--reason", "card payments fail", "--incident", "INC-7", "--actor", "mia",
                "--repo", repo.dir().toString(), "--state-dir", state, "--json");
        assertThat(halt.exit()).as(halt.err()).isZero();
        String haltId = halt.json().path("halt").path("event").asText();
        appendForged("{\"schema\":\"https://releasegate.io/schemas/event/v1\",\"type\":\"halt-lifted\","
                + "\"subject\":\"release-gate:halt\",\"actor\":\"dora\",\"time\":\"2026-12-01T10:00:00Z\","
                + "\"payload\":{\"halt\":\"" + haltId + "\",\"reason\":\"forged\"}}", "halt-lifted release-gate:halt");
        Run staging = as(trust.ciKeyFile(), "promote", "payments@1.0.0", "--digest", digest, "--to", "staging", "--repo",
                repo.dir().toString(), "--state-dir", state, "--actor", "ci");
        assertThat(staging.exit()).isEqualTo(1);
        assertThat(staging.err()).contains("event.unsigned");
        Run audit = as(null, "audit", "--state-dir", state, "--json");
        assertThat(audit.exit()).isEqualTo(1);
        assertThat(audit.json().path("halt").path("event").asText()).isEqualTo(haltId);   // the forged lift does not count
    }
}

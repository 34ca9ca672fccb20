package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestRepo;
import io.releasegate.testing.TestTrust;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train plan|cut|go-no-go} and {@code freeze} as a release manager and an insider use them, on a signed ledger:
 * each person signs with their own key, and a go in the release manager's name signed by someone else is not recorded.
 * The train leaves every day at 00:00 UTC and reaches production at 23:59, so that the real clock is always inside
 * the current train.
 */
class TrainCommandTest {

    static final String TRAIN = """
            version: 1
            train: payments
            cadence: 1d
            cutoff: "2026-01-05T00:00"
            stabilization: 1m
            goNoGo: "00:02"
            production: "23:59"
            attendees: [bob, mia, dora]
            captain: carol
            releaseManagers: [bob]
            """;

    @TempDir
    Path tmp;
    TestRepo repo;
    TestTrust trust;
    String state;
    Path central;
    String pin;
    String cutoffCommit;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    Run as(Path key, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--trust", trust.file().toString(), "--state-dir", state));
        if (key != null) {
            all.addAll(List.of("--event-key", key.toString()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** A command that reads the repository only: no ledger, no key. */
    static Run plain(String... args) {
        CliRun r = CliRun.of(args);
        return new Run(r.exit(), r.out(), r.err());
    }

    List<String> centralPolicy() {
        return List.of("--central-policy", central.toString(), "--central-policy-digest", pin);
    }

    String[] with(List<String> extra, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(extra);
        return all.toArray(String[]::new);
    }

    @BeforeEach
    void repository() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "bob", "mia", "dora", "mallory");
        state = tmp.resolve("state").toString();
        central = Files.writeString(tmp.resolve("central.yaml"), "windows:\n  timezone: UTC\n  weekly:\n"
                + "    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n      from: \"00:00\"\n      to: \"23:59:59\"\n");
        pin = Digester.of(Files.readAllBytes(central)).toString();
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.write("release-train.yaml", TRAIN);
        repo.write(".release/policy.yaml", "approvals:\n  members:\n    maintainer:\n      people: [mia]\n"
                + "    domain-reviewer:\n      people: [dora]\n");
        Instant yesterday = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
        repo.commitAt("chore: the train", "Carol Captain", "carol@example.com", yesterday.plusSeconds(3600));
        repo.tag("v1.4.0");
        cutoffCommit = repo.commitAt("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com",
                yesterday.plusSeconds(7200));
    }

    @Test
    void planPrintsTheNextTrainsAndFlagsAProductionTimeOutsideTheWindow() throws Exception {
        Run plan = plain(with(centralPolicy(), "train", "plan", "--repo", repo.dir().toString(), "--count", "3",
                "--from", "2026-12-07T12:00:00Z", "--json"));
        assertThat(plan.exit()).as(plan.err()).isZero();
        assertThat(plan.json().path("trains").findValuesAsText("id"))
                .containsExactly("payments-2026-12-07", "payments-2026-12-08", "payments-2026-12-09");
        assertThat(plan.json().path("trains").get(0).path("production").asText()).isEqualTo("2026-12-07T23:59:00Z");
        // the default policy's production window closes at 16:00: a train planned for 23:59 is misaligned
        Run misaligned = plain("train", "plan", "--repo", repo.dir().toString(), "--from", "2026-12-07T12:00:00Z");
        assertThat(misaligned.exit()).isEqualTo(1);
        assertThat(misaligned.out()).contains("train.window-misaligned");
        Run none = plain("train", "plan", "--repo", tmp.toString());
        assertThat(none.exit()).isEqualTo(2);
    }

    @Test
    void theCutCreatesTheBranchOnceAndProductionWaitsForTheReleaseManagersGo() throws Exception {
        Run cut = as(trust.ciKeyFile(), with(centralPolicy(), "train", "cut", "--repo", repo.dir().toString(), "--actor", "ci",
                "--json"));
        assertThat(cut.exit()).as(cut.err()).isZero();
        assertThat(cut.json().path("branch").asText()).isEqualTo("release/1.5");
        assertThat(cut.json().path("commit").asText()).isEqualTo(cutoffCommit);
        assertThat(Git.run(repo.dir(), "rev-parse", "release/1.5").trim()).isEqualTo(cutoffCommit);
        Run again = as(trust.ciKeyFile(), with(centralPolicy(), "train", "cut", "--repo", repo.dir().toString(), "--actor", "ci",
                "--json"));
        assertThat(again.json().path("alreadyCut").asBoolean()).isTrue();

        repo.git("checkout", "-q", "release/1.5");
        Run b = as(trust.ciKeyFile(), "build-once", "--json", "--workspace", repo.dir().toString(), "--actor", "ci", "--name",
                "payments", "--version", "1.5.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        String digest = b.json().path("digest").asText();
        List<String> release = new ArrayList<>(centralPolicy());
        release.addAll(List.of("--repo", repo.dir().toString(), "--digest", digest));

        // mallory is not a release manager; a go in bob's name signed with mallory's key is not recorded
        Run notManager = as(trust.sshKeyFile("mallory"), with(release, "train", "go-no-go", "payments@1.5.0", "--decision",
                "no-go", "--actor", "mallory", "--reason", "I say so"));
        assertThat(notManager.exit()).isEqualTo(1);
        assertThat(notManager.err()).contains("train.not-release-manager");
        Run forged = as(trust.sshKeyFile("mallory"), with(release, "train", "go-no-go", "payments@1.5.0", "--decision", "no-go",
                "--actor", "bob", "--reason", "in bob's name"));
        assertThat(forged.exit()).as(forged.err()).isEqualTo(2);
        // a go the evidence does not support: nothing is signed, gated or tagged yet
        Run unsupported = as(trust.sshKeyFile("bob"), with(release, "train", "go-no-go", "payments@1.5.0", "--decision", "go",
                "--actor", "bob", "--answer", "known-issues=yes", "--answer", "rollback-tested=yes", "--answer",
                "support-ready=yes", "--answer", "stakeholders-informed=yes", "--answer", "release-notes=yes",
                "--rollback-plan", "promote 1.4.0", "--json"));
        assertThat(unsupported.exit()).isEqualTo(1);
        assertThat(unsupported.out() + unsupported.err()).contains("train.go-unsupported").contains("candidate (no tag v1.5.0")
                .contains("gates (");
        Run badAnswer = as(trust.sshKeyFile("bob"), with(release, "train", "go-no-go", "payments@1.5.0", "--decision", "go",
                "--actor", "bob", "--answer", "gates=yes"));
        assertThat(badAnswer.exit()).isEqualTo(2);
        assertThat(badAnswer.err()).contains("answered from evidence");

        Run noGo = as(trust.sshKeyFile("bob"), with(release, "train", "go-no-go", "payments@1.5.0", "--decision", "no-go",
                "--actor", "bob", "--reason", "refund totals wrong in staging", "--json"));
        assertThat(noGo.exit()).as(noGo.err()).isZero();
        assertThat(noGo.json().path("decision").asText()).isEqualTo("no-go");
        String log = Git.run(tmp, "--git-dir", state + "/ledger.git", "-c", "gpg.format=ssh", "-c",
                "gpg.ssh.allowedSignersFile=" + trust.allowedSigners(), "log", "--show-signature", "main");
        assertThat(log).as("git checks who signed the decision").contains("Good \"git\" signature for bob")
                .contains("Event-Type: go-no-go").contains("Event-Type: train-cut");

        Run prod = as(trust.ciKeyFile(), with(release, "promote", "payments@1.5.0", "--to", "production", "--actor", "ci", "--json"));
        assertThat(prod.exit()).isEqualTo(1);
        assertThat(prod.json().path("error").path("refusals").findValuesAsText("rule")).contains("train.no-go");
    }

    @Test
    void aFreezeIsRecordedByTheReleaseManagerCheckedAndLifted() throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String repoDir = repo.dir().toString();
        Run unrecorded = as(trust.sshKeyFile("bob"), "freeze", "--lift", "--reason", "done", "--actor", "bob", "--repo", repoDir);
        assertThat(unrecorded.exit()).isEqualTo(1);
        assertThat(unrecorded.err()).contains("freeze.unrecorded");
        Run mallory = as(trust.sshKeyFile("mallory"), "freeze", "--from", today, "--to", today, "--exit-criteria", "none",
                "--reason", "mine", "--actor", "mallory", "--repo", repoDir);
        assertThat(mallory.exit()).isEqualTo(1);
        assertThat(mallory.err()).contains("train.not-release-manager");
        Run frozen = as(trust.sshKeyFile("bob"), "freeze", "--from", today, "--to", today, "--exit-criteria",
                "no open sev1", "--reason", "stabilizing 1.5", "--actor", "bob", "--repo", repoDir, "--json");
        assertThat(frozen.exit()).as(frozen.err()).isZero();
        assertThat(frozen.json().path("standing").get(0).path("actor").asText()).isEqualTo("bob");
        repo.commitAs("feat: lands during the freeze\n\nRefs: PAY-7", "Alice Author", "alice@example.com");
        Run check = as(null, "freeze", "--repo", repoDir, "--json");
        assertThat(check.exit()).isEqualTo(1);
        assertThat(check.json().path("findings").findValuesAsText("rule")).containsExactly("freeze.violated");
        Run lifted = as(trust.sshKeyFile("bob"), "freeze", "--lift", "--reason", "no open sev1 since noon", "--actor", "bob",
                "--repo", repoDir, "--json");
        assertThat(lifted.json().path("standing")).isEmpty();
        Run bad = as(trust.sshKeyFile("bob"), "freeze", "--from", today, "--to", "2026-01-01", "--exit-criteria", "x",
                "--reason", "y", "--actor", "bob", "--repo", repoDir);
        assertThat(bad.exit()).isEqualTo(2);
    }
}

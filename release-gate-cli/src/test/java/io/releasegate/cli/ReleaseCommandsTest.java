package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.testing.Git;
import io.releasegate.testing.Gpg;
import io.releasegate.testing.TestRepo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseCommandsTest {

    @TempDir
    Path tmp;
    TestRepo repo;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }

        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void history() {
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.commit("feat: first\n\nRefs: PAY-1");
        repo.tag("v1.3.0");
        repo.commit("feat(refunds): partial refunds (#42)\n\nRefs: PAY-9");
        repo.commit("fix: rounding\n\nRefs: PAY-10");
    }

    @Test
    void nextVersionPrintsTheVersionAsItsLastLine() throws Exception {
        Run r = run("next-version", "--repo", repo.dir().toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.lastLine()).isEqualTo("1.4.0");
        Run rc = run("next-version", "--repo", repo.dir().toString(), "--pre-release", "rc", "--json");
        assertThat(rc.json().path("version").asText()).isEqualTo("1.4.0-rc.1");
        assertThat(rc.json().path("previousTag").asText()).isEqualTo("v1.3.0");
        assertThat(run("next-version", "--repo", repo.dir().toString(), "--scheme", "weekly").exit()).isEqualTo(2);
        assertThat(run("next-version", "--repo", tmp.resolve("nope").toString()).exit()).isEqualTo(2);
    }

    @Test
    void changelogAndCommitLint() throws Exception {
        Run cl = run("changelog", "--repo", repo.dir().toString(), "--version", "1.4.0");
        assertThat(cl.exit()).as(cl.err()).isZero();
        assertThat(cl.out()).contains("### Added").contains("partial refunds (#42, PAY-9, ").contains("### Fixed");
        assertThat(run("commits", "lint", "--repo", repo.dir().toString(), "v1.3.0..HEAD").exit()).isZero();

        String bad = repo.commit("quick hack");
        Run lint = run("commits", "lint", "--repo", repo.dir().toString(), "--json", "v1.3.0..");
        assertThat(lint.exit()).isEqualTo(1);
        assertThat(lint.json().path("violations")).singleElement()
                .satisfies(v -> assertThat(v.path("commit").asText()).isEqualTo(bad));
        Run refused = run("changelog", "--repo", repo.dir().toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("changelog.ticket-required").contains(bad.substring(0, 7));
    }

    @Test
    void branchCheckExitsOneWithTheViolations() throws Exception {
        repo.git("switch", "-q", "-c", "wip-stuff");
        Run r = run("branch", "check", "--repo", repo.dir().toString(), "--json");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().path("violations").get(0).path("rule").asText()).isEqualTo("branch.name");
        assertThat(run("branch", "check", "--repo", repo.dir().toString(), "--branch", "feature/PAY-9-refunds").exit()).isZero();
    }

    @Test
    void branchCheckNamesAnUnjustifiedReleaseBranchFixAndWhatWouldSatisfyTheRule() throws Exception {
        repo.git("switch", "-q", "-c", "release/1.4");
        String direct = repo.commit("fix: only here\n\nRefs: PAY-11");
        Run r = run("branch", "check", "--repo", repo.dir().toString(), "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        JsonNode v = r.json().path("violations").get(0);
        assertThat(v.path("rule").asText()).isEqualTo("branch.release-fix-not-from-main");
        assertThat(v.path("commit").asText()).isEqualTo(direct);
        assertThat(v.path("remedy").asText()).contains("git cherry-pick -x").contains(".release/release-branch-fixes.yaml");
        Run text = run("branch", "check", "--repo", repo.dir().toString());
        assertThat(text.out()).contains("branch.release-fix-not-from-main").contains("to proceed:");
    }

    @Test
    void forwardPortCheckListsMissingHotfixCommitsAndExitsOneOnceOverdue() throws Exception {
        repo.git("switch", "-q", "-c", "hotfix/1.3.1-INC-1", "v1.3.0");
        String fix = repo.commit("fix: stop double charge\n\nRefs: INC-1");
        repo.tag("v1.3.1");
        repo.git("switch", "-q", "main");
        Path now = Files.writeString(tmp.resolve("now.yaml"), "branches:\n  forwardPortDays: 0\n");

        Run listed = run("forward-port", "check", "--repo", repo.dir().toString());
        assertThat(listed.exit()).as(listed.out() + listed.err()).isZero();
        assertThat(listed.out()).contains("v1.3.1 (cut from v1.3.0").contains("missing on main: " + fix.substring(0, 7));
        Run overdue = run("forward-port", "check", "--repo", repo.dir().toString(), "--policy", now.toString(), "--json");
        assertThat(overdue.exit()).isEqualTo(1);
        assertThat(overdue.json().path("overdue").asInt()).isEqualTo(1);
        assertThat(overdue.json().path("hotfixes").get(0).path("missing").get(0).path("commit").asText()).isEqualTo(fix);
        assertThat(run("forward-port", "check", "--repo", repo.dir().toString(), "--since", "-1").exit()).isEqualTo(2);

        Run refused = run("next-version", "--repo", repo.dir().toString(), "--policy", now.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("release.missing-hotfix").contains(fix.substring(0, 7)).contains("v1.3.1");

        repo.git("cherry-pick", "-x", fix);
        Run ported = run("forward-port", "check", "--repo", repo.dir().toString(), "--policy", now.toString());
        assertThat(ported.exit()).as(ported.out()).isZero();
        assertThat(ported.out()).contains("on main: " + fix.substring(0, 7) + " (cherry pick");
        assertThat(run("next-version", "--repo", repo.dir().toString(), "--policy", now.toString()).lastLine()).isEqualTo("1.4.0");
        assertThat(run("forward-port", "check", "--help").exit()).isZero();
    }

    @Test
    void verifiesSshSignedTagsAgainstAnAllowedSignersFile() throws Exception {
        Path key = tmp.resolve("ssh-key");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        Git.run(repo.dir(), "-c", "gpg.format=ssh", "-c", "user.signingkey=" + key, "tag", "-s", "-m", "release 2.0.0", "v2.0.0");
        String[] pub = Files.readString(Path.of(key + ".pub")).trim().split("\\s+");
        Path signers = Files.writeString(tmp.resolve("allowed_signers"), "test@example.com " + pub[0] + " " + pub[1] + "\n");
        Run ok = run("verify-tag", "v2.0.0", "--repo", repo.dir().toString(), "--allowed-signers", signers.toString(), "--json");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.json().path("signer").asText()).startsWith("SHA256:").endsWith("(test@example.com)");
        Path someoneElse = Files.writeString(tmp.resolve("other_signers"), "bot@example.com " + pub[0] + " " + pub[1] + "\n");
        Run refused = run("verify-tag", "v2.0.0", "--repo", repo.dir().toString(), "--allowed-signers", someoneElse.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("tag.unknown-signer");
        Run neither = run("verify-tag", "v2.0.0", "--repo", repo.dir().toString());
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("allowed-signers");
    }

    @Test
    void tagsTheBuiltCommitWithASignatureGitVerifies() throws Exception {
        Path state = tmp.resolve("state");
        Run built = run("build-once", "--state-dir", state.toString(), "--workspace", repo.dir().toString(), "--actor", "ci",
                "--name", "payments", "--version", "1.4.0", "*.txt");
        assertThat(built.exit()).as(built.err()).isZero();
        try (Gpg gpg = Gpg.withKey("Release CI <release-ci@example.com>")) {
            Path key = gpg.exportSecretKey(tmp.resolve("key.asc"));
            Run tag = run("tag", "--repo", repo.dir().toString(), "--state-dir", state.toString(), "--name", "payments",
                    "--version", "1.4.0", "--signing-key", key.toString(), "--actor", "ci", "--json");
            assertThat(tag.exit()).as(tag.out() + tag.err()).isZero();
            assertThat(tag.json().path("tag").asText()).isEqualTo("v1.4.0");
            assertThat(Git.run(repo.dir(), gpg.env(), "tag", "-v", "v1.4.0")).contains("Good signature");
            Path keyring = gpg.exportPublicKey(tmp.resolve("keyring.asc"));
            Run verified = run("verify-tag", "v1.4.0", "--repo", repo.dir().toString(), "--keyring", keyring.toString(),
                    "--release", "payments@1.4.0", "--state-dir", state.toString());
            assertThat(verified.exit()).as(verified.err()).isZero();
            repo.git("tag", "-a", "-m", "unsigned", "v9.9.9");
            Run unsigned = run("verify-tag", "v9.9.9", "--repo", repo.dir().toString(), "--keyring", keyring.toString());
            assertThat(unsigned.exit()).isEqualTo(1);
            assertThat(unsigned.err()).contains("tag.unsigned");
            Run again = run("tag", "--repo", repo.dir().toString(), "--state-dir", state.toString(), "--name", "payments",
                    "--version", "1.4.0", "--signing-key", key.toString(), "--actor", "ci");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("tag.immutable");
            Run missingKey = run("tag", "--repo", repo.dir().toString(), "--state-dir", state.toString(), "--name",
                    "payments", "--version", "1.4.1", "--signing-key", tmp.resolve("none.asc").toString());
            assertThat(missingKey.exit()).isEqualTo(2);
            assertThat(missingKey.err()).contains("signing key file not found");
        }
        assertThat(Files.exists(state.resolve("ledger.git"))).isTrue();

        Run noSummary = run("release-notes", "payments@1.4.0", "--repo", repo.dir().toString(), "--state-dir", state.toString());
        assertThat(noSummary.exit()).isEqualTo(1);
        assertThat(noSummary.err()).contains("release-notes.required-field").contains("'summary'");
        assertThat(Files.exists(repo.dir().resolve("docs/releases/v1.4.0.md"))).isFalse();
        Run notes = run("release-notes", "payments@1.4.0", "--repo", repo.dir().toString(), "--state-dir", state.toString(),
                "--summary", "Refunds.", "--risks", "Low.", "--rollback-plan", "Withdraw it.");
        assertThat(notes.exit()).as(notes.err()).isZero();
        assertThat(Files.readString(repo.dir().resolve("docs/releases/v1.4.0.md")))
                .contains("# payments v1.4.0").contains("partial refunds (#42)").contains("Withdraw it.");
    }
}

package io.releasegate.tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.commits.History;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Ledger;
import io.releasegate.signing.OpenPgpSigner;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.Git;
import io.releasegate.testing.Gpg;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagReleaseTest {

    static Gpg gpg;
    static Path keyFile;

    @TempDir
    Path tmp;
    TestRepo repo;
    Ledger ledger;
    OciLayoutStore store;

    @BeforeAll
    static void key() throws Exception {
        gpg = Gpg.withKey("Release CI <release-ci@example.com>");
        keyFile = gpg.exportSecretKey(Files.createTempFile("release-key", ".asc"));
    }

    @AfterAll
    static void cleanup() throws Exception {
        gpg.close();
        Files.deleteIfExists(keyFile);
    }

    @BeforeEach
    void repo() {
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.commit("feat: first\n\nRefs: PAY-1");
        repo.tag("v1.0.0");
        repo.commit("feat(refunds): partial refunds\n\nRefs: PAY-9");
        ledger = TestLedgers.embedded(tmp.resolve("state"));
        store = OciLayoutStore.open(tmp.resolve("state/store"));
    }

    BuildResult build(String version) {
        return new BuildOnce(store, ledger).name("payments").version(version).workspace(repo.dir())
                .outputs(List.of("*.txt")).actor("ci").call();
    }

    TagRelease tag(String version) {
        History h = History.open(repo.dir());
        return new TagRelease(h, ledger).name("payments").version(version)
                .signer(OpenPgpSigner.fromArmoredSecretKey(keyFile, new char[0])).actor("ci", "ci@example.com");
    }

    @Test
    void createsASignedAnnotatedTagThatGitVerifiesAndRecordsIt() {
        BuildResult built = build("1.1.0");
        TagRelease.Result r = tag("1.1.0").call();
        assertThat(r.tag()).isEqualTo("v1.1.0");
        assertThat(r.commit()).isEqualTo(repo.head());

        // independent verification: git + gpg
        String verify = Git.run(repo.dir(), gpg.env(), "tag", "-v", "v1.1.0");
        assertThat(verify).contains("Good signature from \"Release CI <release-ci@example.com>\"");
        String object = repo.git("cat-file", "-p", "v1.1.0");
        assertThat(object).contains("object " + repo.head()).contains("tag v1.1.0")
                .contains("version: 1.1.0").contains("commit: " + repo.head())
                .contains("artifact: payments:1.1.0 " + built.digest())
                .contains("-----BEGIN PGP SIGNATURE-----");
        assertThat(ledger.events("payments@1.1.0")).extracting(e -> e.type()).containsExactly("built", "tagged");
        assertThat(ledger.events("payments@1.1.0").get(1).text("signer")).contains(r.signer());
    }

    @Test
    void tagSignaturesVerifyWithBouncyCastleForOurTagsAndGitsAndFailClosed() throws Exception {
        build("1.1.0");
        tag("1.1.0").call();
        Path keyring = gpg.exportPublicKey(tmp.resolve("keyring.asc"));
        io.releasegate.signing.TagVerifier verifier = io.releasegate.signing.TagVerifier.withKeyring(keyring);
        try (History h = History.open(repo.dir())) {
            assertThat(verifier.verify(h.repository(), "v1.1.0").object()).isEqualTo(repo.head());
        }
        // a tag signed by git tag -s with gpg verifies with ours
        String keyId = gpg.run("--list-secret-keys", "--with-colons").lines().filter(l -> l.startsWith("fpr:"))
                .findFirst().orElseThrow().split(":")[9];
        Git.run(repo.dir(), gpg.env(), "-c", "user.signingkey=" + keyId, "tag", "-s", "-m", "signed by git", "git-signed");
        Git.run(repo.dir(), "tag", "-a", "-m", "unsigned", "unsigned");
        Git.run(repo.dir(), "tag", "light");
        String forged = Git.run(repo.dir(), "cat-file", "tag", "v1.1.0").replace("version: 1.1.0", "version: 9.9.9");
        Path forgedFile = Files.writeString(tmp.resolve("forged"), forged);
        String forgedId = Git.run(repo.dir(), "hash-object", "-t", "tag", "-w", forgedFile.toString()).trim();
        Git.run(repo.dir(), "update-ref", "refs/tags/forged", forgedId);
        try (History h = History.open(repo.dir())) {
            assertThat(verifier.verify(h.repository(), "git-signed").signer()).isNotEmpty();
            assertThatThrownBy(() -> verifier.verify(h.repository(), "unsigned")).hasMessageContaining("tag.unsigned");
            assertThatThrownBy(() -> verifier.verify(h.repository(), "light")).hasMessageContaining("tag.lightweight");
            assertThatThrownBy(() -> verifier.verify(h.repository(), "forged")).hasMessageContaining("tag.signature");
            try (Gpg other = Gpg.withKey("Someone Else <else@example.com>")) {
                io.releasegate.signing.TagVerifier wrong = io.releasegate.signing.TagVerifier.withKeyring(
                        other.exportPublicKey(tmp.resolve("other.asc")));
                assertThatThrownBy(() -> wrong.verify(h.repository(), "v1.1.0")).hasMessageContaining("tag.unknown-signer");
            }
        }
    }

    @Test
    void aReleaseTagIsNeverMovedOrRecreated() {
        build("1.1.0");
        tag("1.1.0").call();
        String tagged = repo.git("rev-parse", "v1.1.0^{commit}");
        assertThatThrownBy(() -> tag("1.1.0").call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("tag.immutable").hasMessageContaining("never moved or recreated");
        // a tag made by hand is protected the same way
        repo.git("tag", "v1.2.0");
        repo.commit("feat: more\n\nRefs: PAY-10");
        assertThat(repo.git("rev-parse", "v1.1.0^{commit}")).isEqualTo(tagged);
        assertThat(ledger.events("payments@1.1.0")).hasSize(2);
    }

    @Test
    void tagsOnlyTheBuiltCommit() {
        build("1.1.0");
        String other = repo.git("rev-parse", "HEAD~1");
        assertThatThrownBy(() -> tag("1.1.0").commit(Optional.of(other)).call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("tag.built-commit").hasMessageContaining(repo.head());
        assertThat(repo.git("tag", "-l", "v1.1.0")).isEmpty();
    }

    @Test
    void refusesAVersionThatDoesNotFollowFromHistoryOrWasNeverBuilt() {
        build("2.0.0");
        assertThatThrownBy(() -> tag("2.0.0").call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("tag.version-from-history").hasMessageContaining("calls for 1.1.0");
        assertThatThrownBy(() -> tag("1.1.0").call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("tag.evidence-built");
        build("1.1.0-rc.1");
        assertThat(tag("1.1.0-rc.1").call().tag()).isEqualTo("v1.1.0-rc.1");
        assertThat(repo.git("tag", "-l", "v2.0.0")).isEmpty();
    }

    @Test
    void hotfixFromTheProductionTagIsTaggedButAHotfixCutFromMainIsRefused() {
        build("1.1.0");
        tag("1.1.0").call();
        repo.commit("feat: unreleased work on main\n\nRefs: PAY-20");
        repo.git("switch", "-q", "-c", "hotfix/1.1.1-INC-1", "v1.1.0");
        repo.commit("fix: stop double charge\n\nRefs: INC-1");
        build("1.1.1");
        assertThat(tag("1.1.1").call().tag()).isEqualTo("v1.1.1");
        assertThat(Git.run(repo.dir(), gpg.env(), "tag", "-v", "v1.1.1")).contains("Good signature");

        repo.git("switch", "-q", "main");
        repo.git("switch", "-q", "-c", "hotfix/1.1.2-INC-2");
        repo.commit("fix: another urgent fix\n\nRefs: INC-2");
        build("1.1.2");
        assertThatThrownBy(() -> tag("1.1.2").call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("branch.hotfix-from-production-tag").hasMessageContaining("unreleased work on main");
        assertThat(repo.git("tag", "-l", "v1.1.2")).isEmpty();
    }

    @Test
    void pushesToTheRemoteAndRefusesATagThatExistsThere() {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        repo.git("remote", "add", "origin", remote.toString());
        repo.git("push", "-q", "origin", "main");
        build("1.1.0");
        TagRelease.Result r = tag("1.1.0").remote(Optional.of("origin")).call();
        assertThat(r.pushed()).isTrue();
        assertThat(Git.run(tmp, "ls-remote", "--tags", remote.toString())).contains("refs/tags/v1.1.0");
        assertThat(Git.run(tmp, gpg.env(), "--git-dir", remote.toString(), "tag", "-v", "v1.1.0")).contains("Good signature");

        // someone else already pushed v1.1.1 to the remote: ours is refused and not kept locally
        repo.commit("fix: x\n\nRefs: PAY-11");
        build("1.1.1");
        Path clone = tmp.resolve("clone");
        Git.run(tmp, "clone", "-q", remote.toString(), clone.toString());
        Git.run(clone, "tag", "-a", "v1.1.1", "-m", "by hand");
        Git.run(clone, "push", "-q", "origin", "v1.1.1");
        assertThatThrownBy(() -> tag("1.1.1").remote(Optional.of("origin")).call()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("tag.immutable").hasMessageContaining("origin");
        assertThat(repo.git("tag", "-l", "v1.1.1")).isEmpty();
    }

    @Test
    void pushesOverHttpWithTheGivenLoginAndFailsWithoutItKeepingNothingLocally() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        Path remote = served.resolve("payments.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        repo.git("push", "-q", remote.toString(), "main");
        build("1.1.0");
        try (io.releasegate.testing.GitHttpServer http = io.releasegate.testing.GitHttpServer.start(served, "release-ci", "s3cret-token")) {
            String url = http.url("payments.git");
            // no login: the remote cannot even be read, and no tag is left behind
            assertThatThrownBy(() -> tag("1.1.0").remote(Optional.of(url)).call()).hasMessageContaining("cannot reach remote");
            assertThat(repo.git("tag", "-l", "v1.1.0")).isEmpty();
            // a wrong password: the same, and the password is not in the message
            assertThatThrownBy(() -> tag("1.1.0").remote(Optional.of(url))
                    .access(RemoteAccess.ssh(java.util.Map.of()).withLogin("release-ci", "wrong-password")).call())
                    .hasMessageContaining("cannot reach remote").satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-password"));

            RemoteAccess login = RemoteAccess.ssh(java.util.Map.of()).withLogin("release-ci", "s3cret-token");
            assertThat(login.toString()).doesNotContain("s3cret-token");
            TagRelease.Result r = tag("1.1.0").remote(Optional.of(url)).access(login).call();
            assertThat(r.pushed()).isTrue();
        }
        assertThat(Git.run(tmp, "ls-remote", "--tags", remote.toString())).contains("refs/tags/v1.1.0");
        assertThat(Git.run(tmp, gpg.env(), "--git-dir", remote.toString(), "tag", "-v", "v1.1.0")).contains("Good signature");
    }

    @Test
    void pushesOverSshThroughTheSshProgramWithTheGivenEnvironment() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        repo.git("push", "-q", remote.toString(), "main");
        build("1.1.0");
        // an ssh program standing in for OpenSSH: it runs the remote git command locally and records the
        // variable it was given (as an agent socket would be), so the transport is exercised end to end
        Path log = tmp.resolve("ssh.log");
        Path program = tmp.resolve("ssh-local");
        Files.writeString(program, "#!/bin/sh\n"
                + "while [ $# -gt 1 ]; do case \"$1\" in -p) shift 2;; -o) shift 2;; *) host=\"$1\"; shift;; esac; done\n"
                + "echo \"$host $SSH_AUTH_SOCK\" >> '" + log + "'\n"
                + "exec sh -c \"$1\"\n");
        program.toFile().setExecutable(true);
        RemoteAccess access = new RemoteAccess(Optional.empty(), "", List.of(program.toString()),
                java.util.Map.of("SSH_AUTH_SOCK", "/tmp/agent.sock"));
        TagRelease.Result r = tag("1.1.0").remote(Optional.of("ssh://git@git.example.internal" + remote)).access(access).call();
        assertThat(r.pushed()).isTrue();
        assertThat(Files.readString(log)).contains("git@git.example.internal /tmp/agent.sock");
        assertThat(Git.run(tmp, "ls-remote", "--tags", remote.toString())).contains("refs/tags/v1.1.0");
    }
}

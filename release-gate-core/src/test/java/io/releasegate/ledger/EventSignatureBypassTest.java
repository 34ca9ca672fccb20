package io.releasegate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.testing.Git;
import io.releasegate.testing.Gpg;
import io.releasegate.testing.TestTrust;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An insider with write access to the ledger repository appends or rewrites events by hand; none of it is
 * believed. The git command line checks the genuine signatures independently.
 */
class EventSignatureBypassTest {

    static final Digest D = Digest.parse("sha256:" + "ab".repeat(32));
    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    static final String SUBJECT = "payments@1.4.0";

    @TempDir
    Path tmp;
    TestTrust trust;
    Path repo;

    @BeforeEach
    void setUp() {
        trust = TestTrust.create(tmp.resolve("trust"), "alice", "bob");
        repo = tmp.resolve("ledger.git");
    }

    GitLedger open(Optional<EventSigner> signer) {
        return GitLedger.open(GitLedger.Options.of(repo.toString(), tmp.resolve("state"))
                .withTrust(Optional.of(trust.file())).withSigner(signer));
    }

    static Event draft(String type, String actor) {
        ObjectNode p = Json.object().put("environment", "production").put("role", "maintainer").put("rationale", "ok");
        return Event.draft(type, SUBJECT, Optional.of(D), actor, T, p);
    }

    /** Appends a commit as `git commit-tree` + `update-ref` would, holding {@code eventJson}; returns its id. */
    String appendByHand(String eventJson, String... signArgs) {
        try {
            Path f = tmp.resolve("event.json");
            Files.writeString(f, eventJson);
            String blob = Git.run(tmp, "--git-dir", repo.toString(), "hash-object", "-w", f.toString()).trim();
            Path treeIn = tmp.resolve("tree.txt");
            Files.writeString(treeIn, "100644 blob " + blob + "\tevent.json\n");
            String tree = gitWithInput(treeIn, "mktree").trim();
            String head = Git.run(tmp, "--git-dir", repo.toString(), "rev-parse", "refs/heads/main").trim();
            List<String> args = new java.util.ArrayList<>(List.of("--git-dir", repo.toString(), "commit-tree"));
            args.addAll(List.of(signArgs));
            args.addAll(List.of(tree, "-p", head, "-m", "approved " + SUBJECT));
            String commit = Git.run(tmp, env, args.toArray(String[]::new)).trim();
            Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", commit, head);
            return commit;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    Map<String, String> env = Map.of();

    String gitWithInput(Path input, String cmd) {
        try {
            Process p = new ProcessBuilder("git", "--git-dir", repo.toString(), cmd).redirectInput(input.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            return out;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String approvalJson(String actor) {
        return "{\"schema\":\"" + Event.SCHEMA + "\",\"type\":\"approved\",\"subject\":\"" + SUBJECT + "\",\"digest\":\""
                + D + "\",\"actor\":\"" + actor + "\",\"time\":\"" + T + "\",\"payload\":{\"environment\":\"production\","
                + "\"role\":\"maintainer\",\"rationale\":\"forged\"}}";
    }

    @Test
    void anEventAppendedByHandIsNotBelievedAndIsListed() {
        try (GitLedger l = open(Optional.of(trust.ci()))) {
            l.append(draft("built", "ci"));
        }
        String forged = appendByHand(approvalJson("bob"));
        try (GitLedger l = open(Optional.empty())) {
            assertThatThrownBy(() -> l.events(SUBJECT)).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("event.unsigned").hasMessageContaining(forged);
            assertThatThrownBy(l::events).isInstanceOf(RefusedException.class).hasMessageContaining(forged);
            assertThat(l.events("other@1.0.0")).isEmpty();
            List<Ledger.Entry> entries = l.entries();
            assertThat(entries).hasSize(2);
            assertThat(entries.get(0).verification()).isInstanceOf(Verification.Verified.class);
            assertThat(entries.get(1).verification()).isEqualTo(new Verification.Rejected("event.unsigned",
                    "commit " + forged + " (approved) carries no signature"));
        }
    }

    @Test
    void aLongLedgerIsReadOnEveryCoreAndAForgedEventAmongHundredsIsStillNotBelievedInItsPlace() {
        List<String> ids = new java.util.ArrayList<>();
        try (GitLedger l = open(Optional.of(trust.ci()))) {
            for (int i = 0; i < 130; i++) {
                ids.add(l.append(Event.draft("built", "svc@1.0." + i, Optional.of(D), "ci", T.plusSeconds(i), Json.object())).id());
            }
        }
        String forged = appendByHand(approvalJson("bob"));
        ids.add(forged);
        try (GitLedger l = open(Optional.of(trust.ci()))) {
            for (int i = 130; i < 260; i++) {
                ids.add(l.append(Event.draft("built", "svc@1.0." + i, Optional.of(D), "ci", T.plusSeconds(i), Json.object())).id());
            }
        }
        // a fresh reader: nothing parsed before, so the 261 commits are read and checked in parallel
        assertThat(ids.size()).isGreaterThan(GitLedger.PARALLEL_FROM);
        try (GitLedger l = open(Optional.empty())) {
            List<Ledger.Entry> entries = l.entries();
            assertThat(entries).extracting(e -> e.event().id()).containsExactlyElementsOf(ids);
            assertThat(entries.get(130).verification()).isEqualTo(new Verification.Rejected("event.unsigned",
                    "commit " + forged + " (approved) carries no signature"));
            for (int i = 0; i < entries.size(); i++) {
                if (i != 130) {
                    assertThat(entries.get(i).verification()).as("entry %d", i).isInstanceOf(Verification.Verified.class);
                    assertThat(entries.get(i).event().subject()).isEqualTo("svc@1.0." + (i < 130 ? i : i - 1));
                }
            }
            assertThatThrownBy(l::events).isInstanceOf(RefusedException.class).hasMessageContaining(forged);
        }
    }

    @Test
    void anEventSignedByAKeyTheTrustDoesNotListIsNotBelieved() throws Exception {
        try (GitLedger l = open(Optional.of(trust.ci()))) {
            l.append(draft("built", "ci"));
        }
        String forged;
        try (Gpg gpg = Gpg.withKey("Mallory <bob@example.test>")) {
            env = gpg.env();
            forged = appendByHand(approvalJson("bob"), "-Sbob@example.test");
            assertThat(Git.run(tmp, "--git-dir", repo.toString(), "cat-file", "commit", forged)).contains("gpgsig");
        }
        try (GitLedger l = open(Optional.empty())) {
            assertThatThrownBy(() -> l.events(SUBJECT)).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("event.unknown-signer").hasMessageContaining(forged);
        }
    }

    @Test
    void aPersonsEventSignedByTheCiKeyOrAnotherPersonIsNotBelieved() {
        try (GitLedger l = open(Optional.of(trust.ci()))) {
            l.append(draft("built", "ci"));
            assertThatThrownBy(() -> l.append(draft("approved", "bob"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("event.unauthorized-signer").hasMessageContaining("bob");
        }
        try (GitLedger l = open(Optional.of(trust.person("alice")))) {
            assertThatThrownBy(() -> l.append(draft("approved", "bob"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("event.unauthorized-signer");
            assertThatThrownBy(() -> l.append(draft("promoted", "alice"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("CI identity");
            Event mine = l.append(draft("approved", "alice"));
            assertThat(l.entries()).extracting(Ledger.Entry::verification)
                    .last().isInstanceOf(Verification.Verified.class);
            assertThat(((Verification.Verified) l.entries().get(1).verification()).principal()).isEqualTo("alice");
            assertThat(mine.id()).isNotBlank();
            assertThat(l.events(SUBJECT)).hasSize(2);
        }
        try (GitLedger l = open(Optional.of(trust.attestor()))) {
            Event attested = l.append(draft("approved", "bob"));
            Verification v = l.entries().get(2).verification();
            assertThat(v).isInstanceOf(Verification.Verified.class);
            assertThat(((Verification.Verified) v).attested()).isTrue();
            assertThat(attested.actor()).isEqualTo("bob");
            assertThatThrownBy(() -> l.append(draft("built", "ci"))).isInstanceOf(InputException.class);
        }
    }

    @Test
    void anEventRewrittenUnderItsOldSignatureIsNotBelieved() throws Exception {
        String genuine;
        try (GitLedger l = open(Optional.of(trust.person("alice")))) {
            genuine = l.append(draft("approved", "alice")).id();
        }
        // same commit header and signature, another tree: the rationale and the environment changed
        String raw = Git.run(tmp, "--git-dir", repo.toString(), "cat-file", "commit", genuine);
        Path f = tmp.resolve("event.json");
        Files.writeString(f, approvalJson("alice").replace("forged", "rewritten"));
        String blob = Git.run(tmp, "--git-dir", repo.toString(), "hash-object", "-w", f.toString()).trim();
        Path treeIn = tmp.resolve("tree.txt");
        Files.writeString(treeIn, "100644 blob " + blob + "\tevent.json\n");
        String tree = gitWithInput(treeIn, "mktree").trim();
        Path c = tmp.resolve("commit.txt");
        Files.writeString(c, raw.replaceFirst("tree [0-9a-f]{40}", "tree " + tree));
        String forged = new String(new ProcessBuilder("git", "--git-dir", repo.toString(), "hash-object", "-t", "commit", "-w",
                c.toString()).start().getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", forged, genuine);
        // a fresh workspace, which has no witness of the genuine head
        try (GitLedger l = GitLedger.open(GitLedger.Options.of(repo.toString(), tmp.resolve("fresh"))
                .withTrust(Optional.of(trust.file())))) {
            assertThatThrownBy(() -> l.events(SUBJECT)).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("event.signature").hasMessageContaining(forged);
        }
        // git agrees: the genuine commit verifies, the rewritten one does not
        String[] ssh = {"-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + trust.allowedSigners()};
        List<String> ok = new java.util.ArrayList<>(List.of(ssh));
        ok.addAll(List.of("--git-dir", repo.toString(), "verify-commit", genuine));
        Git.run(tmp, ok.toArray(String[]::new));
        Process p = new ProcessBuilder("git", ssh[0], ssh[1], ssh[2], ssh[3], "--git-dir", repo.toString(), "verify-commit", forged)
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isNotZero();
    }

    @Test
    void theGitCommandLineVerifiesTheCisOpenPgpSignatures() throws Exception {
        String id;
        try (GitLedger l = open(Optional.of(trust.ci()))) {
            id = l.append(draft("built", "ci")).id();
        }
        try (Gpg gpg = Gpg.withKey("Unrelated <unrelated@example.test>")) {
            gpg.run("--import", trust.dir().resolve("keyring.asc").toString());
            String out = Git.run(tmp, gpg.env(), "--git-dir", repo.toString(), "log", "--show-signature", "-1", id);
            assertThat(out).contains("Good signature from \"Release CI <" + TestTrust.CI + ">\"");
        }
    }

    @Test
    void aTrustThatListsNoCiIdentityOrNoKeysIsAnInputError() throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\nkeyring: " + trust.dir().resolve("keyring.asc") + "\nci: []\n");
        assertThatThrownBy(() -> LedgerTrust.load(bad)).isInstanceOf(InputException.class).hasMessageContaining("ci:");
        Files.writeString(bad, "version: 1\nci: [x]\n");
        assertThatThrownBy(() -> LedgerTrust.load(bad)).isInstanceOf(InputException.class).hasMessageContaining("allowedSigners");
        Files.writeString(bad, "version: 1\nci: [x]\nkeyring: k.asc\nextra: 1\n");
        assertThatThrownBy(() -> LedgerTrust.load(bad)).isInstanceOf(InputException.class).hasMessageContaining("unknown key 'extra'");
        Files.writeString(bad, "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                + "d: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n");
        assertThatThrownBy(() -> LedgerTrust.load(bad)).isInstanceOf(InputException.class).hasMessageContaining(bad.toString());
        assertThatThrownBy(() -> LedgerTrust.load(tmp.resolve("missing.yaml"))).isInstanceOf(InputException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void withATrustButNoKeyNothingIsAppended() {
        try (GitLedger l = open(Optional.empty())) {
            assertThatThrownBy(() -> l.append(draft("built", "ci"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("--event-key");
            assertThat(l.head()).isEmpty();
        }
    }
}

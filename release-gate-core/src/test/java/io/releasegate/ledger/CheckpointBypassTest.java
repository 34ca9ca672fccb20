package io.releasegate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.store.StoreCheckpoints;
import io.releasegate.testing.Git;
import io.releasegate.testing.Gpg;
import io.releasegate.testing.TestTrust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An insider who can write the ledger repository, the workspace and its state directory rewrites history so that
 * production events disappear. Signed checkpoints of the head, published in the store by the CI identity, give it
 * away in every workspace, whatever its witness file says.
 */
class CheckpointBypassTest {

    static final Digest D = Digest.parse("sha256:" + "cd".repeat(32));
    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path tmp;
    TestTrust trust;
    Path repo;
    Path storeDir;

    @BeforeEach
    void setUp() {
        trust = TestTrust.create(tmp.resolve("trust"), "alice");
        repo = tmp.resolve("ledger.git");
        storeDir = tmp.resolve("store");
    }

    /** A ledger as a command opens it: this state directory, the trust, this key, checkpoints in the store. */
    GitLedger open(String stateDir, Optional<EventSigner> signer, OciLayoutStore store) {
        return GitLedger.open(GitLedger.Options.of(repo.toString(), tmp.resolve(stateDir))
                .withTrust(Optional.of(trust.file())).withSigner(signer)
                .withCheckpoints(Optional.of(new StoreCheckpoints(store))));
    }

    static Event draft(String type, String actor) {
        ObjectNode p = Json.object().put("environment", "production");
        return Event.draft(type, "payments@1.4.0", Optional.of(D), actor, T, p);
    }

    /** Three CI events, the last one the production promotion; returns the id of the first. */
    String recordRelease() {
        try (OciLayoutStore store = OciLayoutStore.open(storeDir); GitLedger l = open("state", Optional.of(trust.ci()), store)) {
            String first = l.append(draft("built", "ci")).id();
            l.append(draft("gate-evaluated", "ci"));
            l.append(draft("promoted", "ci"));
            return first;
        }
    }

    @Test
    void aCheckpointPublishedByAnotherWriterWhileAFreshWorkspaceReadsTheHeadIsNotARewrite() {
        recordRelease();
        try (OciLayoutStore store = OciLayoutStore.open(storeDir); OciLayoutStore other = OciLayoutStore.open(storeDir);
             GitLedger writer = open("writer", Optional.of(trust.ci()), other)) {
            writer.head();
            // the fresh workspace reads the head, then another agent appends and checkpoints, then the workspace reads
            // the newest checkpoint: one event newer than the head it read
            CheckpointStore checkpoints = new StoreCheckpoints(store);
            CheckpointStore racing = new CheckpointStore() {
                boolean appended;

                @Override
                public String location() {
                    return checkpoints.location();
                }

                @Override
                public Optional<Published> publish(long size, byte[] signedCommit) {
                    return checkpoints.publish(size, signedCommit);
                }

                @Override
                public Optional<Published> newest() {
                    if (!appended) {
                        appended = true;
                        writer.append(draft("production-verified", "ci"));
                    }
                    return checkpoints.newest();
                }

                @Override
                public List<Published> all() {
                    return checkpoints.all();
                }
            };
            try (GitLedger fresh = GitLedger.open(GitLedger.Options.of(repo.toString(), tmp.resolve("fresh"))
                    .withTrust(Optional.of(trust.file())).withCheckpoints(Optional.of(racing)))) {
                assertThat(fresh.events("payments@1.4.0")).extracting(Event::type)
                        .startsWith("built", "gate-evaluated", "promoted");
                assertThat(fresh.events("payments@1.4.0")).hasSize(4);
            }
        }
    }

    List<String> checkpointTags() {
        try (OciLayoutStore store = OciLayoutStore.open(storeDir)) {
            return store.tags(StoreCheckpoints.REPOSITORY);
        }
    }

    /**
     * A fresh workspace is refused by the checkpoint (it has no witness of its own); the workspace that recorded the
     * release is refused too, by its witness when that is still there.
     */
    void assertRefusedEverywhere(String why) {
        try (OciLayoutStore store = OciLayoutStore.open(storeDir); GitLedger l = open("fresh-workspace", Optional.empty(), store)) {
            assertThatThrownBy(l::events).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("ledger.checkpoint").hasMessageContaining(why);
        }
        try (OciLayoutStore store = OciLayoutStore.open(storeDir); GitLedger l = open("state", Optional.of(trust.ci()), store)) {
            assertThatThrownBy(l::events).isInstanceOf(RefusedException.class).hasMessageContaining("refused by rule ledger.");
            assertThatThrownBy(() -> l.append(draft("promoted", "ci"))).isInstanceOf(RefusedException.class);
        }
    }

    @Test
    void everyCiEventPublishesASignedCheckpointThatAFreshWorkspaceChecks() {
        recordRelease();
        assertThat(checkpointTags()).containsExactly("checkpoint-000000000001", "checkpoint-000000000002",
                "checkpoint-000000000003");
        try (OciLayoutStore store = OciLayoutStore.open(storeDir); GitLedger l = open("elsewhere", Optional.empty(), store)) {
            assertThat(l.events()).extracting(Event::type).containsExactly("built", "gate-evaluated", "promoted");
        }
    }

    @Test
    void resettingTheLedgerAndDeletingTheWitnessIsRefusedInEveryWorkspace() throws Exception {
        String first = recordRelease();
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", first);
        try (Stream<Path> s = Files.walk(tmp.resolve("state/ledger-witness"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.delete(p);
            }
        }
        assertRefusedEverywhere("vouches for 3 event(s)");
    }

    @Test
    void replacingTheLedgerByAnEmptyOneIsRefused() throws Exception {
        recordRelease();
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "-d", "refs/heads/main");
        assertRefusedEverywhere("the ledger is empty");
    }

    @Test
    void aRewrittenHistoryOfTheSameLengthIsRefused() throws Exception {
        recordRelease();
        // even holding the CI key, an insider who re-creates a history of the same length without the promotion
        // (and publishes no checkpoint of it) is found out
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "-d", "refs/heads/main");
        try (GitLedger l = GitLedger.open(GitLedger.Options.of(repo.toString(), tmp.resolve("attacker"))
                .withTrust(Optional.of(trust.file())).withSigner(Optional.of(trust.ci())))) {
            l.append(draft("built", "ci"));
            l.append(draft("gate-evaluated", "ci"));
            l.append(draft("known-issue", "ci"));
        }
        assertRefusedEverywhere("does not descend from it");
    }

    @Test
    void aCheckpointNotSignedByTheCiIdentityIsNotBelieved() throws Exception {
        String first = recordRelease();
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", first);
        // the insider publishes a newer checkpoint for the truncated history, signed with their own key
        try (OciLayoutStore store = OciLayoutStore.open(storeDir)) {
            byte[] forged = forgedCheckpoint(first, 4, trust.person("alice"));
            new StoreCheckpoints(store).publish(4, forged);
        }
        assertRefusedEverywhere("is not the CI identity's");
    }

    @Test
    void aCheckpointAlteredInTheStoreIsRefused() throws Exception {
        // refused by the store's own read (store.digest-mismatch) or by the checkpoint's (ledger.checkpoint)
        recordRelease();
        Path blobs = storeDir.resolve("blobs/sha256");
        // flip one byte of the newest checkpoint's commit object, in place, as a file edit would
        String newest;
        try (OciLayoutStore store = OciLayoutStore.open(storeDir)) {
            newest = Json.mapper().readTree(store.fetchManifest(StoreCheckpoints.REPOSITORY, "checkpoint-000000000003")
                    .orElseThrow().bytes()).path("layers").path(0).path("digest").asText().substring("sha256:".length());
        }
        Path blob = blobs.resolve(newest);
        byte[] b = Files.readAllBytes(blob);
        b[b.length / 2] ^= 1;
        Files.write(blob, b);
        try (OciLayoutStore store = OciLayoutStore.open(storeDir); GitLedger l = open("fresh-workspace", Optional.empty(), store)) {
            assertThatThrownBy(l::events).isInstanceOf(RefusedException.class).hasMessageContaining(newest)
                    .hasMessageMatching("(?s).*(store.digest-mismatch|ledger.checkpoint).*");
        }
    }

    @Test
    void anApproversEventIsCheckpointedByTheNextCiEvent() {
        recordRelease();
        try (OciLayoutStore store = OciLayoutStore.open(storeDir)) {
            try (GitLedger l = open("state", Optional.of(trust.person("alice")), store)) {
                l.append(draft("approved", "alice"));
            }
            assertThat(checkpointTags()).hasSize(3);
            try (GitLedger l = open("state", Optional.of(trust.ci()), store)) {
                l.append(draft("promoted", "ci"));
            }
        }
        assertThat(checkpointTags()).last().isEqualTo("checkpoint-000000000005");
    }

    @Test
    void theGitCommandLineVerifiesACheckpointsSignatureAndItsHead() throws Exception {
        recordRelease();
        byte[] raw;
        try (OciLayoutStore store = OciLayoutStore.open(storeDir)) {
            raw = new StoreCheckpoints(store).newest().orElseThrow().signedCommit();
        }
        Path f = tmp.resolve("checkpoint.commit");
        Files.write(f, raw);
        String id = Git.run(tmp, "--git-dir", repo.toString(), "hash-object", "-t", "commit", "-w", f.toString()).trim();
        try (Gpg gpg = Gpg.withKey("Unrelated <unrelated@example.test>")) {
            gpg.run("--import", trust.dir().resolve("keyring.asc").toString());
            String out = Git.run(tmp, gpg.env(), "--git-dir", repo.toString(), "log", "--show-signature", "-1", id);
            assertThat(out).contains("Good signature from \"Release CI <" + TestTrust.CI + ">\"").contains("Ledger-Size: 3");
        }
        String head = Git.run(tmp, "--git-dir", repo.toString(), "rev-parse", "refs/heads/main").trim();
        assertThat(Git.run(tmp, "--git-dir", repo.toString(), "rev-parse", id + "^").trim()).isEqualTo(head);
    }

    /** A checkpoint commit for {@code head} made as GitLedger makes one, signed with {@code key}. */
    byte[] forgedCheckpoint(String head, long size, EventSigner key) throws Exception {
        try (org.eclipse.jgit.lib.Repository r = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                .setGitDir(repo.toFile()).build()) {
            org.eclipse.jgit.lib.CommitBuilder cb = new org.eclipse.jgit.lib.CommitBuilder();
            cb.setTreeId(new org.eclipse.jgit.lib.ObjectInserter.Formatter().idFor(org.eclipse.jgit.lib.Constants.OBJ_TREE, new byte[0]));
            cb.setParentId(org.eclipse.jgit.lib.ObjectId.fromString(head));
            org.eclipse.jgit.lib.PersonIdent who = new org.eclipse.jgit.lib.PersonIdent("release-gate", "release-gate@ci");
            cb.setAuthor(who);
            cb.setCommitter(who);
            String root = Git.run(tmp, "--git-dir", repo.toString(), "rev-list", "--max-parents=0", head).trim();
            cb.setMessage("ledger checkpoint\n\nLedger-Size: " + size + "\nLedger-Root: " + root + "\n");
            cb.setGpgSignature(key.sign(r, cb.build(), who));
            return cb.build();
        }
    }
}

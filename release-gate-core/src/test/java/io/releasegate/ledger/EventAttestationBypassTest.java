package io.releasegate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.signing.OpenPgpSigner;
import io.releasegate.testing.TestTrust;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Jenkins shape of an approval: the agent builds the event, the controller signs it with the attestor key it
 * never hands out, after checking that it is the approval the input's submitter gave. A compromised agent asking
 * for anything else gets no signature, and nothing is appended.
 */
class EventAttestationBypassTest {

    static final Digest D = Digest.parse("sha256:" + "ef".repeat(32));
    static final Digest OTHER = Digest.parse("sha256:" + "01".repeat(32));
    static final String SUBJECT = "payments@2.0.0";

    @TempDir
    Path tmp;
    TestTrust trust;
    OpenPgpSigner attestorKey;
    /** What the controller knows: who submitted the input, for which digest. */
    AtomicReference<EventAttestation.Expected> submitted = new AtomicReference<>();

    @BeforeEach
    void setUp() {
        trust = TestTrust.create(tmp.resolve("trust"), "alice");
        attestorKey = OpenPgpSigner.fromArmoredSecretKey(trust.attestorKeyFile(), new char[0]);
        submitted.set(new EventAttestation.Expected("approved", SUBJECT, D, "alice"));
    }

    /** The agent's ledger: its signer asks the controller, which checks against what it knows. */
    GitLedger agentLedger() {
        EventSigner controller = new EventSigner.Delegated(
                (payload, doc) -> EventAttestation.attest(attestorKey, payload, doc, submitted.get()), "the controller's attestor key");
        return GitLedger.open(GitLedger.Options.of(tmp.resolve("ledger.git").toString(), tmp.resolve("state"))
                .withTrust(Optional.of(trust.file())).withSigner(Optional.of(controller)));
    }

    static Event approval(String actor, Digest digest, String type) {
        ObjectNode p = Json.object().put("environment", "production").put("role", "maintainer").put("rationale", "ok");
        return Event.draft(type, SUBJECT, Optional.of(digest), actor, Instant.parse("2026-12-01T10:00:00Z"), p);
    }

    @Test
    void theApprovalTheSubmitterGaveIsAttestedAndBelieved() {
        try (GitLedger l = agentLedger()) {
            l.append(approval("alice", D, "approved"));
            List<Ledger.Entry> entries = l.entries();
            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).verification()).isInstanceOfSatisfying(Verification.Verified.class, v -> {
                assertThat(v.attested()).isTrue();
                assertThat(v.principal()).isEqualTo(TestTrust.ATTESTOR);
            });
        }
    }

    @Test
    void aCompromisedAgentGetsNoSignatureForAnyOtherEvent() {
        try (GitLedger l = agentLedger()) {
            assertThatThrownBy(() -> l.append(approval("alice", OTHER, "approved"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("will not sign").hasMessageContaining("digest is '" + OTHER + "'");
            assertThatThrownBy(() -> l.append(approval("bob", D, "approved"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("actor is 'bob', not 'alice'");
            assertThatThrownBy(() -> l.append(approval("alice", D, "emergency-approved"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("type is 'emergency-approved'");
            // a pipeline event in the approver's name is not the controller's to vouch for either
            assertThatThrownBy(() -> l.append(approval("alice", D, "promoted"))).isInstanceOf(InputException.class);
            assertThat(l.entries()).isEmpty();
        }
    }

    @Test
    void aDocumentThatIsNotTheCommitsContentIsRefused() throws Exception {
        byte[] genuine = GitLedger.document(approval("alice", D, "approved"));
        byte[] other = GitLedger.document(approval("alice", OTHER, "approved"));
        // the commit the agent built holds the OTHER digest's approval; it shows the controller the genuine document
        org.eclipse.jgit.lib.ObjectInserter.Formatter ids = new org.eclipse.jgit.lib.ObjectInserter.Formatter();
        org.eclipse.jgit.lib.TreeFormatter tree = new org.eclipse.jgit.lib.TreeFormatter();
        tree.append("event.json", org.eclipse.jgit.lib.FileMode.REGULAR_FILE, ids.idFor(org.eclipse.jgit.lib.Constants.OBJ_BLOB, other));
        org.eclipse.jgit.lib.CommitBuilder cb = new org.eclipse.jgit.lib.CommitBuilder();
        cb.setTreeId(ids.idFor(tree));
        org.eclipse.jgit.lib.PersonIdent alice = new org.eclipse.jgit.lib.PersonIdent("alice", "alice@release-gate");
        cb.setAuthor(alice);
        cb.setCommitter(alice);
        cb.setMessage("approved " + SUBJECT);
        assertThatThrownBy(() -> EventAttestation.attest(attestorKey, cb.build(), genuine, submitted.get()))
                .isInstanceOf(InputException.class).hasMessageContaining("does not hold the event document shown");
        assertThatThrownBy(() -> EventAttestation.attest(attestorKey, "not a commit".getBytes(), genuine, submitted.get()))
                .isInstanceOf(InputException.class);
        assertThatThrownBy(() -> new EventAttestation.Expected("built", SUBJECT, D, "alice"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One Jenkins step that records both kinds of event (an approval that completes the go decision, or a promotion with
 * its emergency approval): the pipeline's events are signed with the CI key, the person's by the controller's attestor,
 * and each is believed only as what its signer may assert.
 */
class SplitSignerTest {

    static final Digest D = Digest.parse("sha256:" + "ab".repeat(32));
    static final String SUBJECT = "payments@3.0.0";

    @TempDir
    Path tmp;

    static Event event(String type, String actor) {
        ObjectNode p = Json.object().put("environment", "production").put("role", "maintainer").put("rationale", "ok");
        return Event.draft(type, SUBJECT, Optional.of(D), actor, Instant.parse("2026-12-01T10:00:00Z"), p);
    }

    GitLedger ledger(TestTrust trust, List<EventAttestation.Expected> submitted) {
        OpenPgpSigner attestor = OpenPgpSigner.fromArmoredSecretKey(trust.attestorKeyFile(), new char[0]);
        EventSigner.Delegated controller = new EventSigner.Delegated(
                (payload, doc) -> EventAttestation.attest(attestor, payload, doc, submitted), "the controller's attestor");
        EventSigner split = new EventSigner.Split(EventSigner.fromFile(trust.ciKeyFile(), new char[0]), controller);
        return GitLedger.open(GitLedger.Options.of(tmp.resolve("ledger.git").toString(), tmp.resolve("state"))
                .withTrust(Optional.of(trust.file())).withSigner(Optional.of(split)));
    }

    @Test
    void pipelineEventsAreSignedByTheCiKeyAndThePersonsByTheAttestor() {
        TestTrust trust = TestTrust.create(tmp.resolve("trust"), "mia");
        List<EventAttestation.Expected> submitted = List.of(new EventAttestation.Expected("approved", SUBJECT, D, "mia"),
                new EventAttestation.Expected("decision", SUBJECT, D, "mia"));
        try (GitLedger l = ledger(trust, submitted)) {
            l.append(event("built", "jenkins"));
            l.append(event("approved", "mia"));
            l.append(event("decision", "mia"));
            List<Ledger.Entry> entries = l.entries();
            assertThat(entries).extracting(e -> e.verification()).allSatisfy(v -> assertThat(v).isInstanceOf(Verification.Verified.class));
            assertThat(((Verification.Verified) entries.get(0).verification()).principal()).isEqualTo(TestTrust.CI);
            assertThat(((Verification.Verified) entries.get(0).verification()).attested()).isFalse();
            assertThat(((Verification.Verified) entries.get(1).verification()).attested()).isTrue();
            assertThat(((Verification.Verified) entries.get(2).verification()).principal()).isEqualTo(TestTrust.ATTESTOR);
        }
    }

    @Test
    void theAttestorStillVouchesOnlyForWhatTheControllerSaw() {
        TestTrust trust = TestTrust.create(tmp.resolve("trust"), "mia");
        try (GitLedger l = ledger(trust, List.of(new EventAttestation.Expected("approved", SUBJECT, D, "mia")))) {
            // a go decision the controller did not see, and an approval in someone else's name
            assertThatThrownBy(() -> l.append(event("decision", "mia"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("its type is 'decision'");
            assertThatThrownBy(() -> l.append(event("approved", "dora"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("actor is 'dora', not 'mia'");
            assertThat(l.entries()).isEmpty();
        }
    }
}

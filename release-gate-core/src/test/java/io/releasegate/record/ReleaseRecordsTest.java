package io.releasegate.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

public class ReleaseRecordsTest {

    static final Digest D1 = Digest.parse("sha256:" + "a".repeat(64));
    static final Digest D0 = Digest.parse("sha256:" + "b".repeat(64));
    static final String C1 = "1".repeat(40);
    final ReleaseRecords records = new ReleaseRecords();

    static Event event(String id, String type, String subject, Digest d, String actor, ObjectNode payload) {
        return new Event(id, type, subject, Optional.of(d), actor, Instant.parse("2026-11-02T10:15:30Z"), payload);
    }

    public static List<Event> history() {
        ObjectNode built0 = Json.object().put("reference", "payments:1.3.0").put("store", "/s");
        ObjectNode promoted0 = Json.object().put("environment", "production");
        ObjectNode built = Json.object().put("reference", "payments:1.4.0").put("store", "/s")
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("artifactType", "application/vnd.releasegate.artifact.v1").put("commit", C1);
        built.putArray("subjects").addObject().put("name", "target/payments.jar").put("digest", D1.toString());
        ObjectNode approved = Json.object().put("role", "maintainer").put("rationale", "tests green, window open");
        ObjectNode promoted = Json.object().put("environment", "staging");
        ObjectNode issue = Json.object().put("text", "slow first start");
        return List.of(
                event("0".repeat(40), "built", "payments@1.3.0", D0, "ci", built0),
                event("2".repeat(40), "promoted", "payments@1.3.0", D0, "ci", promoted0),
                event("3".repeat(40), "built", "payments@1.4.0", D1, "ci", built),
                event("4".repeat(40), "approved", "payments@1.4.0", D1, "carol", approved),
                event("5".repeat(40), "promoted", "payments@1.4.0", D1, "ci", promoted),
                event("6".repeat(40), "known-issue", "payments@1.4.0", D1, "ci", issue),
                event("7".repeat(40), "something-new", "payments@1.4.0", D1, "ci", Json.object()));
    }

    @Test
    void projectsTheLedgerOntoOneRelease() {
        ReleaseRecord r = ReleaseRecordProjection.project("payments", "1.4.0", history(), "/ledger.git",
                Optional.of("7".repeat(40))).orElseThrow();
        assertThat(r.artifact().digest()).isEqualTo(D1.toString());
        assertThat(r.artifact().reference()).isEqualTo("payments:1.4.0");
        assertThat(r.source().commit()).contains(C1);
        assertThat(r.subjects()).containsExactly(new ReleaseRecord.Subject("target/payments.jar", D1.toString()));
        assertThat(r.built().actor()).isEqualTo("ci");
        assertThat(r.approvals()).singleElement().satisfies(a -> {
            assertThat(a.approver()).isEqualTo("carol");
            assertThat(a.role()).isEqualTo("maintainer");
            assertThat(a.digest()).isEqualTo(D1.toString());
        });
        assertThat(r.promotions()).extracting(ReleaseRecord.Promotion::environment).containsExactly("staging");
        assertThat(r.knownIssues()).containsExactly("slow first start");
        assertThat(r.rollback().lastKnownGood()).contains(new ReleaseRecord.KnownGood("1.3.0", D0.toString()));
        assertThat(r.ledger().events()).hasSize(5).doesNotContain("0".repeat(40));
        assertThat(ReleaseRecordProjection.project("payments", "9.9.9", history(), "/l", Optional.empty())).isEmpty();
    }

    @Test
    void writtenRecordsReadBackEqualAndValidate() {
        ReleaseRecord r = ReleaseRecordProjection.project("payments", "1.4.0", history(), "/ledger.git",
                Optional.empty()).orElseThrow();
        String json = records.write(r);
        assertThat(records.violations(Json.tree(r))).isEmpty();
        assertThat(records.read(json)).isEqualTo(r);
        assertThat(json).contains("\"schema\" : \"" + ReleaseRecord.SCHEMA + "\"");
    }

    private ObjectNode valid() throws Exception {
        ReleaseRecord r = ReleaseRecordProjection.project("payments", "1.4.0", history(), "/l", Optional.empty())
                .orElseThrow();
        return (ObjectNode) Json.mapper().readTree(records.write(r));
    }

    @Test
    void anApprovalWithoutItsRationaleWrittenPastTheStepsIsARefusalNotAnInternalError() {
        List<Event> forged = new java.util.ArrayList<>(history());
        forged.add(event("8".repeat(40), "approved", "payments@1.4.0", D1, "mallory", Json.object().put("role", "maintainer")));
        ReleaseRecord r = ReleaseRecordProjection.project("payments", "1.4.0", forged, "/ledger.git", Optional.empty()).orElseThrow();
        assertThatThrownBy(() -> records.write(r)).isInstanceOf(io.releasegate.error.RefusedException.class)
                .hasMessageContaining(ReleaseRecords.MALFORMED).hasMessageContaining("payments@1.4.0")
                .hasMessageContaining("rationale");
    }

    @Test
    void unknownSchemaVersionIsAClearError() throws Exception {
        ObjectNode doc = valid().put("schema", "https://releasegate.io/schemas/release-record/v2");
        assertThatThrownBy(() -> records.read(doc.toString())).isInstanceOf(InputException.class)
                .hasMessageContaining("unknown release record schema")
                .hasMessageContaining("release-record/v2");
        ObjectNode none = valid();
        none.remove("schema");
        assertThatThrownBy(() -> records.read(none.toString())).hasMessageContaining("no 'schema' field");
    }

    @Test
    void missingRequiredFieldIsNamed() throws Exception {
        ObjectNode doc = valid();
        ((ObjectNode) doc.get("artifact")).remove("digest");
        assertThatThrownBy(() -> records.read(doc.toString())).isInstanceOf(InputException.class)
                .hasMessageContaining("digest").hasMessageContaining("artifact");
    }

    @Test
    void wrongTypeIsNamed() throws Exception {
        ObjectNode doc = valid();
        doc.put("approvals", "carol");
        assertThatThrownBy(() -> records.read(doc.toString())).isInstanceOf(InputException.class)
                .hasMessageContaining("approvals").hasMessageContaining("array");
        ObjectNode badDigest = valid();
        ((ObjectNode) badDigest.get("artifact")).put("digest", "sha256:xyz");
        assertThatThrownBy(() -> records.read(badDigest.toString())).hasMessageContaining("artifact.digest");
    }

    @Test
    void unknownFieldsAndMalformedJsonAreRefused() throws Exception {
        ObjectNode doc = valid().put("approvedBy", "mallory");
        assertThatThrownBy(() -> records.read(doc.toString())).isInstanceOf(InputException.class)
                .hasMessageContaining("approvedBy");
        assertThatThrownBy(() -> records.read("{\"schema\": ")).isInstanceOf(InputException.class)
                .hasMessageContaining("not valid JSON").hasMessageContaining("line 1");
        assertThatThrownBy(() -> records.read("[]")).hasMessageContaining("JSON object");
    }
}

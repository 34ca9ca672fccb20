package io.releasegate.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.approval.ApprovalStatus;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Subject;
import io.releasegate.policy.Policy;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.sbom.SbomFormat;
import io.releasegate.verify.VerifyProduction;
import io.releasegate.version.NextVersion;
import io.releasegate.version.PipelinePlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each result as plain values: the keys and the value types the golden pipeline and the Jenkins plugin read. */
class StepResultTest {

    static final Digest A = Digest.parse("sha256:" + "aa".repeat(32));
    static final Digest B = Digest.parse("sha256:" + "bb".repeat(32));

    @Test
    void buildOnce() {
        BuildResult built = new BuildResult("payments", "1.4.0", A, "application/vnd.oci.image.manifest.v1+json", "/store",
                "payments:1.4.0", List.of(new Subject("target/payments.jar", B)), BuildResult.Outcome.PUBLISHED, "e1",
                Optional.of("c0ffee"), List.of());

        assertThat(new BuildOnceResult(built).toMap()).containsExactly(
                Map.entry("name", "payments"), Map.entry("version", "1.4.0"), Map.entry("digest", A.toString()),
                Map.entry("subjects", List.of(Map.of("name", "target/payments.jar", "digest", B.toString()))),
                Map.entry("reference", "payments:1.4.0"), Map.entry("mediaType", "application/vnd.oci.image.manifest.v1+json"),
                Map.entry("store", "/store"), Map.entry("outcome", "published"), Map.entry("event", "e1"), Map.entry("commit", "c0ffee"));
        BuildResult again = new BuildResult("payments", "1.4.0", A, "m", "/store", "payments:1.4.0", List.of(),
                BuildResult.Outcome.ALREADY_PUBLISHED, "e2", Optional.empty(), List.of("app-arm64.tar"));
        assertThat(new BuildOnceResult(again).toMap()).containsEntry("outcome", "unchanged").doesNotContainKey("commit")
                .containsEntry("missingTargets", List.of("app-arm64.tar"));
    }

    @Test
    void generateSbom() {
        GenerateSbomResult r = new GenerateSbomResult(12, List.of("jar without metadata: lib/x.jar"), List.of(
                new GenerateSbomResult.Document(SbomFormat.CYCLONEDX, A, B, "e1"),
                new GenerateSbomResult.Document(SbomFormat.SPDX, B, A, "e2")));

        assertThat(r.toMap()).isEqualTo(Map.of("digest", A.toString(), "components", 12,
                "warnings", List.of("jar without metadata: lib/x.jar"), "documents", List.of(
                        Map.of("format", "cyclonedx", "specVersion", SbomFormat.CYCLONEDX.specVersion(), "digest", A.toString(),
                                "referrer", B.toString(), "event", "e1"),
                        Map.of("format", "spdx", "specVersion", SbomFormat.SPDX.specVersion(), "digest", B.toString(),
                                "referrer", A.toString(), "event", "e2"))));
    }

    @Test
    void signaturesAndTheirVerification() {
        assertThat(new EventResult("e1").toMap()).isEqualTo(Map.of("event", "e1"));
        assertThat(new CertificateSignResult("e1", "https://ci/job/payments", Optional.of("https://issuer"), "payments@" + A, B.toString())
                .toMap()).isEqualTo(Map.of("event", "e1", "mode", "certificate", "identity", "https://ci/job/payments",
                "issuer", "https://issuer", "reference", "payments@" + A, "bundleDigest", B.toString()));
        assertThat(new CertificateSignResult("e1", "id", Optional.empty(), "r", "b").toMap()).doesNotContainKey("issuer");
        assertThat(new VerifySignaturesResult("e1", "e2").toMap())
                .isEqualTo(Map.of("verified", true, "event", "e1", "provenanceEvent", "e2"));
        assertThat(new CertificateVerifyResult("id", "https://issuer", "e1", "e2").toMap()).isEqualTo(Map.of("verified", true,
                "mode", "certificate", "identity", "id", "issuer", "https://issuer", "event", "e1", "provenanceEvent", "e2"));
        assertThat(new ProvenanceResult("https://slsa.dev/provenance/v1").toMap())
                .isEqualTo(Map.of("predicateType", "https://slsa.dev/provenance/v1"));
    }

    @Test
    void planGateTagAndLibrary() {
        PlanResult plan = new PlanResult(new PipelinePlan.Result("main", "main", true, "1.4.0", true, "feat since v1.3.0"), false,
                new Policy.Approvals(true, 2, List.of("domain-reviewer", "maintainer"), Map.of()));
        assertThat(plan.toMap()).isEqualTo(Map.of("branch", "main", "kind", "main", "toProduction", true, "version", "1.4.0",
                "release", true, "reason", "feat since v1.3.0", "emergency", false,
                "approvals", Map.of("count", 2, "roles", List.of("domain-reviewer", "maintainer"))));
        assertThat(new GateResult("6 gates pass").toMap()).isEqualTo(Map.of("pass", true, "summary", "6 gates pass"));
        assertThat(new TagResult("v1.4.0", "c0ffee", TagResult.Outcome.TAGGED, true).toMap())
                .isEqualTo(Map.of("tag", "v1.4.0", "commit", "c0ffee", "outcome", "tagged", "pushed", true));
        assertThat(new TagResult("v1.4.0", "c0ffee", TagResult.Outcome.UNCHANGED, false).toMap()).containsEntry("outcome", "unchanged");
        assertThat(new LibraryCheckResult(false).toMap()).isEqualTo(Map.of("pinned", false));
    }

    @Test
    void approvalsAndPromotion() {
        ApprovalStatus status = new ApprovalStatus(List.of(), Set.of("mia"), Set.of("maintainer"), Set.of("domain-reviewer"), 2);
        assertThat(new ApprovalResult(status).toMap())
                .isEqualTo(Map.of("satisfied", false, "status", "1 of 2 approval(s), missing role(s) [domain-reviewer]"));

        PromoteDigest.Result promoted = new PromoteDigest.Result("production", A, "payments/production:1.4.0", false, false, "e1");
        assertThat(new PromoteDigestResult(promoted, Optional.of("e0")).toMap()).isEqualTo(Map.of("reference",
                "payments/production:1.4.0", "environment", "production", "rollback", false, "alreadyThere", false, "emergency", "e0"));
        assertThat(new PromoteDigestResult(promoted, Optional.empty()).toMap()).doesNotContainKey("emergency");
    }

    @Test
    void verifyProductionAndNextVersion() {
        VerifyProduction.Result verified = new VerifyProduction.Result(false, A, Optional.of(B), List.of(), Optional.empty(), false,
                List.of("the production tag names " + B + ", not the promoted " + A), "e1");
        assertThat(new VerifyProductionResult(verified).toMap())
                .isEqualTo(Map.of("ok", false, "problems", List.of("the production tag names " + B + ", not the promoted " + A)));

        NextVersion.Result next = new NextVersion.Result("1.4.0", Optional.of("v1.3.0"), NextVersion.Bump.MINOR, true,
                "feat since v1.3.0", List.of());
        assertThat(new NextVersionResult(next).toMap()).isEqualTo(Map.of("version", "1.4.0", "release", true, "bump", "minor",
                "reason", "feat since v1.3.0", "commits", 0, "previousTag", "v1.3.0"));
    }
}

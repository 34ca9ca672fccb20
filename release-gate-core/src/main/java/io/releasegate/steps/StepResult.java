package io.releasegate.steps;

import java.util.Map;

/** What a pipeline step returns; {@link #toMap()} is the shape the golden pipeline and the Jenkins plugin read. */
public sealed interface StepResult permits BuildOnceResult, GenerateSbomResult, EventResult, CertificateSignResult,
        VerifySignaturesResult, CertificateVerifyResult, PlanResult, LibraryCheckResult, TagResult, ApprovalResult, ProvenanceResult,
        GateResult, PromoteDigestResult, VerifyProductionResult, NextVersionResult, ReleaseRecordResult, EvidenceResult,
        AuditResult, ReportResult, ManifestResult, ManifestTestResult {

    /** The result as plain values (strings, numbers, booleans, lists and maps of them), in a stable key order. */
    Map<String, Object> toMap();
}

package io.releasegate.steps;

import java.util.Map;
import java.util.Optional;

/**
 * The pipeline steps by the names the pipeline calls them, and the one adapter from a pipeline's argument map to their
 * typed entry points in {@link PipelineSteps}: {@code Step.GATE.call(args, env, trusted)} parses the map
 * ({@code GateArgs.of}), runs {@code PipelineSteps.gate} and returns its result as plain values
 * ({@link StepResult#toMap()}). The Jenkins plugin and the shared library's tests call steps this way; Java code calls
 * the typed entry points.
 */
public enum Step {
    BUILD_ONCE("buildOnce"),
    GENERATE_SBOM("generateSbom"),
    PLAN("plan"),
    /** With a key pair, or in certificate mode when the trusted inputs hold a certificate. */
    SIGN("sign"),
    /** With a public key, or in certificate mode when any of {@link VerifyCertificateArgs#CERTIFICATE_ARGS} is given. */
    VERIFY_SIGNATURES("verifySignatures"),
    PROVENANCE("provenance"),
    GATE("gate"),
    TAG("tag"),
    LIBRARY_CHECK("libraryCheck"),
    APPROVAL_STATUS("approvalStatus"),
    APPROVE_PRODUCTION("approveProduction"),
    NO_GO("noGo"),
    PROMOTE_DIGEST("promoteDigest"),
    VERIFY_PRODUCTION("verifyProduction"),
    NEXT_VERSION("nextVersion"),
    RELEASE_RECORD("releaseRecord"),
    /** With the release signing key (the trusted inputs' private key), which signs the bundle's index. */
    EVIDENCE("evidence"),
    AUDIT("audit"),
    /** Records the pipeline run's outcome (pipeline-finished) for the delivery report's CI pass rate. */
    RECORD_RUN("recordRun"),
    /** The delivery report of the ledger, written as report.json and report.html into the workspace. */
    REPORT("report"),
    /**
     * A release manifest of the members given or read from the committed set file; the same members again: the same
     * manifest. {@code promoteDigest} of a manifest promotes it as a set.
     */
    MANIFEST_CREATE("manifestCreate"),
    /** A release manifest read back from the store, checked against its built event (a rollback's members). */
    MANIFEST_SHOW("manifestShow"),
    /** The integration test of exactly one set, recorded from its JUnit XML report; not passed: a refusal. */
    MANIFEST_TEST("manifestTest");

    private final String stepName;

    Step(String stepName) {
        this.stepName = stepName;
    }

    /** The name the pipeline calls the step by: {@code buildOnce}, {@code releaseRecord}, … */
    public String stepName() {
        return stepName;
    }

    /** Runs this step with a pipeline's arguments; its result as plain values. */
    public Map<String, Object> call(Map<String, ?> args, StepEnvironment env, TrustedInputs trusted) {
        return run(args, env, trusted).toMap();
    }

    private StepResult run(Map<String, ?> args, StepEnvironment env, TrustedInputs t) {
        return switch (this) {
            case BUILD_ONCE -> PipelineSteps.buildOnce(BuildOnceArgs.of(args), env);
            case GENERATE_SBOM -> PipelineSteps.generateSbom(GenerateSbomArgs.of(args), env);
            case PLAN -> PipelineSteps.plan(PlanArgs.of(args), env);
            case SIGN -> t.certificate().isPresent()
                    ? PipelineSteps.signWithCertificate(SignArgs.of(args), env, privateKey(t), t.certificate().get(), Optional.empty())
                    : PipelineSteps.sign(SignArgs.of(args), env, privateKey(t), publicKey(t));
            case VERIFY_SIGNATURES -> args.keySet().stream().anyMatch(VerifyCertificateArgs.CERTIFICATE_ARGS::contains)
                    ? PipelineSteps.verifySignaturesWithCertificate(VerifyCertificateArgs.of(args), env, t.trustRoot())
                    : PipelineSteps.verifySignatures(VerifySignaturesArgs.of(args), env, publicKey(t));
            case PROVENANCE -> PipelineSteps.provenance(ProvenanceArgs.of(args), env, privateKey(t));
            case GATE -> PipelineSteps.gate(GateArgs.of(args), env);
            case TAG -> {
                TrustedInputs.TagKey key = TrustedInputs.need(t.tag(), this, "OpenPGP tag signing");
                yield PipelineSteps.tagRelease(TagArgs.of(args), env, key.armoredKey(), key.passphrase(), key.access());
            }
            case LIBRARY_CHECK -> PipelineSteps.libraryCheck(LibraryCheckArgs.of(args), env);
            case APPROVAL_STATUS -> PipelineSteps.approvalStatus(ApprovalStatusArgs.of(args), env);
            case APPROVE_PRODUCTION -> PipelineSteps.approveProduction(ApproveProductionArgs.of(args), env);
            case NO_GO -> PipelineSteps.noGo(NoGoArgs.of(args), env);
            case PROMOTE_DIGEST -> PipelineSteps.promoteDigest(PromoteDigestArgs.of(args), env, t.emergencyApprover());
            case VERIFY_PRODUCTION -> PipelineSteps.verifyProduction(VerifyProductionArgs.of(args), env);
            case NEXT_VERSION -> PipelineSteps.nextVersion(NextVersionArgs.of(args), env);
            case RELEASE_RECORD -> PipelineSteps.releaseRecord(ReleaseRecordArgs.of(args), env);
            case EVIDENCE -> PipelineSteps.evidence(EvidenceArgs.of(args), env, privateKey(t));
            case AUDIT -> PipelineSteps.audit(AuditArgs.of(args), env);
            case RECORD_RUN -> PipelineSteps.recordRun(RecordRunArgs.of(args), env);
            case REPORT -> PipelineSteps.report(ReportArgs.of(args), env);
            case MANIFEST_CREATE -> PipelineSteps.manifestCreate(ManifestCreateArgs.of(args), env);
            case MANIFEST_SHOW -> PipelineSteps.manifestShow(ManifestShowArgs.of(args), env);
            case MANIFEST_TEST -> PipelineSteps.manifestTest(ManifestTestArgs.of(args), env);
        };
    }

    private java.nio.file.Path privateKey(TrustedInputs t) {
        return TrustedInputs.need(t.privateKey(), this, "private");
    }

    private java.nio.file.Path publicKey(TrustedInputs t) {
        return TrustedInputs.need(t.publicKey(), this, "public");
    }
}

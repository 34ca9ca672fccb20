package io.releasegate.steps;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The steps as a pipeline calls them, for the tests written against argument maps: the map parsed by the step's
 * {@code …Args.of}, the typed entry point run, its result as the plain values the pipeline reads ({@code toMap()}).
 */
final class MapSteps {

    private MapSteps() {
    }

    static Map<String, Object> buildOnce(Map<String, ?> args, StepEnvironment env) {
        return PipelineSteps.buildOnce(BuildOnceArgs.of(args), env).toMap();
    }

    static Map<String, Object> generateSbom(Map<String, ?> args, StepEnvironment env) {
        return PipelineSteps.generateSbom(GenerateSbomArgs.of(args), env).toMap();
    }

    static Map<String, Object> sign(Map<String, ?> args, StepEnvironment env, Path privateKey, Path publicKey) {
        return PipelineSteps.sign(SignArgs.of(args), env, privateKey, publicKey).toMap();
    }

    static Map<String, Object> signWithCertificate(Map<String, ?> args, StepEnvironment env, Path privateKey, Path certificate,
                                                   Optional<Path> chain) {
        return PipelineSteps.signWithCertificate(SignArgs.of(args), env, privateKey, certificate, chain).toMap();
    }

    static Map<String, Object> verifySignatures(Map<String, ?> args, StepEnvironment env, Path publicKey) {
        return PipelineSteps.verifySignatures(VerifySignaturesArgs.of(args), env, publicKey).toMap();
    }

    static Map<String, Object> verifySignaturesWithCertificate(Map<String, ?> args, StepEnvironment env, Optional<Path> trustRoot) {
        return PipelineSteps.verifySignaturesWithCertificate(VerifyCertificateArgs.of(args), env, trustRoot).toMap();
    }

    static Map<String, Object> provenance(Map<String, ?> args, StepEnvironment env, Path privateKey) {
        return PipelineSteps.provenance(ProvenanceArgs.of(args), env, privateKey).toMap();
    }

    static Map<String, Object> plan(Map<String, ?> args, StepEnvironment env) {
        return PipelineSteps.plan(PlanArgs.of(args), env).toMap();
    }

    static Map<String, Object> promoteDigest(Map<String, ?> args, StepEnvironment env, Optional<String> emergencyApprover) {
        return PipelineSteps.promoteDigest(PromoteDigestArgs.of(args), env, emergencyApprover).toMap();
    }

    static Map<String, Object> nextVersion(Map<String, ?> args, StepEnvironment env) {
        return PipelineSteps.nextVersion(NextVersionArgs.of(args), env).toMap();
    }

    static Map<String, Object> releaseRecord(Map<String, ?> args, StepEnvironment env) {
        return PipelineSteps.releaseRecord(ReleaseRecordArgs.of(args), env).toMap();
    }
}

package io.releasegate.golden

/**
 * The golden pipeline's configuration: the team's own commands plus where evidence goes.
 * Unknown keys and missing required keys fail at once with the list of valid keys.
 */
class GoldenConfig implements Serializable {

    /** The library's own name, as the Jenkins administrator registers it (Jenkins exposes env['library.golden.version']). */
    static final String LIBRARY_NAME = 'golden'

    /** The environments a release goes through, in order (the policy's). */
    static final List<String> ENVIRONMENTS = ['dev', 'staging', 'production'].asImmutable()

    /** Keys a team must give. */
    static final List<String> REQUIRED = ['name', 'build', 'artifacts'].asImmutable()

    /** Every key goldenPipeline understands, with what it means (shown in errors and in the help). */
    static final Map<String, String> KEYS = [
        name     : 'artifact name, e.g. payments (an OCI repository name)',
        version  : 'SemVer version of this build (default: from the Conventional Commits since the last release tag)',
        build    : 'shell command that builds the artifacts, e.g. mvn -B package',
        artifacts: 'what the build produced: path, glob or list of them, e.g. target/*.jar',
        lint     : 'shell command for the lint stage (optional)',
        unitTest : 'shell command for the unit-test stage (optional)',
        junit    : 'JUnit XML reports the unit tests write, e.g. target/surefire-reports/*.xml (optional)',
        integrationTest: 'shell command for the integration-test stage (optional)',
        sast     : 'shell command producing SARIF 2.1.0 at sastReport (optional; else sast must be n/a)',
        sastReport: 'path of the SARIF report (default build/sast.sarif)',
        dependencyScan: 'shell command producing an OSV-Scanner or CycloneDX VEX report at dependencyReport (optional)',
        dependencyReport: 'path of the dependency report (default build/vulns.json)',
        dast     : "shell command for DAST, or 'n/a: <rationale>'",
        notApplicable: 'map of gate -> rationale for gates that do not apply, e.g. [sast: "no code of ours"]',
        deploy   : 'map of environment (dev, staging, production) -> shell command deploying $RELEASE_DIGEST (optional)',
        smoke    : 'map of environment -> shell command checking the deployment; production\'s is recorded by verify-production (optional)',
        approvalTimeoutHours: 'how long approve-production waits for the approvals before it records a no-go (default 72)',
        signingKey: 'credentials id of the release signing key (PEM) that signs the artifact and its provenance',
        signingCertificate: 'credentials id of the signing certificate (Certificate credentials, or PEM certificate + chain): certificate mode, the release is signed with it and a Sigstore bundle is stored (optional)',
        certificateIdentity: 'certificate mode: the signer identity (certificate SAN email or URI) verifySignatures requires, exactly (optional; default: the plugin configuration)',
        certificateIdentityRegexp: 'certificate mode: a regular expression the whole signer identity must match, instead of certificateIdentity (optional)',
        certificateOidcIssuer: 'certificate mode: the OIDC issuer the signing certificate must name (optional; default: the plugin configuration)',
        tagSigningKey: 'credentials id of the OpenPGP key that signs the release tag',
        tagRemote: 'git remote the release tag is pushed to (default origin)',
        store    : 'OCI store: directory or oci://HOST[:PORT]/NAMESPACE (default: the embedded store)',
        ledger   : 'git ledger: path or git URL (default: the embedded ledger)',
    ].asImmutable()

    final Map<String, Object> values

    GoldenConfig(Map<String, Object> given) {
        def cfg = given ?: [:]
        def unknown = (cfg.keySet() - KEYS.keySet()).sort()
        def missing = REQUIRED.findAll { !cfg.containsKey(it) || cfg[it] == null || cfg[it].toString().trim().isEmpty() }
        if (unknown || missing) {
            def problems = []
            if (unknown) {
                problems << "unknown key(s) ${unknown.join(', ')}"
            }
            if (missing) {
                problems << "missing required key(s) ${missing.join(', ')}"
            }
            throw new IllegalArgumentException("goldenPipeline: ${problems.join('; ')}.\nValid keys:\n" +
                KEYS.collect { k, v -> "  ${k}${REQUIRED.contains(k) ? ' (required)' : ''}: ${v}" }.join('\n'))
        }
        ['deploy', 'smoke'].each { key ->
            def v = cfg[key]
            if (v != null && !(v instanceof Map)) {
                throw new IllegalArgumentException("goldenPipeline: ${key} must be a map of environment -> shell command, " +
                        "with environments ${ENVIRONMENTS.join(', ')}")
            }
            def unknownEnv = v == null ? [] : (v.keySet().collect { it.toString() } - ENVIRONMENTS).sort()
            if (unknownEnv) {
                throw new IllegalArgumentException("goldenPipeline: unknown environment(s) ${unknownEnv.join(', ')} in ${key}; " +
                        "valid: ${ENVIRONMENTS.join(', ')}")
            }
        }
        if (cfg.certificateIdentity?.toString()?.trim() && cfg.certificateIdentityRegexp?.toString()?.trim()) {
            throw new IllegalArgumentException('goldenPipeline: give only one of certificateIdentity and certificateIdentityRegexp')
        }
        values = cfg.asImmutable()
    }

    Object get(String key) {
        values[key]
    }

    boolean has(String key) {
        values[key] != null && values[key].toString().trim()
    }

    /** Where the evidence goes: the store and ledger arguments every step takes (none: the embedded ones). */
    Map<String, Object> locations() {
        def args = [:]
        if (has('store')) {
            args.store = values.store
        }
        if (has('ledger')) {
            args.ledger = values.ledger
        }
        args
    }

    /** The arguments of the buildOnce step. */
    Map<String, Object> buildOnceArgs(String version) {
        [name: values.name, version: version, artifacts: values.artifacts] + locations()
    }

    /** The credentials of the sign step: the signing key, and the signing certificate in certificate mode. */
    Map<String, Object> signing() {
        def args = [signingKey: values.signingKey]
        if (has('signingCertificate')) {
            args.signingCertificate = values.signingCertificate
        }
        args
    }

    /**
     * What verifySignatures checks against: in certificate mode (an identity or issuer given) the identity and issuer,
     * the trust root coming from the plugin configuration; otherwise the signing key's public key.
     */
    Map<String, Object> verification() {
        def args = [:]
        ['certificateIdentity', 'certificateIdentityRegexp', 'certificateOidcIssuer'].each { key ->
            if (has(key)) {
                args[key] = values[key]
            }
        }
        args ?: [signingKey: values.signingKey]
    }

    /** The command configured for {@code environment} under {@code key} (deploy or smoke), or null. */
    String commandFor(String key, String environment) {
        def map = values[key]
        map instanceof Map && map[environment] ? map[environment].toString() : null
    }
}

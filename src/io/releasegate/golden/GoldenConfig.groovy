package io.releasegate.golden

/**
 * The golden pipeline's configuration: the team's own commands plus where evidence goes.
 * Unknown keys and missing required keys fail at once with the list of valid keys.
 */
class GoldenConfig implements Serializable {

    /**
     * The library's name when the administrator registers it as documented; another name is given with the
     * {@code libraryName} option (Jenkins exposes the loaded version as env['library.NAME.version']).
     */
    static final String LIBRARY_NAME = 'golden'

    /** The build parameters that ask for an emergency change, and the emergency record field each one fills. */
    static final Map<String, String> EMERGENCY_PARAMETERS = [
        EMERGENCY_REASON   : 'reason',
        EMERGENCY_SCOPE    : 'scope',
        EMERGENCY_ROLLBACK : 'rollbackPlan',
        EMERGENCY_FOLLOWUPS: 'followUps',
    ].asImmutable()

    /** Every build parameter the golden pipeline declares: a rollback's, then an emergency change's. */
    static final List<String> BUILD_PARAMETERS = (['ROLLBACK_VERSION', 'ROLLBACK_INCIDENT'] + EMERGENCY_PARAMETERS.keySet()).asImmutable()

    /** The environments a release goes through, in order (the policy's). */
    static final List<String> ENVIRONMENTS = ['dev', 'staging', 'production'].asImmutable()

    /** Keys a team must give (a report job, which builds nothing, needs none of them). */
    static final List<String> REQUIRED = ['name', 'build', 'artifacts'].asImmutable()

    /** The report job's options (the {@code report} map), with what they mean. */
    static final Map<String, String> REPORT_KEYS = [
        schedule  : "cron spec of the report runs, declared as the job's trigger (default 'H 6 1 * *': monthly, for the previous month); '' for none",
        repos     : 'workspace paths of the git repositories whose first commits give the lead time (default: the checked-out workspace)',
        out       : 'workspace directory that receives report.json and report.html (default release-gate-report)',
        hotfixDays: 'a production release followed within this many days by a hotfix counts as a failed change (default 7)',
    ].asImmutable()

    /**
     * Manifest mode's options (the {@code manifest} map), with what they mean: the job of a platform repository that
     * releases a set of services' releases together.
     */
    static final Map<String, String> MANIFEST_KEYS = [
        file             : "the committed set file (default platform.yaml): the set's version and its members, NAME@VERSION each, in promotion order; reviewed like code",
        repositories     : 'map of member name -> git URL of its repository, for every member: each is checked out at its built commit under release-gate/members/NAME, so that the policy committed with it, its role holders and its authors decide',
        credentials      : 'credentials id for checking out the member repositories (optional)',
        integrationTest  : 'shell command testing exactly this set (it gets $RELEASE_MANIFEST, $RELEASE_DIGEST and $RELEASE_MEMBERS) and writing a JUnit XML report at integrationReport',
        integrationReport: 'path of the integration tests\' JUnit XML report (default build/integration-tests.xml)',
    ].asImmutable()

    /** The options that apply in manifest mode (the members are built, proven and gated by their own pipelines). */
    static final List<String> MANIFEST_MODE_KEYS = ['name', 'manifest', 'deploy', 'smoke', 'approvalTimeoutHours', 'store',
                                                    'storeCredentials', 'ledger', 'libraryName', 'parameters'].asImmutable()

    /** The manifest options a platform job must give. */
    static final List<String> MANIFEST_REQUIRED = ['repositories', 'integrationTest'].asImmutable()

    /** The report's default schedule: the 1st of every month, early, at a minute Jenkins spreads per job. */
    static final String REPORT_SCHEDULE = 'H 6 1 * *'

    /** Every key goldenPipeline understands, with what it means (shown in errors and in the help). */
    static final Map<String, String> KEYS = [
        name     : 'artifact name, e.g. payments (an OCI repository name)',
        version  : 'SemVer version of this build (default: from the Conventional Commits since the last release tag)',
        build    : 'shell command that builds the artifacts, e.g. mvn -B package',
        artifacts: 'what the build produced: path, glob or list of them, e.g. target/*.jar',
        targets  : 'the targets the release must ship: artifact paths or globs, or a list of them, e.g. [\'dist/app-*-amd64.tar.gz\', \'dist/app-*-arm64.tar.gz\']; while one matches no published artifact the release cannot reach production (optional)',
        lint     : 'shell command for the lint stage (optional)',
        unitTest : 'shell command for the unit-test stage (optional)',
        junit    : 'JUnit XML reports the unit tests write, e.g. target/surefire-reports/*.xml (optional)',
        integrationTest: 'shell command for the integration-test stage (optional)',
        sast     : 'shell command producing SARIF 2.1.0 at sastReport (optional; else the committed .release/policy.yaml must declare sast in gates.notApplicable)',
        sastReport: 'path of the SARIF report (default build/sast.sarif)',
        dependencyScan: 'shell command producing an OSV-Scanner or CycloneDX VEX report at dependencyReport (optional)',
        dependencyReport: 'path of the dependency report (default build/vulns.json)',
        dast     : "shell command for DAST, or 'n/a: <rationale>' (skips the stage; gates.notApplicable.dast must be committed in .release/policy.yaml)",
        mavenRepo: 'Maven repository on the agent (e.g. a path to .m2/repository): the sbom stage identifies jars without Maven metadata where it holds their exact bytes (optional)',
        notApplicable: 'map of gate -> rationale repeating the gates.notApplicable of the committed .release/policy.yaml (any other is refused: gates.not-applicable-unconfigured)',
        deploy   : 'map of environment (dev, staging, production) -> shell command deploying $RELEASE_DIGEST (optional)',
        smoke    : 'map of environment -> shell command checking the deployment; production\'s is recorded by verify-production (optional)',
        approvalTimeoutHours: 'how long approve-production waits for the approvals before it records a no-go (default 72)',
        signingKey: 'credentials id of the release signing key (PEM) that signs the artifact and its provenance',
        signingCertificate: 'credentials id of the signing certificate (Certificate credentials, or PEM certificate + chain): certificate mode, the release is signed with it and a Sigstore bundle is stored (optional)',
        certificateIdentity: 'certificate mode: the signer identity (certificate SAN email or URI) verifySignatures requires, exactly (optional; default: the plugin configuration)',
        certificateIdentityRegexp: 'certificate mode: a regular expression the whole signer identity must match, instead of certificateIdentity (optional)',
        certificateOidcIssuer: 'certificate mode: the OIDC issuer the signing certificate must name (optional; default: the plugin configuration)',
        tagSigningKey: 'credentials id of the OpenPGP key that signs the release tag',
        tagSigningPassphrase: 'credentials id (secret text) of the passphrase of the tag signing key (default: none, or the Release Gate configuration\'s)',
        tagRemote: 'git remote the release tag is pushed to (default origin)',
        tagRemoteCredentials: 'credentials id (username/password or token) for pushing the tag to an http(s) remote (default: none; an ssh remote uses the agent\'s ssh)',
        store    : 'OCI store: directory or oci://HOST[:PORT]/NAMESPACE (default: the embedded store)',
        storeCredentials: 'credentials id (username/password) for a registry store (default: the Release Gate configuration\'s)',
        ledger   : 'git ledger: path or git URL (default: the embedded ledger)',
        libraryName: "the name this library is registered under in Jenkins (default ${LIBRARY_NAME})".toString(),
        parameters: "the team's own build parameters (a list such as [string(name: 'REGION', defaultValue: 'eu')]): declared with the golden pipeline's, since a job has one parameter list (optional)",
        report   : "report job: a map of ${REPORT_KEYS.keySet().join(', ')}; the job then writes the delivery report of the ledger for REPORT_MONTH and archives it, and builds nothing (optional)".toString(),
        manifest : "manifest mode, for a platform repository: a map of ${MANIFEST_KEYS.keySet().join(', ')}; the job then releases the set its committed file lists as one release manifest (name is the set's name) and builds nothing (optional)".toString(),
    ].asImmutable()

    final Map<String, Object> values

    GoldenConfig(Map<String, Object> given) {
        def cfg = given ?: [:]
        def unknown = (cfg.keySet() - KEYS.keySet()).sort()
        def required = cfg.report != null ? [] : cfg.manifest != null ? ['name'] : REQUIRED
        def missing = required.findAll { !cfg.containsKey(it) || cfg[it] == null || cfg[it].toString().trim().isEmpty() }
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
        if (cfg.parameters != null && !(cfg.parameters instanceof List)) {
            throw new IllegalArgumentException("goldenPipeline: parameters must be a list of build parameters, e.g. " +
                    "[string(name: 'REGION', defaultValue: 'eu')]")
        }
        if (cfg.report != null) {
            if (!(cfg.report instanceof Map)) {
                throw new IllegalArgumentException("goldenPipeline: report must be a map of ${REPORT_KEYS.keySet().join(', ')} " +
                        "(report: [:] for the defaults)")
            }
            def unknownReport = (cfg.report.keySet().collect { it.toString() } - REPORT_KEYS.keySet()).sort()
            if (unknownReport) {
                throw new IllegalArgumentException("goldenPipeline: unknown report key(s) ${unknownReport.join(', ')}.\nValid report keys:\n" +
                        REPORT_KEYS.collect { k, v -> "  ${k}: ${v}" }.join('\n'))
            }
        }
        if (cfg.manifest != null) {
            checkManifest(cfg)
        }
        if (cfg.certificateIdentity?.toString()?.trim() && cfg.certificateIdentityRegexp?.toString()?.trim()) {
            throw new IllegalArgumentException('goldenPipeline: give only one of certificateIdentity and certificateIdentityRegexp')
        }
        values = cfg.asImmutable()
    }

    /** Manifest mode's options: a map of known keys, with the required ones, and only the options that apply to a set. */
    @NonCPS
    private static void checkManifest(Map cfg) {
        def help = "Valid manifest keys:\n" + MANIFEST_KEYS.collect { k, v -> "  ${k}${MANIFEST_REQUIRED.contains(k) ? ' (required)' : ''}: ${v}" }.join('\n')
        if (!(cfg.manifest instanceof Map)) {
            throw new IllegalArgumentException("goldenPipeline: manifest must be a map of ${MANIFEST_KEYS.keySet().join(', ')}.\n${help}")
        }
        def problems = []
        def unknown = (cfg.manifest.keySet().collect { it.toString() } - MANIFEST_KEYS.keySet()).sort()
        if (unknown) {
            problems << "unknown manifest key(s) ${unknown.join(', ')}"
        }
        def missing = MANIFEST_REQUIRED.findAll { cfg.manifest[it] == null || cfg.manifest[it].toString().trim().isEmpty() }
        if (missing) {
            problems << "missing required manifest key(s) ${missing.join(', ')}"
        }
        if (cfg.manifest.repositories != null && !(cfg.manifest.repositories instanceof Map)) {
            problems << 'manifest repositories must be a map of member name -> git URL'
        }
        def notForSets = (cfg.keySet().collect { it.toString() } - MANIFEST_MODE_KEYS).sort()
        if (notForSets) {
            problems << "option(s) ${notForSets.join(', ')} do not apply in manifest mode (each member is built, proven and gated " +
                    "by its own pipeline; a set goes out inside a change window); valid with manifest: ${MANIFEST_MODE_KEYS.join(', ')}"
        }
        if (problems) {
            throw new IllegalArgumentException("goldenPipeline: ${problems.join('; ')}.\n${help}")
        }
    }

    /** Manifest mode: a platform repository's job releases the set its committed file lists. */
    @NonCPS
    boolean manifestMode() {
        values.manifest != null
    }

    /** A manifest option's value, or {@code fallback}. */
    @NonCPS
    Object manifestOption(String key, Object fallback = null) {
        def v = values.manifest?.get(key)
        v != null && v.toString().trim() ? v : fallback
    }

    /** The git URL of a member's repository, as the manifest's repositories give it, or null. */
    @NonCPS
    String repositoryOf(String member) {
        def url = values.manifest?.repositories?.get(member)
        url ? url.toString() : null
    }

    @NonCPS
    Object get(String key) {
        values[key]
    }

    @NonCPS
    boolean has(String key) {
        values[key] != null && values[key].toString().trim()
    }

    /**
     * Where the evidence goes: the store and ledger arguments every step takes (none: the embedded ones), with the
     * credentials id of a registry store.
     */
    @NonCPS
    Map<String, Object> locations() {
        given([store: 'store', storeCredentials: 'storeCredentials', ledger: 'ledger'])
    }

    /** A report job: the delivery report is written and archived, nothing is built or released. */
    @NonCPS
    boolean reportMode() {
        values.report != null
    }

    /** The report job's cron spec, or '' (not a report job, or no schedule wanted). */
    @NonCPS
    String reportSchedule() {
        if (!reportMode()) {
            return ''
        }
        values.report.containsKey('schedule') ? (values.report.schedule ?: '').toString().trim() : REPORT_SCHEDULE
    }

    /** The team's own build parameters, declared with the golden pipeline's. */
    @NonCPS
    List teamParameters() {
        values.parameters == null ? [] : new ArrayList(values.parameters)
    }

    /** The releaseGate report arguments of the report options, for {@code month} ('' for the whole ledger). */
    @NonCPS
    Map<String, Object> reportArgs(String month) {
        def report = values.report ?: [:]
        def args = [out: reportDirectory()]
        if (month) {
            args.month = month
        }
        if (report.repos != null) {
            args.repos = report.repos instanceof Collection ? report.repos.collect { it.toString() } : [report.repos.toString()]
        }
        if (report.hotfixDays != null) {
            args.hotfixDays = report.hotfixDays
        }
        args + locations()
    }

    /** Where the report job writes report.json and report.html in the workspace. */
    @NonCPS
    String reportDirectory() {
        (values.report?.out ?: 'release-gate-report').toString()
    }

    /** The name this library is registered under, to find the version Jenkins loaded. */
    @NonCPS
    String libraryName() {
        has('libraryName') ? values.libraryName.toString().trim() : LIBRARY_NAME
    }

    /** The releaseGate tag step's credentials: the tag signing key, its passphrase and the push login, as given. */
    @NonCPS
    Map<String, Object> tagCredentials() {
        given([tagSigningKey: 'signingKey', tagSigningPassphrase: 'passphraseCredentials', tagRemoteCredentials: 'gitCredentials'])
    }

    /** The options given among {@code names} (option -> step argument), under their step argument names. */
    @NonCPS
    private Map<String, Object> given(Map<String, String> names) {
        def args = [:]
        for (String option : names.keySet()) {
            if (has(option)) {
                args[names[option]] = values[option]
            }
        }
        args
    }

    /**
     * The emergency change the build parameters ask for ({@link #EMERGENCY_PARAMETERS}), or null when none is set.
     * Follow-ups are one per line. Completeness is the policy's, checked by the Release Gate steps.
     */
    @NonCPS
    static Map<String, Object> emergency(Map params) {
        def given = EMERGENCY_PARAMETERS.findAll { param, field -> params?.get(param)?.toString()?.trim() }
        if (!given) {
            return null
        }
        def record = [:]
        EMERGENCY_PARAMETERS.each { param, field ->
            def value = params?.get(param)?.toString()?.trim() ?: ''
            record[field] = field == 'followUps' ? value.readLines().collect { it.trim() }.findAll { it } : value
        }
        record
    }

    /** Whether an option's value is an explicit "not applicable" ({@code 'n/a: <rationale>'}). */
    @NonCPS
    static boolean notApplicable(Object value) {
        value instanceof String && value.toLowerCase().startsWith('n/a')
    }

    /** The arguments of the buildOnce step. */
    @NonCPS
    Map<String, Object> buildOnceArgs(String version) {
        def args = [name: values.name, version: version, artifacts: values.artifacts]
        if (has('targets')) {
            def targets = values.targets
            args.targets = (targets instanceof Collection ? targets.collect { it.toString() } : [targets.toString()]).join(',')
        }
        args + locations()
    }

    /** The credentials of the sign step: the signing key, and the signing certificate in certificate mode. */
    @NonCPS
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
    @NonCPS
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
    @NonCPS
    String commandFor(String key, String environment) {
        def map = values[key]
        map instanceof Map && map[environment] ? map[environment].toString() : null
    }
}

package io.releasegate.library

import com.lesfurets.jenkins.unit.BasePipelineTest
import io.releasegate.context.ReleaseContext
import io.releasegate.demo.SampleProject
import io.releasegate.digest.Digester
import io.releasegate.policy.CentralPolicy
import io.releasegate.record.ReleaseRecordProjection
import io.releasegate.record.ReleaseRecords
import io.releasegate.signing.OpenPgpKeys
import io.releasegate.steps.Step
import io.releasegate.steps.StepEnvironment
import io.releasegate.steps.TrustedInputs
import io.releasegate.tag.RemoteAccess
import io.releasegate.testing.TestPki
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.assertj.core.api.Assertions.assertThat
import static org.assertj.core.api.Assertions.assertThatThrownBy

/**
 * Runs vars/goldenPipeline.groovy as Jenkins would, with `sh` executing real commands in a real
 * sample project (a git repository with an origin to push the release tag to) and every plugin step
 * bound to the real core entry points (embedded OCI layout store and git ledger).
 */
class GoldenPipelineTest extends BasePipelineTest {

    static final List<String> GATE_STAGES = ['lint', 'unit-test', 'build', 'package', 'integration-test', 'sast', 'dependency-license-scan',
                                             'sbom', 'dast'].asImmutable()
    static final List<String> ALL_STAGES = (GATE_STAGES + ['publish', 'deploy-dev', 'verify-dev', 'deploy-staging', 'verify-staging',
                                                           'approve-production', 'deploy-production', 'verify-production', 'evidence']).asImmutable()
    static final String ALWAYS_OPEN = "windows:\n  timezone: UTC\n  weekly:\n    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n" +
            "      from: \"00:00\"\n      to: \"23:59:59.999999999\"\n"
    static final String MEMBERS = "approvals:\n  members:\n    maintainer:\n      people: [mia, alice]\n    domain-reviewer:\n      people: [dora]\n"
    /**
     * The gates that do not apply to the sample, as its committed policy declares them: "not applicable" is the policy's
     * at the built commit, and the pipeline's own declarations (cfg's notApplicable, dast 'n/a: ...') are accepted only
     * for these, recorded with these rationales.
     */
    static final String NOT_APPLICABLE = "gates:\n  notApplicable:\n    unit: the sample has no tests\n" +
            "    dependency: no third-party dependencies\n    dast: batch service without a network endpoint\n"
    /** The team's policy as the sample commits it. */
    static final String TEAM = MEMBERS + NOT_APPLICABLE

    /**
     * An input's abort as the real CPS runtime delivers it (pipeline-input-step's FlowInterruptedException): no message,
     * and causes that say who rejected it.
     */
    static class Interrupted extends InterruptedException {
        final List causes
        Interrupted(Object... causes) { super(null); this.causes = causes.toList() }
        List getCauses() { causes }
    }

    /** pipeline-input-step's Rejection, as far as the library reads it. */
    static class Rejected {
        final String user
        Rejected(String user) { this.user = user }
        String getShortDescription() { 'Rejected by ' + user }
    }

    /** One OpenPGP tag key for the whole class: generating RSA keys is slow, and the key is only a test fixture. */
    static String[] tagKeyPair

    Path tmp
    Path centralFile
    Path project
    Path origin
    Path state
    Path keys
    List<String> shell = []
    Map<String, String> shellEnv = [:]
    Deque<Map> answers = new ArrayDeque<>()
    String submitter
    int nodeDepth
    List<Map> written = []
    List<Map> archived = []
    List<String> unstable = []
    /** every properties() call: what the job declares (parameters, triggers) */
    List<List> declared = []
    /** the ledger refuses the run's record (a remote that rejects the push) */
    boolean recordRunFails
    /** step name -> the storeCredentials each call of it was given (a plugin-side credentials id the core never sees) */
    Map<String, List> storeCredentials = [:].withDefault { [] }
    /** the credentials ids the tag step was given */
    List<Map> tagCredentials = []

    /**
     * The arguments without the plugin-side ones (credentials ids), which the plugin resolves before calling the core.
     * Like the plugin's steps (which need a workspace: FilePath is in their required context), none runs outside a node.
     */
    Map core(String step, Map args) {
        assert nodeDepth > 0 : "${step} runs outside node { }: the plugin's steps need a workspace"
        def a = new HashMap(args)
        storeCredentials[step] << a.remove('storeCredentials')
        a
    }

    /** The credentials store: id -> the file the plugin would write on the agent. */
    Map<String, Path> credentials = [:]
    /** The plugin's global trust root for certificate mode (none unless a scenario configures one). */
    Path trustRoot

    Path credential(Object id) {
        def file = credentials[id as String]
        if (file == null) {
            throw new IllegalArgumentException("no credentials '${id}' visible to this build")
        }
        file
    }

    /** The options every scenario shares: reports for the gates that apply, n/a for those that do not. */
    Map cfg(Map more = [:]) {
        [name: 'payments', build: BUILD, artifacts: 'target/*.jar',
         notApplicable: [unit: 'the sample has no tests', dependency: 'no third-party dependencies'],
         sast: 'mkdir -p build && printf \'{"version":"2.1.0","runs":[]}\' > build/sast.sarif',
         dast: 'n/a: batch service without a network endpoint',
         signingKey: 'payments-release-key', tagSigningKey: 'payments-tag-key',
         deploy: [dev: 'echo "$RELEASE_DIGEST" > deployed-dev.txt', staging: 'echo "$RELEASE_DIGEST" > deployed-staging.txt',
                  production: 'echo "$RELEASE_DIGEST" > deployed-production.txt'],
         smoke: [staging: 'test "$(cat deployed-staging.txt)" = "$RELEASE_DIGEST"',
                 production: 'java -cp target/classes com.example.payments.Payments 100 | grep -qx true']] + more
    }

    static final String BUILD = 'mkdir -p target/classes && javac -d target/classes $(find src -name "*.java" | sort) ' +
            '&& jar --create --date=2026-11-02T09:00:00Z --file target/payments.jar -C target/classes .'

    @BeforeEach
    void setUpPipeline() {
        scriptRoots = ['target/shared-library/vars', 'target/shared-library/src'] as String[]
        scriptExtension = 'groovy'
        super.setUp()
        tmp = Files.createTempDirectory('golden-test-')
        project = SampleProject.create(tmp.resolve('payments'), Instant.parse('2026-11-02T09:00:00Z')).directory()
        // the team's policy is committed with the sources: production decisions use it as the built commit has it
        policy(TEAM)
        // the admin's central policy (the controller's configuration): a window that is always open, so that the
        // scenarios do not depend on when the tests run; a team policy may only tighten it
        centralFile = tmp.resolve('central-policy.yaml')
        central(ALWAYS_OPEN)
        origin = tmp.resolve('origin.git')
        git(tmp, 'clone', '-q', '--bare', project.toString(), origin.toString())
        git(project, 'remote', 'add', 'origin', origin.toString())
        state = tmp.resolve('state')
        helper.registerAllowedMethod('sh', [String], { String cmd ->
            shell << cmd
            def pb = new ProcessBuilder('bash', '-c', cmd).directory(project.toFile()).redirectErrorStream(true)
            pb.environment().putAll(shellEnv)
            def p = pb.start()
            def out = p.inputStream.text
            if (p.waitFor() != 0) {
                throw new RuntimeException("script returned exit code ${p.exitValue()}: ${out}")
            }
        })
        helper.registerAllowedMethod('buildOnce', [Map], { Map args ->
            Step.BUILD_ONCE.call(core('buildOnce', args), env('jenkins'), TrustedInputs.none())
        })
        // the other plugin steps, bound to the same core entry points the plugin calls; keys come from the
        // credentials store in Jenkins, here from files the test generated
        helper.registerAllowedMethod('generateSbom', [Map], { Map args ->
            Step.GENERATE_SBOM.call(core('generateSbom', args), env('jenkins'), TrustedInputs.none())
        })
        helper.registerAllowedMethod('verifySignatures', [Map], { Map args ->
            def a = core('verifySignatures', args); a.remove('signingKey')
            // certificate mode (any certificate argument): the trust root comes from the plugin's global configuration
            def trusted = TrustedInputs.none().publicKey(keys.resolve('release.pub.pem'))
            Step.VERIFY_SIGNATURES.call(a, env('jenkins'), trustRoot != null ? trusted.trustRoot(trustRoot) : trusted)
        })
        helper.registerAllowedMethod('promoteDigest', [Map], { Map args ->
            // the approver of an emergency change is who submitted the last input (the emergency one), as Jenkins records it
            def a = core('promoteDigest', args)
            Step.PROMOTE_DIGEST.call(a, env('jenkins'), TrustedInputs.none().emergencyApprover(a.emergency ? submitter : null))
        })
        helper.registerAllowedMethod('approveProduction', [Map], { Map args ->
            // the approver is who submitted the input, as Jenkins records it: never a value from the Jenkinsfile
            Step.APPROVE_PRODUCTION.call(core('approveProduction', args), env(submitter), TrustedInputs.none())
        })
        helper.registerAllowedMethod('releaseGate', [Map], { Map m ->
            assert m.keySet().every { it in ['command', 'args', 'signingKey', 'signingCertificate', 'passphraseCredentials', 'gitCredentials'] } : m.keySet()
            def a = core('releaseGate ' + m.command, m.args)
            switch (m.command) {
                case 'plan': return Step.PLAN.call(a, env('jenkins'), TrustedInputs.none())
                case 'gate': return Step.GATE.call(a, env('jenkins'), TrustedInputs.none())
                case 'sign':
                    // certificate mode when the signing certificate is given, as the plugin does
                    def trusted = TrustedInputs.none().privateKey(credential(m.signingKey)).publicKey(keys.resolve('release.pub.pem'))
                    return Step.SIGN.call(a, env('jenkins'), m.signingCertificate ? trusted.certificate(credential(m.signingCertificate)) : trusted)
                case 'provenance': return Step.PROVENANCE.call(a, env('jenkins'), TrustedInputs.none().privateKey(credential(m.signingKey)))
                case 'tag':
                    tagCredentials << m.findAll { k, v -> k != 'command' && k != 'args' }
                    return Step.TAG.call(a, env('jenkins'), TrustedInputs.none().tag(keys.resolve('tag.asc'), new char[0], RemoteAccess.fromEnvironment()))
                case 'release-record': return Step.RELEASE_RECORD.call(a, env('jenkins'), TrustedInputs.none())
                case 'library-check': return Step.LIBRARY_CHECK.call(a, env('jenkins'), TrustedInputs.none())
                case 'approval-status': return Step.APPROVAL_STATUS.call(a, env('jenkins'), TrustedInputs.none())
                case 'no-go': return Step.NO_GO.call(a, env(submitter ?: 'jenkins'), TrustedInputs.none())
                case 'verify-production': return Step.VERIFY_PRODUCTION.call(a, env('jenkins'), TrustedInputs.none())
                case 'evidence': return Step.EVIDENCE.call(a, env('jenkins'), TrustedInputs.none().privateKey(credential(m.signingKey)))
                case 'audit': return Step.AUDIT.call(a, env('jenkins'), TrustedInputs.none())
                case 'record-run':
                    if (recordRunFails) {
                        throw new IllegalStateException('ledger: push rejected by the remote')
                    }
                    return Step.RECORD_RUN.call(a, env('jenkins'), TrustedInputs.none())
                case 'report': return Step.REPORT.call(a, env('jenkins'), TrustedInputs.none())
                case 'manifest-create': return Step.MANIFEST_CREATE.call(a, env('jenkins'), TrustedInputs.none())
                case 'manifest-show': return Step.MANIFEST_SHOW.call(a, env('jenkins'), TrustedInputs.none())
                case 'manifest-test': return Step.MANIFEST_TEST.call(a, env('jenkins'), TrustedInputs.none())
                default: throw new IllegalArgumentException("unknown releaseGate command ${m.command}")
            }
        })
        helper.registerAllowedMethod('input', [Map], { Map m ->
            assert nodeDepth == 0 : 'input must not hold an executor'
            def next = answers.poll()
            if (next == null || next.abort) {
                submitter = next?.user
                if (next?.asJenkins) {
                    throw new Interrupted(new Rejected(next.user))
                }
                throw new InterruptedException('Aborted by ' + (next?.user ?: 'timeout'))
            }
            submitter = next.user
            return [role: next.role, rationale: next.rationale]
        })
        helper.registerAllowedMethod('node', [Closure], { Closure body ->
            nodeDepth++
            try { body() } finally { nodeDepth-- }
        })
        helper.registerAllowedMethod('timeout', [Map, Closure], { Map m, Closure body -> body() })
        helper.registerAllowedMethod('withEnv', [List, Closure], { List l, Closure body ->
            def saved = new HashMap(shellEnv)
            l.each { def kv = it.toString(); int i = kv.indexOf('='); shellEnv[kv.substring(0, i)] = kv.substring(i + 1) }
            try { body() } finally { shellEnv.clear(); shellEnv.putAll(saved) }
        })
        helper.registerAllowedMethod('choice', [Map], { Map m -> m })
        helper.registerAllowedMethod('text', [Map], { Map m -> m })
        helper.registerAllowedMethod('string', [Map], { Map m -> m })
        helper.registerAllowedMethod('parameters', [List], { List l -> l })
        helper.registerAllowedMethod('writeFile', [Map], { Map m ->
            def f = project.resolve(m.file.toString())
            Files.createDirectories(f.parent)
            Files.writeString(f, m.text.toString())
            written << m
        })
        helper.registerAllowedMethod('archiveArtifacts', [Map], { Map m ->
            assert nodeDepth > 0 : 'archiveArtifacts needs a workspace'
            archived << m; m
        })
        // as in Jenkins: unstable marks the build, and currentBuild.currentResult says so from then on
        helper.registerAllowedMethod('unstable', [String], { String msg -> unstable << msg; binding.getVariable('currentBuild').currentResult = 'UNSTABLE' })
        // what the git plugin's checkout returns: the commit it checked out
        helper.registerAllowedMethod('checkout', [Map], { Map m -> [GIT_COMMIT: git(project, 'rev-parse', 'HEAD')] })
        helper.registerAllowedMethod('cron', [String], { String spec -> [cron: spec] })
        helper.registerAllowedMethod('pipelineTriggers', [List], { List l -> [pipelineTriggers: l] })
        helper.registerAllowedMethod('properties', [List], { List l -> declared << l; l })
        helper.registerAllowedMethod('error', [String], { String msg -> throw new RuntimeException(msg) })
        binding.setVariable('scm', [$class: 'GitSCM'])
        binding.setVariable('currentBuild', [currentResult: 'SUCCESS', result: null])
        binding.setVariable('params', [ROLLBACK_VERSION: '', ROLLBACK_INCIDENT: '', EMERGENCY_REASON: '', EMERGENCY_SCOPE: '',
                                       EMERGENCY_ROLLBACK: '', EMERGENCY_FOLLOWUPS: ''])
        onBranch('feature/PAY-1-refunds')
        keys = Files.createDirectories(tmp.resolve('keys'))
        def pair = io.releasegate.signing.KeySigner.generatePem()
        Files.writeString(keys.resolve('release.pem'), pair[0])
        Files.writeString(keys.resolve('release.pub.pem'), pair[1])
        credentials = ['payments-release-key': keys.resolve('release.pem')]
        trustRoot = null
        synchronized (GoldenPipelineTest) {
            if (tagKeyPair == null) {
                tagKeyPair = OpenPgpKeys.generateArmored('Release CI <ci@release-gate.invalid>', new Date())
            }
        }
        Files.writeString(keys.resolve('tag.asc'), tagKeyPair[0])
        Files.writeString(keys.resolve('tag.pub.asc'), tagKeyPair[1])
    }

    @AfterEach
    void cleanUp() {
        tmp.toFile().deleteDir()
    }

    /** The team's policy, committed into the sample's last commit (before the origin is cloned). */
    void policy(String yaml) {
        Files.createDirectories(project.resolve('.release'))
        Files.writeString(project.resolve('.release/policy.yaml'), yaml)
        git(project, 'add', '.release/policy.yaml')
        git(project, 'commit', '-q', '--amend', '--no-edit')
    }

    /** The admin's central policy, pinned as it is now (the admin re-pins what they change). */
    void central(String yaml) {
        Files.writeString(centralFile, yaml)
    }

    Optional<CentralPolicy> centralPolicy() {
        Optional.of(CentralPolicy.of(centralFile, Digester.of(Files.readAllBytes(centralFile)).toString()))
    }

    /** What the plugin gives a step: this workspace and state, the actor Jenkins knows, the controller's central policy. */
    StepEnvironment env(String actor) {
        StepEnvironment.of(project, state, actor).central(centralPolicy())
    }

    void onBranch(String branch, String library = 'v1.4.0', Map more = [:]) {
        binding.setVariable('env', [BRANCH_NAME: branch, 'library.golden.version': library] + more)
    }

    Map run(Map config) {
        helper.callStack.clear()
        declared.clear()
        binding.getVariable('currentBuild').currentResult = 'SUCCESS'
        shell.clear()
        storeCredentials.clear()
        tagCredentials.clear()
        loadScript('goldenPipeline.groovy').call(config)
    }

    static String git(Path dir, String... args) {
        def cmd = ['git', '-c', 'user.name=Bob Example', '-c', 'user.email=bob@example.com', '-c', 'commit.gpgsign=false'] + args.toList()
        def p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start()
        def out = p.inputStream.text.trim()
        assert p.waitFor() == 0 : "${cmd}: ${out}"
        out
    }

    /** Groovy 2.4 has no withCloseable. */
    void withContext(Closure body) {
        def ctx = ReleaseContext.open(ReleaseContext.Options.embedded(state))
        try {
            body(ctx)
        } finally {
            ctx.close()
        }
    }

    List events(String subject) {
        def out
        withContext { ctx -> out = ctx.ledger().events(subject) }
        out
    }

    List<String> promotions(String subject) {
        events(subject).findAll { it.type() == 'promoted' }.collect { it.text('environment').get() }
    }

    def record(String version) {
        def out
        withContext { ctx ->
            def r = ReleaseRecordProjection.project('payments', version, ctx.ledger().events(), ctx.ledger().location(),
                    ctx.ledger().head()).get()
            // written and read back strictly against the release record schema
            out = new ReleaseRecords().read(new ReleaseRecords().write(r))
        }
        out
    }

    List<String> stages() {
        helper.callStack.findAll { it.methodName == 'stage' }.collect { it.args[0].toString() }
    }

    List<String> echoes() {
        helper.callStack.findAll { it.methodName == 'echo' }.collect { it.args[0].toString() }
    }

    List<Map> inputs() {
        helper.callStack.findAll { it.methodName == 'input' }.collect { it.args[0] as Map }
    }

    /** The calls made while a node {} was open, from the recorded call stack's nesting depths. */
    Set<String> callsInsideNodes() {
        def inside = [] as Set
        def open = []
        helper.callStack.each { call ->
            while (open && call.stackDepth <= open.last()) {
                open.remove(open.size() - 1)
            }
            if (open) {
                inside << call.methodName
            }
            if (call.methodName == 'node') {
                open << call.stackDepth
            }
        }
        inside
    }

    /** Runs main to production: approvals by mia and dora. */
    Map releaseMain(Map more = [:]) {
        onBranch('main')
        answers.add([user: 'mia', role: 'maintainer', rationale: 'tests and gates green'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'payments behaviour reviewed'])
        Map result = run(cfg(more))
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES)
        result
    }

    @Test
    void aFeatureBranchBuildsAPreReleaseAndStopsAfterTheGates() {
        // the unit tests write JUnit XML, found by a glob: the unit gate reads it instead of a "not applicable"
        String unitTest = 'mkdir -p target/test-classes target/surefire-reports && javac -d target/test-classes $(find src -name "*.java") ' +
                '&& test "$(java -cp target/test-classes com.example.payments.Payments 100)" = true ' +
                '&& printf \'<testsuite name="PaymentsTest" tests="1" failures="0" errors="0" skipped="0">' +
                '<testcase classname="PaymentsTest" name="authorises"/></testsuite>\' > target/surefire-reports/TEST-PaymentsTest.xml'
        Map config = [lint: 'test -f README.md', unitTest: unitTest, junit: 'target/surefire-reports/*.xml',
                      notApplicable: [dependency: 'no third-party dependencies']]
        Map result = run(cfg(config))

        assertThat(stages()).containsExactlyElementsOf(GATE_STAGES)
        assertThat(shell[0]).isEqualTo('test -f README.md')
        String head = SampleProjectHead.of(project)
        // never a release version: a pre-release naming the branch and the commit
        assertThat(result.version).isEqualTo('0.1.0-feature-pay-1-refunds.g' + head.substring(0, 8))
        assertThat(result.digest as String).matches('sha256:[0-9a-f]{64}')
        assertThat(result.outcome).isEqualTo('published')
        assertThat(result.subjects*.name).containsExactly('target/payments.jar')
        assertThat(helper.callStack.findAll { it.methodName in ['promoteDigest', 'verifySignatures', 'approveProduction', 'input'] }).isEmpty()
        assertThat(git(project, 'tag', '--list')).isEmpty()

        def events = events('payments@' + result.version)
        assertThat(events*.type()).containsExactly('built', 'sbom-generated', 'sbom-generated', 'check-recorded', 'check-recorded',
                'check-recorded', 'check-recorded', 'check-recorded', 'gate-evaluated')
        assertThat(events[0].actor()).isEqualTo('jenkins')
        assertThat(events[0].digest().get().toString()).isEqualTo(result.digest)
        assertThat(events.last().text('result').get()).isEqualTo('pass')
        def unit = events.find { it.type() == 'check-recorded' && it.text('name').get() == 'unit' }
        assertThat(unit.text('result').get()).isEqualTo('pass')
        assertThat(unit.payload().has('rationale')).isFalse()
        withContext { ctx ->
            assertThat(ctx.store().fetchManifest('payments', result.version).get().digest().toString()).isEqualTo(result.digest)
        }
        assertThat(record(result.version).source().commit().get()).isEqualTo(head)

        // running the same pipeline again on the same commit is a no-op: same digest, no new build
        Map again = run(cfg(config))
        assertThat(again.digest).isEqualTo(result.digest)
        assertThat(again.outcome).isEqualTo('unchanged')
        // a configuration that declares not applicable a gate with a recorded result is refused: 'not applicable'
        // is fixed by the configuration at the built commit, and does not discard the unit tests' result
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('gates.not-applicable-fixed').hasMessageContaining('gate unit')
    }

    @Test
    void aGateDeclaredNotApplicableOnlyInTheJenkinsfileIsRefusedAndTheCommittedRationaleIsRecorded() {
        // the Jenkinsfile's configuration cannot declare a gate not applicable that the committed policy does not
        assertThatThrownBy { run(cfg(notApplicable: [unit: 'the sample has no tests', sast: 'no code of ours'])) }
                .hasMessageContaining('gates.not-applicable-unconfigured').hasMessageContaining('gate sast')
                .hasMessageContaining('.release/policy.yaml')
        assertThat(helper.callStack.findAll { it.methodName == 'promoteDigest' }).isEmpty()
        def recorded = []
        withContext { ctx -> recorded = ctx.ledger().events()*.type() }
        assertThat(recorded).contains('built').doesNotContain('check-recorded', 'gate-evaluated')

        // the declarations it shares with the committed policy are redundant: the committed rationale is recorded
        Map result = run(cfg(notApplicable: [unit: 'whatever the Jenkinsfile says', dependency: 'no third-party dependencies']))
        def checks = events('payments@' + result.version).findAll { it.type() == 'check-recorded' && it.text('result').get() == 'not-applicable' }
        assertThat(checks.collectEntries { [(it.text('name').get()): it.text('rationale').get()] }).isEqualTo([
                unit: 'the sample has no tests', dependency: 'no third-party dependencies', dast: 'batch service without a network endpoint'])
    }

    @Test
    void aChangeRequestStopsAfterTheGates() {
        onBranch('PR-12', 'v1.4.0', [CHANGE_ID: '12'])
        Map result = run(cfg())
        assertThat(stages()).containsExactlyElementsOf(GATE_STAGES)
        assertThat(result.version as String).startsWith('0.1.0-pr-12.g')
        assertThat(promotions('payments@' + result.version)).isEmpty()

        // the mavenRepo option reaches generateSbom: a repository that is not there fails the sbom stage, clearly
        assertThatThrownBy { run(cfg(mavenRepo: 'no-such-maven-repository')) }
                .hasMessageContaining('no-such-maven-repository').hasMessageContaining('not a directory')
        assertThat(stages().last()).isEqualTo('sbom')
        assertThat(helper.callStack.findAll { it.methodName == 'generateSbom' }.last().args[0].mavenRepo).isEqualTo('no-such-maven-repository')
    }

    @Test
    void mainGoesToProductionWithTwoValidApprovalsWhileRefusedOnesAreReportedAndNotCounted() {
        onBranch('main', 'v1.4.0', [BUILD_URL: 'https://ci.example.invalid/job/payments/job/main/7/'])
        answers.add([user: 'alice', role: 'maintainer', rationale: 'my own change, fine'])       // an author
        answers.add([user: 'mia', role: 'domain-reviewer', rationale: 'looks fine'])             // not her role
        answers.add([user: 'mia', role: 'maintainer', rationale: 'tests and gates green'])
        answers.add([user: 'mia', role: 'maintainer', rationale: 'approving again'])             // twice
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'payments behaviour reviewed'])
        Map result = run(cfg())

        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES)
        assertThat(result.version).isEqualTo('0.1.0')   // feat + fix, no tag yet: from the Conventional Commits
        def asked = inputs()
        assertThat(asked).hasSize(5)
        assertThat(asked[0].submitter).isEqualTo('domain-reviewer,maintainer')
        assertThat(asked[0].message as String).contains('payments 0.1.0', result.digest as String, 'gates: pass',
                'https://ci.example.invalid/job/payments/job/main/7/artifact/release-gate/release-record.json')
        assertThat(asked[0].parameters*.name).containsExactly('role', 'rationale')
        def refused = echoes().findAll { it.contains('refused and not counted') }
        assertThat(refused).hasSize(3)
        assertThat(refused[0]).contains('approval.author')
        assertThat(refused[1]).contains('approval.not-in-role')
        assertThat(refused[2]).contains('approval.duplicate')

        def events = events('payments@0.1.0')
        assertThat(events*.type()).containsExactly('built', 'sbom-generated', 'sbom-generated', 'check-recorded', 'check-recorded', 'check-recorded',
                'check-recorded', 'check-recorded', 'gate-evaluated', 'signed', 'provenance-generated', 'tagged', 'promoted',
                'signature-verified', 'attestation-verified', 'promoted', 'approved', 'approved', 'decision',
                'signature-verified', 'attestation-verified', 'promoted', 'production-verified')
        assertThat(events.find { it.type() == 'decision' }.text('decision').get()).isEqualTo('go')
        assertThat(events.findAll { it.type() == 'approved' }*.actor()).containsExactly('mia', 'dora')
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging', 'production')
        assertThat(events.find { it.type() == 'production-verified' }.text('result').get()).isEqualTo('pass')
        // the library recorded its own name and version in the provenance
        def provenance = events.find { it.type() == 'provenance-generated' }
        assertThat(provenance.text('libraryName').get()).isEqualTo('golden')
        assertThat(provenance.text('libraryVersion').get()).isEqualTo('v1.4.0')

        // every environment got the very digest that was built
        ['dev', 'staging', 'production'].each {
            assertThat(Files.readString(project.resolve("deployed-${it}.txt")).trim()).isEqualTo(result.digest)
        }
        withContext { ctx ->
            assertThat(ctx.store().fetchManifest('payments/production', '0.1.0').get().digest().toString()).isEqualTo(result.digest)
        }
        // the pipeline created the signed annotated tag on the built commit and pushed it
        String head = SampleProjectHead.of(project)
        assertThat(git(origin, 'rev-parse', 'v0.1.0^{commit}')).isEqualTo(head)
        String tag = git(origin, 'cat-file', '-p', 'v0.1.0')
        assertThat(tag).contains('object ' + head, 'type commit', 'artifact: payments:0.1.0 ' + result.digest, '-----BEGIN PGP SIGNATURE-----')

        def rec = record('0.1.0')
        assertThat(rec.approvals()).hasSize(2)
        assertThat(rec.promotions()*.environment()).containsExactly('dev', 'staging', 'production')
        assertThat(rec.source().tag().get().name()).isEqualTo('v0.1.0')
        // the archived release record is the ledger's
        assertThat(written*.file).containsExactly('release-gate/release-record.json')
        assertThat(new ReleaseRecords().read(Files.readString(project.resolve('release-gate/release-record.json'))).version()).isEqualTo('0.1.0')
        // after production: the evidence bundle, signed with the release key, archived; the audit found nothing
        assertThat(archived*.artifacts).containsExactly('release-gate/release-record.json', 'evidence/payments-0.1.0.evidence.tar')
        def verified = io.releasegate.evidence.EvidenceVerify.verify(Files.readAllBytes(project.resolve('evidence/payments-0.1.0.evidence.tar')),
                io.releasegate.signing.KeySigner.publicKey(keys.resolve('release.pub.pem')))
        assertThat(verified.index().path('missing').size()).isZero()
        assertThat(echoes().find { it.startsWith('audit: ') }).contains('payments@0.1.0', 'still verifies against the store',
                'no approver is an author')
        assertThat(unstable).isEmpty()
    }

    @Test
    void aReleaseMissingADeclaredTargetStopsBeforeProduction() {
        onBranch('main')
        answers.add([user: 'mia', role: 'maintainer', rationale: 'tests and gates green'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'payments behaviour reviewed'])
        assertThatThrownBy { run(cfg(targets: ['target/*.jar', 'target/payments-arm64.jar'])) }
                .hasMessageContaining('promote.targets.missing').hasMessageContaining('target/payments-arm64.jar')
        assertThat(events('payments@0.1.0').find { it.type() == 'built' }.payload().path('expectedTargets')*.asText())
                .containsExactly('target/*.jar', 'target/payments-arm64.jar')
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging')
        assertThat(Files.exists(project.resolve('deployed-production.txt'))).isFalse()
    }

    @Test
    void anAbortAtTheInputRecordsANoGoAndNothingReachesProduction() {
        onBranch('main')
        answers.add([user: 'mia', abort: true])
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('Aborted by mia')
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES.subList(0, ALL_STAGES.indexOf('approve-production') + 1))
        def events = events('payments@0.1.0')
        def decision = events.find { it.type() == 'decision' }
        assertThat(decision.text('decision').get()).isEqualTo('no-go')
        assertThat(decision.actor()).isEqualTo('mia')
        assertThat(decision.text('reason').get()).contains('aborted')
        assertThat(events*.type()).doesNotContain('approved')
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging')
        assertThat(record('0.1.0').promotions()*.environment()).containsExactly('dev', 'staging')
    }

    @Test
    void anAbortDeliveredAsJenkinsDoesRecordsWhoRejectedItInTheNoGo() {
        // found in a real controller: the exception has no message, so the no-go said only its class name
        onBranch('main')
        answers.add([user: 'mia', abort: true, asJenkins: true])
        assertThatThrownBy { run(cfg()) }.isInstanceOf(Interrupted)
        def decision = events('payments@0.1.0').find { it.type() == 'decision' }
        assertThat(decision.text('decision').get()).isEqualTo('no-go')
        assertThat(decision.text('reason').get()).isEqualTo('approval aborted: Rejected by mia')
    }

    @Test
    void theApprovalInputNeverRunsInsideANode() {
        onBranch('main')
        answers.add([user: 'mia', role: 'maintainer', rationale: 'ok'])
        answers.add([user: 'dora', abort: true])
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('Aborted by dora')
        def inside = callsInsideNodes()
        // the nesting check sees the steps that do run on an agent, the approval step included (it reads the policy
        // and the ledger there, once an answer is in) ...
        assertThat(inside).contains('sh', 'buildOnce', 'stage', 'promoteDigest', 'verifySignatures', 'approveProduction', 'releaseGate')
        // ... and no input was ever among them: no executor is held while people decide
        assertThat(inside).doesNotContain('input', 'timeout')
        // (and every Release Gate step runs inside a node, as the plugin's steps need a workspace: see core())
        assertThat(inputs()).hasSize(2)
        def timeoutCall = helper.callStack.find { it.methodName == 'timeout' }
        assertThat(timeoutCall.args[0]).isEqualTo([time: 72, unit: 'HOURS'])
        assertThat(events('payments@0.1.0').findAll { it.type() == 'approved' }*.actor()).containsExactly('mia')
    }

    @Test
    void aLibraryLoadedFromABranchIsRefusedProductionUnlessThePolicyAllowsIt() {
        onBranch('main', 'main')
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('promote.library-unpinned')
                .hasMessageContaining('production needs a pinned library')
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES.subList(0, ALL_STAGES.indexOf('verify-staging') + 1))
        assertThat(inputs()).isEmpty()
        def built = events('payments@0.1.0')[0]
        assertThat(events('payments@0.1.0').find { it.type() == 'provenance-generated' }.text('libraryVersion').get()).isEqualTo('main')

        // the core refuses production too, even with the approvals gathered outside the pipeline
        Step.APPROVE_PRODUCTION.call([name: 'payments', version: '0.1.0', digest: built.digest().get().toString(), role: 'maintainer',
                                      rationale: 'ok'], env('mia'), TrustedInputs.none())
        Step.APPROVE_PRODUCTION.call([name: 'payments', version: '0.1.0', digest: built.digest().get().toString(), role: 'domain-reviewer',
                                      rationale: 'ok'], env('dora'), TrustedInputs.none())
        assertThatThrownBy {
            Step.PROMOTE_DIGEST.call([name: 'payments', version: '0.1.0', digest: built.digest().get().toString(), to: 'production'],
                    env('jenkins'), TrustedInputs.none())
        }.hasMessageContaining('promote.library-unpinned')
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging')

        // a team policy cannot allow a moving library ref (it would loosen the library's policy) ...
        Files.writeString(project.resolve('.release/policy.yaml'), TEAM + "library:\n  allowUnpinned: true\n")
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('policy.loosened').hasMessageContaining('library.allowUnpinned')
        Files.writeString(project.resolve('.release/policy.yaml'), TEAM)
        // ... the admin's central policy can, and lets the same release through (the approvals are already recorded)
        central(ALWAYS_OPEN + "library:\n  allowUnpinned: true\n")
        run(cfg())
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES)
        assertThat(inputs()).isEmpty()
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging', 'production')
    }

    @Test
    void aSastFindingBlocksBeforePublishThenPassesWithAValidException() {
        onBranch('main')
        String finding = 'mkdir -p build && printf \'{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"s"}},"results":[' +
                '{"ruleId":"java/sql-injection","level":"error","message":{"text":"sql"}}]}]}\' > build/sast.sarif'
        assertThatThrownBy { run(cfg(sast: finding)) }.hasMessageContaining('gates.failed')
        assertThat(stages()).containsExactlyElementsOf(GATE_STAGES)
        assertThat(events('payments@0.1.0').findAll { it.type() == 'gate-evaluated' }.collect { it.text('result').get() }).containsExactly('fail')
        assertThat(events('payments@0.1.0')*.type()).doesNotContain('signed', 'tagged', 'promoted')
        assertThat(git(project, 'tag', '--list')).isEmpty()

        Files.createDirectories(project.resolve('.release/exceptions'))
        Files.writeString(project.resolve('.release/exceptions/EXC-1.yaml'), """id: EXC-1
owner: team-payments
author: alice
type: temporary
policyRef: SEC-7.2
scope:
  findings: [java/sql-injection]
risk: low, parameterised upstream
compensatingControls: [WAF rule 912]
approvers: [bob]
expires: 2099-12-31
reviewDate: 2099-06-30
rollback: revert the query builder
evidence: [SEC-88]
""")
        answers.add([user: 'mia', role: 'maintainer', rationale: 'ok'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'ok'])
        Map result = run(cfg(sast: finding))
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES)
        assertThat(result.outcome).isEqualTo('unchanged')   // the same build, now waived: nothing rebuilt
        assertThat(events('payments@0.1.0').findAll { it.type() == 'gate-evaluated' }.collect { it.text('result').get() })
                .containsExactly('fail', 'pass')
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging', 'production')
    }

    @Test
    void aHotfixBranchFromTheProductionTagReleasesPatchPlusOne() {
        Map first = releaseMain()
        git(project, 'switch', '-q', '-c', 'hotfix/0.1.1-PAY-7', 'v0.1.0')
        Files.writeString(project.resolve('src/main/java/com/example/payments/Limits.java'),
                'package com.example.payments; final class Limits { static final long MAX_CENTS = 1_000_000; }\n')
        git(project, 'add', '-A', 'src')
        git(project, 'commit', '-q', '-m', 'fix(limits): cap a single payment\n\nRefs: PAY-7')
        String hotfixHead = SampleProjectHead.of(project)

        onBranch('hotfix/0.1.1-PAY-7')
        answers.add([user: 'mia', role: 'maintainer', rationale: 'incident fix reviewed'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'limit agreed with the business'])
        Map hotfix = run(cfg())
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES)
        assertThat(hotfix.version).isEqualTo('0.1.1')
        assertThat(hotfix.digest).isNotEqualTo(first.digest)
        assertThat(git(origin, 'rev-parse', 'v0.1.1^{commit}')).isEqualTo(hotfixHead)
        assertThat(events('payments@0.1.1').find { it.type() == 'built' }.text('commit').get()).isEqualTo(hotfixHead)
        assertThat(promotions('payments@0.1.1')).containsExactly('dev', 'staging', 'production')
        assertThat(Files.readString(project.resolve('deployed-production.txt')).trim()).isEqualTo(hotfix.digest)

        // a hotfix branch that names another version is refused before anything runs
        git(project, 'switch', '-q', '-c', 'hotfix/0.1.3-PAY-8', 'v0.1.0')
        onBranch('hotfix/0.1.3-PAY-8')
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('version.hotfix-patch')
        assertThat(stages()).isEmpty()
        assertThat(shell).isEmpty()
    }

    @Test
    void aRollbackPromotesTheKnownGoodDigestAgainWithoutRebuilding() {
        Map first = releaseMain()
        Files.writeString(project.resolve('src/main/java/com/example/payments/Refunds.java'),
                'package com.example.payments; final class Refunds { }\n')
        git(project, 'add', '-A', 'src')
        git(project, 'commit', '-q', '-m', 'feat(refunds): refund card payments\n\nRefs: PAY-130')
        Map second = releaseMain()
        assertThat(second.version).isEqualTo('0.2.0')
        assertThat(Files.readString(project.resolve('deployed-production.txt')).trim()).isEqualTo(second.digest)

        // someone with write access to the ledger adds an approval of 0.1.0 by its author: the rollback's audit finds it
        withContext { ctx ->
            ctx.ledger().append(io.releasegate.ledger.Event.draft('approved', 'payments@0.1.0',
                    Optional.of(io.releasegate.digest.Digest.parse(first.digest as String)), 'alice', java.time.Instant.now(),
                    io.releasegate.json.Json.object().put('role', 'maintainer').put('environment', 'production')
                            .put('rationale', 'my own change, fine')))
        }
        binding.setVariable('params', [ROLLBACK_VERSION: '0.1.0', ROLLBACK_INCIDENT: 'INC-42'])
        Map rolledBack = run(cfg())
        assertThat(stages()).containsExactly('rollback-production', 'verify-production', 'evidence')
        assertThat(unstable).hasSize(1)
        assertThat(unstable[0]).contains('audit: 1 finding(s) about payments@0.1.0', 'audit.approval-by-author',
                'alice approved ' + first.digest)
        assertThat(archived*.artifacts).contains('evidence/payments-0.1.0.evidence.tar')
        assertThat(helper.callStack.findAll { it.methodName in ['buildOnce', 'input', 'approveProduction'] }).isEmpty()
        assertThat(shell.findAll { it == BUILD }).isEmpty()
        assertThat(rolledBack.digest).isEqualTo(first.digest)
        assertThat(Files.readString(project.resolve('deployed-production.txt')).trim()).isEqualTo(first.digest)
        def last = events('payments@0.1.0').findAll { it.type() == 'promoted' }.last()
        assertThat(last.text('environment').get()).isEqualTo('production')
        assertThat(last.payload().path('rollback').asBoolean()).isTrue()
        assertThat(last.text('incident').get()).isEqualTo('INC-42')
        assertThat(last.digest().get().toString()).isEqualTo(first.digest)
        assertThat(events('payments@0.1.0').last().type()).isEqualTo('production-verified')
        // the rollback run is recorded too: unstable, for the audit's finding
        assertThat(runs()*.result).containsExactly('SUCCESS', 'SUCCESS', 'UNSTABLE')
        assertThat(runs().last().stages.keySet()).containsExactly('rollback-production', 'verify-production', 'evidence')

        // a rollback names its incident
        binding.setVariable('params', [ROLLBACK_VERSION: '0.1.0', ROLLBACK_INCIDENT: ''])
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('ROLLBACK_INCIDENT is required')
        assertThat(runs().last()).containsEntry('result', 'FAILURE').containsEntry('branch', 'main')
    }

    @Test
    void outsideTheChangeWindowProductionIsRefusedThenAllowedInsideIt() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC)
        central(ALWAYS_OPEN + "  blackouts: [${today.minusDays(1)}, ${today}, ${today.plusDays(1)}]\n")
        onBranch('main')
        answers.add([user: 'mia', role: 'maintainer', rationale: 'ok'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'ok'])
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('window.blackout')
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES.subList(0, ALL_STAGES.indexOf('deploy-production') + 1))
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging')
        assertThat(project.resolve('deployed-production.txt')).doesNotExist()

        // the admin lifts the blackout: the same release, its approvals already recorded, goes to production without asking again
        central(ALWAYS_OPEN)
        Map result = run(cfg())
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES)
        assertThat(inputs()).isEmpty()
        assertThat(echoes().find { it.contains('v0.1.0 is tagged at this commit') }).isNotNull()
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging', 'production')
        assertThat(Files.readString(project.resolve('deployed-production.txt')).trim()).isEqualTo(result.digest)
        assertThat(events('payments@0.1.0').findAll { it.type() == 'tagged' }).hasSize(1)
    }

    @Test
    void aTamperedProvenanceAttestationIsRefusedAtStaging() {
        onBranch('main')
        // "deploying" to dev alters the stored attestation (the DSSE envelope blob) behind the pipeline's back
        String tamper = "f=\$(grep -rl payloadType '${state.resolve('store')}/blobs') && test -n \"\$f\" && " +
                "chmod u+w \$f && printf ' ' >> \$f"
        // the envelope's bytes no longer hash to the digest the ledger records: refused naming the file
        assertThatThrownBy { run(cfg(deploy: [dev: tamper])) }.hasMessageContaining('refused by rule store.digest-mismatch: ' +
                state.resolve('store/blobs/sha256'))
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES.subList(0, ALL_STAGES.indexOf('deploy-staging') + 1))
        def events = events('payments@0.1.0')
        assertThat(events*.type()).contains('signature-verified', 'attestation-failed')
        assertThat(events.find { it.type() == 'attestation-failed' }.text('reason').get()).startsWith('store.digest-mismatch: ')
        assertThat(promotions('payments@0.1.0')).containsExactly('dev')
        assertThat(inputs()).isEmpty()
    }

    @Test
    void certificateModeRefusesAnotherIdentityAtStagingThenReleasesToProduction() {
        // the CI job's signing certificate from a test CA; the plugin's trust root is that CA (trusted_root.json)
        String ci = 'https://ci.example.invalid/job/payments/job/main'
        TestPki pki = TestPki.create(Instant.now())
        def leaf = pki.leaf(keys, 'ci', ci, Instant.now())
        Path chain = keys.resolve('ci-chain.crt')
        Files.writeString(chain, Files.readString(leaf.cert()) + TestPki.pem('CERTIFICATE', pki.intermediate().encoded))
        credentials['payments-ci-key'] = leaf.key()
        credentials['payments-ci-certificate'] = chain
        trustRoot = pki.trustedRoot(tmp.resolve('trusted_root.json'), Optional.empty())
        Map signing = [signingKey: 'payments-ci-key', signingCertificate: 'payments-ci-certificate', certificateOidcIssuer: TestPki.ISSUER]

        // the release expects another job's identity: refused at deploy-staging, before the promotion
        onBranch('main')
        assertThatThrownBy { run(cfg(signing + [certificateIdentity: 'https://ci.example.invalid/job/billing/job/main'])) }
                .hasMessageContaining('refused by rule certificate.identity').hasMessageContaining(ci)
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES.subList(0, ALL_STAGES.indexOf('deploy-staging') + 1))
        assertThat(promotions('payments@0.1.0')).containsExactly('dev')
        def failed = events('payments@0.1.0').find { it.type() == 'signature-failed' }
        assertThat(failed.text('reason').get()).startsWith('certificate.identity')
        assertThat(inputs()).isEmpty()

        // with the right identity constraint the same release goes to production, verified at staging and production
        Map result = releaseMain(signing + [certificateIdentityRegexp: 'https://ci\\.example\\.invalid/job/payments/.*'])
        assertThat(result.version).isEqualTo('0.1.0')
        def events = events('payments@0.1.0')
        def signed = events.findAll { it.type() == 'signed' }
        assertThat(signed).isNotEmpty()
        assertThat(signed*.text('identity')*.get()).containsOnly(ci)
        signed.each { assertThat(it.text('reference').get()).startsWith('payments@sha256:') }
        def verified = events.findAll { it.type() == 'signature-verified' }
        assertThat(verified).hasSize(2)
        assertThat(verified*.text('identity')*.get()).containsOnly(ci)
        assertThat(verified*.text('issuer')*.get()).containsOnly(TestPki.ISSUER)
        assertThat(events.findAll { it.type() == 'attestation-verified' }).hasSize(2)
        assertThat(promotions('payments@0.1.0')).endsWith('staging', 'production')
        assertThat(Files.readString(project.resolve('deployed-production.txt')).trim()).isEqualTo(result.digest)

        // certificate options are checked before any stage
        assertThatThrownBy { run(cfg(certificateIdentity: ci, certificateIdentityRegexp: '.*')) }
                .hasMessageContaining('only one of certificateIdentity and certificateIdentityRegexp')
    }

    @Test
    void unknownOrMissingKeysFailAtOnceListingTheValidKeys() {
        assertThatThrownBy { run(name: 'payments', version: '1.0.0', build: BUILD, artifacts: 'target/*.jar', deplyo: 'x') }
                .hasMessageContaining('unknown key(s) deplyo')
                .hasMessageContaining('Valid keys:')
                .hasMessageContaining('artifacts (required)')
                .hasMessageContaining('tagSigningKey')
        assertThatThrownBy { run(name: 'payments', version: '1.0.0') }
                .hasMessageContaining('missing required key(s) build, artifacts')
        assertThatThrownBy { run(cfg(deploy: [prod: './deploy.sh'])) }
                .hasMessageContaining('unknown environment(s) prod in deploy; valid: dev, staging, production')
        assertThat(shell).isEmpty()
        assertThat(stages()).isEmpty()
        assertThat(helper.callStack.findAll { it.methodName == 'node' }).isEmpty()
    }

    @Test
    void aFailingBuildCommandPublishesNothingAndRecordsOnlyTheFailedRun() {
        assertThatThrownBy { run(cfg(build: 'exit 3')) }
                .hasMessageContaining('exit code 3')
        assertThat(helper.callStack.findAll { it.methodName == 'buildOnce' }).isEmpty()
        withContext { ctx ->
            assertThat(ctx.ledger().events()*.type()).containsExactly('pipeline-finished')
            assertThat(ctx.store().tags('payments')).isEmpty()
        }
    }

    /** The pipeline-finished events of payments, as plain values: branch, result, durationMs, stages, commit, run. */
    List<Map> runs() {
        events('pipeline:payments').collect { e ->
            assert e.type() == 'pipeline-finished'
            def p = e.payload()
            [branch: p.path('branch').asText(), result: p.path('result').asText(), durationMs: p.path('durationMs').asLong(),
             stages: p.path('stages').fields().collectEntries { [(it.key): it.value.asLong()] },
             commit: p.path('commit').asText(null), run: p.path('run').asText(null), actor: e.actor()]
        }
    }

    @Test
    void everyRunRecordsItsOutcomeAtItsEndAndAFailingRunStillFailsWithItsOwnError() {
        onBranch('feature/PAY-1-refunds', 'v1.4.0', [BUILD_URL: 'https://ci.example.internal/job/payments/job/feature/7/'])
        Map result = run(cfg())
        String head = SampleProjectHead.of(project)
        assertThat(runs()).hasSize(1)
        Map ok = runs()[0]
        assertThat(ok).containsEntry('branch', 'feature/PAY-1-refunds').containsEntry('result', 'SUCCESS')
                .containsEntry('commit', head).containsEntry('run', 'https://ci.example.internal/job/payments/job/feature/7/')
                .containsEntry('actor', 'jenkins')
        // every stage the run went through, timed by the library; the run lasted at least as long as its stages
        assertThat(ok.stages.keySet()).containsExactlyElementsOf(GATE_STAGES)
        assertThat(ok.durationMs).isGreaterThanOrEqualTo(ok.stages.values().sum() as long)
        // recorded on an agent, after the last stage, with the release's ledger; the run's result is unchanged
        def calls = helper.callStack.findAll { it.methodName == 'releaseGate' }*.args*.getAt(0)*.command
        assertThat(calls.last()).isEqualTo('record-run')
        assertThat(calls.count { it == 'record-run' }).isEqualTo(1)
        assertThat(echoes().last()).startsWith('record-run: payments SUCCESS on feature/PAY-1-refunds after ')
        assertThat(result.outcome).isEqualTo('published')
        assertThat(unstable).isEmpty()

        // a failing build command: the run fails with the command's own error, and its failure is recorded
        onBranch('main', 'v1.4.0', [BUILD_URL: 'https://ci.example.internal/job/payments/job/main/8/'])
        assertThatThrownBy { run(cfg(build: 'echo compile error >&2; exit 3')) }.isInstanceOf(RuntimeException)
                .hasMessageContaining('script returned exit code 3').hasMessageContaining('compile error')
        assertThat(runs()).hasSize(2)
        Map failed = runs()[1]
        assertThat(failed).containsEntry('branch', 'main').containsEntry('result', 'FAILURE').containsEntry('commit', head)
                .containsEntry('run', 'https://ci.example.internal/job/payments/job/main/8/')
        assertThat(failed.stages.keySet()).containsExactly('lint', 'unit-test', 'build')
        assertThat(helper.callStack.findAll { it.methodName == 'buildOnce' }).isEmpty()
    }

    @Test
    void aRecordThatCannotBeMadeMarksTheRunUnstableAndNeverHidesTheRunsOwnError() {
        recordRunFails = true
        Map result = run(cfg())
        assertThat(result.outcome).isEqualTo('published')
        assertThat(unstable).containsExactly('record-run: the outcome of this run was not recorded in the ledger: ' +
                'ledger: push rejected by the remote')
        assertThat(echoes()).contains('record-run: the outcome of this run (SUCCESS) was not recorded: ledger: push rejected by the remote')
        assertThat(binding.getVariable('currentBuild').currentResult).isEqualTo('UNSTABLE')

        // the run's own failure is what the build fails with, not the failed record
        unstable.clear()
        assertThatThrownBy { run(cfg(build: 'exit 4')) }.hasMessageContaining('script returned exit code 4')
                .hasMessageNotContaining('push rejected')
        assertThat(unstable).hasSize(1)
        assertThat(echoes().last()).contains('(FAILURE) was not recorded')
        assertThat(runs()).isEmpty()
    }

    @Test
    void theReportJobWritesAndArchivesTheDeliveryReportOfTheEarlierRunsAndBuildsNothing() {
        Map released = releaseMain()
        assertThat(runs()*.result).containsExactly('SUCCESS')
        String month = java.time.YearMonth.now(ZoneOffset.UTC).toString()
        int eventsBefore = 0
        withContext { ctx -> eventsBefore = ctx.ledger().events().size() }

        binding.setVariable('params', [REPORT_MONTH: month])
        archived.clear()
        Map report = run([report: [repos: ['.'], out: 'delivery']])

        assertThat(stages()).containsExactly('delivery-report')
        // nothing is built, released or recorded: the report only reads the ledger
        assertThat(shell).isEmpty()
        assertThat(helper.callStack.findAll { it.methodName in ['buildOnce', 'generateSbom', 'promoteDigest', 'verifySignatures',
                                                                'approveProduction', 'input'] }).isEmpty()
        assertThat(helper.callStack.findAll { it.methodName == 'releaseGate' }*.args*.getAt(0)*.command).containsExactly('report')
        withContext { ctx -> assertThat(ctx.ledger().events()).hasSize(eventsBefore) }
        // both files written and archived
        assertThat(archived*.artifacts).containsExactly('delivery/report.json,delivery/report.html')
        def json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(project.resolve('delivery/report.json').toFile())
        assertThat(Files.readString(project.resolve('delivery/report.html'))).contains('<html')
        assertThat(json.at('/period/from').asText()).isEqualTo(month)
        assertThat(json.at('/period/to').asText()).isEqualTo(month)
        assertThat(json.at('/overall/deploymentFrequency/deployments').asInt()).isEqualTo(1)
        assertThat(json.at('/overall/ci/main/runs').asInt()).isEqualTo(1)
        assertThat(json.at('/overall/ci/main/passed').asInt()).isEqualTo(1)
        assertThat(report.deployments).isEqualTo(1)
        assertThat(report.services).isEqualTo(1)
        assertThat(echoes().last()).startsWith("delivery report ${month} to ${month}: 1 production deployment(s) of 1 service(s)")
                .contains('CI pass rate on main 1.0').endsWith('archived delivery/report.json and delivery/report.html')
        assertThat(released.digest as String).matches('sha256:[0-9a-f]{64}')
        // the job is scheduled and takes REPORT_MONTH, declared in one properties call; no rollback or emergency parameters
        assertThat(declared).hasSize(1)
        assertThat(declared[0][0]*.name).containsExactly('REPORT_MONTH')
        assertThat(declared[0][1]).isEqualTo([pipelineTriggers: [[cron: 'H 6 1 * *']]])

        // no month: the previous whole month, in which nothing happened
        binding.setVariable('params', [REPORT_MONTH: ''])
        Map previous = run([report: [schedule: 'H 2 * * 1']])
        String last = java.time.YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString()
        assertThat(previous.from).isEqualTo(last)
        assertThat(previous.to).isEqualTo(last)
        assertThat(previous.deployments).isEqualTo(0)
        assertThat(archived*.artifacts.last()).isEqualTo('release-gate-report/report.json,release-gate-report/report.html')
        assertThat(Files.exists(project.resolve('release-gate-report/report.json'))).isTrue()
        assertThat(declared[0][1]).isEqualTo([pipelineTriggers: [[cron: 'H 2 * * 1']]])

        // all: the whole ledger
        binding.setVariable('params', [REPORT_MONTH: 'all'])
        Map all = run([report: [schedule: '']])
        assertThat(all.deployments).isEqualTo(1)
        assertThat(declared[0]).hasSize(1)   // no schedule: no trigger
    }

    @Test
    void aMalformedReportMonthFailsClearlyBeforeAnythingRuns() {
        ['2026-13', '2026-1', 'November', '2026-11-01'].each { bad ->
            binding.setVariable('params', [REPORT_MONTH: bad])
            archived.clear()
            assertThatThrownBy { run([report: [:]]) }
                    .hasMessageContaining("REPORT_MONTH must be a month YYYY-MM (e.g. 2026-11), 'all' for the whole ledger, or " +
                            "empty for the previous month; not '${bad}'")
            assertThat(helper.callStack.findAll { it.methodName in ['node', 'stage', 'releaseGate', 'checkout'] }).as(bad).isEmpty()
            assertThat(archived).isEmpty()
        }
        withContext { ctx -> assertThat(ctx.ledger().events()).isEmpty() }
        // the report options are checked like the others
        assertThatThrownBy { run([report: 'monthly']) }.hasMessageContaining('report must be a map of schedule, repos, out, hotfixDays')
        assertThatThrownBy { run([report: [month: '2026-11']]) }.hasMessageContaining('unknown report key(s) month')
    }

    @Test
    void theTeamsOwnParametersAreDeclaredWithTheGoldenPipelinesInOneCall() {
        run(cfg(parameters: [[name: 'REGION', defaultValue: 'eu']]))
        assertThat(declared).hasSize(1)
        assertThat(declared[0]).hasSize(1)
        assertThat(declared[0][0]*.name).containsExactly('REGION', 'ROLLBACK_VERSION', 'ROLLBACK_INCIDENT', 'EMERGENCY_REASON',
                'EMERGENCY_SCOPE', 'EMERGENCY_ROLLBACK', 'EMERGENCY_FOLLOWUPS')
        assertThatThrownBy { run(cfg(parameters: 'REGION')) }.hasMessageContaining('parameters must be a list of build parameters')
    }

    @Test
    void aRefusedBuildOnceFailsThePackageStage() {
        run(cfg(version: '1.0.0'))
        Files.writeString(project.resolve('src/main/java/com/example/payments/Extra.java'),
                'package com.example.payments; class Extra {}')
        assertThatThrownBy { run(cfg(version: '1.0.0')) }
                .hasMessageContaining('build.immutable-version')
        assertThat(stages()).containsExactly('lint', 'unit-test', 'build', 'package')
    }

    @Test
    void anEmergencyChangeTakesProductionOutsideTheWindowRecordingItsApproverAndFollowUps() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC)
        central(ALWAYS_OPEN + "  blackouts: [${today.minusDays(1)}, ${today}, ${today.plusDays(1)}]\n")
        onBranch('main')
        binding.setVariable('params', [ROLLBACK_VERSION: '', ROLLBACK_INCIDENT: '',
                                       EMERGENCY_REASON: 'card payments fail for every customer (INC-7)',
                                       EMERGENCY_SCOPE: 'payments service only',
                                       EMERGENCY_ROLLBACK: 'promote the previous release again (ROLLBACK_VERSION)',
                                       EMERGENCY_FOLLOWUPS: 'post-incident review PAY-200\n\nadd the missing alert PAY-201\n'])
        answers.add([user: 'mia', role: 'maintainer', rationale: 'fix reviewed'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'payments behaviour reviewed'])
        answers.add([user: 'mia', role: 'maintainer', rationale: 'emergency'])        // the emergency approver: wrote none of it
        Map result = run(cfg())

        def stagesWithEmergency = new ArrayList(ALL_STAGES)
        stagesWithEmergency.add(ALL_STAGES.indexOf('deploy-production'), 'approve-emergency')
        assertThat(stages()).containsExactlyElementsOf(stagesWithEmergency)
        def asked = inputs()
        assertThat(asked*.id).containsExactly('approve-production', 'approve-production', 'approve-emergency')
        assertThat(asked[2].submitter).isEqualTo('domain-reviewer,maintainer')
        assertThat(asked[2].message as String).contains('outside the change windows', result.digest as String,
                'card payments fail for every customer (INC-7)', 'promote the previous release again', 'add the missing alert PAY-201')
        assertThat(callsInsideNodes()).doesNotContain('input')

        def events = events('payments@0.1.0')
        def emergency = events.find { it.type() == 'emergency-change' }
        assertThat(emergency).isNotNull()
        assertThat(emergency.text('approver').get()).isEqualTo('mia')
        def approval = events.find { it.type() == 'emergency-approved' }
        assertThat(approval.actor()).isEqualTo('mia')
        assertThat(emergency.text('approval').get()).isEqualTo(approval.id())
        assertThat(emergency.text('environment').get()).isEqualTo('production')
        assertThat(emergency.text('reason').get()).isEqualTo('card payments fail for every customer (INC-7)')
        assertThat(emergency.text('scope').get()).isEqualTo('payments service only')
        assertThat(emergency.text('rollbackPlan').get()).isEqualTo('promote the previous release again (ROLLBACK_VERSION)')
        assertThat(emergency.payload().path('followUps')*.asText()).containsExactly('post-incident review PAY-200', 'add the missing alert PAY-201')
        assertThat(emergency.text('reviewDue')).isPresent()
        def production = events.find { it.type() == 'promoted' && it.text('environment').get() == 'production' }
        assertThat(production.text('emergency').get()).isEqualTo(emergency.id())
        assertThat(production.digest().get().toString()).isEqualTo(result.digest)
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging', 'production')
        assertThat(echoes().find { it.contains('recorded as emergency change ' + emergency.id()) }).isNotNull()
        assertThat(Files.readString(project.resolve('deployed-production.txt')).trim()).isEqualTo(result.digest)
    }

    @Test
    void anIncompleteEmergencyIsRefusedBeforeAnyStageAndAnAbortedOneIsANoGo() {
        onBranch('main')
        binding.setVariable('params', [ROLLBACK_VERSION: '', ROLLBACK_INCIDENT: '', EMERGENCY_REASON: 'checkout is down',
                                       EMERGENCY_SCOPE: 'payments service only', EMERGENCY_ROLLBACK: ' ',
                                       EMERGENCY_FOLLOWUPS: 'post-incident review PAY-200'])
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('emergency.incomplete').hasMessageContaining('[rollbackPlan]')
        assertThat(stages()).isEmpty()
        assertThat(shell).isEmpty()
        // nothing but the refused run itself is recorded
        withContext { ctx -> assertThat(ctx.ledger().events()*.type()).containsExactly('pipeline-finished') }
        assertThat(runs()*.result).containsExactly('FAILURE')
        assertThat(runs()[0].stages).isEmpty()

        // complete, but nobody approves the emergency: a recorded no-go, nothing reaches production
        LocalDate today = LocalDate.now(ZoneOffset.UTC)
        central(ALWAYS_OPEN + "  blackouts: [${today}]\n")
        binding.setVariable('params', [ROLLBACK_VERSION: '', ROLLBACK_INCIDENT: '', EMERGENCY_REASON: 'checkout is down',
                                       EMERGENCY_SCOPE: 'payments service only', EMERGENCY_ROLLBACK: 'promote 0.0.9 again',
                                       EMERGENCY_FOLLOWUPS: 'post-incident review PAY-200'])
        answers.add([user: 'mia', role: 'maintainer', rationale: 'ok'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'ok'])
        answers.add([user: 'mia', abort: true])
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('Aborted by mia')
        assertThat(stages().last()).isEqualTo('approve-emergency')
        def events = events('payments@0.1.0')
        def decision = events.findAll { it.type() == 'decision' }.last()
        assertThat(decision.text('decision').get()).isEqualTo('no-go')
        assertThat(decision.text('reason').get()).contains('emergency change not approved')
        assertThat(events*.type()).doesNotContain('emergency-change')
        assertThat(promotions('payments@0.1.0')).containsExactly('dev', 'staging')
        // the aborted run is recorded as aborted
        assertThat(runs().last()).containsEntry('result', 'ABORTED').containsEntry('branch', 'main')
    }

    @Test
    void aLibraryRegisteredUnderAnotherNameAndRegistryCredentialsReachTheSteps() {
        binding.setVariable('env', [BRANCH_NAME: 'main', 'library.platform-golden.version': 'v2.0.0'])
        answers.add([user: 'mia', role: 'maintainer', rationale: 'ok'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'ok'])
        run(cfg(libraryName: 'platform-golden', storeCredentials: 'registry', tagSigningPassphrase: 'payments-tag-passphrase',
                tagRemoteCredentials: 'git-push'))
        assertThat(stages()).containsExactlyElementsOf(ALL_STAGES)
        def provenance = events('payments@0.1.0').find { it.type() == 'provenance-generated' }
        assertThat(provenance.text('libraryName').get()).isEqualTo('platform-golden')
        assertThat(provenance.text('libraryVersion').get()).isEqualTo('v2.0.0')
        assertThat(echoes()[0]).startsWith('golden pipeline platform-golden@v2.0.0')
        // every step that opens the store was given the registry credentials id
        ['buildOnce', 'generateSbom', 'verifySignatures', 'promoteDigest', 'approveProduction', 'releaseGate gate', 'releaseGate sign',
         'releaseGate provenance', 'releaseGate release-record', 'releaseGate approval-status', 'releaseGate verify-production'].each {
            assertThat(storeCredentials[it]).as(it).isNotEmpty().containsOnly('registry')
        }
        assertThat(storeCredentials['releaseGate plan']).isNotEmpty()
        assertThat(storeCredentials['releaseGate plan'].findAll { it != null }).isEmpty()
        assertThat(tagCredentials).containsExactly([signingKey: 'payments-tag-key', passphraseCredentials: 'payments-tag-passphrase',
                                                    gitCredentials: 'git-push'])

        // registered under another name but not told so: the version Jenkins loaded is not found, and production refuses
        binding.setVariable('env', [BRANCH_NAME: 'main', 'library.platform-golden.version': 'v2.0.0'])
        assertThatThrownBy { run(cfg()) }.hasMessageContaining('promote.library-unpinned')
    }
}

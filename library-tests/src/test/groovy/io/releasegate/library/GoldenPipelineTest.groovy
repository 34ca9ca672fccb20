package io.releasegate.library

import com.lesfurets.jenkins.unit.BasePipelineTest
import io.releasegate.context.ReleaseContext
import io.releasegate.demo.SampleProject
import io.releasegate.progress.Progress
import io.releasegate.record.ReleaseRecordProjection
import io.releasegate.record.ReleaseRecords
import io.releasegate.steps.PipelineSteps
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.assertj.core.api.Assertions.assertThat
import static org.assertj.core.api.Assertions.assertThatThrownBy

/**
 * Runs vars/goldenPipeline.groovy as Jenkins would, with `sh` executing real commands in a real
 * sample project and the buildOnce step bound to the real core (embedded store and ledger).
 */
class GoldenPipelineTest extends BasePipelineTest {

    Path tmp
    Path project
    Path state
    Path keys
    List<String> shell = []
    Deque<Map> answers = new ArrayDeque<>()
    String submitter
    boolean insideNode

    /** The options every scenario shares: reports for the gates that apply, n/a for those that do not. */
    Map cfg(Map more = [:]) {
        [name: 'payments', version: '1.0.0', build: BUILD, artifacts: 'target/*.jar',
         notApplicable: [unit: 'the sample has no tests', dependency: 'no third-party dependencies'],
         sast: 'mkdir -p build && printf \'{"version":"2.1.0","runs":[]}\' > build/sast.sarif',
         dast: 'n/a: batch service without a network endpoint',
         smoke: [production: 'java -cp target/classes com.example.payments.Payments 100 | grep -qx true']] + more
    }

    static final String BUILD = 'mkdir -p target/classes && javac -d target/classes $(find src -name "*.java" | sort) ' +
            '&& jar --create --date=2026-11-02T09:00:00Z --file target/payments-1.0.0.jar -C target/classes .'

    @BeforeEach
    void setUpPipeline() {
        scriptRoots = ['target/shared-library/vars', 'target/shared-library/src'] as String[]
        scriptExtension = 'groovy'
        super.setUp()
        tmp = Files.createTempDirectory('golden-test-')
        project = SampleProject.create(tmp.resolve('payments'), Instant.parse('2026-11-02T09:00:00Z')).directory()
        state = tmp.resolve('state')
        helper.registerAllowedMethod('sh', [String], { String cmd ->
            shell << cmd
            def p = new ProcessBuilder('bash', '-c', cmd).directory(project.toFile()).redirectErrorStream(true).start()
            def out = p.inputStream.text
            if (p.waitFor() != 0) {
                throw new RuntimeException("script returned exit code ${p.exitValue()}: ${out}")
            }
        })
        helper.registerAllowedMethod('buildOnce', [Map], { Map args ->
            PipelineSteps.buildOnce(args, project, state, 'jenkins', Optional.empty(), Progress.NONE)
        })
        // the other plugin steps, bound to the same core entry points the plugin calls
        helper.registerAllowedMethod('generateSbom', [Map], { Map args -> PipelineSteps.generateSbom(args, project, state, 'jenkins') })
        helper.registerAllowedMethod('verifySignatures', [Map], { Map args ->
            def a = new HashMap(args); a.remove('signingKey')
            PipelineSteps.verifySignatures(a, state, keys.resolve('release.pub.pem'), 'jenkins')
        })
        helper.registerAllowedMethod('promoteDigest', [Map], { Map args -> PipelineSteps.promoteDigest(args, project, state, 'jenkins') })
        helper.registerAllowedMethod('approveProduction', [Map], { Map args ->
            // the approver is who submitted the input, as Jenkins records it: never a value from the Jenkinsfile
            PipelineSteps.approveProduction(args, project, state, submitter)
        })
        helper.registerAllowedMethod('releaseGate', [Map], { Map m ->
            switch (m.command) {
                case 'gate': return PipelineSteps.gate(m.args, project, state, 'jenkins')
                case 'sign': return PipelineSteps.sign(m.args, state, keys.resolve('release.pem'), keys.resolve('release.pub.pem'), 'jenkins')
                case 'provenance': return PipelineSteps.provenance(m.args, state, keys.resolve('release.pem'), 'jenkins')
                case 'no-go': return PipelineSteps.noGo(m.args, state, submitter ?: 'jenkins')
                case 'verify-production': return PipelineSteps.verifyProduction(m.args, project, state, 'jenkins')
                default: throw new IllegalArgumentException("unknown releaseGate command ${m.command}")
            }
        })
        helper.registerAllowedMethod('input', [Map], { Map m ->
            assert !insideNode : 'input must not hold an executor'
            def next = answers.poll()
            if (next == null || next.abort) {
                submitter = next?.user
                throw new RuntimeException('Aborted by ' + (next?.user ?: 'timeout'))
            }
            submitter = next.user
            return [role: next.role, rationale: next.rationale]
        })
        helper.registerAllowedMethod('node', [Closure], { Closure body ->
            insideNode = true
            try { body() } finally { insideNode = false }
        })
        helper.registerAllowedMethod('timeout', [Map, Closure], { Map m, Closure body -> body() })
        helper.registerAllowedMethod('withEnv', [List, Closure], { List l, Closure body -> body() })
        helper.registerAllowedMethod('choice', [Map], { Map m -> m })
        helper.registerAllowedMethod('text', [Map], { Map m -> m })
        helper.registerAllowedMethod('error', [String], { String msg -> throw new RuntimeException(msg) })
        binding.setVariable('env', [BRANCH_NAME: 'feature/PAY-1-refunds', 'library.golden.version': 'v1.4.0'])
        keys = Files.createDirectories(tmp.resolve('keys'))
        def pair = io.releasegate.signing.KeySigner.generatePem()
        Files.writeString(keys.resolve('release.pem'), pair[0])
        Files.writeString(keys.resolve('release.pub.pem'), pair[1])
        Files.createDirectories(project.resolve('.release'))
        Files.writeString(project.resolve('.release/policy.yaml'),
                "approvals:\n  members:\n    maintainer:\n      people: [mia, alice]\n    domain-reviewer:\n      people: [dora]\n" +
                // a window that is always open, so that the scenarios do not depend on when the tests run
                "windows:\n  timezone: UTC\n  weekly:\n    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n" +
                "      from: \"00:00\"\n      to: \"23:59:59.999999999\"\n")
    }

    @AfterEach
    void cleanUp() {
        tmp.toFile().deleteDir()
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

    List<String> stages() {
        helper.callStack.findAll { it.methodName == 'stage' }.collect { it.args[0].toString() }
    }

    @Test
    void buildsOncePublishesByDigestAndRecordsTheBuild() {
        def script = loadScript('goldenPipeline.groovy')
        Map result = script.call(cfg(lint: 'test -f README.md', unitTest: 'java -cp target/classes com.example.payments.Payments 100 || true'))

        assertThat(stages()).containsExactly('lint', 'unit-test', 'build', 'integration-test', 'sast',
                'dependency-license-scan', 'sbom', 'dast')
        assertThat(shell[0]).isEqualTo('test -f README.md')
        assertThat(result.digest as String).matches('sha256:[0-9a-f]{64}')
        assertThat(result.outcome).isEqualTo('published')
        assertThat(result.subjects*.name).containsExactly('target/payments-1.0.0.jar')

        withContext { ctx ->
            def events = ctx.ledger().events('payments@1.0.0')
            assertThat(events*.type).containsExactly('built', 'sbom-generated', 'sbom-generated', 'check-recorded', 'check-recorded',
                    'check-recorded', 'check-recorded', 'check-recorded', 'gate-evaluated')
            assertThat(events[0].actor()).isEqualTo('jenkins')
            assertThat(events[0].digest().get().toString()).isEqualTo(result.digest)
            assertThat(ctx.store().fetchManifest('payments', '1.0.0').get().digest().toString()).isEqualTo(result.digest)
            def record = ReleaseRecordProjection.project('payments', '1.0.0', ctx.ledger().events(),
                    ctx.ledger().location(), ctx.ledger().head()).get()
            def json = new ReleaseRecords().write(record)
            assertThat(new ReleaseRecords().read(json).source().commit().get())
                    .isEqualTo(SampleProjectHead.of(project))
        }

        // running the same pipeline again on the same commit is a no-op: same digest, no new event
        Map again = loadScript('goldenPipeline.groovy').call(cfg())
        assertThat(again.digest).isEqualTo(result.digest)
        assertThat(again.outcome).isEqualTo('unchanged')
    }

    @Test
    void mainGoesToProductionWithTwoIndependentApprovalsAndTheAuthorsDoesNotCount() {
        binding.setVariable('env', [BRANCH_NAME: 'main', 'library.golden.version': 'v1.4.0'])
        answers.add([user: 'alice', role: 'maintainer', rationale: 'my own change, fine'])
        answers.add([user: 'mia', role: 'maintainer', rationale: 'tests and gates green'])
        answers.add([user: 'dora', role: 'domain-reviewer', rationale: 'payments behaviour reviewed'])
        Map result = loadScript('goldenPipeline.groovy').call(cfg())
        assertThat(stages()).containsExactly('lint', 'unit-test', 'build', 'integration-test', 'sast', 'dependency-license-scan',
                'sbom', 'dast', 'publish', 'deploy-dev', 'verify-dev', 'deploy-staging', 'verify-staging', 'approve-production',
                'deploy-production', 'verify-production')
        assertThat(helper.callStack.findAll { it.methodName == 'input' }).hasSize(3)
        withContext { ctx ->
            def events = ctx.ledger().events('payments@1.0.0')
            assertThat(events.findAll { it.type() == 'approved' }*.actor()).containsExactly('mia', 'dora')
            assertThat(events.findAll { it.type() == 'promoted' }.collect { it.text('environment').get() })
                    .containsExactly('dev', 'staging', 'production')
            assertThat(events.find { it.type() == 'production-verified' }.text('result').get()).isEqualTo('pass')
            assertThat(ctx.store().fetchManifest('payments/production', '1.0.0').get().digest().toString()).isEqualTo(result.digest)
            def record = ReleaseRecordProjection.project('payments', '1.0.0', ctx.ledger().events(), ctx.ledger().location(),
                    ctx.ledger().head()).get()
            assertThat(new ReleaseRecords().read(new ReleaseRecords().write(record)).approvals()).hasSize(2)
        }
    }

    @Test
    void anAbortAtTheInputRecordsANoGoAndNothingReachesProduction() {
        binding.setVariable('env', [BRANCH_NAME: 'main', 'library.golden.version': 'v1.4.0'])
        answers.add([user: 'mia', abort: true])
        assertThatThrownBy { loadScript('goldenPipeline.groovy').call(cfg()) }.hasMessageContaining('Aborted by mia')
        withContext { ctx ->
            def events = ctx.ledger().events('payments@1.0.0')
            assertThat(events.find { it.type() == 'decision' }.text('decision').get()).isEqualTo('no-go')
            assertThat(events.findAll { it.type() == 'promoted' }.collect { it.text('environment').get() })
                    .containsExactly('dev', 'staging')
        }
    }

    @Test
    void aLibraryLoadedFromABranchIsRefusedProduction() {
        binding.setVariable('env', [BRANCH_NAME: 'main', 'library.golden.version': 'main'])
        assertThatThrownBy { loadScript('goldenPipeline.groovy').call(cfg()) }.hasMessageContaining('production needs a pinned library')
        assertThat(stages()).doesNotContain('approve-production', 'deploy-production')
    }

    @Test
    void aSastFindingBlocksBeforePublishThenPassesWithAValidException() {
        binding.setVariable('env', [BRANCH_NAME: 'main', 'library.golden.version': 'v1.4.0'])
        String finding = 'mkdir -p build && printf \'{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"s"}},"results":[' +
                '{"ruleId":"java/sql-injection","level":"error","message":{"text":"sql"}}]}]}\' > build/sast.sarif'
        assertThatThrownBy { loadScript('goldenPipeline.groovy').call(cfg(sast: finding)) }.hasMessageContaining('gates.failed')
        assertThat(stages()).doesNotContain('publish')
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
        helper.callStack.clear()
        loadScript('goldenPipeline.groovy').call(cfg(sast: finding, version: '1.0.1'))
        assertThat(stages()).contains('publish', 'deploy-production')
    }

    @Test
    void unknownOrMissingKeysFailAtOnceListingTheValidKeys() {
        def script = loadScript('goldenPipeline.groovy')
        assertThatThrownBy { script.call(name: 'payments', version: '1.0.0', build: BUILD, artifacts: 'target/*.jar', deplyo: 'x') }
                .hasMessageContaining('unknown key(s) deplyo')
                .hasMessageContaining('Valid keys:')
                .hasMessageContaining('artifacts (required)')
        assertThatThrownBy { script.call(name: 'payments', build: BUILD) }
                .hasMessageContaining('missing required key(s) version, artifacts')
        assertThat(shell).isEmpty()
        assertThat(stages()).isEmpty()
    }

    @Test
    void aFailingBuildCommandPublishesAndRecordsNothing() {
        def script = loadScript('goldenPipeline.groovy')
        assertThatThrownBy { script.call(cfg(build: 'exit 3')) }
                .hasMessageContaining('exit code 3')
        assertThat(helper.callStack.findAll { it.methodName == 'buildOnce' }).isEmpty()
        withContext { ctx ->
            assertThat(ctx.ledger().events()).isEmpty()
            assertThat(ctx.store().tags('payments')).isEmpty()
        }
    }

    @Test
    void aRefusedBuildOnceFailsTheBuildStage() {
        def script = loadScript('goldenPipeline.groovy')
        script.call(cfg())
        Files.writeString(project.resolve('src/main/java/com/example/payments/Extra.java'),
                'package com.example.payments; class Extra {}')
        assertThatThrownBy { loadScript('goldenPipeline.groovy').call(cfg()) }
                .hasMessageContaining('build.immutable-version')
    }
}

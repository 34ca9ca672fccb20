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
    List<String> shell = []

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
        Map result = script.call(name: 'payments', version: '1.0.0', build: BUILD, artifacts: 'target/*.jar',
                lint: 'test -f README.md', unitTest: 'java -cp target/classes com.example.payments.Payments 100 || true')

        assertThat(stages()).containsExactly('lint', 'unit-test', 'build')
        assertThat(shell[0]).isEqualTo('test -f README.md')
        assertThat(result.digest as String).matches('sha256:[0-9a-f]{64}')
        assertThat(result.outcome).isEqualTo('published')
        assertThat(result.subjects*.name).containsExactly('target/payments-1.0.0.jar')

        withContext { ctx ->
            def events = ctx.ledger().events('payments@1.0.0')
            assertThat(events*.type).containsExactly('built')
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
        Map again = loadScript('goldenPipeline.groovy').call(name: 'payments', version: '1.0.0', build: BUILD,
                artifacts: 'target/*.jar')
        assertThat(again.digest).isEqualTo(result.digest)
        assertThat(again.outcome).isEqualTo('unchanged')
    }

    @Test
    void unknownOrMissingKeysFailAtOnceListingTheValidKeys() {
        def script = loadScript('goldenPipeline.groovy')
        assertThatThrownBy { script.call(name: 'payments', version: '1.0.0', build: BUILD, artifacts: 'target/*.jar', deploy: 'x') }
                .hasMessageContaining('unknown key(s) deploy')
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
        assertThatThrownBy { script.call(name: 'payments', version: '1.0.0', build: 'exit 3', artifacts: 'target/*.jar') }
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
        script.call(name: 'payments', version: '1.0.0', build: BUILD, artifacts: 'target/*.jar')
        Files.writeString(project.resolve('src/main/java/com/example/payments/Extra.java'),
                'package com.example.payments; class Extra {}')
        assertThatThrownBy { loadScript('goldenPipeline.groovy').call(name: 'payments', version: '1.0.0', build: BUILD,
                artifacts: 'target/*.jar') }
                .hasMessageContaining('build.immutable-version')
    }
}

package io.releasegate.library

import io.releasegate.demo.SampleProject
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
 * Manifest mode for real: two services (payments and notifier) each released to production by the normal golden
 * pipeline, then the job of a platform repository whose committed platform.yaml lists them, run by
 * vars/goldenPipeline.groovy with the same bindings as GoldenPipelineTest (the plugin steps bound to the real core, one
 * embedded store and ledger for all three repositories). The member repositories are checked out by the pipeline's
 * GitSCM checkouts, cloned for real.
 */
class ManifestPipelineTest {

    static final List<String> SET_STAGES = ['manifest', 'integration-test', 'deploy-dev', 'verify-dev', 'deploy-staging',
                                            'verify-staging', 'approve-production', 'deploy-production', 'verify-production'].asImmutable()
    /** The platform's policy: nora and alice hold a role, but each wrote a member. */
    static final String PLATFORM_POLICY = "approvals:\n  members:\n    maintainer:\n      people: [mia, alice, nora]\n" +
            "    domain-reviewer:\n      people: [dora]\n"
    /** The set's integration test: a JUnit XML report of one test per member, failing while it-fails exists. */
    static final String IT = '''#!/bin/sh
set -e
mkdir -p build
test -n "$RELEASE_MANIFEST" && test -n "$RELEASE_DIGEST"
if [ -f it-fails ]; then result='<failure message="notifier answered 502"/>'; else result=''; fi
printf '<testsuite name="platform-it" tests="2"><testcase classname="it.Set" name="payments"/><testcase classname="it.Set" name="notifier">%s</testcase></testsuite>' "$result" > build/integration-tests.xml
test ! -f it-fails
'''

    GoldenPipelineTest h
    Path payments
    Path notifier
    Path platform
    /** the directory a dir { } block opened, relative to the workspace */
    String inDir

    @BeforeEach
    void setUp() {
        h = new GoldenPipelineTest()
        h.setUpPipeline()
        payments = h.project
        notifier = service('notifier')
        platform = Files.createDirectories(h.tmp.resolve('platform'))
        GoldenPipelineTest.git(platform, 'init', '-q', '-b', 'main')
        Files.createDirectories(platform.resolve('.release'))
        Files.writeString(platform.resolve('.release/policy.yaml'), PLATFORM_POLICY)
        Files.writeString(platform.resolve('it.sh'), IT)
        platform.resolve('it.sh').toFile().setExecutable(true)
        setFile('2026.12.0', 'payments@0.1.0', 'notifier@0.1.0')
        // dir { } and the GitSCM checkout of a member: the member's repository cloned for real at the commit asked for
        h.helper.registerAllowedMethod('dir', [String, Closure], { String d, Closure body ->
            def saved = inDir
            inDir = d
            try { body() } finally { inDir = saved }
        })
        h.helper.registerAllowedMethod('checkout', [Map], { Map m ->
            if (m.userRemoteConfigs) {
                assert inDir : 'a member checkout goes into its own directory'
                Path into = h.project.resolve(inDir)
                String commit = m.branches[0].name
                if (!Files.exists(into.resolve('.git'))) {
                    Files.createDirectories(into.parent)
                    GoldenPipelineTest.git(h.project, 'clone', '-q', m.userRemoteConfigs[0].url.toString(), into.toString())
                } else {
                    GoldenPipelineTest.git(into, 'fetch', '-q', '--tags', 'origin')
                }
                GoldenPipelineTest.git(into, 'checkout', '-q', commit)
                return [GIT_COMMIT: commit]
            }
            [GIT_COMMIT: GoldenPipelineTest.git(h.project, 'rev-parse', 'HEAD')]
        })
    }

    @AfterEach
    void tearDown() {
        h.cleanUp()
    }

    /** A second service: the sample with a change of its own by nora, its policy committed, and a remote for its tags. */
    Path service(String name) {
        Path dir = SampleProject.create(h.tmp.resolve(name), Instant.parse('2026-11-02T09:00:00Z')).directory()
        Files.createDirectories(dir.resolve('.release'))
        Files.writeString(dir.resolve('.release/policy.yaml'), GoldenPipelineTest.TEAM)
        Files.writeString(dir.resolve('src/main/java/com/example/payments/Notices.java'),
                'package com.example.payments; final class Notices { }\n')
        GoldenPipelineTest.git(dir, 'add', '-A')
        GoldenPipelineTest.git(dir, '-c', 'user.name=Nora Example', '-c', 'user.email=nora@example.com', 'commit', '-q', '-m',
                'feat(notices): notify payers\n\nRefs: NOT-1')
        Path origin = h.tmp.resolve(name + '-origin.git')
        GoldenPipelineTest.git(h.tmp, 'clone', '-q', '--bare', dir.toString(), origin.toString())
        GoldenPipelineTest.git(dir, 'remote', 'add', 'origin', origin.toString())
        dir
    }

    /** The platform repository's set file, committed (by pia, who wrote no member). */
    void setFile(String version, String... members) {
        Files.writeString(platform.resolve('platform.yaml'), "version: ${version}\nmembers:\n" + members.collect { "  - ${it}\n" }.join(''))
        GoldenPipelineTest.git(platform, 'add', '-A')
        GoldenPipelineTest.git(platform, '-c', 'user.name=Pia Example', '-c', 'user.email=pia@example.com', 'commit', '-q', '-m',
                "chore(platform): the set ${version}")
    }

    /** A member released to production by the normal golden pipeline (approved by mia and dora). */
    Map releaseMember(Path dir, String name) {
        h.project = dir
        h.answers.clear()
        h.answers.add([user: 'mia', role: 'maintainer', rationale: 'tests and gates green'])
        h.answers.add([user: 'dora', role: 'domain-reviewer', rationale: "${name} behaviour reviewed".toString()])
        h.onBranch('main')
        Map result = h.run(h.cfg(name: name))
        assertThat(h.stages()).containsExactlyElementsOf(GoldenPipelineTest.ALL_STAGES)
        result
    }

    /**
     * A member released by the normal golden pipeline up to its approvals for production, which it cannot enter alone: the
     * admin's central policy holds a release freeze around today while it runs (lifted afterwards), so its deploy-production
     * is refused. It is built, proven, gated, in staging and approved: it goes to production with the set.
     */
    String approvedInStaging(Path dir, String name) {
        def today = LocalDate.now(ZoneOffset.UTC)
        h.central(GoldenPipelineTest.ALWAYS_OPEN + "  blackouts: [${today.minusDays(1)}, ${today}, ${today.plusDays(1)}]\n")
        try {
            h.project = dir
            h.answers.clear()
            h.answers.add([user: 'mia', role: 'maintainer', rationale: 'tests and gates green'])
            h.answers.add([user: 'dora', role: 'domain-reviewer', rationale: "${name} behaviour reviewed".toString()])
            h.onBranch('main')
            assertThatThrownBy { h.run(h.cfg(name: name)) }.hasMessageContaining('window.blackout')
            assertThat(h.stages().last()).isEqualTo('deploy-production')
        } finally {
            h.central(GoldenPipelineTest.ALWAYS_OPEN)
        }
        assertThat(h.promotions("${name}@0.1.0")).containsExactly('dev', 'staging')
        h.events("${name}@0.1.0").find { it.type() == 'built' }.digest().get().toString()
    }

    Map platformCfg(Map manifest = [:], Map more = [:]) {
        [name    : 'platform',
         manifest: [repositories: [payments: payments.toString(), notifier: notifier.toString()], integrationTest: './it.sh'] + manifest,
         deploy  : [dev: 'echo "$RELEASE_DIGEST $RELEASE_MEMBERS" > deployed-dev.txt',
                    staging: 'echo "$RELEASE_DIGEST $RELEASE_MEMBERS" > deployed-staging.txt',
                    production: 'echo "$RELEASE_DIGEST $RELEASE_MEMBERS" > deployed-production.txt'],
         smoke   : [staging: 'grep -q "$RELEASE_DIGEST" deployed-staging.txt', production: 'grep -q sha256: deployed-production.txt']] + more
    }

    /** Runs the platform's job on main with these approval answers. */
    Map runPlatform(Map cfg, List<Map> answers = []) {
        h.project = platform
        h.answers.clear()
        answers.each { h.answers.add(it) }
        h.onBranch('main')
        h.run(cfg)
    }

    List promotedAsPartOf(String subject, String environment) {
        h.events(subject).findAll { it.type() == 'promoted' && it.text('environment').get() == environment && it.text('set').isPresent() }
    }

    static final List<Map> APPROVALS = [
            [user: 'alice', role: 'maintainer', rationale: 'my payments change is fine'],       // wrote payments
            [user: 'nora', role: 'maintainer', rationale: 'my notifier change is fine'],        // wrote notifier
            [user: 'mia', role: 'maintainer', rationale: 'integration green, members in production'],
            [user: 'dora', role: 'domain-reviewer', rationale: 'payments and notices reviewed together']].asImmutable()

    @Test
    void theSetGoesToProductionAllOrNothingAfterItsIntegrationTestAndApprovalsByPeopleWhoWroteNoMember() {
        String pay = approvedInStaging(payments, 'payments')
        String note = approvedInStaging(notifier, 'notifier')
        assertThat(pay).isNotEqualTo(note)

        // the integration test of the set fails: recorded, refused, nothing of the set is promoted anywhere
        Files.writeString(platform.resolve('it-fails'), '')
        assertThatThrownBy { runPlatform(platformCfg()) }.hasMessageContaining('promote.evidence-integration')
                .hasMessageContaining('platform@2026.12.0').hasMessageContaining('2 test(s), 1 failed')
        assertThat(h.stages()).containsExactly('manifest', 'integration-test')
        assertThat(h.events('platform@2026.12.0')*.type()).containsExactly('built', 'check-recorded')
        assertThat(h.helper.callStack.findAll { it.methodName == 'promoteDigest' }).isEmpty()
        assertThat(h.promotions('payments@0.1.0')).containsExactly('dev', 'staging')
        assertThat(h.promotions('notifier@0.1.0')).containsExactly('dev', 'staging')
        Files.delete(platform.resolve('it-fails'))

        // the same set again (found, not created again), tested, promoted, approved, and in production as one
        Map set = runPlatform(platformCfg(), APPROVALS)

        assertThat(h.stages()).containsExactlyElementsOf(SET_STAGES)
        assertThat(h.echoes().find { it.startsWith('manifest: ') }).contains('(unchanged)', "payments@0.1.0=${pay}",
                "notifier@0.1.0=${note}")
        def refused = h.echoes().findAll { it.contains('refused and not counted') }
        assertThat(refused).hasSize(2)
        refused.each { assertThat(it).contains('approval.author') }
        assertThat(h.inputs()[0].submitter).isEqualTo('domain-reviewer,maintainer')
        assertThat(h.inputs()[0].message as String).contains('platform 2026.12.0', set.digest as String, "payments@0.1.0 ${pay}")
        def events = h.events('platform@2026.12.0')
        assertThat(events.findAll { it.type() == 'approved' }*.actor()).containsExactly('mia', 'dora')
        assertThat(events.findAll { it.type() == 'check-recorded' }*.text('result')*.get()).containsExactly('fail', 'pass')
        assertThat(events.findAll { it.type() == 'promoted' }*.text('environment')*.get()).containsExactly('dev', 'staging', 'production')
        // the members were in dev and staging already; production took them as part of the set, each its built digest
        [payments: pay, notifier: note].each { name, digest ->
            assertThat(h.promotions("${name}@0.1.0")).containsExactly('dev', 'staging', 'production')
            def promoted = promotedAsPartOf("${name}@0.1.0", 'production')
            assertThat(promoted).as(name).hasSize(1)
            assertThat(promoted[0].digest().get().toString()).isEqualTo(digest)
            assertThat(promoted[0].text('set').get()).isEqualTo('platform@2026.12.0')
        }
        h.withContext { ctx ->
            assertThat(ctx.store().fetchManifest('platform/production', '2026.12.0').get().digest().toString()).isEqualTo(set.digest)
        }
        assertThat(Files.readString(platform.resolve('deployed-production.txt')).trim())
                .isEqualTo("${set.digest} payments@0.1.0=${pay},notifier@0.1.0=${note}".toString())
        assertThat(h.events('platform@2026.12.0').last().type()).isEqualTo('production-verified')
        assertThat(h.events('notifier@0.1.0').last().type()).isEqualTo('production-verified')

        // a changed member list under the same version is refused: a changed set is a new version
        setFile('2026.12.0', 'notifier@0.1.0', 'payments@0.1.0')
        assertThatThrownBy { runPlatform(platformCfg()) }.hasMessageContaining('immutable-version')
        assertThat(h.stages()).containsExactly('manifest')
        // under a new version it is a new candidate: tested and approved again, the earlier approvals do not count
        setFile('2026.12.1', 'notifier@0.1.0', 'payments@0.1.0')
        Map next = runPlatform(platformCfg(), APPROVALS.subList(2, 4))
        assertThat(next.digest).isNotEqualTo(set.digest)
        assertThat(h.stages()).containsExactlyElementsOf(SET_STAGES)
        assertThat(h.inputs()).hasSize(2)
        assertThat(h.events('platform@2026.12.1').findAll { it.type() == 'approved' }*.actor()).containsExactly('mia', 'dora')

        // the rollback: the earlier set, known-good in production, promoted again; nothing built, tested or approved
        h.binding.setVariable('params', [ROLLBACK_VERSION: '2026.12.0', ROLLBACK_INCIDENT: 'INC-77'])
        Map back = runPlatform(platformCfg())
        assertThat(h.stages()).containsExactly('rollback-production', 'verify-production')
        assertThat(back).containsEntry('digest', set.digest).containsEntry('rollback', true)
        assertThat(h.helper.callStack.findAll { it.methodName in ['input', 'approveProduction', 'buildOnce'] }).isEmpty()
        def last = h.events('payments@0.1.0').findAll { it.type() == 'promoted' }.last()
        assertThat(last.text('incident').get()).isEqualTo('INC-77')
        assertThat(Files.readString(platform.resolve('deployed-production.txt'))).startsWith(set.digest as String)
        assertThat(h.events('pipeline:platform').collect { it.payload().path('result').asText() })
                .containsExactly('FAILURE', 'SUCCESS', 'FAILURE', 'SUCCESS', 'SUCCESS')
    }

    @Test
    void aMemberThatWasNotBuiltStopsTheSetBeforeAnythingIsRecorded() {
        releaseMember(payments, 'payments')
        // notifier@0.1.0 never ran its pipeline
        assertThatThrownBy { runPlatform(platformCfg()) }.hasMessageContaining('manifest.member-not-built')
                .hasMessageContaining('notifier@0.1.0').hasMessageContaining('build notifier@0.1.0')
        assertThat(h.stages()).containsExactly('manifest')
        assertThat(h.events('platform@2026.12.0')).isEmpty()
        assertThat(h.helper.callStack.findAll { it.methodName in ['promoteDigest', 'input'] }).isEmpty()
    }

    @Test
    void unknownOrInapplicableOptionsFailAtOnceListingTheValidManifestKeys() {
        assertThatThrownBy { runPlatform(platformCfg([integrationTests: './it.sh'])) }
                .isInstanceOf(IllegalArgumentException).hasMessageContaining('unknown manifest key(s) integrationTests')
                .hasMessageContaining('Valid manifest keys:').hasMessageContaining('integrationReport:')
        // the help page documents every manifest key the error lists
        String listed = ''
        try { runPlatform(platformCfg([integrationTests: './it.sh'])) } catch (IllegalArgumentException e) { listed = e.message }
        def keys = listed.substring(listed.indexOf('Valid manifest keys:')).readLines().drop(1).collect { it.trim().split(/[: ]/)[0] }
        assertThat(keys).containsExactly('file', 'repositories', 'credentials', 'integrationTest', 'integrationReport')
        String help = Files.readString(java.nio.file.Paths.get('target/shared-library/vars/goldenPipeline.txt'))
        keys.each { assertThat(help).as(it).contains("${it}:".toString()) }
        assertThat(help).contains('manifest: [')
        assertThatThrownBy { runPlatform([name: 'platform', manifest: [integrationTest: './it.sh']]) }
                .hasMessageContaining('missing required manifest key(s) repositories')
        assertThatThrownBy { runPlatform(platformCfg([:], [build: 'mvn -B package'])) }
                .hasMessageContaining('option(s) build do not apply in manifest mode')
        assertThatThrownBy { runPlatform(platformCfg([:], [artefacts: 'x'])) }.hasMessageContaining('unknown key(s) artefacts')
        assertThatThrownBy { runPlatform([name: 'platform', manifest: 'platform.yaml']) }.hasMessageContaining('manifest must be a map')
        assertThat(h.stages()).isEmpty()
        assertThat(h.shell).isEmpty()
        // a member without a repository stops at the manifest stage, before anything is promoted
        h.project = payments
        releaseMember(payments, 'payments')
        releaseMember(notifier, 'notifier')
        assertThatThrownBy { runPlatform(platformCfg([repositories: [payments: payments.toString()]])) }
                .hasMessageContaining('no repository for member(s) notifier')
        assertThat(h.helper.callStack.findAll { it.methodName == 'promoteDigest' }).isEmpty()
        // a set has no emergency path
        h.binding.setVariable('params', [EMERGENCY_REASON: 'checkout is down', EMERGENCY_SCOPE: 'notifier',
                                         EMERGENCY_ROLLBACK: 'promote 2026.11.0 again', EMERGENCY_FOLLOWUPS: 'review'])
        assertThatThrownBy { runPlatform(platformCfg()) }.hasMessageContaining('refused by rule manifest.emergency')
        assertThat(h.stages()).isEmpty()
        h.binding.setVariable('params', [:])
        // another branch releases nothing
        h.project = platform
        h.onBranch('feature/next-set')
        h.run(platformCfg())
        assertThat(h.stages()).isEmpty()
        assertThat(h.echoes().find { it.startsWith('manifest mode: ') }).contains('released from main only')
    }
}

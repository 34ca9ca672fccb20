package io.releasegate.golden

/**
 * Manifest mode: the job of a platform repository, whose committed set file (platform.yaml) lists the services' releases
 * that go out together. Nothing is built: each member was built, proven and gated by its own golden pipeline. The stages:
 * manifest (the release manifest created from the set file, or found again when the same members were pinned before;
 * each member's repository checked out at its built commit), integration-test (the team's test of exactly this set,
 * recorded from its JUnit XML report; a run that does not pass stops here), deploy-dev, verify-dev, deploy-staging,
 * verify-staging (the set promoted with promoteDigest: every member or none), approve-production (approvals bound to the
 * manifest's digest, refused for anyone who wrote a member), deploy-production (the set, all or nothing) and
 * verify-production (every member, then the set with the production smoke check). A rollback promotes a set that ran in
 * production before again.
 */
class ManifestStages implements Serializable {

    /** Where the member repositories are checked out (the core's PipelineSteps.MEMBER_CHECKOUTS). */
    static final String MEMBER_CHECKOUTS = 'release-gate/members'

    private final def steps
    private final ReleaseRun run
    private final GoldenConfig config
    private final Deployments deployments
    /** manifestCreate's (or manifestShow's) result: name, version, digest, members, approvals */
    Map manifest
    Map approvals

    ManifestStages(def steps, ReleaseRun run) {
        this.steps = steps
        this.run = run
        this.config = run.config
        this.deployments = new Deployments(steps, run.config)
    }

    /** The set released from main; any other branch runs nothing (a set is released from the reviewed main branch only). */
    Map release() {
        if (run.emergency) {
            steps.error "manifest mode: refused by rule manifest.emergency: ${run.name} is a release manifest and the run asks " +
                    'for an emergency change (EMERGENCY_* parameters); to proceed: a set goes out inside a change window; ' +
                    "promote the member that needs it alone, as an emergency change of the member's own pipeline"
        }
        if (run.branch != 'main' || run.changeRequest) {
            steps.echo "manifest mode: ${run.branch}${run.changeRequest ? ' (change request)' : ''}: a set is released from main " +
                    'only, once its set file is reviewed; nothing is created or promoted'
            return [:]
        }
        steps.node {
            run.checkedOut(steps.checkout(steps.scm))
            run.stage(steps, 'manifest') {
                manifest = steps.releaseGate(command: 'manifest-create', args: [name: run.name,
                        file: config.manifestOption('file', 'platform.yaml')] + config.locations())
                run.release = [name: run.name, version: manifest.version] + config.locations()
                run.result = [digest: manifest.digest, version: manifest.version, outcome: manifest.outcome]
                steps.echo "manifest: ${run.name}@${manifest.version} is ${manifest.digest} (${manifest.outcome}): " +
                        manifest.members.collect { it.subject + '=' + it.digest }.join(', ')
                checkOutMembers()
            }
            run.stage(steps, 'integration-test') {
                integrationTest()
            }
            ['dev', 'staging'].each { environment ->
                run.stage(steps, "deploy-${environment}".toString()) {
                    promote(environment, [:])
                }
                run.stage(steps, "verify-${environment}".toString()) {
                    withSet { deployments.smoke(environment, manifest.digest) }
                }
            }
            approvals = steps.releaseGate(command: 'approval-status', args: run.args([digest: manifest.digest]))
        }
        approve()
        steps.node {
            steps.checkout steps.scm
            checkOutMembers()
            run.stage(steps, 'deploy-production') {
                promote('production', [:])
            }
            run.stage(steps, 'verify-production') {
                verifyProduction()
            }
        }
        [name: run.name, version: manifest.version, digest: manifest.digest, members: manifest.members.collect { it.subject }]
    }

    /** Promotes the set of ROLLBACK_VERSION, which ran in production before, to production again: nothing is built. */
    Map rollback() {
        steps.node {
            run.checkedOut(steps.checkout(steps.scm))
            run.stage(steps, 'rollback-production') {
                if (!run.rollbackIncident) {
                    steps.error 'rollback: ROLLBACK_INCIDENT is required with ROLLBACK_VERSION'
                }
                manifest = steps.releaseGate(command: 'manifest-show', args: [name: run.name, version: run.rollbackVersion] + config.locations())
                run.release = [name: run.name, version: manifest.version] + config.locations()
                steps.echo "rollback: the set ${run.name}@${manifest.version} is ${manifest.digest}; promoting it to production " +
                        "again for ${run.rollbackIncident} (no rebuild)"
                checkOutMembers()
                promote('production', [incident: run.rollbackIncident])
            }
            run.stage(steps, 'verify-production') {
                verifyProduction()
            }
        }
        [name: run.name, version: manifest.version, digest: manifest.digest, rollback: true, incident: run.rollbackIncident]
    }

    /**
     * Each member's repository at the commit its release was built from, where the steps read its committed policy, its
     * role holders and its authors; a member without a repository in the manifest's repositories stops the run here.
     */
    private void checkOutMembers() {
        def missing = manifest.members.findAll { !config.repositoryOf(it.name) }.collect { it.name }
        if (missing) {
            steps.error "manifest: no repository for member(s) ${missing.join(', ')}: add each to manifest repositories " +
                    '(member name -> git URL), so that its committed policy and its authors decide; nothing was promoted'
        }
        manifest.members.each { member ->
            if (!member.commit) {
                steps.error "manifest: ${member.subject} records no built commit: its policy and authors cannot be read; nothing was promoted"
            }
            def remote = [url: config.repositoryOf(member.name)]
            def credentials = config.manifestOption('credentials')
            if (credentials) {
                remote.credentialsId = credentials.toString()
            }
            steps.dir("${MEMBER_CHECKOUTS}/${member.name}".toString()) {
                steps.checkout([$class: 'GitSCM', branches: [[name: member.commit]], userRemoteConfigs: [remote]])
            }
        }
    }

    /** The team's integration test of exactly this set, then its report recorded; a run that did not pass stops the set. */
    private void integrationTest() {
        String report = config.manifestOption('integrationReport', 'build/integration-tests.xml').toString()
        def failed = null
        withSet {
            try {
                steps.sh config.manifestOption('integrationTest').toString()
            } catch (err) {
                failed = err
            }
        }
        // recorded whatever happened: a failing run is refused by the step (promote.evidence-integration) and stays in the ledger
        def recorded = steps.releaseGate(command: 'manifest-test', args: run.args([digest: manifest.digest, junit: report]))
        if (failed) {
            steps.error "integration-test: the test command failed (${failed.message}) though its report ${report} passed; " +
                    'nothing was promoted: make the command and its report agree'
        }
        steps.echo "integration-test: ${recorded.summary} (event ${recorded.event})"
    }

    /** The set into {@code environment} with promoteDigest (every member or none), then the team's deploy command. */
    private void promote(String environment, Map more) {
        def promoted = steps.promoteDigest(run.args([digest: manifest.digest, to: environment] + more))
        steps.echo "deploy-${environment}: " + (promoted.alreadyThere ? "the set was in ${environment} already" :
                "${promoted.rollback ? 'rolled back' : 'promoted'} ${promoted.reference}: ${(promoted.members ?: []).collect { it.reference }.join(', ')}")
        withSet { deployments.deploy(environment, manifest.digest) }
    }

    /** Every member's production tag names its promoted digest, then the set's, with the production smoke check. */
    private void verifyProduction() {
        def problems = []
        manifest.members.each { member ->
            def verified = steps.releaseGate(command: 'verify-production', args: [name: member.name, version: member.version] + config.locations())
            if (!verified.ok) {
                problems << "${member.subject}: ${verified.problems}"
            }
        }
        def smoke = config.commandFor('smoke', 'production')
        def set = null
        withSet {
            set = steps.releaseGate(command: 'verify-production', args: run.release + [checks: smoke ? [smoke: smoke] : [:]])
        }
        if (!set.ok) {
            problems << "${run.name}@${manifest.version}: ${set.problems}"
        }
        if (problems) {
            steps.error "verify-production failed: ${problems.join('; ')}; roll back by promoting the last known-good set " +
                    '(run with ROLLBACK_VERSION and ROLLBACK_INCIDENT; never rebuild)'
        }
        steps.echo "verify-production: every member of ${run.name}@${manifest.version} runs in production as promoted and the checks passed"
    }

    /** Asks the policy's approvers until the set's approvals are gathered; a refused approval is reported and not counted. */
    private void approve() {
        run.stage(steps, 'approve-production') {
            steps.timeout(time: run.approvalTimeoutHours(), unit: 'HOURS') {
                def status = approvals
                while (!status.satisfied) {
                    def answer = ask(status.status)
                    try {
                        status = onAgent { steps.approveProduction(run.args([digest: manifest.digest, role: answer.role, rationale: answer.rationale])) }
                        steps.echo "approve-production: approval recorded; ${status.status}"
                    } catch (refused) {
                        if (!(refused.message ?: '').contains('refused by rule approval.')) {
                            throw refused
                        }
                        steps.echo "approve-production: approval refused and not counted: ${refused.message}"
                    }
                }
            }
        }
    }

    /** One input outside any node; an abort or a timeout records a no-go of the set's digest and ends the run. */
    private def ask(String status) {
        def roles = manifest.approvals.roles
        def input = [id: 'approve-production', ok: 'Approve', message: approvalMessage(status), submitter: roles.join(','),
                     parameters: [steps.choice(name: 'role', choices: roles, description: 'The role you approve in (the policy: ' + roles.join(', ') + ')'),
                                  steps.text(name: 'rationale', defaultValue: '', description: 'Why this set may go to production')]]
        try {
            return steps.input(input)
        } catch (err) {
            onAgent { steps.releaseGate(command: 'no-go', args: run.args([digest: manifest.digest,
                    reason: "approval aborted: ${ProductionStages.interruption(err)}".toString()])) }
            throw err
        }
    }

    /** Runs {@code body} on an agent with the platform repository and the members checked out, and returns its value. */
    private def onAgent(Closure body) {
        def out
        steps.node {
            steps.checkout steps.scm
            checkOutMembers()
            out = body()
        }
        out
    }

    /** Runs {@code body} with the set in the environment: RELEASE_MANIFEST (NAME@VERSION) and RELEASE_MEMBERS (NAME@VERSION=DIGEST, comma-separated). */
    private void withSet(Closure body) {
        steps.withEnv(["RELEASE_MANIFEST=${run.name}@${manifest.version}", "RELEASE_DIGEST=${manifest.digest}",
                       "RELEASE_MEMBERS=${manifest.members.collect { it.subject + '=' + it.digest }.join(',')}"]) { body() }
    }

    @NonCPS
    private String approvalMessage(String status) {
        "Release the set ${run.name} ${manifest.version} to production?\n" +
                "digest: ${manifest.digest}\n" +
                "members: ${manifest.members.collect { it.subject + ' ' + it.digest }.join(', ')}\n" +
                "integration test: passed, recorded for this digest\n" +
                "approvals so far: ${status}\n" +
                "The policy needs ${manifest.approvals.count} approvals covering ${manifest.approvals.roles.join(', ')}; " +
                "nobody who wrote or committed a member, nor the releaser, nor someone who already approved can approve. Abort = no-go."
    }
}

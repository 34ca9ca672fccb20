package io.releasegate.golden

/**
 * The way to production: approve-production and, for an emergency change, approve-emergency (inputs outside any node:
 * no executor is held while people decide; each answer is recorded on an agent, where the steps read the policy and
 * the ledger, for the few seconds that takes), deploy-production and verify-production; and the rollback, which
 * promotes a previously released known-good digest again without building anything.
 */
class ProductionStages implements Serializable {

    private final def steps
    private final ReleaseRun run
    private final GoldenConfig config
    private final Deployments deployments

    ProductionStages(def steps, ReleaseRun run) {
        this.steps = steps
        this.run = run
        this.config = run.config
        this.deployments = new Deployments(steps, run.config)
    }

    /** Asks the policy's approvers until its approvals are gathered; a refused approval is reported and not counted. */
    void approve() {
        run.stage(steps, 'approve-production') {
            steps.timeout(time: run.approvalTimeoutHours(), unit: 'HOURS') {
                def status = run.approvals
                while (!status.satisfied) {
                    def answer = ask('approve-production', 'Approve', approvalMessage(status.status), 'approval aborted', true)
                    try {
                        status = onAgent { steps.approveProduction(run.args([digest: run.digest(), role: answer.role, rationale: answer.rationale])) }
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

    /** For an emergency change: whoever submits this input is recorded as the emergency's approver. */
    void approveEmergency() {
        if (run.emergency) {
            run.stage(steps, 'approve-emergency') {
                steps.timeout(time: run.approvalTimeoutHours(), unit: 'HOURS') {
                    ask('approve-emergency', 'Approve emergency change', emergencyMessage(), 'emergency change not approved', false)
                }
            }
        }
    }

    void deploy() {
        steps.node {
            steps.checkout steps.scm
            run.stage(steps, 'deploy-production') {
                steps.verifySignatures(run.args(config.verification()))
                def promoted = steps.promoteDigest(run.args([digest: run.digest(), to: 'production'] + (run.emergency ? [emergency: run.emergency] : [:])))
                if (run.emergency) {
                    steps.echo promoted?.emergency ? "deploy-production: outside the change windows, recorded as emergency change ${promoted.emergency}" :
                            'deploy-production: inside a change window, no emergency change was needed'
                }
                deployments.deploy('production', run.digest())
            }
            run.stage(steps, 'verify-production') {
                verifyProduction(run.release)
            }
            run.stage(steps, 'evidence') {
                auditAndExport(run.release)
            }
        }
    }

    /** Promotes the recorded digest of a previously released version to production again: nothing is built. */
    Map rollback() {
        def release = [name: run.name, version: run.rollbackVersion] + config.locations()
        def record
        steps.node {
            run.checkedOut(steps.checkout(steps.scm))
            run.stage(steps, 'rollback-production') {
                if (!run.rollbackIncident) {
                    steps.error 'rollback: ROLLBACK_INCIDENT is required with ROLLBACK_VERSION'
                }
                record = steps.releaseGate(command: 'release-record', args: release)
                steps.echo "rollback: ${run.name} ${run.rollbackVersion} is ${record.digest}; promoting it to production again for " +
                        "${run.rollbackIncident} (no rebuild)"
                steps.verifySignatures(release + config.verification())
                steps.promoteDigest(release + [digest: record.digest, to: 'production', incident: run.rollbackIncident])
                deployments.deploy('production', record.digest)
            }
            run.stage(steps, 'verify-production') {
                verifyProduction(release)
            }
            run.stage(steps, 'evidence') {
                auditAndExport(release)
            }
        }
        [name: run.name, version: run.rollbackVersion, digest: record.digest, rollback: true, incident: run.rollbackIncident]
    }

    /**
     * One input outside any node, submittable by the policy's approvers; with {@code withParameters} it asks for the
     * role and a rationale. An abort or a timeout records a no-go (on an agent) and ends the run: nothing reaches production.
     */
    private def ask(String id, String ok, String message, String noGo, boolean withParameters) {
        def input = [id: id, ok: ok, message: message, submitter: run.approvers()]
        if (withParameters) {
            def roles = run.plan.approvals.roles
            input.parameters = [steps.choice(name: 'role', choices: roles, description: 'The role you approve in (the policy: ' + roles.join(', ') + ')'),
                                steps.text(name: 'rationale', defaultValue: '', description: 'Why this release may go to production')]
        }
        try {
            return steps.input(input)
        } catch (err) {
            onAgent { steps.releaseGate(command: 'no-go', args: run.args([digest: run.digest(), reason: "${noGo}: ${interruption(err)}".toString()])) }
            throw err
        }
    }

    /**
     * What ended an input, as Jenkins records it: an abort or a timeout is a FlowInterruptedException without a message
     * whose causes say who rejected it ("Rejected by mia") or that the timeout passed; anything else by its message.
     */
    @NonCPS
    static String interruption(Throwable err) {
        def causes = err.metaClass.respondsTo(err, 'getCauses') ? err.causes : []
        def described = causes.collect { it.metaClass.respondsTo(it, 'getShortDescription') ? it.shortDescription : it.toString() }.findAll { it }
        described ? described.join('; ') : (err.message ?: err.toString())
    }

    /** Runs {@code body} on an agent with the repository checked out (the policy, an embedded ledger), and returns its value. */
    private def onAgent(Closure body) {
        def out
        steps.node {
            steps.checkout steps.scm
            out = body()
        }
        out
    }

    private void verifyProduction(Map release) {
        def smoke = config.commandFor('smoke', 'production')
        def verified = steps.releaseGate(command: 'verify-production', args: release + [checks: smoke ? [smoke: smoke] : [:]])
        if (!verified.ok) {
            steps.error "verify-production failed: ${verified.problems}; roll back by promoting the last known-good digest " +
                    "(run with ROLLBACK_VERSION and ROLLBACK_INCIDENT; never rebuild)"
        }
        steps.echo 'verify-production: the promoted digest runs in production and the checks passed'
    }

    /**
     * After production: the release audited as an auditor would (events believed, every recorded signature, SBOM and
     * provenance re-read from the store, the tags, the approvers against the authors) and its evidence bundle exported,
     * signed with the release key and archived with the build. A finding marks the build unstable: what is in
     * production stays, and the finding is for the release manager to act on.
     */
    private void auditAndExport(Map release) {
        def bundle = steps.releaseGate(command: 'evidence', args: release, signingKey: config.get('signingKey'))
        steps.archiveArtifacts artifacts: bundle.bundle, fingerprint: true
        steps.echo "evidence: ${bundle.release} exported to ${bundle.bundle} (sha256 ${bundle.sha256}, ${bundle.files} files)" +
                (bundle.complete ? '' : "; missing evidence: ${bundle.missing.join('; ')}")
        def audit = steps.releaseGate(command: 'audit', args: release)
        if (audit.ok) {
            steps.echo "audit: ${audit.release} (${audit.digest}) still verifies against the store" +
                    (audit.authorsChecked ? '; no approver is an author' : '')
        } else {
            steps.unstable "audit: ${audit.findings.size()} finding(s) about ${audit.release}: " +
                    audit.findings.collect { it.rule + ': ' + it.message }.join('; ')
        }
    }

    @NonCPS
    private String approvalMessage(String status) {
        "Release ${run.name} ${run.plan.version} to production?\n" +
                "digest: ${run.digest()}\n" +
                "gates: ${run.gates.summary}\n" +
                "release record: ${run.recordLink}\n" +
                "approvals so far: ${status}\n" +
                "The policy needs ${run.plan.approvals.count} approvals covering ${run.plan.approvals.roles.join(', ')}; " +
                "an author of the release, its releaser, or someone who already approved cannot approve. Abort = no-go."
    }

    @NonCPS
    private String emergencyMessage() {
        def emergency = run.emergency
        "Emergency change: release ${run.name} ${run.plan.version} to production outside the change windows?\n" +
                "digest: ${run.digest()}\n" +
                "reason: ${emergency.reason}\n" +
                "scope: ${emergency.scope}\n" +
                "rollback plan: ${emergency.rollbackPlan}\n" +
                "follow-ups: ${emergency.followUps.join('; ')}\n" +
                "You approve it as the emergency change's approver; it is recorded in the ledger with a review due by the policy. " +
                "Abort = no-go."
    }
}

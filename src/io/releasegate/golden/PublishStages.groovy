package io.releasegate.golden

/**
 * The stages of a release, on the agent that built it: publish (sign, signed provenance naming the library that ran,
 * the signed release tag), deploy-dev, verify-dev, deploy-staging (signatures verified first), verify-staging (the
 * release record archived); then, before anyone is asked to approve, the library check and the approvals so far.
 */
class PublishStages implements Serializable {

    private final def steps
    private final ReleaseRun run
    private final GoldenConfig config
    private final Deployments deployments

    PublishStages(def steps, ReleaseRun run) {
        this.steps = steps
        this.run = run
        this.config = run.config
        this.deployments = new Deployments(steps, run.config)
    }

    void stages() {
        String digest = run.digest()
        run.stage(steps, 'publish') {
            steps.releaseGate([command: 'sign', args: run.release] + config.signing())
            steps.releaseGate(command: 'provenance', args: run.args([repository: steps.env.GIT_URL ?: 'unknown', ref: run.branch,
                    libraryName: run.libraryName, libraryVersion: run.libraryVersion ?: 'unknown',
                    builderId: steps.env.JOB_URL ?: 'unknown', invocationId: steps.env.BUILD_URL ?: 'unknown']),
                    signingKey: config.get('signingKey'))
            def tag = steps.releaseGate([command: 'tag', args: run.args([branch: run.branch, remote: config.get('tagRemote') ?: 'origin'])] +
                    config.tagCredentials())
            steps.echo "publish: ${run.name}@${run.plan.version} is ${digest}, signed, with provenance; tag ${tag.tag} on ${tag.commit} (${tag.outcome})"
        }
        run.stage(steps, 'deploy-dev') {
            steps.promoteDigest(run.args([digest: digest, to: 'dev']))
            deployments.deploy('dev', digest)
        }
        run.stage(steps, 'verify-dev') {
            deployments.smoke('dev', digest)
        }
        run.stage(steps, 'deploy-staging') {
            steps.verifySignatures(run.args(config.verification()))
            steps.promoteDigest(run.args([digest: digest, to: 'staging']))
            deployments.deploy('staging', digest)
        }
        run.stage(steps, 'verify-staging') {
            deployments.smoke('staging', digest)
            run.recordLink = archiveRecord()
        }
        // refused before anyone is asked to approve; promoteDigest applies the same rule to production
        steps.releaseGate(command: 'library-check', args: [libraryName: run.libraryName, libraryVersion: run.libraryVersion])
        run.approvals = steps.releaseGate(command: 'approval-status', args: run.args([digest: digest]))
    }

    /** Writes the release record next to the build (archived) and returns where to read it. */
    private String archiveRecord() {
        def record = steps.releaseGate(command: 'release-record', args: run.release)
        steps.writeFile file: 'release-gate/release-record.json', text: record.json
        steps.archiveArtifacts artifacts: 'release-gate/release-record.json', fingerprint: true
        steps.env.BUILD_URL ? "${steps.env.BUILD_URL}artifact/release-gate/release-record.json".toString() :
                "ledger ${record.ledger} at ${record.head} (release-gate record ${run.name}@${run.plan.version})".toString()
    }
}

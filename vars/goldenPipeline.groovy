import io.releasegate.golden.GoldenConfig

/**
 * The golden pipeline. In a Jenkinsfile:
 *
 *   @Library('golden@v1.4.0') _
 *   goldenPipeline(name: 'payments', build: 'mvn -B package', artifacts: 'target/*.jar', signingKey: 'payments-release-key',
 *                  tagSigningKey: 'payments-tag-key', dast: 'n/a: batch service without a network endpoint')
 *
 * Every decision (branch rules, version, gates, approvals, windows, promotion, rollback) is taken by the
 * Release Gate steps; this script only runs the team's commands and wires the steps in order.
 * See goldenPipeline.txt for every option.
 */
def call(Map cfg = [:]) {
    def config = new GoldenConfig(cfg)
    def libraryName = config.libraryName()
    def libraryVersion = env['library.' + libraryName + '.version'] ?: ''
    properties([parameters([
            string(name: 'ROLLBACK_VERSION', defaultValue: '',
                    description: 'Roll production back to this previously released version (its digest is promoted again, nothing is rebuilt)'),
            string(name: 'ROLLBACK_INCIDENT', defaultValue: '', description: 'Incident reference for the rollback (required with ROLLBACK_VERSION)'),
            text(name: 'EMERGENCY_REASON', defaultValue: '',
                    description: 'Emergency change: why this release must reach production outside the change windows ' +
                            '(with EMERGENCY_SCOPE, EMERGENCY_ROLLBACK and EMERGENCY_FOLLOWUPS; an approver confirms it)'),
            string(name: 'EMERGENCY_SCOPE', defaultValue: '', description: 'Emergency change: what it changes, and what it does not'),
            text(name: 'EMERGENCY_ROLLBACK', defaultValue: '', description: 'Emergency change: the rollback plan'),
            text(name: 'EMERGENCY_FOLLOWUPS', defaultValue: '', description: 'Emergency change: the follow-ups, one per line')])])
    def rollbackVersion = params?.ROLLBACK_VERSION?.trim()
    if (rollbackVersion) {
        return rollback(config, rollbackVersion, params?.ROLLBACK_INCIDENT?.trim() ?: '')
    }
    // an emergency change asked for by the build parameters (null: none); the policy decides whether it is complete
    def emergency = GoldenConfig.emergency(params ?: [:])
    def name = config.get('name')
    def branch = env.BRANCH_NAME ?: 'main'
    def notApplicable = [:] + (config.get('notApplicable') ?: [:])
    def plan
    def release
    def result
    def gates
    def recordLink
    def approvals

    node {
        checkout scm
        plan = releaseGate(command: 'plan', args: [branch: branch, changeRequest: env.CHANGE_ID ? true : false] +
                (config.has('version') ? [version: config.get('version')] : [:]) + (emergency ? [emergency: emergency] : [:]))
        release = [name: name, version: plan.version] + config.locations()
        echo "golden pipeline ${libraryName}@${libraryVersion ?: 'unknown'}: ${name} ${plan.version} on ${branch} " +
                "(${plan.kind}; ${plan.reason})"
        if (emergency) {
            echo plan.toProduction ? "emergency change requested: ${emergency.reason} (scope: ${emergency.scope})" :
                    "emergency change requested, but ${branch} does not go to production: it is ignored"
        }
        stage('lint') {
            if (config.has('lint')) { sh config.get('lint') } else { echo 'lint: no lint command configured' }
        }
        stage('unit-test') {
            if (config.has('unitTest')) { sh config.get('unitTest') } else { echo 'unit-test: no unit test command configured' }
        }
        stage('build') {
            sh config.get('build')
            result = buildOnce(config.buildOnceArgs(plan.version))
            echo "build: ${result.reference} is ${result.digest} (${result.outcome})"
        }
        stage('integration-test') {
            if (config.has('integrationTest')) { sh config.get('integrationTest') } else { echo 'integration-test: none configured' }
        }
        stage('sast') {
            if (config.has('sast')) { sh config.get('sast') } else { echo 'sast: no SAST command configured' }
        }
        stage('dependency-license-scan') {
            if (config.has('dependencyScan')) { sh config.get('dependencyScan') } else { echo 'dependency-license-scan: none configured' }
        }
        stage('sbom') {
            def sbom = generateSbom([name: name, version: plan.version, out: 'target/sbom.cdx.json', spdxOut: 'target/sbom.spdx.json']
                    + (config.has('mavenRepo') ? [mavenRepo: config.get('mavenRepo')] : [:]) + config.locations())
            echo "sbom: CycloneDX ${sbom.documents[0].digest}, SPDX ${sbom.documents[1].digest}, ${sbom.components} component(s)"
        }
        stage('dast') {
            def dast = config.get('dast')
            if (dast instanceof String && dast.toLowerCase().startsWith('n/a')) {
                notApplicable.dast = dast.substring(dast.indexOf(':') + 1).trim()
            } else if (dast) {
                sh dast
            }
            def gateArgs = release + [branch: branch, notApplicable: notApplicable, sbom: 'target/sbom.cdx.json']
            if (config.has('sast')) { gateArgs.sarif = config.get('sastReport') ?: 'build/sast.sarif' }
            if (config.has('dependencyScan')) { gateArgs.vulns = config.get('dependencyReport') ?: 'build/vulns.json' }
            if (config.has('junit')) { gateArgs.junit = config.get('junit') }
            gates = releaseGate(command: 'gate', args: gateArgs)
            echo "gates: ${gates.summary}"
        }
        if (!plan.toProduction) {
            echo "${branch}: ${plan.reason}; nothing is published or deployed"
            return
        }
        if (!plan.release) {
            echo "${branch}: nothing to release (${plan.reason}); nothing is published or deployed"
            return
        }
        stage('publish') {
            releaseGate([command: 'sign', args: release] + config.signing())
            releaseGate(command: 'provenance', args: release + [repository: env.GIT_URL ?: 'unknown', ref: branch,
                    libraryName: libraryName, libraryVersion: libraryVersion ?: 'unknown',
                    builderId: env.JOB_URL ?: 'unknown', invocationId: env.BUILD_URL ?: 'unknown'],
                    signingKey: config.get('signingKey'))
            def tag = releaseGate([command: 'tag', args: release + [branch: branch, remote: config.get('tagRemote') ?: 'origin']] +
                    config.tagCredentials())
            echo "publish: ${name}@${plan.version} is ${result.digest}, signed, with provenance; tag ${tag.tag} on ${tag.commit} (${tag.outcome})"
        }
        stage('deploy-dev') {
            promoteDigest(release + [digest: result.digest, to: 'dev'])
            deployTo(config, 'dev', result.digest)
        }
        stage('verify-dev') { smokeIn(config, 'dev', result.digest) }
        stage('deploy-staging') {
            verifySignatures(release + config.verification())
            promoteDigest(release + [digest: result.digest, to: 'staging'])
            deployTo(config, 'staging', result.digest)
        }
        stage('verify-staging') {
            smokeIn(config, 'staging', result.digest)
            recordLink = archiveRecord(release)
        }
        // refused before anyone is asked to approve; promoteDigest applies the same rule to production
        releaseGate(command: 'library-check', args: [libraryName: libraryName, libraryVersion: libraryVersion])
        approvals = releaseGate(command: 'approval-status', args: release + [digest: result.digest])
    }
    if (!plan.toProduction || !plan.release) {
        return result
    }

    stage('approve-production') {
        // the inputs are outside any node: no executor is held while people decide; each answer is recorded on an
        // agent (the steps read the policy and the ledger there), for the few seconds that takes
        timeout(time: (config.get('approvalTimeoutHours') ?: 72) as int, unit: 'HOURS') {
            def status = approvals
            while (!status.satisfied) {
                def answer
                try {
                    answer = input(id: 'approve-production', ok: 'Approve',
                            message: approvalMessage(name, plan, result.digest, gates.summary, recordLink, status.status),
                            submitter: plan.approvals.roles.join(','),
                            parameters: [choice(name: 'role', choices: plan.approvals.roles,
                                                description: 'The role you approve in (the policy: ' + plan.approvals.roles.join(', ') + ')'),
                                         text(name: 'rationale', defaultValue: '', description: 'Why this release may go to production')])
                } catch (err) {
                    // abort or timeout: a recorded no-go, and nothing reaches production
                    onAgent { releaseGate(command: 'no-go', args: release + [digest: result.digest, reason: "approval aborted: ${err.message ?: err}"]) }
                    throw err
                }
                try {
                    status = onAgent { approveProduction(release + [digest: result.digest, role: answer.role, rationale: answer.rationale]) }
                    echo "approve-production: approval recorded; ${status.status}"
                } catch (refused) {
                    if (!(refused.message ?: '').contains('refused by rule approval.')) {
                        throw refused
                    }
                    echo "approve-production: approval refused and not counted: ${refused.message}"
                }
            }
        }
    }
    if (emergency) {
        stage('approve-emergency') {
            // outside any node, like the approvals: the approver of the emergency change is whoever submits this input
            timeout(time: (config.get('approvalTimeoutHours') ?: 72) as int, unit: 'HOURS') {
                try {
                    input(id: 'approve-emergency', ok: 'Approve emergency change', submitter: plan.approvals.roles.join(','),
                            message: emergencyMessage(name, plan, result.digest, emergency))
                } catch (err) {
                    onAgent { releaseGate(command: 'no-go', args: release + [digest: result.digest,
                            reason: "emergency change not approved: ${err.message ?: err}"]) }
                    throw err
                }
            }
        }
    }
    node {
        checkout scm
        stage('deploy-production') {
            verifySignatures(release + config.verification())
            def promoted = promoteDigest(release + [digest: result.digest, to: 'production'] + (emergency ? [emergency: emergency] : [:]))
            if (emergency) {
                echo promoted?.emergency ? "deploy-production: outside the change windows, recorded as emergency change ${promoted.emergency}" :
                        'deploy-production: inside a change window, no emergency change was needed'
            }
            deployTo(config, 'production', result.digest)
        }
        stage('verify-production') {
            verifyProduction(config, release)
        }
    }
    return result
}

/** Promotes a previously released, known-good digest to production again: nothing is built. */
private Map rollback(GoldenConfig config, String version, String incident) {
    def name = config.get('name')
    def release = [name: name, version: version] + config.locations()
    def record
    node {
        checkout scm
        stage('rollback-production') {
            if (!incident) {
                error 'rollback: ROLLBACK_INCIDENT is required with ROLLBACK_VERSION'
            }
            record = releaseGate(command: 'release-record', args: release)
            echo "rollback: ${name} ${version} is ${record.digest}; promoting it to production again for ${incident} (no rebuild)"
            verifySignatures(release + config.verification())
            promoteDigest(release + [digest: record.digest, to: 'production', incident: incident])
            deployTo(config, 'production', record.digest)
        }
        stage('verify-production') {
            verifyProduction(config, release)
        }
    }
    return [name: name, version: version, digest: record.digest, rollback: true, incident: incident]
}

private String approvalMessage(String name, Map plan, String digest, String gateSummary, String recordLink, String status) {
    "Release ${name} ${plan.version} to production?\n" +
            "digest: ${digest}\n" +
            "gates: ${gateSummary}\n" +
            "release record: ${recordLink}\n" +
            "approvals so far: ${status}\n" +
            "The policy needs ${plan.approvals.count} approvals covering ${plan.approvals.roles.join(', ')}; " +
            "an author of the release, its releaser, or someone who already approved cannot approve. Abort = no-go."
}

/** Runs {@code body} on an agent with the repository checked out (the policy, an embedded ledger), and returns its value. */
private def onAgent(Closure body) {
    def out
    node {
        checkout scm
        out = body()
    }
    out
}

private String emergencyMessage(String name, Map plan, String digest, Map emergency) {
    "Emergency change: release ${name} ${plan.version} to production outside the change windows?\n" +
            "digest: ${digest}\n" +
            "reason: ${emergency.reason}\n" +
            "scope: ${emergency.scope}\n" +
            "rollback plan: ${emergency.rollbackPlan}\n" +
            "follow-ups: ${emergency.followUps.join('; ')}\n" +
            "You approve it as the emergency change's approver; it is recorded in the ledger with a review due by the policy. " +
            "Abort = no-go."
}

/** Writes the release record next to the build (archived) and returns where to read it. */
private String archiveRecord(Map release) {
    def record = releaseGate(command: 'release-record', args: release)
    writeFile file: 'release-gate/release-record.json', text: record.json
    archiveArtifacts artifacts: 'release-gate/release-record.json', fingerprint: true
    env.BUILD_URL ? "${env.BUILD_URL}artifact/release-gate/release-record.json" :
            "ledger ${record.ledger} at ${record.head} (release-gate record ${release.name}@${release.version})"
}

private void verifyProduction(GoldenConfig config, Map release) {
    def smoke = config.commandFor('smoke', 'production')
    def verified = releaseGate(command: 'verify-production', args: release + [checks: smoke ? [smoke: smoke] : [:]])
    if (!verified.ok) {
        error "verify-production failed: ${verified.problems}; roll back by promoting the last known-good digest " +
                "(run with ROLLBACK_VERSION and ROLLBACK_INCIDENT; never rebuild)"
    }
    echo 'verify-production: the promoted digest runs in production and the checks passed'
}

private void deployTo(GoldenConfig config, String environment, String digest) {
    def command = config.commandFor('deploy', environment)
    if (command) {
        withEnv(["RELEASE_DIGEST=${digest}", "RELEASE_ENVIRONMENT=${environment}"]) { sh command }
    }
}

private void smokeIn(GoldenConfig config, String environment, String digest) {
    def command = config.commandFor('smoke', environment)
    if (command && environment != 'production') {
        withEnv(["RELEASE_DIGEST=${digest}", "RELEASE_ENVIRONMENT=${environment}"]) { sh command }
    }
}

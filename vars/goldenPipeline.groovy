import io.releasegate.golden.GoldenConfig

/**
 * The golden pipeline. In a Jenkinsfile:
 *
 *   @Library('golden@v1.4.0') _
 *   goldenPipeline(name: 'payments', version: '1.4.0', build: 'mvn -B package', artifacts: 'target/*.jar')
 *
 * See goldenPipeline.txt for every option.
 */
def call(Map cfg = [:]) {
    def config = new GoldenConfig(cfg)
    def name = config.get('name')
    def version = config.get('version')
    def branch = env.BRANCH_NAME ?: 'main'
    def toProduction = branch == 'main' || branch ==~ /release\/\d+\.\d+/ || branch ==~ /hotfix\/\d+\.\d+\.\d+-[A-Za-z][A-Za-z0-9]*-\d+/
    def release = [name: name, version: version]
    def result = [:]
    def notApplicable = [:] + (config.get('notApplicable') ?: [:])

    node {
        stage('lint') {
            if (config.has('lint')) { sh config.get('lint') } else { echo 'lint: no lint command configured' }
        }
        stage('unit-test') {
            if (config.has('unitTest')) { sh config.get('unitTest') } else { notApplicable.unit = notApplicable.unit ?: 'no unit test command' }
        }
        stage('build') {
            sh config.get('build')
            result = buildOnce(config.buildOnceArgs())
            echo "build: ${result.reference} is ${result.digest} (${result.outcome})"
        }
        stage('integration-test') {
            if (config.has('integrationTest')) { sh config.get('integrationTest') } else { echo 'integration-test: none configured' }
        }
        stage('sast') {
            if (config.has('sast')) { sh config.get('sast') }
        }
        stage('dependency-license-scan') {
            if (config.has('dependencyScan')) { sh config.get('dependencyScan') }
        }
        stage('sbom') {
            def sbom = generateSbom(release + [out: 'target/sbom.cdx.json', spdxOut: 'target/sbom.spdx.json'])
            echo "sbom: CycloneDX ${sbom.documents[0].digest}, SPDX ${sbom.documents[1].digest}, ${sbom.components} component(s)"
        }
        stage('dast') {
            def dast = config.get('dast')
            if (dast instanceof String && dast.toLowerCase().startsWith('n/a')) {
                notApplicable.dast = dast.substring(dast.indexOf(':') + 1).trim()
            } else if (dast) {
                sh dast
            }
            def gateArgs = release + [branch: branch, notApplicable: notApplicable]
            if (config.has('sast')) { gateArgs.sarif = config.get('sastReport') ?: 'build/sast.sarif' }
            if (config.has('dependencyScan')) { gateArgs.vulns = config.get('dependencyReport') ?: 'build/vulns.json' }
            if (config.has('junit')) { gateArgs.junit = config.get('junit') }
            gateArgs.sbom = 'target/sbom.cdx.json'
            def gates = releaseGate(command: 'gate', args: gateArgs)
            echo "gates: ${gates.summary}"
        }
    }
    if (!toProduction) {
        echo "${branch}: change requests and feature branches stop after the gates"
        return result
    }
    node {
        stage('publish') {
            releaseGate(command: 'sign', args: release, signingKey: config.get('signingKey'))
            releaseGate(command: 'provenance', args: release + [ref: branch, libraryName: 'golden',
                    libraryVersion: env.'library.golden.version' ?: 'unknown'], signingKey: config.get('signingKey'))
        }
        ['dev', 'staging'].each { environment ->
            stage("deploy-${environment}") {
                if (environment != 'dev') { verifySignatures(release + [signingKey: config.get('signingKey')]) }
                promoteDigest(release + [digest: result.digest, to: environment])
                deployTo(config, environment, result.digest)
            }
            stage("verify-${environment}") { smokeIn(config, environment, result.digest) }
        }
    }
    def libraryVersion = env.'library.golden.version' ?: ''
    if (!(libraryVersion ==~ /[0-9a-f]{40}/ || libraryVersion ==~ /v\d+\.\d+\.\d+/) && config.get('allowUnpinnedLibrary') != true) {
        error "golden library loaded from '${libraryVersion ?: 'an unknown ref'}', not a vX.Y.Z tag or a commit: production needs a pinned library"
    }
    stage('approve-production') {
        // outside any node: no executor is held while people decide
        timeout(time: (config.get('approvalTimeoutHours') ?: 72) as int, unit: 'HOURS') {
            def satisfied = false
            while (!satisfied) {
                def answer
                try {
                    answer = input(message: "Release ${name} ${version} (${result.digest}) to production?",
                            submitter: config.get('approvers') ?: 'domain-reviewer,maintainer',
                            parameters: [choice(name: 'role', choices: ['maintainer', 'domain-reviewer']),
                                         text(name: 'rationale', defaultValue: '')])
                } catch (err) {
                    releaseGate(command: 'no-go', args: release + [digest: result.digest, reason: "approval aborted: ${err}"])
                    throw err
                }
                try {
                    def approval = approveProduction(release + [digest: result.digest, role: answer.role, rationale: answer.rationale])
                    satisfied = approval.satisfied
                    echo "approve-production: ${approval.status}"
                } catch (refused) {
                    echo "approve-production: approval refused and not counted: ${refused.message}"
                }
            }
        }
    }
    node {
        stage('deploy-production') {
            verifySignatures(release + [signingKey: config.get('signingKey')])
            promoteDigest(release + [digest: result.digest, to: 'production'])
            deployTo(config, 'production', result.digest)
        }
        stage('verify-production') {
            def checks = config.get('smoke')?.production ? [smoke: config.get('smoke').production] : [:]
            def verified = releaseGate(command: 'verify-production', args: release + [checks: checks])
            if (!verified.ok) {
                error "verify-production failed: ${verified.problems}; roll back by promoting the last known-good digest (never rebuild)"
            }
            echo 'verify-production: verified'
        }
    }
    return result
}

private void deployTo(GoldenConfig config, String environment, String digest) {
    def command = config.get('deploy')?.get(environment)
    if (command) {
        withEnv(["RELEASE_DIGEST=${digest}"]) { sh command }
    }
}

private void smokeIn(GoldenConfig config, String environment, String digest) {
    def command = config.get('smoke')?.get(environment)
    if (command) {
        withEnv(["RELEASE_DIGEST=${digest}"]) { sh command }
    }
}

package io.releasegate.golden

/**
 * The stages every branch runs, on the agent that checked the sources out: lint, unit-test, build (the team's
 * command), package (buildOnce: the artifacts become one digest in the store, built once), integration-test, sast,
 * dependency-license-scan, sbom, and dast with the gate decision.
 */
class BuildStages implements Serializable {

    private final def steps
    private final ReleaseRun run
    private final GoldenConfig config

    BuildStages(def steps, ReleaseRun run) {
        this.steps = steps
        this.run = run
        this.config = run.config
    }

    void stages() {
        command('lint', 'lint', 'lint: no lint command configured')
        command('unit-test', 'unitTest', 'unit-test: no unit test command configured')
        run.stage(steps, 'build') {
            steps.sh config.get('build')
        }
        run.stage(steps, 'package') {
            run.result = steps.buildOnce(config.buildOnceArgs(run.plan.version))
            steps.echo "package: ${run.result.reference} is ${run.result.digest} (${run.result.outcome})"
        }
        command('integration-test', 'integrationTest', 'integration-test: none configured')
        command('sast', 'sast', 'sast: no SAST command configured')
        command('dependency-license-scan', 'dependencyScan', 'dependency-license-scan: none configured')
        run.stage(steps, 'sbom') {
            def sbom = steps.generateSbom(run.args([out: 'target/sbom.cdx.json', spdxOut: 'target/sbom.spdx.json'] +
                    (config.has('mavenRepo') ? [mavenRepo: config.get('mavenRepo')] : [:])))
            steps.echo "sbom: CycloneDX ${sbom.documents[0].digest}, SPDX ${sbom.documents[1].digest}, ${sbom.components} component(s)"
        }
        run.stage(steps, 'dast') {
            def dast = config.get('dast')
            if (dast && !GoldenConfig.notApplicable(dast)) {
                steps.sh dast
            }
            run.gates = steps.releaseGate(command: 'gate', args: gateArgs())
            steps.echo "gates: ${run.gates.summary}"
        }
    }

    /** The stage running the team's command {@code key}, or saying that none is configured. */
    private void command(String stage, String key, String none) {
        run.stage(steps, stage) {
            if (config.has(key)) {
                steps.sh config.get(key)
            } else {
                steps.echo none
            }
        }
    }

    @NonCPS
    private Map gateArgs() {
        def notApplicable = [:] + (config.get('notApplicable') ?: [:])
        def dast = config.get('dast')
        if (GoldenConfig.notApplicable(dast)) {
            notApplicable.dast = dast.substring(dast.indexOf(':') + 1).trim()
        }
        def args = run.args([branch: run.branch, notApplicable: notApplicable, sbom: 'target/sbom.cdx.json'])
        if (config.has('sast')) {
            args.sarif = config.get('sastReport') ?: 'build/sast.sarif'
        }
        if (config.has('dependencyScan')) {
            args.vulns = config.get('dependencyReport') ?: 'build/vulns.json'
        }
        if (config.has('junit')) {
            args.junit = config.get('junit')
        }
        args
    }
}

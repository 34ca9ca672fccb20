import io.releasegate.golden.BuildStages
import io.releasegate.golden.GoldenConfig
import io.releasegate.golden.ManifestStages
import io.releasegate.golden.ProductionStages
import io.releasegate.golden.PublishStages
import io.releasegate.golden.ReleaseRun
import io.releasegate.golden.ReportStages
import io.releasegate.golden.RunRecord

/**
 * The golden pipeline. In a Jenkinsfile:
 *
 *   @Library('golden@v1.4.0') _
 *   goldenPipeline(name: 'payments', build: 'mvn -B package', artifacts: 'target/*.jar', signingKey: 'payments-release-key',
 *                  tagSigningKey: 'payments-tag-key', dast: 'n/a: batch service without a network endpoint')
 *
 * and, in a job of its own, the monthly delivery report: goldenPipeline(report: [schedule: 'H 6 1 * *']); in a platform
 * repository, manifest mode releases the services its committed platform.yaml lists as one set:
 * goldenPipeline(name: 'platform', manifest: [repositories: [payments: '…', notifier: '…'], integrationTest: './it.sh']).
 *
 * Every decision (branch rules, version, gates, approvals, windows, promotion, rollback) is taken by the
 * Release Gate steps; this script only runs the team's commands and wires the steps in order.
 * See goldenPipeline.txt for every option. The stage groups live in src/io/releasegate/golden: BuildStages (every branch),
 * PublishStages (publish to verify-staging), ProductionStages (approvals, production, rollback), RunRecord (every run's
 * outcome, recorded at its end), ReportStages (the report job) and ManifestStages (manifest mode).
 */
def call(Map cfg = [:]) {
    def config = new GoldenConfig(cfg)
    ReleaseRun.declareParameters(this, config)
    if (config.reportMode()) {
        return new ReportStages(this, config).report()
    }
    def run = ReleaseRun.of(this, config)
    if (config.manifestMode()) {
        return new RunRecord(this, run).around {
            def set = new ManifestStages(this, run)
            run.rollbackVersion ? set.rollback() : set.release()
        }
    }
    return new RunRecord(this, run).around {
        if (run.rollbackVersion) {
            return new ProductionStages(this, run).rollback()
        }
        release(config, run)
    }
}

private def release(GoldenConfig config, ReleaseRun run) {
    node {
        run.checkedOut(checkout(scm))
        run.planned(releaseGate(command: 'plan', args: [branch: run.branch, changeRequest: run.changeRequest] +
                (config.has('version') ? [version: config.get('version')] : [:]) + (run.emergency ? [emergency: run.emergency] : [:])))
        echo "golden pipeline ${run.libraryName}@${run.libraryVersion ?: 'unknown'}: ${run.name} ${run.plan.version} on ${run.branch} " +
                "(${run.plan.kind}; ${run.plan.reason})"
        if (run.emergency) {
            echo run.plan.toProduction ? "emergency change requested: ${run.emergency.reason} (scope: ${run.emergency.scope})" :
                    "emergency change requested, but ${run.branch} does not go to production: it is ignored"
        }
        new BuildStages(this, run).stages()
        if (run.goesToProduction()) {
            new PublishStages(this, run).stages()
        } else {
            echo "${run.branch}: ${run.plan.toProduction ? 'nothing to release (' + run.plan.reason + ')' : run.plan.reason}; " +
                    'nothing is published or deployed'
        }
    }
    if (run.goesToProduction()) {
        def production = new ProductionStages(this, run)
        production.approve()
        production.approveEmergency()
        production.deploy()
    }
    return run.result
}

package io.releasegate.golden

import java.time.YearMonth
import java.time.ZoneOffset

/**
 * The report job: the delivery report of the ledger (DORA metrics, CI pass rate, gates, evidence, lead-time stages) for
 * the month the REPORT_MONTH parameter names, written by releaseGate report into the workspace and archived with the
 * build as report.json and report.html. It reads the ledger only: nothing is built, released or recorded.
 */
class ReportStages implements Serializable {

    private final def steps
    private final GoldenConfig config
    private final String given

    ReportStages(def steps, GoldenConfig config) {
        this.steps = steps
        this.config = config
        this.given = steps.params?.REPORT_MONTH?.toString()?.trim() ?: ''
    }

    /** Checks REPORT_MONTH before anything runs, then writes, archives and summarises the report. */
    Map report() {
        String problem = problem(given)
        if (problem) {
            steps.error problem
        }
        String month = month(given, YearMonth.now(ZoneOffset.UTC))
        String out = config.reportDirectory()
        def report
        steps.node {
            steps.checkout steps.scm
            steps.stage('delivery-report') {
                report = steps.releaseGate(command: 'report', args: config.reportArgs(month))
                steps.archiveArtifacts artifacts: "${out}/report.json,${out}/report.html".toString(), fingerprint: true
                steps.echo summary(report, out)
            }
        }
        report
    }

    /** Why REPORT_MONTH cannot be reported, or null: it is empty, {@code all} or a month YYYY-MM. */
    @NonCPS
    static String problem(String given) {
        if (!given || given.equalsIgnoreCase('all') || given ==~ /\d{4}-(0[1-9]|1[0-2])/) {
            return null
        }
        "goldenPipeline report: REPORT_MONTH must be a month YYYY-MM (e.g. 2026-11), 'all' for the whole ledger, or empty " +
                "for the previous month; not '${given}'. Nothing was run."
    }

    /** The month to report: the one given, the previous whole month (UTC) when none is, '' (the whole ledger) for all. */
    @NonCPS
    static String month(String given, YearMonth now) {
        if (!given) {
            return now.minusMonths(1).toString()
        }
        given.equalsIgnoreCase('all') ? '' : given
    }

    @NonCPS
    private static String summary(Map r, String out) {
        "delivery report ${r.from} to ${r.to}: ${r.deployments} production deployment(s) of ${r.services} service(s); " +
                "change failure rate ${r.changeFailureRate == null ? 'n/a' : r.changeFailureRate}, " +
                "lead time median ${seconds(r.leadTimeMedianSeconds)}, time to restore median ${seconds(r.timeToRestoreMedianSeconds)}, " +
                "CI pass rate on main ${r.ciPassRateMain == null ? 'n/a' : r.ciPassRateMain}; archived ${out}/report.json and ${out}/report.html"
    }

    @NonCPS
    private static String seconds(Object s) {
        s == null ? 'n/a' : "${s} s".toString()
    }
}

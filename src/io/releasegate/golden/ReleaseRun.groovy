package io.releasegate.golden

/**
 * One run of the golden pipeline: what the team configured, what Jenkins says about the run (branch, change request,
 * the library version it loaded, the build parameters), and what the stages found so far (the plan, the build, the
 * gates, the release record, the approvals). Every stage group reads and fills it; it is kept across the inputs, so
 * it holds only serialisable values (strings, maps and lists of them).
 */
class ReleaseRun implements Serializable {

    final GoldenConfig config
    final String name
    final String branch
    final boolean changeRequest
    final String libraryName
    final String libraryVersion
    /** the emergency change the build parameters ask for, or null (the policy decides whether it is complete) */
    final Map<String, Object> emergency
    final String rollbackVersion
    final String rollbackIncident
    /** the build's URL as Jenkins gives it (env.BUILD_URL), or '' */
    final String buildUrl
    /** the commit the checkout gave (GIT_COMMIT), until the package stage says which commit was built */
    String commit = ''
    /** how long each stage took, in milliseconds, as the library measured it (recorded with the run's outcome) */
    Map<String, Long> stageMillis = [:]

    Map plan
    /** name, version, store/ledger: the arguments every step about this release takes */
    Map release
    /** buildOnce's result: reference, digest, outcome */
    Map result
    Map gates
    String recordLink
    Map approvals

    ReleaseRun(GoldenConfig config, Map<String, String> env, Map params) {
        this.config = config
        this.name = config.get('name')
        this.branch = env.BRANCH_NAME ?: 'main'
        this.changeRequest = env.CHANGE_ID ? true : false
        this.libraryName = config.libraryName()
        this.libraryVersion = env['library.' + libraryName + '.version'] ?: ''
        this.emergency = GoldenConfig.emergency(params ?: [:])
        this.rollbackVersion = params?.ROLLBACK_VERSION?.toString()?.trim() ?: ''
        this.rollbackIncident = params?.ROLLBACK_INCIDENT?.toString()?.trim() ?: ''
        this.buildUrl = env.BUILD_URL ?: ''
    }

    /**
     * Declares the job's properties, once per run (a later {@code properties} call would replace them): the team's own
     * build parameters ({@code parameters}) with the golden pipeline's, which ask for a rollback or an emergency change;
     * in report mode the team's with REPORT_MONTH, and the report's cron schedule. The job shows them from its next run.
     */
    static void declareParameters(def script, GoldenConfig config) {
        def own = config.reportMode() ? [
                script.string(name: 'REPORT_MONTH', defaultValue: '',
                        description: 'The month to report, YYYY-MM; empty: the previous whole month (UTC); all: the whole ledger')] : [
                script.string(name: 'ROLLBACK_VERSION', defaultValue: '',
                        description: 'Roll production back to this previously released version (its digest is promoted again, nothing is rebuilt)'),
                script.string(name: 'ROLLBACK_INCIDENT', defaultValue: '', description: 'Incident reference for the rollback (required with ROLLBACK_VERSION)'),
                script.text(name: 'EMERGENCY_REASON', defaultValue: '',
                        description: 'Emergency change: why this release must reach production outside the change windows ' +
                                '(with EMERGENCY_SCOPE, EMERGENCY_ROLLBACK and EMERGENCY_FOLLOWUPS; an approver confirms it)'),
                script.string(name: 'EMERGENCY_SCOPE', defaultValue: '', description: 'Emergency change: what it changes, and what it does not'),
                script.text(name: 'EMERGENCY_ROLLBACK', defaultValue: '', description: 'Emergency change: the rollback plan'),
                script.text(name: 'EMERGENCY_FOLLOWUPS', defaultValue: '', description: 'Emergency change: the follow-ups, one per line')]
        def properties = [script.parameters(config.teamParameters() + own)]
        def schedule = config.reportSchedule()
        if (schedule) {
            properties << script.pipelineTriggers([script.cron(schedule)])
        }
        script.properties(properties)
    }

    /** What Jenkins tells the pipeline, read once from the script's env and params (both are live objects). */
    static ReleaseRun of(def script, GoldenConfig config) {
        def env = [BRANCH_NAME: script.env.BRANCH_NAME, CHANGE_ID: script.env.CHANGE_ID, BUILD_URL: script.env.BUILD_URL]
        def key = 'library.' + config.libraryName() + '.version'
        env[key] = script.env[key]
        def params = [:]
        GoldenConfig.BUILD_PARAMETERS.each { p -> params[p] = script.params?.get(p) }
        new ReleaseRun(config, env, params)
    }

    /** The release, planned by the releaseGate plan step: its version, whether it goes to production, the approvals. */
    void planned(Map plan) {
        this.plan = plan
        this.release = [name: name, version: plan.version] + config.locations()
    }

    /** What {@code checkout scm} returned: the commit checked out (GIT_COMMIT), if the SCM says. */
    @NonCPS
    void checkedOut(def scmVars) {
        if (scmVars instanceof Map && scmVars.GIT_COMMIT) {
            commit = scmVars.GIT_COMMIT.toString()
        }
    }

    /** Runs the stage {@code name} and adds how long it took to {@link #stageMillis}, also when it fails. */
    def stage(def steps, String name, Closure body) {
        long started = System.currentTimeMillis()
        try {
            return steps.stage(name, body)
        } finally {
            stageMillis[name] = (stageMillis[name] ?: 0L) + (System.currentTimeMillis() - started)
        }
    }

    /**
     * The arguments of releaseGate record-run: this run's outcome, its duration, the stage durations measured, the
     * commit it built (buildOnce's, else the checkout's), the build URL, and where the ledger is.
     */
    @NonCPS
    Map runArgs(String outcome, long durationMs) {
        def args = [name: name, branch: branch, result: outcome, durationMs: durationMs, stages: [:] + stageMillis]
        def built = result?.commit ?: commit
        if (built) {
            args.commit = built.toString()
        }
        if (buildUrl) {
            args.run = buildUrl
        }
        args + config.locations()
    }

    @NonCPS
    boolean goesToProduction() {
        plan != null && plan.toProduction && plan.release
    }

    /** The release's step arguments with {@code more}. */
    @NonCPS
    Map args(Map more) {
        release + more
    }

    @NonCPS
    String digest() {
        result?.digest
    }

    @NonCPS
    int approvalTimeoutHours() {
        (config.get('approvalTimeoutHours') ?: 72) as int
    }

    /** Who may submit the approval inputs: the policy's approver roles (as Jenkins users or groups). */
    @NonCPS
    String approvers() {
        plan.approvals.roles.join(',')
    }
}

package io.releasegate.golden

/**
 * Every run of the golden pipeline records how it ended (SUCCESS, UNSTABLE, FAILURE, ABORTED) with releaseGate record-run:
 * branch, result, duration, the stage durations the library measured, the commit it built and the build URL, as a
 * {@code pipeline-finished} event in the ledger (what the delivery report's CI pass rate is computed from). The record
 * is made on an agent (the steps need a workspace) after the run's own stages, whatever they did: the run's own error is
 * always rethrown unchanged, and a record that cannot be made is reported and marks the build unstable.
 */
class RunRecord implements Serializable {

    private final def steps
    private final ReleaseRun run

    RunRecord(def steps, ReleaseRun run) {
        this.steps = steps
        this.run = run
    }

    /** Runs {@code body} (the pipeline), then records its outcome; returns its value or rethrows its error. */
    def around(Closure body) {
        long started = System.currentTimeMillis()
        Throwable failure = null
        try {
            return body()
        } catch (Throwable err) {
            failure = err
            throw err
        } finally {
            record(failure == null ? currentResult() : outcome(failure), System.currentTimeMillis() - started)
        }
    }

    private void record(String result, long durationMs) {
        try {
            steps.node {
                def recorded = steps.releaseGate(command: 'record-run', args: run.runArgs(result, durationMs))
                steps.echo "record-run: ${run.name} ${result} on ${run.branch} after ${durationMs} ms (event ${recorded.event})"
            }
        } catch (Exception err) {
            // never hides the run's own error (the caller rethrows it), never passes unnoticed either
            steps.echo "record-run: the outcome of this run (${result}) was not recorded: ${err.message ?: err}"
            steps.unstable "record-run: the outcome of this run was not recorded in the ledger: ${err.message ?: err}"
        }
    }

    /** SUCCESS or UNSTABLE: what Jenkins says of the run so far (the stages that ended normally). */
    private String currentResult() {
        def result = steps.currentBuild?.currentResult
        result ? result.toString() : 'SUCCESS'
    }

    /**
     * The result an error ends the run with: an abort or an input's timeout (FlowInterruptedException) carries its
     * result, ABORTED for an abort; any other interruption is an abort; everything else a failure.
     */
    @NonCPS
    static String outcome(Throwable err) {
        if (err.metaClass.respondsTo(err, 'getResult') && err.result != null) {
            return err.result.toString()
        }
        err instanceof InterruptedException ? 'ABORTED' : 'FAILURE'
    }
}

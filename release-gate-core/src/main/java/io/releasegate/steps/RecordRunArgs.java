package io.releasegate.steps;

import io.releasegate.error.InputException;
import io.releasegate.report.PipelineRun;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#recordRun}: the run's outcome as the pipeline knows it at its end.
 *
 * @param run the pipeline run's outcome (service name, branch, result, duration, stage durations, commit, run URL)
 */
public record RecordRunArgs(PipelineRun run, String store, String ledger) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "branch", "result", "durationMs", "stages", "commit", "run", "store",
            "ledger");

    public static RecordRunArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("recordRun", map, KEYS);
        Map<String, Long> stages = new LinkedHashMap<>();
        a.map("stages").forEach((stage, ms) -> stages.put(stage, millis("stages." + stage, ms)));
        PipelineRun run = new PipelineRun(a.required("name"), a.required("branch"), PipelineRun.Result.parse(a.required("result")),
                millis("durationMs", a.required("durationMs"))).stages(stages).commit(a.nonBlank("commit")).run(a.nonBlank("run"));
        return new RecordRunArgs(run, a.text("store", ""), a.text("ledger", ""));
    }

    static long millis(String key, String value) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InputException("recordRun: " + key + " must be a number of milliseconds ≥ 0, not '" + value + "'");
        }
    }
}

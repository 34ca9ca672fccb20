package io.releasegate.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One pipeline run's outcome, recorded as a {@code pipeline-finished} event under the subject {@code pipeline:NAME}
 * so that the delivery report can compute the CI pass rate per branch from the ledger alone.
 *
 * <pre>{@code
 * Event e = new PipelineRun("payments", "main", PipelineRun.Result.SUCCESS, 412_000)
 *         .stages(Map.of("build", 95_000L, "test", 230_000L)).commit(Optional.of(sha)).record(ledger, "ci", clock);
 * }</pre>
 *
 * @param name       the service (the release name its builds use)
 * @param branch     the branch the run built
 * @param result     how it ended, as Jenkins says it
 * @param durationMs how long it ran, in milliseconds
 * @param stages     each stage's duration in milliseconds, in the pipeline's order (may be empty)
 * @param commit     the commit it built, when known
 * @param run        the run's identifier or URL (e.g. the Jenkins build URL), when known
 */
public record PipelineRun(String name, String branch, Result result, long durationMs, Map<String, Long> stages,
                          Optional<String> commit, Optional<String> run) {

    /** The ledger type of the event. */
    public static final String EVENT_TYPE = EventType.PIPELINE_FINISHED.wire();
    /** The subject of a service's pipeline events: {@code pipeline:NAME}. */
    public static final String SUBJECT_PREFIX = "pipeline:";

    /** How a run ended: Jenkins' build results. */
    public enum Result {
        SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT;

        /** {@code success}, {@code SUCCESS}, …; anything else is an input error naming the valid ones. */
        public static Result parse(String s) {
            String v = s == null ? "" : s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Result r : values()) {
                if (r.name().equals(v)) {
                    return r;
                }
            }
            throw new InputException("pipeline result must be one of SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT, not '" + s + "'");
        }
    }

    public PipelineRun {
        Objects.requireNonNull(result, "result");
        stages = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stages));
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(run, "run");
    }

    public PipelineRun(String name, String branch, Result result, long durationMs) {
        this(name, branch, result, durationMs, Map.of(), Optional.empty(), Optional.empty());
    }

    public PipelineRun stages(Map<String, Long> value) {
        return new PipelineRun(name, branch, result, durationMs, value, commit, run);
    }

    public PipelineRun commit(Optional<String> value) {
        return new PipelineRun(name, branch, result, durationMs, stages, value, run);
    }

    public PipelineRun run(Optional<String> value) {
        return new PipelineRun(name, branch, result, durationMs, stages, commit, value);
    }

    /** Checks the run and appends its {@code pipeline-finished} event, signed as the CI identity's. */
    public Event record(Ledger ledger, String actor, Clock clock) {
        ObjectNode payload = payload();
        return ledger.append(Event.draft(EVENT_TYPE, SUBJECT_PREFIX + name, Optional.empty(), actor, clock.instant(), payload));
    }

    /** The event's payload: {@code name, branch, result, durationMs, stages{}, commit?, run?}; an input error when invalid. */
    public ObjectNode payload() {
        io.releasegate.store.OciNames.repository(name);
        if (branch == null || branch.isBlank() || branch.chars().anyMatch(Character::isISOControl)) {
            throw new InputException("a pipeline run needs the branch it built (one line)");
        }
        if (durationMs < 0) {
            throw new InputException("a pipeline run's duration cannot be negative: " + durationMs + " ms");
        }
        ObjectNode p = Json.object().put("name", name).put("branch", branch.strip()).put("result", result.name())
                .put("durationMs", durationMs);
        ObjectNode s = p.putObject("stages");
        stages.forEach((stage, ms) -> {
            if (stage.isBlank() || ms == null || ms < 0) {
                throw new InputException("stage durations are NAME=MILLISECONDS with a name and a duration ≥ 0: '" + stage
                        + "'=" + ms);
            }
            s.put(stage, ms);
        });
        commit.filter(c -> !c.isBlank()).ifPresent(c -> p.put("commit", c.strip()));
        run.filter(r -> !r.isBlank()).ifPresent(r -> p.put("run", r.strip()));
        return p;
    }
}

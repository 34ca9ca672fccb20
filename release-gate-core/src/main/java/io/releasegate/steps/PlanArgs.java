package io.releasegate.steps;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#plan}.
 *
 * @param branch        the branch the run is on
 * @param changeRequest whether the run builds a change request
 * @param version       the version the pipeline fixed, if any (blank: none)
 * @param emergency     the emergency change the run is for, if any
 */
public record PlanArgs(String branch, boolean changeRequest, Optional<String> version, Optional<EmergencyArgs> emergency) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("branch", "changeRequest", "version", "emergency");

    public static PlanArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("plan", map, KEYS);
        Optional<EmergencyArgs> emergency = a.value("emergency").map(EmergencyArgs::of);
        return new PlanArgs(a.required("branch"), Boolean.parseBoolean(a.text("changeRequest", "false")), a.nonBlank("version"),
                emergency);
    }
}

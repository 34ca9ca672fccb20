package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@link PipelineSteps#libraryCheck} found when it did not refuse: whether the library's ref is pinned. */
public record LibraryCheckResult(boolean pinned) implements StepResult {

    /** {@code pinned}. */
    @Override
    public Map<String, Object> toMap() {
        return new LinkedHashMap<>(Map.of("pinned", pinned));
    }
}

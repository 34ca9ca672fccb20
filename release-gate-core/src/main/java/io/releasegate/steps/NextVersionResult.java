package io.releasegate.steps;

import io.releasegate.version.NextVersion;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** What {@link PipelineSteps#nextVersion} computed from the history. */
public record NextVersionResult(NextVersion.Result next) implements StepResult {

    public NextVersionResult {
        Objects.requireNonNull(next, "next");
    }

    /** {@code version, release, bump (none|patch|minor|major), reason, commits (their number), previousTag?}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", next.version());
        out.put("release", next.release());
        out.put("bump", next.bump().name().toLowerCase(Locale.ROOT));
        out.put("reason", next.reason());
        out.put("commits", next.commits().size());
        next.previousTag().ifPresent(t -> out.put("previousTag", t));
        return out;
    }
}

package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What {@link PipelineSteps#tagRelease} did: the tag, the commit it is on, whether it was created now, and pushed. */
public record TagResult(String tag, String commit, Outcome outcome, boolean pushed) implements StepResult {

    /** Created by this call, or already there as the release's pipeline tagged it. */
    public enum Outcome { TAGGED, UNCHANGED }

    /** {@code tag, commit, outcome (tagged|unchanged), pushed}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tag", tag);
        out.put("commit", commit);
        out.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
        out.put("pushed", pushed);
        return out;
    }
}

package io.releasegate.steps;

import io.releasegate.build.BuildResult;
import io.releasegate.digest.Subject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@link PipelineSteps#buildOnce} published: the build's result. */
public record BuildOnceResult(BuildResult build) implements StepResult {

    public BuildOnceResult {
        Objects.requireNonNull(build, "build");
    }

    /**
     * {@code name, version, digest, subjects: [{name, digest}], reference, mediaType, store, outcome (published|unchanged),
     * event, commit?, missingTargets?}: what {@code buildOnce} returns and {@code build-once --json} prints.
     */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", build.name());
        out.put("version", build.version());
        out.put("digest", build.digest().toString());
        List<Map<String, String>> subjects = new ArrayList<>();
        for (Subject s : build.subjects()) {
            Map<String, String> subject = new LinkedHashMap<>();
            subject.put("name", s.name());
            subject.put("digest", s.digest().toString());
            subjects.add(subject);
        }
        out.put("subjects", subjects);
        out.put("reference", build.reference());
        out.put("mediaType", build.mediaType());
        out.put("store", build.store());
        out.put("outcome", build.outcome() == BuildResult.Outcome.PUBLISHED ? "published" : "unchanged");
        out.put("event", build.eventId());
        build.commit().ifPresent(c -> out.put("commit", c));
        if (!build.missingTargets().isEmpty()) {
            out.put("missingTargets", build.missingTargets());
        }
        return out;
    }
}

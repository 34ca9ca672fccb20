package io.releasegate.steps;

import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.manifest.ReleaseManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link PipelineSteps#manifestCreate} and {@link PipelineSteps#manifestShow} return: the set, its digest (what
 * approvals and integration tests are bound to), its members as pinned, and for a creation the build that stored it.
 */
public record ManifestResult(ReleaseManifest manifest, Digest digest, Optional<BuildResult> build,
                             io.releasegate.policy.Policy.Approvals approvals) implements StepResult {

    public ManifestResult {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(approvals, "approvals");
    }

    /**
     * {@code name, version, digest, members: [{subject, name, version, digest, commit?, tag?}], approvals: {count, roles}}
     * (what the set's production approvals need, by the workspace's policy), and for a creation
     * {@code reference, outcome (published, unchanged), event}.
     */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", manifest.name());
        out.put("version", manifest.version());
        out.put("digest", digest.toString());
        List<Map<String, Object>> members = new ArrayList<>();
        for (ReleaseManifest.Member m : manifest.members()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("subject", m.subject());
            x.put("name", m.name());
            x.put("version", m.version());
            x.put("digest", m.digest().toString());
            m.commit().ifPresent(c -> x.put("commit", c));
            m.tag().ifPresent(t -> x.put("tag", t));
            members.add(x);
        }
        out.put("members", members);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("count", approvals.count());
        a.put("roles", new ArrayList<>(approvals.roles()));
        out.put("approvals", a);
        build.ifPresent(b -> {
            out.put("reference", b.reference());
            out.put("outcome", b.outcome() == BuildResult.Outcome.PUBLISHED ? "published" : "unchanged");
            out.put("event", b.eventId());
        });
        return out;
    }
}

package io.releasegate.steps;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Subject;
import io.releasegate.error.InputException;
import io.releasegate.progress.Progress;
import io.releasegate.store.RegistryCredentials;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One entry point per pipeline step, taking and returning plain values (maps, lists, strings), so
 * that the Jenkins plugin's steps and the shared-library tests call exactly the same code. Identity
 * (the actor) and secrets are passed by the caller from its own trusted source, never from the map.
 */
public final class PipelineSteps {

    /** Arguments {@link #buildOnce} accepts. */
    public static final Set<String> BUILD_ONCE_ARGS = Set.of("name", "version", "artifacts", "store", "ledger");

    private PipelineSteps() {
    }

    /**
     * buildOnce: {@code name}, {@code version}, {@code artifacts} (a glob/path string, or a list of
     * them), optional {@code store} and {@code ledger} locations.
     *
     * @return {@code name, version, digest, reference, outcome, event, commit?, subjects: [{name, digest}]}
     */
    public static Map<String, Object> buildOnce(Map<String, ?> args, Path workspace, Path stateDir, String actor,
                                                Optional<RegistryCredentials> credentials, Progress progress) {
        checkKeys("buildOnce", args, BUILD_ONCE_ARGS);
        ReleaseContext.Options options = new ReleaseContext.Options(text(args, "store", ""), text(args, "ledger", ""),
                stateDir, credentials);
        try (ReleaseContext ctx = ReleaseContext.open(options)) {
            BuildResult r = new BuildOnce(ctx.store(), ctx.ledger())
                    .name(text(args, "name", null)).version(text(args, "version", null))
                    .workspace(workspace).outputs(paths(args.get("artifacts"))).actor(actor).progress(progress)
                    .call();
            return describe(r);
        }
    }

    /** A build result as plain values, the shape {@code buildOnce} returns and {@code build-once --json} prints. */
    public static Map<String, Object> describe(BuildResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", r.name());
        out.put("version", r.version());
        out.put("digest", r.digest().toString());
        List<Map<String, String>> subjects = new ArrayList<>();
        for (Subject s : r.subjects()) {
            Map<String, String> subject = new LinkedHashMap<>();
            subject.put("name", s.name());
            subject.put("digest", s.digest().toString());
            subjects.add(subject);
        }
        out.put("subjects", subjects);
        out.put("reference", r.reference());
        out.put("mediaType", r.mediaType());
        out.put("store", r.store());
        out.put("outcome", r.outcome() == BuildResult.Outcome.PUBLISHED ? "published" : "unchanged");
        out.put("event", r.eventId());
        r.commit().ifPresent(c -> out.put("commit", c));
        return out;
    }

    /** Unknown arguments fail at once, listing the valid ones. */
    public static void checkKeys(String step, Map<String, ?> args, Set<String> valid) {
        Set<String> unknown = new TreeSet<>(args.keySet());
        unknown.removeAll(valid);
        if (!unknown.isEmpty()) {
            throw new InputException(step + ": unknown argument(s) " + unknown + "; valid: " + new TreeSet<>(valid));
        }
    }

    private static String text(Map<String, ?> args, String key, String fallback) {
        Object v = args.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new InputException("argument '" + key + "' is required");
            }
            return fallback;
        }
        return v.toString();
    }

    private static List<String> paths(Object artifacts) {
        if (artifacts == null) {
            throw new InputException("argument 'artifacts' is required (a path or glob, or a list of them)");
        }
        if (artifacts instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        List<String> out = new ArrayList<>();
        for (String part : artifacts.toString().split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }
}

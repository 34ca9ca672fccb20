package io.releasegate.rollout;

import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.policy.Policy;
import java.util.List;
import java.util.Optional;

/**
 * One release's digest in one rollout stage, as the ledger has it: the stage, its environment and the {@code promoted}
 * event that put the digest there. What stage evidence and health checks are recorded about.
 */
public record StageTarget(String subject, Policy.Stage stage, String environment, Digest digest, Event promoted) {

    /** The digest is not (or no longer) the one in the stage. */
    public static final String NOT_IN_STAGE = "rollout.not-in-stage";

    /** The stage called {@code name} of {@code policy}; an input error naming the policy's stages when there is none. */
    public static Policy.Stage stage(Policy policy, String name) {
        return policy.rollout().stage(name).or(() -> policy.stageOf(name)).orElseThrow(() -> new InputException(
                "unknown rollout stage '" + name + "'; the policy has " + (policy.rollout().stages().isEmpty() ? "none"
                        + " (rollout.stages)" : policy.rollout().stages().stream().map(Policy.Stage::name).toList())));
    }

    /**
     * The release's digest in stage {@code name}: the last {@code promoted} event of the release there, which must also be
     * the stage's last promotion of any release of the name ({@code all}: the ledger's events): after a rollback of the
     * stage to another release, what runs there is that release, and nothing measured there is about this one.
     * {@code digest}, when given, must be that one.
     */
    public static StageTarget resolve(Policy policy, List<Event> all, String subject, Optional<Digest> digest, String name) {
        Policy.Stage stage = stage(policy, name);
        String env = stage.environment(policy.production());
        String prefix = subject.substring(0, subject.lastIndexOf('@') + 1);
        Optional<Event> last = Optional.empty();
        Optional<Event> holding = Optional.empty();
        for (Event e : all) {
            if (EventType.PROMOTED.is(e) && e.text("environment").orElse("").equals(env) && e.subject().startsWith(prefix)) {
                holding = Optional.of(e);
                if (e.subject().equals(subject)) {
                    last = Optional.of(e);
                }
            }
        }
        if (last.isEmpty() || last.get().digest().isEmpty()) {
            throw new RefusedException(new Refusal(NOT_IN_STAGE, subject + " was never promoted to " + env,
                    "promote it there first (release-gate promote " + subject + " --digest D --to " + env + ")"));
        }
        Digest in = last.get().digest().get();
        if (digest.isPresent() && !digest.get().equals(in)) {
            throw new RefusedException(new Refusal(NOT_IN_STAGE, subject + " is in " + env + " as " + in + " (event "
                    + last.get().id() + "), not " + digest.get(), "record evidence about the digest that is in the stage"));
        }
        if (!holding.get().digest().equals(Optional.of(in))) {
            Event now = holding.get();
            throw new RefusedException(new Refusal(NOT_IN_STAGE, env + " no longer runs " + subject + " (" + in + "): "
                    + now.subject() + " (" + now.digest().map(Object::toString).orElse("?") + ") was "
                    + (now.payload().path("rollback").asBoolean() ? "rolled back" : "promoted") + " there since (event "
                    + now.id() + ")", "nothing measured there is about " + subject + "; fix it in a new version and roll that out"));
        }
        return new StageTarget(subject, stage, env, in, last.get());
    }
}

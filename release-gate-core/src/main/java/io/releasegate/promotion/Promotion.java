package io.releasegate.promotion;

import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a promotion rule looks at: the promotion asked for (release, digest, target environment, who, when, an
 * emergency record) and the release's events, read through the ledger's verified path.
 *
 * @param roles   who holds each approval role (an emergency approver must hold one)
 * @param authors the forms of the identities of the release's authors and committers
 * @param attestsEmergencyApproval whether the caller attests that the emergency record's approver approved it (the
 *                                 Jenkins controller, for the user who submitted the emergency input)
 */
public record Promotion(Policy policy, String name, String version, Digest digest, Policy.Environment target, String actor,
                        Instant now, Optional<EmergencyChange> emergency, RoleDirectory roles, Set<String> authors,
                        boolean attestsEmergencyApproval, List<Event> events) {

    public Promotion {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(emergency, "emergency");
        Objects.requireNonNull(roles, "roles");
        authors = Set.copyOf(authors);
        events = List.copyOf(events);
    }

    public String subject() {
        return name + "@" + version;
    }

    public String environment() {
        return target.name();
    }

    /** The release's {@code built} event, if any. */
    public Optional<Event> built() {
        return events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst();
    }

    /** Whether the target is the policy's last environment (production). */
    public boolean lastEnvironment() {
        List<Policy.Environment> all = policy.environments();
        return all.get(all.size() - 1).name().equals(target.name());
    }

    /** Whether the target is production or one of its rollout stages, which take what production takes. */
    public boolean productionGrade() {
        return lastEnvironment() || policy.stageOf(target.name()).isPresent();
    }

    /** The newest event of one of {@code types} about this promotion's digest. */
    public Optional<Event> latest(List<String> types) {
        Optional<Event> last = Optional.empty();
        for (Event e : events) {
            if (types.contains(e.type()) && e.digest().equals(Optional.of(digest))) {
                last = Optional.of(e);
            }
        }
        return last;
    }

    /** Every event of {@code type} about this promotion's digest, oldest first. */
    public List<Event> all(String type) {
        return events.stream().filter(e -> e.type().equals(type) && e.digest().equals(Optional.of(digest))).toList();
    }
}

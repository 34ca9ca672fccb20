package io.releasegate.promotion;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.Identities;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Emergency changes need a post-change review: record it, and list those whose review is overdue. The reviewer
 * holds one of the policy's approval roles and is not the emergency change's approver; a review is a person's
 * event, signed by the reviewer (or an attestor for them).
 */
public final class EmergencyReviews {

    public static final String REVIEWED = EventType.EMERGENCY_REVIEWED.wire();

    private EmergencyReviews() {
    }

    /** Emergency changes without a valid review whose review date has passed at {@code now}. */
    public static List<Event> overdue(List<Event> events, Instant now, Policy policy, RoleDirectory roles) {
        Set<String> reviewed = events.stream().filter(EventType.EMERGENCY_REVIEWED::is)
                .filter(r -> events.stream().filter(e -> e.id().equals(r.text("emergency").orElse(""))).findFirst()
                        .map(e -> reviewerRefusals(e, r.actor(), policy, roles).isEmpty()).orElse(false))
                .map(e -> e.text("emergency").orElse("")).collect(Collectors.toSet());
        return events.stream().filter(e -> e.type().equals(PromoteDigest.EMERGENCY))
                .filter(e -> !reviewed.contains(e.id()))
                .filter(e -> e.text("reviewDue").map(Instant::parse).map(now::isAfter).orElse(true))
                .toList();
    }

    /** Records the post-change review of one emergency change by {@code reviewer}. */
    public static Event review(Ledger ledger, Policy policy, RoleDirectory roles, String emergencyEventId, String reviewer,
                               String notes, Clock clock) {
        Event emergency = ledger.events().stream().filter(e -> e.id().equals(emergencyEventId)
                && e.type().equals(PromoteDigest.EMERGENCY)).findFirst()
                .orElseThrow(() -> new InputException("no emergency change " + emergencyEventId + " in " + ledger.location()));
        if (notes == null || notes.isBlank()) {
            throw new InputException("a post-change review needs its findings (notes)");
        }
        if (reviewer == null || reviewer.isBlank()) {
            throw new InputException("a post-change review needs its reviewer");
        }
        List<Refusal> refusals = reviewerRefusals(emergency, reviewer, policy, roles);
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        ObjectNode p = Json.object().put("emergency", emergencyEventId).put("notes", notes.trim());
        return ledger.append(Event.draft(REVIEWED, emergency.subject(), emergency.digest(), reviewer, clock.instant(), p));
    }

    private static List<Refusal> reviewerRefusals(Event emergency, String reviewer, Policy policy, RoleDirectory roles) {
        List<Refusal> out = new ArrayList<>();
        List<String> held = policy.approvals().roles();
        if (held.stream().noneMatch(r -> roles.holds(reviewer, r))) {
            out.add(new Refusal("emergency.reviewer-not-in-role", reviewer + " holds none of the roles " + held,
                    "the post-change review is done by someone who holds one of " + held));
        }
        Optional<String> approver = emergency.text("approver").filter(a -> !a.isBlank());
        if (approver.isPresent() && Identities.matches(reviewer, Identities.forms(approver.get()))) {
            out.add(new Refusal("emergency.reviewer-approver", reviewer + " approved the emergency change " + emergency.id()
                    + " and cannot review it", "ask another role holder to review it"));
        }
        return out;
    }
}

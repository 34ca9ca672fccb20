package io.releasegate.promotion;

import io.releasegate.ledger.EventType;
import io.releasegate.approval.Identities;
import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An emergency change outside the change windows: the record the policy requires, complete; an approver who may
 * approve the release (holds one of the policy's roles, authored no change in it, neither started nor promotes it);
 * and that approver's own {@code emergency-approved} event of this record for this digest and environment, as
 * the ledger's verified read path gives it (signed by the approver, or by an attestor for them). A caller that
 * attests the approval itself (the Jenkins controller, for the user who submitted the emergency input) has it
 * recorded with the promotion.
 */
final class EmergencyRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        if (p.emergency().isEmpty()) {
            return new Refused(new Refusal("emergency.missing", "no emergency record for " + p.subject(),
                    "record the emergency change: " + p.policy().emergency().requires()));
        }
        EmergencyChange e = p.emergency().get();
        List<String> releasers = new ArrayList<>();
        p.built().map(Event::actor).ifPresent(releasers::add);
        releasers.add(p.actor());
        List<Refusal> refusals = ApproveEmergency.approverRefusals(p.policy(), e, Optional.empty(), p.roles(), p.authors(),
                releasers, p.subject());
        if (!refusals.isEmpty()) {
            return new Refused(refusals);
        }
        Optional<Event> approval = ApproveEmergency.approvalOf(p.events(), e, p.digest(), p.environment());
        Optional<String> role = approval.flatMap(a -> a.text("role"));
        if (role.isPresent() && !p.roles().holds(e.approver(), role.get())) {
            return new Refused(new Refusal("emergency.approver-not-in-role", e.approver() + " approved the emergency change as "
                    + role.get() + " (event " + approval.get().id() + ") but does not hold that role", "ask someone who holds " + role.get()));
        }
        if (approval.isEmpty() && !p.attestsEmergencyApproval()) {
            List<Event> others = p.all(EventType.EMERGENCY_APPROVED.wire()).stream()
                    .filter(a -> Identities.matches(a.actor(), Identities.forms(e.approver()))).toList();
            return new Refused(new Refusal("emergency.approver-unsigned", "the ledger has no emergency approval by "
                    + e.approver() + " of this record for " + p.digest() + " in " + p.environment()
                    + (others.isEmpty() ? "" : " (their approval " + others.get(others.size() - 1).id()
                    + " is of another record or environment)"),
                    e.approver() + " approves the emergency change with their own key (release-gate emergency-approve, or the "
                            + "emergency input in Jenkins)"));
        }
        return new Emergency(e, approval);
    }
}

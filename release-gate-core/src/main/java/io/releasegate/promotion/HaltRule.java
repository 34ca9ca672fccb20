package io.releasegate.promotion;

import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import java.util.List;
import java.util.Optional;

/**
 * A standing release halt stops every promotion past the policy's first environment; a rollback to a known-good
 * digest is decided before this rule and stays allowed. The halt events come from the ledger's halt subject.
 */
final class HaltRule implements PromotionRule {

    private final List<Event> halts;

    HaltRule(List<Event> halts) {
        this.halts = List.copyOf(halts);
    }

    @Override
    public Outcome check(Promotion p) {
        if (p.policy().environments().get(0).name().equals(p.environment())) {
            return new Satisfied();
        }
        Optional<Event> standing = ReleaseHalt.active(halts);
        if (standing.isEmpty()) {
            return new Satisfied();
        }
        return new Refused(new Refusal(ReleaseHalt.RULE, p.subject() + " cannot go to " + p.environment() + ": "
                + ReleaseHalt.describe(standing.get()) + " stands",
                "wait until it is lifted (by someone other than " + standing.get().actor() + "), or roll back to a known-good "
                        + "digest"));
    }
}

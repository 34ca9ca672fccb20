package io.releasegate.promotion;

import io.releasegate.ledger.EventType;
import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import java.util.List;
import java.util.Optional;

/** The digest's signatures verified, the last time they were checked. */
final class SignaturesRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        Optional<Event> last = p.latest(List.of(EventType.SIGNATURE_VERIFIED.wire(), EventType.SIGNATURE_FAILED.wire()));
        if (last.isEmpty()) {
            return new Refused(new Refusal("promote.evidence-signatures", "no verified signature of " + p.digest(),
                    "sign the artifact and run verifySignatures before promoting"));
        }
        if (EventType.SIGNATURE_FAILED.is(last.get())) {
            return new Refused(new Refusal("promote.evidence-signatures", "the last signature verification of "
                    + p.digest() + " failed: " + last.get().text("reason").orElse("?"), "sign it and verify again"));
        }
        return PromotionRule.satisfied();
    }
}

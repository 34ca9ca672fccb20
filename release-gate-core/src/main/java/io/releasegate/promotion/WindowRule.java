package io.releasegate.promotion;

import io.releasegate.error.Refusal;
import io.releasegate.policy.ChangeWindows;
import java.util.Optional;

/** Inside the change windows, or else an emergency change ({@link EmergencyRule}). */
final class WindowRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        Optional<Refusal> outside = ChangeWindows.check(p.policy(), p.environment(), p.now());
        if (outside.isEmpty()) {
            return PromotionRule.satisfied();
        }
        if (p.emergency().isEmpty()) {
            return new Refused(outside.get());
        }
        return new EmergencyRule().check(p);
    }
}

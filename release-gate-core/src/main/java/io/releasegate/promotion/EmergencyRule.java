package io.releasegate.promotion;

import io.releasegate.error.Refusal;
import java.util.List;

/** An emergency change outside the change windows: the record the policy requires, complete. */
final class EmergencyRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        if (p.emergency().isEmpty()) {
            return new Refused(new Refusal("emergency.missing", "no emergency record for " + p.subject(),
                    "record the emergency change: " + p.policy().emergency().requires()));
        }
        EmergencyChange e = p.emergency().get();
        List<String> missing = e.missing(p.policy().emergency().requires());
        if (!missing.isEmpty()) {
            return new Refused(new Refusal("emergency.incomplete", "the emergency record lacks " + missing,
                    "complete the emergency record: " + p.policy().emergency().requires()));
        }
        return new Emergency(e);
    }
}

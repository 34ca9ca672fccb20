package io.releasegate.promotion;

import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import java.util.List;
import java.util.Optional;

/** The gates of the digest passed. */
final class GatesRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        Optional<Event> last = p.latest(List.of("gate-evaluated"));
        if (last.isEmpty()) {
            return new Refused(new Refusal("promote.evidence-gates", "no gate decision for " + p.digest(),
                    "run the gates (release-gate gate)"));
        }
        Event e = last.get();
        if (!e.text("result").orElse("fail").equals("pass")) {
            return new Refused(new Refusal("promote.evidence-gates", "the gates of " + p.digest() + " failed ("
                    + e.text("summary").orElse("see event " + e.id()) + ")", "fix or waive the findings, then gate again"));
        }
        return PromotionRule.satisfied();
    }
}

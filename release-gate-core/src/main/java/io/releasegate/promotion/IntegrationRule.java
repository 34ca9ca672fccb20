package io.releasegate.promotion;

import io.releasegate.error.Refusal;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.ledger.Event;
import java.util.Optional;

/**
 * A release manifest goes into the last environment only after an integration test of the exact set passed: the last
 * {@code check-recorded} event named {@value #EVIDENCE} for the manifest's digest has result {@code pass}. A test of
 * another set (another digest: another member, another version) proves nothing about this one.
 */
final class IntegrationRule implements PromotionRule {

    /** The evidence name, and the name of the check. */
    static final String EVIDENCE = "integration";
    static final String RULE = "promote.evidence-integration";

    @Override
    public Outcome check(Promotion p) {
        Optional<Event> last = p.all(EvaluateGates.CHECK_RECORDED).stream()
                .filter(e -> e.text("name").orElse("").equals(EVIDENCE)).reduce((a, b) -> b);
        if (last.isEmpty()) {
            return new Refused(new Refusal(RULE, "no integration test outcome is recorded for the set " + p.subject() + " ("
                    + p.digest() + ")", "run the integration tests against exactly this set and record them "
                    + "(release-gate manifest test " + p.subject() + " --digest " + p.digest() + " --junit REPORT)"));
        }
        if (!last.get().text("result").orElse("").equals("pass")) {
            return new Refused(new Refusal(RULE, "the last integration test of the set " + p.subject() + " (event "
                    + last.get().id() + ") did not pass: " + last.get().text("summary").orElse("?"),
                    "fix the set (a new manifest version) or the environment, run the integration tests again and record them"));
        }
        return PromotionRule.satisfied();
    }
}

package io.releasegate.promotion;

import io.releasegate.error.Refusal;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.gates.GateBypasses;
import io.releasegate.ledger.Event;
import io.releasegate.policy.PolicyLoader;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gates of the digest passed, and stay passed: gate results are monotonic per digest. A gate's failure is
 * cleared only by a later passing report of the same gate (a report whose findings are fixed, or waived by a valid
 * exception); a later "not applicable" never clears a result, so a failed gate cannot be replaced by a run that
 * declares it not applicable. A gate standing as "not applicable" must be declared not applicable by the policy the
 * promotion uses (for production the one committed at the built commit), whatever policy the gate run used.
 */
final class GatesRule implements PromotionRule {

    private static final String NOT_APPLICABLE = "not-applicable";

    @Override
    public Outcome check(Promotion p) {
        Optional<Event> last = p.latest(List.of(EvaluateGates.GATE_EVALUATED));
        if (last.isEmpty()) {
            return new Refused(new Refusal("promote.evidence-gates", "no gate decision for " + p.digest(),
                    "run the gates (release-gate gate)"));
        }
        List<Refusal> refusals = new ArrayList<>();
        Event e = last.get();
        if (!e.text("result").orElse("fail").equals("pass")) {
            refusals.add(new Refusal("promote.evidence-gates", "the gates of " + p.digest() + " failed ("
                    + e.text("summary").orElse("see event " + e.id()) + ")", "fix or waive the findings, then gate again"));
        }
        Map<String, Event> standing = new LinkedHashMap<>();
        Map<String, Event> discarded = new LinkedHashMap<>();
        for (Event check : p.all(EvaluateGates.CHECK_RECORDED)) {
            String gate = check.text("name").orElse("?");
            Event before = standing.get(gate);
            if (result(check).equals(NOT_APPLICABLE) && before != null && !result(before).equals(NOT_APPLICABLE)) {
                discarded.put(gate, check);
                continue;
            }
            standing.put(gate, check);
        }
        standing.forEach((gate, check) -> {
            String r = result(check);
            if (r.equals(NOT_APPLICABLE) && p.policy().gates().notApplicable(gate).isEmpty()) {
                // recorded under another policy (a dry run's working tree, a --policy file): this one decides
                refusals.add(new Refusal("promote.evidence-gates", "gate " + gate + " of " + p.digest() + " was recorded as not "
                        + "applicable (event " + check.id() + "), but the policy " + p.policy().source().describe() + ", which "
                        + p.environment() + " uses, does not declare it not applicable",
                        "report " + gate + ", or declare it in gates.notApplicable of the committed " + PolicyLoader.TEAM_POLICY
                                + " (a reviewed change) and build again"));
                return;
            }
            if (r.equals(EvaluateGates.BYPASSED)) {
                bypassRefusal(p, gate, check).ifPresent(refusals::add);
                return;
            }
            if (!r.equals("pass") && !r.equals(NOT_APPLICABLE)) {
                refusals.add(new Refusal("promote.evidence-gates", "gate " + gate + " of " + p.digest() + " failed ("
                        + check.text("summary").orElse("?") + ", event " + check.id() + ") and no later passing report of "
                        + gate + " cleared it" + (discarded.containsKey(gate) ? "; a later 'not applicable' (event "
                        + discarded.get(gate).id() + ") does not" : ""),
                        "report " + gate + " again with its findings fixed, or covered by a valid exception"));
            }
        });
        return refusals.isEmpty() ? PromotionRule.satisfied() : new Refused(refusals);
    }

    /**
     * A gate standing as bypassed passes only while its bypass is still valid under the promotion's policy and at its
     * time: the same request and approval, for this digest and gate, by two people, the approver not an author of the
     * release (when the promotion knows them), the remediation date not passed, the gate not in gates.neverBypass. The
     * approver's role was checked when the gates were decided.
     */
    private static Optional<Refusal> bypassRefusal(Promotion p, String gate, Event check) {
        String request = check.text("bypass").orElse("");
        String approval = check.text("bypassApproval").orElse("");
        Optional<GateBypasses.Bypass> b = GateBypasses.all(p.events()).stream()
                .filter(x -> x.request().id().equals(request) && x.approval().id().equals(approval)).findFirst();
        Optional<String> why = b.isEmpty() ? Optional.of("its bypass (request " + request + ", approval " + approval
                + ") is not among the release's events")
                : GateBypasses.whyNot(b.get(), p.digest(), gate, p.policy(), p.now().atZone(ZoneOffset.UTC).toLocalDate(),
                        new GateBypasses.Approvers(Optional.empty(), p.authors()));
        return why.map(w -> new Refusal("promote.evidence-gates", "gate " + gate + " of " + p.digest() + " was bypassed (event "
                + check.id() + "), but " + w, "fix the findings and report " + gate + " again, or request and approve a new "
                + "bypass and gate again"));
    }

    private static String result(Event check) {
        return check.text("result").orElse("fail");
    }
}

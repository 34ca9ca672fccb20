package io.releasegate.promotion;

import io.releasegate.approval.ApproverRules;
import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.policy.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Out of a rollout stage (policy 003 §1.17.3.2): when the environment before the target is a stage
 * {@code production-<stage>}, the digest leaves it only after
 * <ul>
 * <li>the stage's soak time has passed since its {@code promoted} event there ({@value #SOAK});</li>
 * <li>each kind of verification evidence the stage requires was recorded for this digest in this stage after that
 * promotion: a passing check ({@code stage-verified}, kind {@code check}, the last one passing), a dashboard link
 * ({@code stage-verified}, kind {@code dashboard}), a checklist signed by a person holding an approval role who wrote
 * none of the release ({@code stage-checklist-signed}) ({@value #EVIDENCE_MISSING}, {@code rollout.checklist-signer});</li>
 * <li>its health checks, when it declares any, were last recorded passing ({@value #HEALTH_FAILED}; none recorded is
 * {@value #EVIDENCE_MISSING}).</li>
 * </ul>
 * Evidence about another digest, or another stage, proves nothing about this one.
 */
final class RolloutRule implements PromotionRule {

    static final String EVIDENCE_MISSING = "rollout.evidence-missing";
    static final String SOAK = "rollout.soak";
    static final String HEALTH_FAILED = "rollout.health-failed";

    @Override
    public Outcome check(Promotion p) {
        Optional<Policy.Environment> previous = p.policy().previous(p.environment());
        Optional<Policy.Stage> stage = previous.flatMap(e -> p.policy().stageOf(e.name()));
        if (stage.isEmpty()) {
            return PromotionRule.satisfied();
        }
        Policy.Stage st = stage.get();
        String env = previous.get().name();
        Optional<Event> entered = p.all(EventType.PROMOTED.wire()).stream()
                .filter(e -> e.text("environment").orElse("").equals(env)).reduce((a, b) -> b);
        if (entered.isEmpty()) {
            return PromotionRule.satisfied(); // promote.skip-environment says so
        }
        List<Refusal> refusals = new ArrayList<>();
        String what = p.digest() + " of " + p.subject() + " in " + env;
        Duration in = Duration.between(entered.get().time(), p.now());
        if (in.compareTo(st.soak()) < 0) {
            refusals.add(new Refusal(SOAK, what + " since " + entered.get().time() + " (event " + entered.get().id() + "): "
                    + in.withNanos(0) + " of the stage's soak time " + st.soak(),
                    "wait until " + entered.get().time().plus(st.soak()) + " before promoting it to " + p.environment()));
        }
        List<Event> since = p.events().stream().filter(e -> e.digest().equals(Optional.of(p.digest()))
                && e.text("environment").orElse("").equals(env) && !e.time().isBefore(entered.get().time())).toList();
        for (String kind : st.evidence()) {
            if (kind.equals("checklist")) {
                checklist(p, st, env, what, since).ifPresent(refusals::add);
                continue;
            }
            Optional<Event> last = since.stream().filter(e -> EventType.STAGE_VERIFIED.is(e)
                    && e.text("kind").orElse("").equals(kind)).reduce((a, b) -> b);
            if (last.isEmpty()) {
                refusals.add(new Refusal(EVIDENCE_MISSING, what + ": no " + kind + " evidence is recorded for stage " + st.name()
                        + " since it entered the stage (event " + entered.get().id() + ")",
                        "record it: release-gate rollout evidence " + p.subject() + " --digest " + p.digest() + " --stage "
                                + st.name() + (kind.equals("check") ? " --check CMD..." : " --dashboard URL")));
            } else if (!last.get().text("result").orElse("").equals("pass")) {
                refusals.add(new Refusal(EVIDENCE_MISSING, what + ": the last " + kind + " of stage " + st.name() + " (event "
                        + last.get().id() + ") did not pass: " + last.get().text("summary").orElse("?"),
                        "fix the release or the stage, and record a passing " + kind + " again"));
            }
        }
        if (!st.health().isEmpty()) {
            Optional<Event> last = since.stream().filter(EventType.HEALTH_CHECKED::is).reduce((a, b) -> b);
            if (last.isEmpty()) {
                refusals.add(new Refusal(EVIDENCE_MISSING, what + ": no health check of stage " + st.name() + " is recorded "
                        + "since it entered the stage", "run them: release-gate rollout check " + p.subject() + " --stage "
                        + st.name()));
            } else if (!last.get().text("result").orElse("").equals("pass")) {
                refusals.add(new Refusal(HEALTH_FAILED, what + ": the last health check of stage " + st.name() + " (event "
                        + last.get().id() + ") failed: " + last.get().text("summary").orElse("?"),
                        "roll the stage back to the known-good digest, fix the release (a new version) and roll it out again"));
            }
        }
        return refusals.isEmpty() ? PromotionRule.satisfied() : new Refused(refusals);
    }

    private static Optional<Refusal> checklist(Promotion p, Policy.Stage st, String env, String what, List<Event> since) {
        List<Event> signed = since.stream().filter(EventType.STAGE_CHECKLIST_SIGNED::is).toList();
        List<String> notCounted = new ArrayList<>();
        for (Event e : signed) {
            List<Refusal> why = signerRefusals(p, e.actor());
            if (why.isEmpty()) {
                return Optional.empty();
            }
            notCounted.add(e.actor() + " (event " + e.id() + ": " + why.stream().map(Refusal::evidence).toList() + ")");
        }
        String how = "a holder of one of the roles " + p.policy().approvals().roles() + " who neither wrote nor releases it "
                + "signs it with their own key (release-gate rollout evidence " + p.subject() + " --digest " + p.digest()
                + " --stage " + st.name() + " --checklist TEXT --event-key KEY)";
        if (!notCounted.isEmpty()) {
            return Optional.of(new Refusal(ApproverRules.CHECKLIST.notInRole(), what + ": no checklist of stage " + st.name()
                    + " is signed by someone who may sign it; not counted: " + String.join("; ", notCounted), how));
        }
        return Optional.of(new Refusal(EVIDENCE_MISSING, what + ": no checklist of stage " + st.name() + " is signed since it "
                + "entered the stage", how));
    }

    /** Why {@code signer} may not sign a stage checklist of the promotion's release; empty when they may. */
    static List<Refusal> signerRefusals(Promotion p, String signer) {
        List<String> releasers = new ArrayList<>();
        p.built().ifPresent(b -> releasers.add(b.actor()));
        return ApproverRules.check(ApproverRules.CHECKLIST, signer, Optional.empty(), p.policy().approvals().roles(),
                p.roles(), p.authors(), releasers, p.subject());
    }
}

package io.releasegate.train;

import io.releasegate.approval.Identities;
import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import io.releasegate.promotion.Promotion;
import io.releasegate.promotion.PromotionRule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Production takes a release of a line a train cut ({@code train-cut} under the train's subject: the ledger, not the
 * train file, says which releases are a train's, so deleting the file changes nothing) only with a "go" for its exact
 * digest: the latest {@code go-no-go} recorded for that digest ({@code train.no-go-decision} without one,
 * {@code train.no-go} when it is a no-go), decided by someone who did not write the release's changes
 * ({@code train.self-approval}). Every environment before production is the train's own business.
 */
public final class TrainRule implements PromotionRule {

    private final List<Event> trainEvents;

    /** {@code trainEvents}: the events about {@link TrainCut#subject} of the promoted release's name. */
    public TrainRule(List<Event> trainEvents) {
        this.trainEvents = List.copyOf(Objects.requireNonNull(trainEvents));
    }

    @Override
    public Outcome check(Promotion p) {
        if (!p.lastEnvironment()) {
            return PromotionRule.satisfied();
        }
        Optional<Event> cut = TrainCut.cutOf(trainEvents, p.version());
        if (cut.isEmpty()) {
            return PromotionRule.satisfied();
        }
        String train = cut.get().text("train").orElse("?");
        Optional<Event> decision = GoNoGo.latest(p.events(), p.digest());
        String remedy = "the release manager records the go/no-go for exactly this digest (release-gate train go-no-go "
                + p.subject() + " --digest " + p.digest() + " --decision go …)";
        if (decision.isEmpty()) {
            return new Refused(new Refusal("train.no-go-decision", p.subject() + " is a release of train " + train
                    + " and no go/no-go was recorded for " + p.digest(), remedy));
        }
        Event d = decision.get();
        if (!d.text("decision").orElse("").equals(GoNoGo.GO)) {
            return new Refused(new Refusal("train.no-go", "the go/no-go " + d.id().substring(0, 12) + " by " + d.actor()
                    + " for " + p.digest() + " is " + d.text("decision").orElse("?") + ": " + d.text("reason").orElse(""),
                    "a new go, once what stopped it is fixed"));
        }
        if (Identities.matches(d.actor(), p.authors())) {
            return new Refused(new Refusal("train.self-approval", "the go for " + p.subject() + " was decided by " + d.actor()
                    + ", who wrote or committed its changes", "another release manager decides it"));
        }
        return PromotionRule.satisfied();
    }
}

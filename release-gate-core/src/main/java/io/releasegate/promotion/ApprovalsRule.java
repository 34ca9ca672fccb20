package io.releasegate.promotion;

import io.releasegate.approval.ApprovalStatus;
import io.releasegate.approval.Identities;
import io.releasegate.ledger.Event;
import java.util.List;
import io.releasegate.error.Refusal;

/**
 * Enough approvals of the digest for the environment, covering the policy's roles. An approval by one of the release's
 * authors or committers (as the promotion knows them: for a set, the authors of every member) does not count, whatever
 * the approval's caller said about authors when it was recorded.
 */
final class ApprovalsRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        List<Event> byAuthors = p.events().stream().filter(e -> e.type().equals(ApprovalStatus.APPROVED)
                && Identities.matches(e.actor(), p.authors())).toList();
        List<Event> counted = p.events().stream().filter(e -> !byAuthors.contains(e)).toList();
        // a rollout stage is part of production's rollout: the approvals of the digest for production cover its stages
        String approvedFor = p.policy().stageOf(p.environment()).isPresent() ? p.policy().production() : p.environment();
        ApprovalStatus status = ApprovalStatus.of(p.policy(), counted, p.digest(), approvedFor);
        if (status.satisfied()) {
            return PromotionRule.satisfied();
        }
        String discounted = byAuthors.stream().filter(e -> e.digest().equals(java.util.Optional.of(p.digest())))
                .map(Event::actor).distinct().toList().toString();
        return new Refused(new Refusal("promote.approvals", p.environment() + " needs " + p.policy().approvals().count()
                + " approvals covering " + p.policy().approvals().roles() + "; " + p.digest() + " has " + status.describe()
                + (discounted.equals("[]") ? "" : "; not counted, as authors or committers of the release: " + discounted),
                "gather the approvals of people who wrote none of it (approveProduction)"));
    }
}

package io.releasegate.promotion;

import io.releasegate.approval.ApprovalStatus;
import io.releasegate.error.Refusal;

/** Enough approvals of the digest for the environment, covering the policy's roles. */
final class ApprovalsRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        ApprovalStatus status = ApprovalStatus.of(p.policy(), p.events(), p.digest(), p.environment());
        if (status.satisfied()) {
            return PromotionRule.satisfied();
        }
        return new Refused(new Refusal("promote.approvals", p.environment() + " needs " + p.policy().approvals().count()
                + " approvals covering " + p.policy().approvals().roles() + "; " + p.digest() + " has " + status.describe(),
                "gather the approvals (approveProduction)"));
    }
}

package io.releasegate.promotion;

import io.releasegate.ledger.EventType;
import io.releasegate.error.Refusal;
import java.util.List;

/** An SBOM of the digest was generated. */
final class SbomRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        if (p.latest(List.of(EventType.SBOM_GENERATED.wire())).isEmpty()) {
            return new Refused(new Refusal("promote.evidence-sbom", "no SBOM of " + p.digest(), "generate the SBOM (generateSbom)"));
        }
        return PromotionRule.satisfied();
    }
}

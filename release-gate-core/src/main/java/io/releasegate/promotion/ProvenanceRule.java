package io.releasegate.promotion;

import io.releasegate.ledger.EventType;
import io.releasegate.error.Refusal;
import io.releasegate.provenance.LibraryRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The digest's provenance was generated and its last verification did not fail; for the last environment, the
 * pipeline library that built it was pinned, unless the policy allows otherwise.
 */
final class ProvenanceRule implements PromotionRule {

    @Override
    public Outcome check(Promotion p) {
        List<Refusal> refusals = new ArrayList<>();
        if (p.latest(List.of(EventType.PROVENANCE_GENERATED.wire())).isEmpty()) {
            refusals.add(new Refusal("promote.evidence-provenance", "no provenance of " + p.digest(),
                    "generate and sign the provenance"));
        }
        if (p.productionGrade()) {
            p.latest(List.of(EventType.PROVENANCE_GENERATED.wire())).filter(e -> e.payload().has("libraryVersion"))
                    .flatMap(e -> LibraryRef.check(p.policy(), e.text("libraryName").orElse("?"), e.text("libraryVersion").orElse("")))
                    .ifPresent(refusals::add);
        }
        p.latest(List.of(EventType.ATTESTATION_VERIFIED.wire(), EventType.ATTESTATION_FAILED.wire())).filter(e -> EventType.ATTESTATION_FAILED.is(e))
                .ifPresent(e -> refusals.add(new Refusal("promote.evidence-provenance", "the last verification of the provenance of "
                        + p.digest() + " failed: " + e.text("reason").orElse("?"), "generate the provenance again and verify it")));
        return refusals.isEmpty() ? PromotionRule.satisfied() : new Refused(refusals);
    }
}

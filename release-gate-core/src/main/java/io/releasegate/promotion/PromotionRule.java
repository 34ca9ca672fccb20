package io.releasegate.promotion;

import io.releasegate.error.Refusal;
import io.releasegate.ledger.Event;
import java.util.List;
import java.util.Optional;

/**
 * One rule a promotion must satisfy: the evidence an environment requires ({@code built}, {@code signatures},
 * {@code sbom}, {@code provenance}, {@code gates}, {@code approvals}, {@code window}) or the emergency record that
 * stands in for a closed window. A rule reads the {@link Promotion} and returns its {@link Outcome}; it records
 * nothing and touches no store.
 */
public interface PromotionRule {

    Outcome check(Promotion promotion);

    /** What a rule says about a promotion. */
    sealed interface Outcome permits Satisfied, Refused, Emergency {
    }

    /** Nothing stands in the way. */
    record Satisfied() implements Outcome {
    }

    /** Refused, for these reasons. */
    record Refused(List<Refusal> refusals) implements Outcome {
        public Refused {
            if (refusals.isEmpty()) {
                throw new IllegalArgumentException("a refusal needs at least one reason");
            }
            refusals = List.copyOf(refusals);
        }

        public Refused(Refusal refusal) {
            this(List.of(refusal));
        }
    }

    /**
     * Outside the change windows, allowed as this emergency change, which the promotion records, with its approver's
     * {@code emergency-approved} event (empty: the caller attests it, and the promotion records it).
     */
    record Emergency(EmergencyChange change, Optional<Event> approval) implements Outcome {
    }

    static Outcome satisfied() {
        return new Satisfied();
    }

    /** The rule for one evidence name of the policy's {@code environments[].requires}. */
    static PromotionRule forEvidence(String evidence) {
        return switch (evidence) {
            case "built" -> new BuiltRule();
            case "signatures" -> new SignaturesRule();
            case "sbom" -> new SbomRule();
            case "provenance" -> new ProvenanceRule();
            case "gates" -> new GatesRule();
            case "approvals" -> new ApprovalsRule();
            case "window" -> new WindowRule();
            case IntegrationRule.EVIDENCE -> new IntegrationRule();
            default -> throw new IllegalStateException("unknown evidence " + evidence);
        };
    }
}

package io.releasegate.ledger;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every kind of ledger event, its name on the wire ({@code event.json}'s {@code type}) and who may assert
 * it: the pipeline's signing identity ({@link Asserter#CI}) or the person named as the event's actor
 * ({@link Asserter#PERSON}: an approver, a reviewer), who signs it with their own key or through an
 * attestor the trust configuration names (the Jenkins controller attesting who submitted an input).
 * A type this version does not know is asserted by the CI identity.
 */
public enum EventType {
    BUILT("built", Asserter.CI),
    TAGGED("tagged", Asserter.CI),
    SBOM_GENERATED("sbom-generated", Asserter.CI),
    PROVENANCE_GENERATED("provenance-generated", Asserter.CI),
    SIGNED("signed", Asserter.CI),
    SIGNATURE_VERIFIED("signature-verified", Asserter.CI),
    SIGNATURE_FAILED("signature-failed", Asserter.CI),
    ATTESTATION_VERIFIED("attestation-verified", Asserter.CI),
    ATTESTATION_FAILED("attestation-failed", Asserter.CI),
    CHECK_RECORDED("check-recorded", Asserter.CI),
    GATE_EVALUATED("gate-evaluated", Asserter.CI),
    PROMOTED("promoted", Asserter.CI),
    EMERGENCY_CHANGE("emergency-change", Asserter.CI),
    PRODUCTION_VERIFIED("production-verified", Asserter.CI),
    MARKED_BAD("marked-bad", Asserter.CI),
    KNOWN_ISSUE("known-issue", Asserter.CI),
    PRODUCTION_WINDOW("production-window", Asserter.CI),
    ROLLBACK_PLAN("rollback-plan", Asserter.CI),
    /** One pipeline run's outcome (branch, result, duration), for the CI pass rate of the delivery report. */
    PIPELINE_FINISHED("pipeline-finished", Asserter.CI),
    DEPENDENCIES_COMPARED("dependencies-compared", Asserter.CI),
    /**
     * A release manifest's promotion, decided for every member: the commit point of the set's all-or-nothing promotion,
     * which the members' {@code promoted} events and the set's own follow.
     */
    SET_PROMOTION_STARTED("set-promotion-started", Asserter.CI),
    /** A release train cut: its cutoff commit on main, its version and its release branch (or why it has none). */
    TRAIN_CUT("train-cut", Asserter.CI),
    /**
     * Verification evidence of a digest in a rollout stage, recorded by the pipeline: a check command's outcome (its
     * argv, exit code, the digest and the tail of its output) or a dashboard link.
     */
    STAGE_VERIFIED("stage-verified", Asserter.CI),
    /** The objective health checks of a rollout stage, each with its command, value, threshold and outcome. */
    HEALTH_CHECKED("health-checked", Asserter.CI),
    APPROVED("approved", Asserter.PERSON),
    /** A person's signed checklist for a digest in a rollout stage: what they checked before the next stage. */
    STAGE_CHECKLIST_SIGNED("stage-checklist-signed", Asserter.PERSON),
    DECISION("decision", Asserter.PERSON),
    EMERGENCY_APPROVED("emergency-approved", Asserter.PERSON),
    EMERGENCY_REVIEWED("emergency-reviewed", Asserter.PERSON),
    EXCEPTION_APPROVED("exception-approved", Asserter.PERSON),
    HALTED("halted", Asserter.PERSON),
    HALT_LIFTED("halt-lifted", Asserter.PERSON),
    /** A person asks that one gate's blocking findings of one digest be bypassed, with a rationale and remediation date. */
    BYPASS_REQUESTED("bypass-requested", Asserter.PERSON),
    /** Someone other than the requester approves a bypass request. */
    BYPASS_APPROVED("bypass-approved", Asserter.PERSON),
    /** A person quarantines one flaky test of a service until a date, with a ticket. */
    TEST_QUARANTINED("test-quarantined", Asserter.PERSON),
    /** A person ends a quarantine before its date. */
    QUARANTINE_LIFTED("quarantine-lifted", Asserter.PERSON),
    /** A release manager's go or no-go for one digest of a train release, with the checklist it rests on. */
    GO_NO_GO("go-no-go", Asserter.PERSON),
    /** A release manager freezes a branch (main): scope, dates and exit criteria. */
    FREEZE_DECLARED("freeze-declared", Asserter.PERSON),
    /** A release manager lifts a freeze, saying how its exit criteria were met. */
    FREEZE_LIFTED("freeze-lifted", Asserter.PERSON),
    /** Not an event: the signed checkpoint of the ledger's head that is published outside the ledger. */
    LEDGER_CHECKPOINT("ledger-checkpoint", Asserter.CI);

    /** Who may sign an event of a type. */
    public enum Asserter {
        /** The pipeline's signing identity (the trust configuration's {@code ci} principals). */
        CI,
        /** The event's actor themself, or an attestor signing that the actor did it. */
        PERSON
    }

    private final String wire;
    private final Asserter asserter;

    EventType(String wire, Asserter asserter) {
        this.wire = wire;
        this.asserter = asserter;
    }

    /** The name in {@code event.json}. */
    public String wire() {
        return wire;
    }

    public Asserter asserter() {
        return asserter;
    }

    public boolean is(Event e) {
        return e.type().equals(wire);
    }

    public static Optional<EventType> of(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }

    /** Who may assert an event of this wire type; unknown types are the CI identity's. */
    public static Asserter asserterOf(String wire) {
        return of(wire).map(EventType::asserter).orElse(Asserter.CI);
    }
}

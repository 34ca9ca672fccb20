package io.releasegate.jenkins;

import io.releasegate.steps.Step;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The core entry points a step can run. The {@code releaseGate} step accepts the {@link #commandName()}s the
 * golden pipeline uses (plan, gate, sign, provenance, tag, release-record, library-check, approval-status, no-go,
 * verify-production, next-version, evidence, audit, record-run, report, and in manifest mode manifest-create, manifest-show and
 * manifest-test), and their camelCase spellings ({@code releaseRecord}, {@code noGo}, {@code recordRun}, {@code manifestCreate}, …).
 * A release manifest is promoted by {@code promoteDigest} and approved by {@code approveProduction}, like any release.
 */
enum Command {
    BUILD_ONCE(Step.BUILD_ONCE, false),
    GENERATE_SBOM(Step.GENERATE_SBOM, false),
    PLAN(Step.PLAN, true),
    SIGN(Step.SIGN, true),
    VERIFY_SIGNATURES(Step.VERIFY_SIGNATURES, true),
    PROVENANCE(Step.PROVENANCE, true),
    GATE(Step.GATE, true),
    TAG(Step.TAG, true),
    LIBRARY_CHECK(Step.LIBRARY_CHECK, true),
    APPROVAL_STATUS(Step.APPROVAL_STATUS, true),
    APPROVE_PRODUCTION(Step.APPROVE_PRODUCTION, false),
    NO_GO(Step.NO_GO, true),
    PROMOTE_DIGEST(Step.PROMOTE_DIGEST, false),
    VERIFY_PRODUCTION(Step.VERIFY_PRODUCTION, true),
    NEXT_VERSION(Step.NEXT_VERSION, true),
    RELEASE_RECORD(Step.RELEASE_RECORD, true),
    EVIDENCE(Step.EVIDENCE, true),
    AUDIT(Step.AUDIT, true),
    RECORD_RUN(Step.RECORD_RUN, true),
    REPORT(Step.REPORT, true),
    MANIFEST_CREATE(Step.MANIFEST_CREATE, true),
    MANIFEST_SHOW(Step.MANIFEST_SHOW, true),
    MANIFEST_TEST(Step.MANIFEST_TEST, true);

    private final Step step;
    private final boolean generic;

    Command(Step step, boolean generic) {
        this.step = step;
        this.generic = generic;
    }

    /** The core step this command runs. */
    Step step() {
        return step;
    }

    String stepName() {
        return step.stepName();
    }

    /** The name the golden pipeline passes to {@code releaseGate(command: …)}: {@code release-record}, {@code no-go}, … */
    String commandName() {
        return stepName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** Commands that read the git history and the policy only: no store, no ledger, nothing recorded. */
    boolean historyOnly() {
        return this == NEXT_VERSION || this == PLAN || this == LIBRARY_CHECK;
    }

    /** Commands the generic step runs; the others have their own step (so identity cannot be bypassed). */
    boolean generic() {
        return generic;
    }

    /** {@code no-go} or {@code noGo}, {@code release-record} or {@code releaseRecord}: exactly one of the two spellings. */
    static Optional<Command> forReleaseGate(String name) {
        String wanted = name == null ? "" : name.trim();
        return Arrays.stream(values()).filter(Command::generic)
                .filter(c -> c.commandName().equals(wanted) || c.stepName().equals(wanted)).findFirst();
    }

    static String releaseGateNames() {
        return String.join(", ", Arrays.stream(values()).filter(Command::generic).map(Command::commandName).toList());
    }
}

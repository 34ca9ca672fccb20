package io.releasegate.jenkins;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The core entry points a step can run. The {@code releaseGate} step accepts the {@link #commandName()}s the
 * golden pipeline uses (plan, gate, sign, provenance, tag, release-record, library-check, approval-status, no-go,
 * verify-production, and next-version), and their camelCase spellings ({@code releaseRecord}, {@code noGo}, …).
 */
enum Command {
    BUILD_ONCE("buildOnce", false),
    GENERATE_SBOM("generateSbom", false),
    PLAN("plan", true),
    SIGN("sign", true),
    VERIFY_SIGNATURES("verifySignatures", true),
    PROVENANCE("provenance", true),
    GATE("gate", true),
    TAG("tag", true),
    LIBRARY_CHECK("libraryCheck", true),
    APPROVAL_STATUS("approvalStatus", true),
    APPROVE_PRODUCTION("approveProduction", false),
    NO_GO("noGo", true),
    PROMOTE_DIGEST("promoteDigest", false),
    VERIFY_PRODUCTION("verifyProduction", true),
    NEXT_VERSION("nextVersion", true),
    RELEASE_RECORD("releaseRecord", true);

    private final String stepName;
    private final boolean generic;

    Command(String stepName, boolean generic) {
        this.stepName = stepName;
        this.generic = generic;
    }

    String stepName() {
        return stepName;
    }

    /** The name the golden pipeline passes to {@code releaseGate(command: …)}: {@code release-record}, {@code no-go}, … */
    String commandName() {
        return stepName.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
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
                .filter(c -> c.commandName().equals(wanted) || c.stepName.equals(wanted)).findFirst();
    }

    static String releaseGateNames() {
        return String.join(", ", Arrays.stream(values()).filter(Command::generic).map(Command::commandName).toList());
    }
}

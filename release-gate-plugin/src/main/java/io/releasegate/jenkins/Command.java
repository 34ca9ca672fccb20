package io.releasegate.jenkins;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The core entry points a step can run; the {@code releaseGate} step accepts {@link #releaseGateName()}s. */
enum Command {
    BUILD_ONCE("buildOnce", false),
    GENERATE_SBOM("generateSbom", false),
    SIGN("sign", true),
    VERIFY_SIGNATURES("verifySignatures", true),
    PROVENANCE("provenance", true),
    GATE("gate", true),
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

    /** Commands the generic step runs; the others have their own step (so identity cannot be bypassed). */
    boolean generic() {
        return generic;
    }

    /** {@code noGo} or {@code no-go}, {@code verifyProduction} or {@code verify-production}. */
    static Optional<Command> forReleaseGate(String name) {
        String wanted = name == null ? "" : name.replace("-", "").toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(Command::generic)
                .filter(c -> c.stepName.toLowerCase(Locale.ROOT).equals(wanted)).findFirst();
    }

    static String releaseGateNames() {
        return String.join(", ", Arrays.stream(values()).filter(Command::generic).map(Command::stepName).toList());
    }
}

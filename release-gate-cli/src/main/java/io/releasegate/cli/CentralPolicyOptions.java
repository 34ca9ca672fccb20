package io.releasegate.cli;

import io.releasegate.policy.CentralPolicy;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The admin's central policy and its pin, for every command that reads the policy. */
final class CentralPolicyOptions {

    @Option(names = "--central-policy", paramLabel = "FILE", defaultValue = "${env:RELEASE_GATE_CENTRAL_POLICY:-}",
            description = {"The admin's central policy: laid over the library default, the baseline a team policy may only",
                    "tighten; production's policy when a release has no committed one. Default: $RELEASE_GATE_CENTRAL_POLICY."})
    String file;

    @Option(names = "--central-policy-digest", paramLabel = "sha256:...", defaultValue = "${env:RELEASE_GATE_CENTRAL_POLICY_DIGEST:-}",
            description = "The SHA-256 of the central policy file's bytes (required with it). Default: $RELEASE_GATE_CENTRAL_POLICY_DIGEST.")
    String pin;

    Optional<CentralPolicy> central() {
        return CentralPolicy.of(Optional.ofNullable(file), Optional.ofNullable(pin));
    }
}

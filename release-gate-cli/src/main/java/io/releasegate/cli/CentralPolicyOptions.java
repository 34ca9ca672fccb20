package io.releasegate.cli;

import io.releasegate.policy.CentralPolicy;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The effective policy: the team's ({@code teamFile} when given, else {@code repo}'s .release/policy.yaml when it
     * exists) over this central policy, over the library default; a team file given but missing is an input error.
     */
    Policy policy(Path repo, Path teamFile) {
        Path team = teamFile != null ? teamFile : repo.resolve(PolicyLoader.TEAM_POLICY);
        return PolicyLoader.load(central(), teamFile != null || Files.exists(team) ? Optional.of(team) : Optional.empty());
    }
}

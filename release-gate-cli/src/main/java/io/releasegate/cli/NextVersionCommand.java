package io.releasegate.cli;

import io.releasegate.commits.History;
import io.releasegate.json.Json;
import io.releasegate.version.NextVersion;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "next-version",
        description = {"The next release version from the last reachable vX.Y.Z tag and the Conventional Commits since.",
                "Breaking change: MAJOR (MINOR while 0.x); feat: MINOR; fix, perf, revert: PATCH. The version is the last line.",
                "On hotfix/X.Y.Z-TICKET: PATCH+1 of the production tag. CalVer variant: YYYY.MM.N (N from 0 each month, UTC).",
                "On main or release/X.Y: refused (exit 1, release.missing-hotfix) while a hotfix the branch should contain is",
                "missing from it past branches.forwardPortDays (see forward-port check)."})
final class NextVersionCommand extends RepoCommand {

    @Option(names = "--rev", defaultValue = "HEAD", paramLabel = "REV", description = "Commit to compute the version for. Default: HEAD.")
    String rev;

    @Option(names = "--branch", paramLabel = "NAME", description = "Branch being built (e.g. $BRANCH_NAME). Default: the checked-out branch.")
    String branch;

    @Option(names = "--main", paramLabel = "REF", defaultValue = "main", description = "The trunk: a hotfix carries nothing from it. Default: main.")
    String main;

    @Option(names = "--policy", paramLabel = "FILE", description = {"Team policy (branches.forwardPortDays). Default:",
            "<repo>/.release/policy.yaml when present."})
    java.nio.file.Path policyFile;

    @picocli.CommandLine.Mixin
    CentralPolicyOptions centralPolicy;

    @Option(names = "--scheme", defaultValue = "semver", paramLabel = "semver|calver", description = "Versioning scheme. Default: semver.")
    String scheme;

    @Option(names = "--pre-release", paramLabel = "LABEL", description = "Make a pre-release, e.g. rc -> X.Y.Z-rc.N.")
    String preRelease;

    @Override
    int run(History history, CliOutput out) {
        NextVersion.Scheme s = switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
            case "semver" -> NextVersion.Scheme.SEMVER;
            case "calver" -> NextVersion.Scheme.CALVER;
            default -> throw new io.releasegate.error.InputException("--scheme must be semver or calver, not " + scheme);
        };
        NextVersion.Result r = new NextVersion(history).rev(rev).branch(Optional.ofNullable(branch)).mainRef(main).scheme(s)
                .forwardPortDays(centralPolicy.policy(repo, policyFile).branches().forwardPortDays())
                .preRelease(Optional.ofNullable(preRelease)).call();
        if (out.json()) {
            var doc = Json.object().put("version", r.version()).put("release", r.release()).put("bump", r.bump().name().toLowerCase())
                    .put("reason", r.reason()).put("commits", r.commits().size());
            r.previousTag().ifPresent(t -> doc.put("previousTag", t));
            out.document(doc);
        } else {
            out.out().println("# " + r.reason() + (r.release() ? "" : " (no release needed)") + "; "
                    + r.commits().size() + " commit(s) since " + r.previousTag().orElse("the beginning"));
            out.out().println(r.version());
            out.out().flush();
        }
        return 0;
    }
}

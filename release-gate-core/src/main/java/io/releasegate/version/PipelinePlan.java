package io.releasegate.version;

import io.releasegate.commits.BranchCheck;
import io.releasegate.commits.History;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pipeline run on a branch may do, and under which version: {@code main} and {@code release/X.Y} go on
 * to production, {@code hotfix/X.Y.Z-TICKET} too (PATCH+1 of the production tag it starts from); change
 * requests, feature and other branches stop after the gates and build a pre-release
 * ({@code X.Y.Z-BRANCH.gSHA}) so that they never take a release version. The branch rules are
 * {@link BranchCheck}'s, the version {@link NextVersion}'s; a branch that breaks a rule is refused.
 */
public final class PipelinePlan {

    /**
     * @param kind         the branch's kind (main, release, hotfix, feature, …, or change-request)
     * @param toProduction whether the run goes past the gates (publish, deploy, production)
     * @param release      whether there is something to release (false: no releasable commit since the last tag)
     */
    public record Result(String branch, String kind, boolean toProduction, String version, boolean release, String reason) {
    }

    private final History history;
    private String branch;
    private boolean changeRequest;
    private Optional<String> version = Optional.empty();

    public PipelinePlan(History history) {
        this.history = Objects.requireNonNull(history, "history");
    }

    /** The branch being built (Jenkins' BRANCH_NAME). */
    public PipelinePlan branch(String value) {
        this.branch = Objects.requireNonNull(value);
        return this;
    }

    /** Whether the run is for a change request (a pull/merge request: Jenkins' CHANGE_ID is set). */
    public PipelinePlan changeRequest(boolean value) {
        this.changeRequest = value;
        return this;
    }

    /** A version the team gave; otherwise it comes from the Conventional Commits since the last release tag. */
    public PipelinePlan version(Optional<String> value) {
        this.version = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (branch == null || branch.isBlank()) {
            throw new io.releasegate.error.InputException("the branch being built is required (Jenkins' BRANCH_NAME)");
        }
        version.ifPresent(SemVer::parse);
        if (changeRequest) {
            NextVersion.Result next = new NextVersion(history).branch(Optional.of("change-request")).call();
            return new Result(branch, "change-request", false, version.orElse(preRelease(next.version())), true,
                    "a change request stops after the gates");
        }
        BranchCheck.Result check = new BranchCheck(history).branch(branch).call();
        if (!check.ok()) {
            throw new RefusedException(check.violations().stream().map(v -> new Refusal(v.rule(), v.message(),
                    "follow the branch rules: main, release/X.Y, hotfix/X.Y.Z-TICKET from the production tag, feature/TICKET-N-topic"))
                    .toList());
        }
        boolean toProduction = List.of("main", "release", "hotfix").contains(check.kind());
        NextVersion.Result next = new NextVersion(history).branch(Optional.of(branch)).call();
        if (!toProduction) {
            return new Result(branch, check.kind(), false, version.orElse(preRelease(next.version())), true,
                    check.kind() + " branches stop after the gates");
        }
        if (version.isPresent()) {
            return new Result(branch, check.kind(), true, version.get(), true, "version given by the pipeline");
        }
        if (!next.release() && next.previousTag().isPresent()) {
            // HEAD is the tagged release commit itself: a re-run finishes that release (the tag is never recreated)
            String head = history.resolve("HEAD").name();
            Optional<History.ReleaseTag> tagged = history.releaseTags().stream()
                    .filter(t -> t.name().equals(next.previousTag().get()) && t.commit().equals(head)).findFirst();
            if (tagged.isPresent()) {
                return new Result(branch, check.kind(), true, tagged.get().version().toString(), true,
                        tagged.get().name() + " is tagged at this commit: this run finishes its release");
            }
        }
        return new Result(branch, check.kind(), true, next.version(), next.release(), next.reason());
    }

    /** {@code X.Y.Z-BRANCH.gSHA}: a pre-release naming the branch and the commit, never a release version. */
    private String preRelease(String next) {
        String slug = branch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        String sha = history.resolve("HEAD").name().substring(0, 8);
        SemVer base = SemVer.parse(next);
        return SemVer.parse(base.major() + "." + base.minor() + "." + base.patch() + "-" + (slug.isEmpty() ? "branch" : slug)
                + ".g" + sha).toString();
    }
}

package io.releasegate.policy;

import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy one decision uses, for one environment of one release.
 *
 * <p>A production decision (the baseline's last environment, any environment after it or one the policy does not
 * know) uses the policy committed at the commit the release was built from ({@code built} event), read from the
 * git objects of the repository; a release built outside git has none, and then only the admin's pinned central
 * policy serves. A policy file given for such a decision ({@code --policy}) that is not the committed policy (by
 * digest) is refused ({@code policy.not-committed}); the working tree's file is not read at all.
 *
 * <p>Any other decision (dev, staging) uses the file given, else the working tree's {@value PolicyLoader#TEAM_POLICY}:
 * a dry run of a policy change.
 */
public final class PolicyResolver {

    public static final String NOT_COMMITTED = "policy.not-committed";

    private final Path repo;
    private Optional<String> builtCommit = Optional.empty();
    private String environment;
    private Optional<Path> explicit = Optional.empty();
    private Optional<CentralPolicy> central = Optional.empty();

    /** Decisions about releases of the repository at {@code repo} (its working tree and its git objects). */
    public PolicyResolver(Path repo) {
        this.repo = Objects.requireNonNull(repo);
    }

    /** The commit the release was built from, as its {@code built} event says; empty when built outside git. */
    public PolicyResolver builtCommit(Optional<String> value) {
        this.builtCommit = Objects.requireNonNull(value);
        return this;
    }

    /** The environment decided about. */
    public PolicyResolver environment(String value) {
        this.environment = Objects.requireNonNull(value);
        return this;
    }

    /** A policy file the caller names ({@code --policy}). */
    public PolicyResolver explicit(Optional<Path> value) {
        this.explicit = Objects.requireNonNull(value);
        return this;
    }

    /** The admin's pinned central policy. */
    public PolicyResolver central(Optional<CentralPolicy> value) {
        this.central = Objects.requireNonNull(value);
        return this;
    }

    public Policy call() {
        if (environment == null) {
            throw new InputException("the policy of a decision needs its environment");
        }
        Policy baseline = PolicyLoader.load(central, Optional.empty());
        Optional<Policy> given = explicit.map(f -> PolicyLoader.load(central, Optional.of(f)));
        if (given.isEmpty() && !baseline.productionGrade(environment, baseline)) {
            Path team = repo.resolve(PolicyLoader.TEAM_POLICY);
            given = Optional.of(Files.isRegularFile(team) ? PolicyLoader.load(central, Optional.of(team)) : baseline);
        }
        if (given.isPresent() && !given.get().productionGrade(environment, baseline)) {
            return given.get();
        }
        Policy committed;
        if (builtCommit.isPresent()) {
            committed = PolicyLoader.committed(repo, builtCommit.get(), central);
        } else if (central.isPresent()) {
            committed = baseline;
        } else {
            throw new RefusedException(new Refusal(NOT_COMMITTED, environment + " takes a release under the policy committed "
                    + "with its source, and no built event of this release names a commit (it was built outside git, or not built)",
                    "build the release from a git checkout, or have the admin pin a central policy ("
                            + CentralPolicy.ENV + ", " + CentralPolicy.ENV_DIGEST + ")"));
        }
        if (given.isPresent() && explicit.isPresent() && !given.get().digest().equals(committed.digest())) {
            throw new RefusedException(new Refusal(NOT_COMMITTED, explicit.get() + " (policy " + given.get().digest() + ") is not "
                    + "the policy " + committed.source().describe() + " (policy "
                    + committed.digest() + ")" + builtCommit.map(c -> ", which " + environment + " uses for a release built from "
                    + c).orElse(", which " + environment + " uses"),
                    "drop --policy: " + environment + " uses the committed policy; a policy change goes through a commit "
                            + "(and a new build), or try it in dev or staging"));
        }
        return committed;
    }
}

package io.releasegate.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.version.NextVersion;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Ref;

/**
 * {@code train cut}: at the cutoff of the current train, identifies the cutoff commit on main (the last commit of main's
 * first-parent history committed at or before the cutoff, or the one given, which must be such a commit), the version
 * main releases there ({@link NextVersion}), creates {@code release/X.Y} at that commit (unless the train skips release
 * branches, with its recorded rationale) and records the cut ({@code train-cut}) under the train's subject. Run again, it
 * finds the cut recorded and changes nothing.
 *
 * <p>Refused: before the first cutoff or once the train's production time has passed ({@code train.before-cutoff},
 * {@code train.missed}); a cutoff commit not on main or committed after the cutoff ({@code train.cutoff-commit}); nothing
 * to release at the cutoff ({@code train.nothing-to-release}); a {@code release/X.Y} that exists at another commit
 * ({@code train.branch-exists}); a second cut of a train at another commit ({@code train.recut}); a train that freezes
 * main during stabilization without a recorded freeze covering it ({@code freeze.unrecorded}).
 */
public final class TrainCut {

    public static final String TYPE = EventType.TRAIN_CUT.wire();

    /** What the cut did, or found done: {@code alreadyCut} when an earlier run recorded it. */
    public record Result(TrainConfig.Occurrence train, String commit, String version, String line, Optional<String> branch,
                         boolean alreadyCut, Event event) {
    }

    private final TrainConfig config;
    private final History history;
    private final Ledger ledger;
    private final Policy policy;
    private String mainRef = "main";
    private Optional<String> commit = Optional.empty();
    private String actor;
    private Clock clock = Clock.systemUTC();

    public TrainCut(TrainConfig config, History history, Ledger ledger, Policy policy) {
        this.config = Objects.requireNonNull(config);
        this.history = Objects.requireNonNull(history);
        this.ledger = Objects.requireNonNull(ledger);
        this.policy = Objects.requireNonNull(policy);
    }

    /** The ledger subject of a train's cuts. */
    public static String subject(String train) {
        return "release-gate:train:" + train;
    }

    public TrainCut mainRef(String value) {
        this.mainRef = Objects.requireNonNull(value);
        return this;
    }

    /** The cutoff commit, instead of main's last commit before the cutoff. */
    public TrainCut commit(Optional<String> value) {
        this.commit = Objects.requireNonNull(value);
        return this;
    }

    /** Who cuts: the pipeline's identity, or the captain's. */
    public TrainCut actor(String value) {
        this.actor = value;
        return this;
    }

    public TrainCut clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    /** The recorded cuts of a train, oldest first. */
    public static List<Event> cuts(List<Event> trainEvents) {
        return trainEvents.stream().filter(e -> e.type().equals(TYPE)).toList();
    }

    /** The recorded cut of {@code name}'s release line of {@code version} (X.Y), if that line left on a train. */
    public static Optional<Event> cutOf(List<Event> trainEvents, String version) {
        SemVer v;
        try {
            v = SemVer.parse(version);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        String line = v.major() + "." + v.minor();
        return cuts(trainEvents).stream().filter(e -> e.text("line").orElse("").equals(line)).findFirst();
    }

    public Result call() {
        if (actor == null || actor.isBlank()) {
            throw new InputException("a train cut needs who cuts it (--actor)");
        }
        Instant now = clock.instant();
        TrainConfig.Occurrence train = config.current(now).orElseThrow(() -> new RefusedException(new Refusal(
                "train.before-cutoff", "the first " + config.train() + " train's cutoff is " + config.occurrence(0).cutoff()
                + "; it is " + now + " now", "cut at or after the cutoff")));
        if (now.isAfter(train.production())) {
            TrainConfig.Occurrence next = config.occurrence(train.index() + 1);
            throw new RefusedException(new Refusal("train.missed", "train " + train.id() + " was to reach production at "
                    + train.production() + "; it is " + now + " now", "cut the next train, " + next.id() + ", at its cutoff "
                    + next.cutoff()));
        }
        List<Event> events = ledger.events(subject(config.train()));
        String cutoffCommit = cutoffCommit(train);
        Optional<Event> done = cuts(events).stream().filter(e -> e.text("train").orElse("").equals(train.id())).findFirst();
        if (done.isPresent()) {
            String recorded = done.get().text("commit").orElse("");
            if (commit.isPresent() && !recorded.equals(cutoffCommit)) {
                throw new RefusedException(new Refusal("train.recut", "train " + train.id() + " was cut at " + recorded
                        + " (event " + done.get().id() + "), not at " + cutoffCommit, "a train is cut once; fixes reach its "
                        + "release branch as cherry-picks"));
            }
            return result(train, done.get(), true);
        }
        NextVersion.Result next = new NextVersion(history).rev(cutoffCommit).branch(Optional.of(mainRef)).mainRef(mainRef)
                .forwardPortDays(policy.branches().forwardPortDays()).clock(clock).call();
        if (!next.release()) {
            throw new RefusedException(new Refusal("train.nothing-to-release", "main at the cutoff commit "
                    + cutoffCommit.substring(0, 12) + " has nothing to release: " + next.reason(),
                    "skip this train (record nothing), or land a releasable change before the next cutoff"));
        }
        SemVer version = SemVer.parse(next.version());
        String line = version.major() + "." + version.minor();
        if (cutOf(events, next.version()).isPresent()) {
            throw new RefusedException(new Refusal("train.recut", "release line " + line + " was cut by an earlier train",
                    "land a releasable change on main for a new minor version"));
        }
        if (config.freezeMain()) {
            java.time.LocalDate from = train.cutoff().atZone(config.zone()).toLocalDate();
            java.time.LocalDate to = train.goNoGo().atZone(config.zone()).toLocalDate();
            if (Freeze.covering(ledger.events(Freeze.SUBJECT), mainRef, from, to).isEmpty()) {
                throw new RefusedException(new Refusal("freeze.unrecorded", "the " + config.train() + " train freezes "
                        + mainRef + " during stabilization (" + from + " to " + to + "), and no recorded freeze covers it",
                        "a release manager records it first: release-gate freeze --branch " + mainRef + " --from " + from
                                + " --to " + to + " --exit-criteria … --reason …"));
            }
        }
        Optional<String> branch = Optional.empty();
        if (config.releaseBranch()) {
            branch = Optional.of("release/" + line);
            createBranch(branch.get(), cutoffCommit);
        }
        ObjectNode p = Json.object().put("train", train.id()).put("name", config.train()).put("cutoff", train.cutoff().toString())
                .put("stabilizationEnds", train.stabilizationEnds().toString()).put("goNoGo", train.goNoGo().toString())
                .put("production", train.production().toString()).put("commit", cutoffCommit).put("version", next.version())
                .put("line", line).put("captain", config.captain());
        config.releaseManagers().forEach(m -> p.withArray("releaseManagers").add(m));
        config.attendees().forEach(a -> p.withArray("attendees").add(a));
        branch.ifPresentOrElse(b -> p.put("branch", b),
                () -> p.put("branch", "").put("skipBranchRationale", config.skipBranchRationale().orElseThrow()));
        policy.stamp(p);
        Event e = ledger.append(Event.draft(TYPE, subject(config.train()), Optional.empty(), actor, clock.instant(), p));
        return result(train, e, false);
    }

    private Result result(TrainConfig.Occurrence train, Event e, boolean already) {
        String b = e.text("branch").orElse("");
        return new Result(train, e.text("commit").orElse(""), e.text("version").orElse(""), e.text("line").orElse(""),
                b.isEmpty() ? Optional.empty() : Optional.of(b), already, e);
    }

    /** Main's last first-parent commit at or before the cutoff, or the given one if it is such a commit. */
    private String cutoffCommit(TrainConfig.Occurrence train) {
        String tip = history.resolve(mainRef).name();
        Map<String, History.Commit> bySha = new HashMap<>();
        history.range(Optional.empty(), tip).forEach(c -> bySha.put(c.sha(), c));
        if (commit.isPresent()) {
            String wanted = history.resolve(commit.get()).name();
            History.Commit c = bySha.get(wanted);
            if (c == null) {
                throw new RefusedException(new Refusal("train.cutoff-commit", commit.get() + " is not on " + mainRef,
                        "cut at a commit of " + mainRef));
            }
            if (c.time().isAfter(train.cutoff())) {
                throw new RefusedException(new Refusal("train.cutoff-commit", c.shortSha() + " was committed at " + c.time()
                        + ", after the cutoff " + train.cutoff(), "cut at a commit of " + mainRef + " from before the cutoff"));
            }
            return wanted;
        }
        History.Commit c = bySha.get(tip);
        while (c != null && c.time().isAfter(train.cutoff())) {
            c = c.parentShas().isEmpty() ? null : bySha.get(c.parentShas().get(0));
        }
        if (c == null) {
            throw new RefusedException(new Refusal("train.cutoff-commit", mainRef + " has no commit from before the cutoff "
                    + train.cutoff(), "cut the next train"));
        }
        return c.sha();
    }

    private void createBranch(String branch, String at) {
        try (Git git = new Git(history.repository())) {
            Ref existing = history.repository().exactRef("refs/heads/" + branch);
            if (existing != null) {
                if (!existing.getObjectId().name().equals(at)) {
                    throw new RefusedException(new Refusal("train.branch-exists", branch + " exists at "
                            + existing.getObjectId().name().substring(0, 12) + ", not at the cutoff commit " + at.substring(0, 12),
                            "a train's branch starts at its cutoff: delete the stray branch, or cut at its commit (--commit)"));
                }
                return;
            }
            git.branchCreate().setName(branch).setStartPoint(at).call();
        } catch (IOException | GitAPIException e) {
            throw new InputException("cannot create " + branch + " at " + at + ": " + e.getMessage(), e);
        }
    }
}

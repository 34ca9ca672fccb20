package io.releasegate.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.ConventionalCommit;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A freeze of a branch (main): recorded and approved by one of the train's release managers, with its scope (the commit
 * types that may still land), its dates and its exit criteria, in the ledger under {@value #SUBJECT}; lifted by a
 * release manager saying how the exit criteria were met. While it stands, a commit of another type landing on the
 * branch is refused ({@code freeze.violated}); a freeze past its last day that nobody lifted is refused
 * ({@code freeze.expired}): it is lifted, with its exit criteria, or declared again with new dates. Lifting a freeze
 * that was never recorded is refused ({@code freeze.unrecorded}), as is a train that freezes main during stabilization
 * without a recorded freeze covering it.
 */
public final class Freeze {

    /** The ledger subject of freezes. */
    public static final String SUBJECT = "release-gate:freeze";
    public static final String DECLARED = EventType.FREEZE_DECLARED.wire();
    public static final String LIFTED = EventType.FREEZE_LIFTED.wire();
    /** What may land on a frozen branch unless the freeze says otherwise. */
    public static final List<String> DEFAULT_ALLOW = List.of("fix", "revert");

    /** A recorded freeze: its event, branch, first and last day (in the train's time zone) and what it allows. */
    public record Declared(Event event, String branch, LocalDate from, LocalDate to, List<String> allow, String exitCriteria,
                           String reason) {
        public Declared {
            allow = List.copyOf(allow);
        }

        /** Whether the freeze covers {@code day}. */
        public boolean covers(LocalDate day) {
            return !day.isBefore(from) && !day.isAfter(to);
        }

        public String describe() {
            return "the freeze of " + branch + " from " + from + " to " + to + " (event " + event.id().substring(0, 12)
                    + ", by " + event.actor() + "; allows " + allow + "; exit criteria: " + exitCriteria + ")";
        }

        static Declared of(Event e) {
            List<String> allow = new ArrayList<>();
            e.payload().path("allow").forEach(a -> allow.add(a.asText()));
            return new Declared(e, e.text("branch").orElse("main"), LocalDate.parse(e.text("from").orElseThrow()),
                    LocalDate.parse(e.text("to").orElseThrow()), allow, e.text("exitCriteria").orElse(""),
                    e.text("reason").orElse(""));
        }
    }

    /** One commit that landed on a frozen branch though the freeze does not allow it. */
    public record Violation(String rule, Optional<String> commit, String message, String remedy) {
        public Refusal refusal() {
            return new Refusal(rule, message, remedy);
        }
    }

    private Freeze() {
    }

    /** The freezes of {@code branch} recorded and not lifted, oldest first, among the freeze events. */
    public static List<Declared> standing(List<Event> events, String branch) {
        Map<String, Declared> open = new java.util.LinkedHashMap<>();
        for (Event e : events) {
            if (e.type().equals(DECLARED) && e.text("branch").orElse("").equals(branch)) {
                open.put(e.id(), Declared.of(e));
            } else if (e.type().equals(LIFTED)) {
                open.remove(e.text("freeze").orElse(""));
            }
        }
        return List.copyOf(open.values());
    }

    /** The standing freezes of any branch whose last day (in their train's time zone) is before {@code now}'s. */
    public static List<Declared> expired(List<Event> events, Instant now) {
        java.util.Set<String> branches = new java.util.TreeSet<>();
        events.stream().filter(e -> e.type().equals(DECLARED)).forEach(e -> branches.add(e.text("branch").orElse("")));
        List<Declared> out = new ArrayList<>();
        for (String b : branches) {
            for (Declared d : standing(events, b)) {
                ZoneId zone = ZoneId.of(d.event().text("timezone").orElse("UTC"));
                if (d.to().isBefore(now.atZone(zone).toLocalDate())) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    /** Every freeze of {@code branch} ever recorded, lifted or not, oldest first. */
    public static List<Declared> recorded(List<Event> events, String branch) {
        return events.stream().filter(e -> e.type().equals(DECLARED) && e.text("branch").orElse("").equals(branch))
                .map(Declared::of).toList();
    }

    /**
     * Records a freeze of {@code branch} by {@code actor}, who must be one of the train's release managers: from
     * {@code from} to {@code to} (days in the train's time zone), allowing commits of the types {@code allow} only.
     */
    public static Event declare(Ledger ledger, TrainConfig train, String actor, String branch, LocalDate from, LocalDate to,
                                List<String> allow, String exitCriteria, String reason, Policy policy, Clock clock) {
        require(actor, "the release manager recording it (--actor)");
        require(branch, "the branch it freezes (--branch)");
        require(exitCriteria, "its exit criteria (--exit-criteria)");
        require(reason, "a reason (--reason)");
        if (from == null || to == null) {
            throw new InputException("a freeze needs its first and last day (--from, --to: YYYY-MM-DD)");
        }
        if (to.isBefore(from)) {
            throw new InputException("impossible freeze: it ends " + to + " before it starts " + from);
        }
        LocalDate today = today(train, clock);
        if (to.isBefore(today)) {
            throw new InputException("the freeze would end " + to + ", before today (" + today + " " + train.zone() + ")");
        }
        if (allow.isEmpty() || allow.stream().anyMatch(String::isBlank)) {
            throw new InputException("a freeze allows at least one commit type (--allow, e.g. fix,revert)");
        }
        releaseManager(train, actor, "record a freeze");
        List<Event> events = ledger.events(SUBJECT);
        for (Declared d : standing(events, branch)) {
            if (!d.to().isBefore(from) && !d.from().isAfter(to)) {
                throw new RefusedException(new Refusal("freeze.standing", describeOverlap(d, from, to),
                        "lift it first (release-gate freeze --lift), or choose dates that do not overlap it"));
            }
        }
        ObjectNode p = Json.object().put("branch", branch.strip()).put("from", from.toString()).put("to", to.toString())
                .put("exitCriteria", exitCriteria.strip()).put("reason", reason.strip()).put("train", train.train())
                .put("timezone", train.zone().getId());
        allow.forEach(a -> p.withArray("allow").add(a.strip()));
        policy.stamp(p);
        return ledger.append(Event.draft(DECLARED, SUBJECT, Optional.empty(), actor, clock.instant(), p));
    }

    /** Lifts the standing freeze of {@code branch}, by a release manager, saying how its exit criteria were met. */
    public static Event lift(Ledger ledger, TrainConfig train, String actor, String branch, String exitCriteriaMet, Policy policy,
                             Clock clock) {
        require(actor, "the release manager lifting it (--actor)");
        require(exitCriteriaMet, "how its exit criteria were met (--reason)");
        List<Declared> open = standing(ledger.events(SUBJECT), branch);
        if (open.isEmpty()) {
            throw new RefusedException(new Refusal("freeze.unrecorded", "no freeze of " + branch + " is recorded",
                    "a freeze is lifted only once recorded (release-gate freeze --branch " + branch + " --from … --to …)"));
        }
        releaseManager(train, actor, "lift a freeze");
        Declared d = open.get(open.size() - 1);
        ObjectNode p = Json.object().put("freeze", d.event().id()).put("branch", branch).put("exitCriteriaMet", exitCriteriaMet.strip());
        policy.stamp(p);
        return ledger.append(Event.draft(LIFTED, SUBJECT, Optional.empty(), actor, clock.instant(), p));
    }

    /**
     * What is wrong with {@code branch} under its freezes at {@code now}: a standing freeze past its last day
     * ({@code freeze.expired}), and each commit that landed on it during a freeze (by the first-parent history: a merge
     * landing brings in every commit it merges) of a type the freeze does not allow ({@code freeze.violated}).
     */
    public static List<Violation> check(History history, String branch, String rev, List<Event> events, ZoneId zone, Instant now) {
        List<Violation> out = new ArrayList<>();
        LocalDate today = now.atZone(zone).toLocalDate();
        List<Declared> open = standing(events, branch);
        for (Declared d : open) {
            if (d.to().isBefore(today)) {
                out.add(new Violation("freeze.expired", Optional.empty(), d.describe() + " ended on " + d.to()
                        + " and was never lifted", "lift it, saying how its exit criteria were met (release-gate freeze --lift "
                        + "--reason …), or record a new freeze with new dates"));
            }
        }
        List<Declared> all = recorded(events, branch);
        if (all.isEmpty()) {
            return out;
        }
        LocalDate earliest = all.stream().map(Declared::from).min(LocalDate::compareTo).orElseThrow();
        Map<String, History.Commit> bySha = new HashMap<>();
        List<History.Commit> commits = history.range(Optional.empty(), rev);
        commits.forEach(c -> bySha.put(c.sha(), c));
        History.Commit c = commits.isEmpty() ? null : bySha.get(history.resolve(rev).name());
        while (c != null && !c.time().atZone(zone).toLocalDate().isBefore(earliest)) {
            LocalDate landed = c.time().atZone(zone).toLocalDate();
            Optional<Declared> during = lastCovering(all, events, landed);
            if (during.isPresent()) {
                List<History.Commit> brought = c.isMerge() && c.parentShas().size() > 1 ? history.branchCommits(c.sha()) : List.of(c);
                for (History.Commit b : brought) {
                    if (b.isMerge()) {
                        continue;
                    }
                    String type = b.conventional().map(ConventionalCommit::type).orElse("");
                    if (!during.get().allow().contains(type)) {
                        out.add(new Violation("freeze.violated", Optional.of(b.sha()), b.shortSha() + " \"" + b.subject()
                                + "\" landed on " + branch + " on " + landed + " during " + during.get().describe(),
                                "revert it, or lift the freeze first (its exit criteria met)"));
                    }
                }
            }
            c = c.parentShas().isEmpty() ? null : bySha.get(c.parentShas().get(0));
        }
        return out;
    }

    /** The freeze that covered {@code day} and was not lifted before that day. */
    private static Optional<Declared> lastCovering(List<Declared> all, List<Event> events, LocalDate day) {
        Optional<Declared> found = Optional.empty();
        for (Declared d : all) {
            if (!d.covers(day)) {
                continue;
            }
            Optional<Event> lifted = events.stream().filter(e -> e.type().equals(LIFTED)
                    && e.text("freeze").orElse("").equals(d.event().id())).findFirst();
            String zone = d.event().text("timezone").orElse("UTC");
            if (lifted.isEmpty() || !lifted.get().time().atZone(ZoneId.of(zone)).toLocalDate().isBefore(day)) {
                found = Optional.of(d);
            }
        }
        return found;
    }

    /** A freeze of {@code branch} recorded (standing or lifted) that covers every day from {@code from} to {@code to}. */
    public static Optional<Declared> covering(List<Event> events, String branch, LocalDate from, LocalDate to) {
        return recorded(events, branch).stream().filter(d -> d.covers(from) && d.covers(to)).reduce((a, b) -> b);
    }

    static LocalDate today(TrainConfig train, Clock clock) {
        return clock.instant().atZone(train.zone()).toLocalDate();
    }

    static void releaseManager(TrainConfig train, String actor, String what) {
        if (!train.releaseManager(actor)) {
            throw new RefusedException(new Refusal("train.not-release-manager", actor + " is not a release manager of the "
                    + train.train() + " train, who alone may " + what, "ask one of " + train.releaseManagers()
                    + " (releaseManagers in " + train.file() + ")"));
        }
    }

    private static String describeOverlap(Declared d, LocalDate from, LocalDate to) {
        return d.describe() + " stands and overlaps " + from + " to " + to;
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InputException("a freeze needs " + what);
        }
    }

    /** The commit types of {@code text} ({@code fix,revert}), for the CLI. */
    public static List<String> types(String text) {
        Set<String> out = new TreeSet<>();
        for (String t : text.split(",")) {
            if (!t.isBlank()) {
                out.add(t.strip());
            }
        }
        return List.copyOf(out);
    }
}

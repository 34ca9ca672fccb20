package io.releasegate.policy;

import io.releasegate.error.Refusal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * High assurance: a team policy may tighten the baseline (the library default, with the admin's central policy
 * over it), never loosen it. Each loosening is a {@code policy.loosened} refusal naming the file and line, the
 * field, the baseline's value and the team's:
 * <ul>
 * <li>environments: every baseline environment stays, in the same order, requiring at least its evidence;</li>
 * <li>gates: the required gates stay, findings block from the same severity or a lower one, every denied license
 * stays denied, and an allow-list (when the baseline has one) can only shrink; a gate the baseline lists in
 * {@code gates.neverNotApplicable} stays listed and is not declared not applicable ({@code gates.notApplicable}: any
 * other gate may be, since a committed, reviewed declaration with a rationale is what the baseline's gate rule asks
 * for when a gate has no report); a gate the baseline lists in {@code gates.neverBypass} stays listed, and
 * {@code gates.quarantineMaxDays} can only shrink;</li>
 * <li>approvals: high assurance stays on, the count can only rise, the roles stay; a role for which the baseline
 * lists people keeps (a subset of) them and no other source (CODEOWNERS, a structure file); the structure file
 * the baseline names is not redirected;</li>
 * <li>windows: every instant the team's weekly windows are open (in the team's time zone) is inside the baseline's
 * (in its own); every blackout date stays; every freeze is covered by a freeze as long and as wide;</li>
 * <li>emergency: every required field stays, the review is due no later;</li>
 * <li>library: a pinned library stays required;</li>
 * <li>incidents: every severity's response time stays, and no longer;</li>
 * <li>scope: every path pattern CODEOWNERS must cover stays (more may be added); every pattern that finds a feature
 * flag referenced in code stays (more may be added);</li>
 * <li>branches: a hotfix's fixes reach main and the newer release branches within {@code branches.forwardPortDays}
 * days of the baseline or fewer;</li>
 * <li>rollout: every baseline stage stays, in the same order, taking no larger share of traffic, soaking at least as
 * long, requiring at least its evidence kinds and keeping each of its health checks with the same command and a
 * threshold as strict or stricter (a max no higher, a min no lower, neither dropped); stages may be added; an automatic
 * rollback stays on.</li>
 * </ul>
 */
final class Loosening {

    static final String RULE = "policy.loosened";
    private static final List<String> SEVERITIES = List.of("low", "medium", "high", "critical");

    private final Policy base;
    private final Policy team;
    private final String whose;
    private final Function<String, String> where;
    private final List<Refusal> refusals = new ArrayList<>();

    private Loosening(Policy base, Policy team, String whose, Function<String, String> where) {
        this.base = base;
        this.team = team;
        this.whose = whose;
        this.where = where;
    }

    /**
     * Every way {@code team} loosens {@code base}; {@code whose} names the baseline in messages ("the library's"),
     * {@code where} gives the {@code file:line} of a dotted key.
     */
    static List<Refusal> check(Policy base, Policy team, String whose, Function<String, String> where) {
        Loosening l = new Loosening(base, team, whose, where);
        l.environments();
        l.gates();
        l.approvals();
        l.windows();
        l.emergency();
        l.library();
        l.incidents();
        l.scope();
        l.branches();
        l.rollout();
        return List.copyOf(l.refusals);
    }

    private void refuse(String key, String baseValue, String teamValue, String why) {
        refusals.add(new Refusal(RULE, where.apply(key) + ": " + key + ": " + whose + " " + baseValue + ", the team's " + teamValue
                        + (why.isEmpty() ? "" : " (" + why + ")"),
                "in high-assurance mode a team policy may tighten " + whose + " policy, never loosen it: keep " + key
                        + " at least as strict as " + baseValue + ", or ask the admin to change " + whose + " policy"));
    }

    // ------------------------------------------------------------------------------------ rollout

    private void rollout() {
        Policy.Rollout b = base.rollout();
        Policy.Rollout t = team.rollout();
        if (b.autoRollback() && !t.autoRollback()) {
            refuse("rollout.autoRollback", "true", "false", "an automatic rollback stays on");
        }
        List<String> baseOrder = b.stages().stream().map(Policy.Stage::name).toList();
        List<String> teamOrder = t.stages().stream().map(Policy.Stage::name).filter(baseOrder::contains).toList();
        if (!teamOrder.equals(baseOrder)) {
            refuse("rollout.stages", "stages " + baseOrder, "stages " + t.stages().stream().map(Policy.Stage::name).toList(),
                    "every stage stays, in the same order; stages may be added");
            return;
        }
        for (Policy.Stage bs : b.stages()) {
            Policy.Stage ts = t.stage(bs.name()).orElseThrow();
            String key = "rollout.stages";
            if (ts.percent() > bs.percent()) {
                refuse(key, bs.name() + " takes " + bs.percent() + "%", bs.name() + " takes " + ts.percent() + "%",
                        "a stage's share of traffic can only shrink");
            }
            if (ts.soak().compareTo(bs.soak()) < 0) {
                refuse(key, bs.name() + " soaks " + bs.soak(), bs.name() + " soaks " + ts.soak(), "a soak time can only grow");
            }
            if (!ts.evidence().containsAll(bs.evidence())) {
                refuse(key, bs.name() + " requires evidence " + bs.evidence(), bs.name() + " requires evidence " + ts.evidence(),
                        "it can require more evidence, never less");
            }
            for (Policy.HealthCheck bh : bs.health()) {
                Optional<Policy.HealthCheck> th = ts.health().stream().filter(h -> h.name().equals(bh.name())).findFirst();
                String what = bs.name() + " health check " + bh.name();
                if (th.isEmpty()) {
                    refuse(key, what + " " + bh.threshold(), bs.name() + " without it", "a health check stays");
                    continue;
                }
                if (!th.get().command().equals(bh.command())) {
                    refuse(key, what + " runs " + bh.command(), what + " runs " + th.get().command(),
                            "a health check keeps its command");
                }
                boolean looserMax = bh.max().isPresent() && (th.get().max().isEmpty() || th.get().max().get().compareTo(bh.max().get()) > 0);
                boolean looserMin = bh.min().isPresent() && (th.get().min().isEmpty() || th.get().min().get().compareTo(bh.min().get()) < 0);
                if (looserMax || looserMin) {
                    refuse(key, what + " " + bh.threshold(), what + " " + th.get().threshold(), "a threshold can only get stricter");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------ environments

    private void environments() {
        List<String> baseOrder = base.environments().stream().map(Policy.Environment::name).toList();
        List<String> teamOrder = team.environments().stream().map(Policy.Environment::name).filter(baseOrder::contains).toList();
        if (!teamOrder.equals(baseOrder)) {
            refuse("environments", "environments " + baseOrder, "environments " + team.environments().stream()
                    .map(Policy.Environment::name).toList(), "every environment stays, in the same order");
            return;
        }
        for (Policy.Environment b : base.environments()) {
            Policy.Environment t = team.environment(b.name()).orElseThrow();
            if (!t.requires().containsAll(b.requires())) {
                refuse("environments", b.name() + " requires " + b.requires(), b.name() + " requires " + t.requires(),
                        "it can require more evidence, never less");
            }
        }
    }

    // ------------------------------------------------------------------------------------ gates

    private void gates() {
        Policy.Gates b = base.gates();
        Policy.Gates t = team.gates();
        if (!t.required().containsAll(b.required())) {
            refuse("gates.required", b.required().toString(), t.required().toString(), "required gates stay required");
        }
        if (SEVERITIES.indexOf(t.blockAt()) > SEVERITIES.indexOf(b.blockAt())) {
            refuse("gates.blockAt", b.blockAt(), t.blockAt(), "findings from " + b.blockAt() + " up always block");
        }
        if (!t.deniedLicenses().containsAll(b.deniedLicenses())) {
            refuse("gates.licenses.denied", b.deniedLicenses().toString(), t.deniedLicenses().toString(),
                    "a denied license stays denied");
        }
        if (!b.allowedLicenses().isEmpty() && (t.allowedLicenses().isEmpty() || !b.allowedLicenses().containsAll(t.allowedLicenses()))) {
            refuse("gates.licenses.allowed", b.allowedLicenses().toString(), t.allowedLicenses().isEmpty() ? "[] (any license)"
                    : t.allowedLicenses().toString(), "the allowed licenses can only shrink");
        }
        // a gate the baseline says always needs its report: the team cannot declare it not applicable, nor drop it
        if (!t.neverNotApplicable().containsAll(b.neverNotApplicable())) {
            refuse("gates.neverNotApplicable", b.neverNotApplicable().toString(), t.neverNotApplicable().toString(),
                    "a gate that may never be declared not applicable stays so");
        }
        // a gate the baseline says may never be bypassed stays so; a quarantine may be bounded shorter, never longer
        if (!t.neverBypass().containsAll(b.neverBypass())) {
            refuse("gates.neverBypass", b.neverBypass().toString(), t.neverBypass().toString(),
                    "a gate that may never be bypassed stays so");
        }
        if (t.quarantineMaxDays() > b.quarantineMaxDays()) {
            refuse("gates.quarantineMaxDays", String.valueOf(b.quarantineMaxDays()), String.valueOf(t.quarantineMaxDays()),
                    "a flaky test is quarantined for at most " + b.quarantineMaxDays() + " days");
        }
        t.notApplicable().forEach((gate, rationale) -> {
            if (b.neverNotApplicable().contains(gate) && b.notApplicable(gate).isEmpty()) {
                refuse("gates.notApplicable." + gate, "gates.neverNotApplicable " + b.neverNotApplicable(),
                        "gates.notApplicable." + gate + " '" + rationale + "'", gate + " always needs its report");
            }
        });
    }

    // ------------------------------------------------------------------------------------ scope

    private void scope() {
        List<String> b = base.scope().codeownersCover();
        List<String> t = team.scope().codeownersCover();
        if (!t.containsAll(b)) {
            refuse("scope.codeownersCover", b.toString(), t.toString(), "CODEOWNERS keeps covering every path the baseline names; "
                    + "more may be added");
        }
        List<String> bf = base.scope().flagPattern();
        List<String> tf = team.scope().flagPattern();
        if (!tf.containsAll(bf)) {
            refuse("scope.flagPattern", bf.toString(), tf.toString(), "every flag reference the baseline finds is still found; "
                    + "more patterns may be added");
        }
    }

    // ------------------------------------------------------------------------------------ approvals

    private void approvals() {
        Policy.Approvals b = base.approvals();
        Policy.Approvals t = team.approvals();
        if (b.highAssurance() && !t.highAssurance()) {
            refuse("approvals.highAssurance", "true", "false", "high-assurance mode cannot be switched off by a team policy");
        }
        if (t.count() < b.count()) {
            refuse("approvals.count", String.valueOf(b.count()), String.valueOf(t.count()), "the count can be raised, never lowered");
        }
        if (!t.roles().containsAll(b.roles())) {
            refuse("approvals.roles", b.roles().toString(), t.roles().toString(), "roles cannot be dropped");
        }
        for (String role : b.roles()) {
            Policy.RoleMembers bm = b.members().get(role);
            Policy.RoleMembers tm = t.members().get(role);
            if (bm == null || tm == null) {
                continue;
            }
            String key = "approvals.members." + role;
            if (!bm.people().isEmpty()) {
                if (!bm.people().containsAll(tm.people())) {
                    List<String> extra = tm.people().stream().filter(p -> !bm.people().contains(p)).toList();
                    refuse(key + ".people", bm.people().toString(), tm.people().toString(), "adds " + extra
                            + "; the people " + whose + " policy names for " + role + " can only be narrowed");
                }
                if (tm.codeowners() && !bm.codeowners()) {
                    refuse(key + ".codeowners", "false", "true", whose + " policy names the people of " + role);
                }
                if (tm.structureFile().isPresent() && bm.structureFile().isEmpty()) {
                    refuse(key + ".structureFile", "none", tm.structureFile().get(), whose + " policy names the people of " + role);
                }
            }
            if (bm.structureFile().isPresent() && tm.structureFile().isPresent()
                    && !bm.structureFile().get().equals(tm.structureFile().get())) {
                refuse(key + ".structureFile", bm.structureFile().get(), tm.structureFile().get(),
                        "the maintainers come from " + bm.structureFile().get());
            }
        }
    }

    // ------------------------------------------------------------------------------------ windows

    private void windows() {
        Policy.Windows b = base.windows();
        Policy.Windows t = team.windows();
        openOutsideTheBaseline().ifPresent(open -> refuse(b.timezone().equals(t.timezone()) ? "windows.weekly" : "windows",
                "windows " + describe(b), "windows " + describe(t), open));
        List<LocalDate> dropped = b.blackouts().stream().filter(d -> !t.blackouts().contains(d)).toList();
        if (!dropped.isEmpty()) {
            refuse("windows.blackouts", b.blackouts().toString(), t.blackouts().toString(), "drops " + dropped);
        }
        for (Policy.Freeze f : b.freezes()) {
            boolean covered = t.freezes().stream().anyMatch(x -> !x.from().isAfter(f.from()) && !x.to().isBefore(f.to())
                    && (x.scope().isEmpty() || (!f.scope().isEmpty() && x.scope().containsAll(f.scope()))));
            if (!covered) {
                refuse("windows.freezes", "freeze " + describe(f), t.freezes().stream().map(Loosening::describe).toList().toString(),
                        "no freeze of the team's covers it");
            }
        }
    }

    /** The first instant the team's windows are open and the baseline's are not, described; empty when there is none. */
    private Optional<String> openOutsideTheBaseline() {
        Policy.Windows b = base.windows();
        Policy.Windows t = team.windows();
        if (b.timezone().equals(t.timezone())) {
            // both in one zone: a week of local times decides
            for (Policy.Weekly w : t.weekly()) {
                for (DayOfWeek d : w.days()) {
                    Optional<LocalTime> gap = uncovered(b.weekly(), d, w.from(), w.to());
                    if (gap.isPresent()) {
                        return Optional.of("open on " + day(d) + " at " + gap.get() + " " + t.timezone());
                    }
                }
            }
            return Optional.empty();
        }
        // two zones: every window of two years, instant by instant, against the baseline's in its zone (daylight saving)
        ZoneId tz = ZoneId.of(t.timezone());
        ZoneId bz = ZoneId.of(b.timezone());
        LocalDate start = LocalDate.now(ZoneOffset.UTC).withDayOfYear(1);
        for (LocalDate date = start; date.isBefore(start.plusYears(2)); date = date.plusDays(1)) {
            for (Policy.Weekly w : t.weekly()) {
                if (!w.days().contains(date.getDayOfWeek())) {
                    continue;
                }
                Instant cursor = ZonedDateTime.of(date, w.from(), tz).toInstant();
                Instant end = ZonedDateTime.of(date, w.to(), tz).toInstant();
                while (cursor.isBefore(end)) {
                    Optional<Instant> next = coveredUntil(b.weekly(), bz, cursor);
                    if (next.isEmpty()) {
                        ZonedDateTime local = cursor.atZone(tz);
                        ZonedDateTime there = cursor.atZone(bz);
                        return Optional.of("open at " + cursor + ": " + day(local.getDayOfWeek()) + " " + local.toLocalTime() + " "
                                + t.timezone() + " is " + day(there.getDayOfWeek()) + " " + there.toLocalTime() + " " + b.timezone());
                    }
                    cursor = next.get();
                }
            }
        }
        return Optional.empty();
    }

    /** The first time of [from, to) on {@code day} that no weekly window covers. */
    private static Optional<LocalTime> uncovered(List<Policy.Weekly> windows, DayOfWeek day, LocalTime from, LocalTime to) {
        LocalTime cursor = from;
        while (cursor.isBefore(to)) {
            LocalTime c = cursor;
            Optional<LocalTime> next = windows.stream().filter(w -> w.days().contains(day) && !c.isBefore(w.from()) && c.isBefore(w.to()))
                    .map(Policy.Weekly::to).max(Comparator.naturalOrder());
            if (next.isEmpty()) {
                return Optional.of(cursor);
            }
            cursor = next.get();
        }
        return Optional.empty();
    }

    /** Until when a window of the baseline (in {@code zone}) open at {@code at} stays open; empty when none is. */
    private static Optional<Instant> coveredUntil(List<Policy.Weekly> windows, ZoneId zone, Instant at) {
        ZonedDateTime z = at.atZone(zone);
        LocalTime time = z.toLocalTime();
        return windows.stream().filter(w -> w.days().contains(z.getDayOfWeek()) && !time.isBefore(w.from()) && time.isBefore(w.to()))
                .map(w -> ZonedDateTime.of(z.toLocalDate(), w.to(), zone).toInstant()).filter(at::isBefore).max(Comparator.naturalOrder());
    }

    private static String day(DayOfWeek d) {
        return d.getDisplayName(TextStyle.SHORT, Locale.ROOT).toUpperCase(Locale.ROOT);
    }

    private static String describe(Policy.Windows w) {
        return w.weekly().stream().map(x -> x.days().stream().map(Loosening::day).toList() + " " + x.from() + "-" + x.to()).toList()
                + " " + w.timezone();
    }

    private static String describe(Policy.Freeze f) {
        return "'" + f.name() + "' " + f.from() + " to " + f.to() + " " + (f.scope().isEmpty() ? "(every environment)" : f.scope());
    }

    // ------------------------------------------------------------------------------------ emergency, library

    private void emergency() {
        Policy.Emergency b = base.emergency();
        Policy.Emergency t = team.emergency();
        if (!t.requires().containsAll(b.requires())) {
            Set<String> dropped = new HashSet<>(b.requires());
            dropped.removeAll(t.requires());
            refuse("emergency.requires", b.requires().toString(), t.requires().toString(), "drops " + dropped);
        }
        if (t.reviewWithinDays() > b.reviewWithinDays()) {
            refuse("emergency.reviewWithinDays", String.valueOf(b.reviewWithinDays()), String.valueOf(t.reviewWithinDays()),
                    "the review of an emergency change is due no later");
        }
    }

    private void branches() {
        int b = base.branches().forwardPortDays();
        int t = team.branches().forwardPortDays();
        if (t > b) {
            refuse("branches.forwardPortDays", String.valueOf(b), String.valueOf(t),
                    "a hotfix's fixes reach main and the newer release branches no later");
        }
    }

    private void library() {
        if (!base.library().allowUnpinned() && team.library().allowUnpinned()) {
            refuse("library.allowUnpinned", "false", "true", "production takes only releases built by a pinned library");
        }
    }

    private void incidents() {
        base.incidents().responseTime().forEach((severity, limit) -> {
            java.time.Duration mine = team.incidents().responseTime().get(severity);
            if (mine == null || mine.compareTo(limit) > 0) {
                refuse("incidents.responseTime." + severity, limit.toString(), mine == null ? "none" : mine.toString(),
                        "an incident of this severity is responded to no later");
            }
        });
    }
}

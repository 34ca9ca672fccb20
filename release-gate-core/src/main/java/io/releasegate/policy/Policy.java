package io.releasegate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.Comparator;

/**
 * The effective release policy: the library default, the admin's central policy when one is pinned, and the team's
 * policy laid over them. It is identified by its {@link #digest()}; {@link #source()} says where it was read from
 * and is not part of that identity.
 */
public record Policy(int version, List<Environment> environments, Gates gates, Approvals approvals, Windows windows,
                     Emergency emergency, Exceptions exceptions, Library library, Incidents incidents, Scope scope,
                     Branches branches, Rollout rollout, Source source) {

    public Policy {
        environments = List.copyOf(environments);
        Objects.requireNonNull(branches, "branches");
        Objects.requireNonNull(rollout, "rollout");
        Objects.requireNonNull(source, "source");
    }

    /**
     * Where the policy was read from: {@code team} names the team's file ({@code none} when there is none),
     * {@code commit} the commit it was read at (empty for a file of a working tree or anywhere else), {@code central}
     * whether the admin's pinned central policy is under it.
     */
    public record Source(String team, Optional<String> commit, boolean central) {
        public Source {
            Objects.requireNonNull(team, "team");
            Objects.requireNonNull(commit, "commit");
        }

        public String describe() {
            String t = commit.map(c -> team + " at commit " + c).orElse(team);
            return (central ? "the central policy" + (team.equals("none") ? "" : " with " + t) : t);
        }
    }

    public record Environment(String name, List<String> requires) {
        public Environment {
            requires = List.copyOf(requires);
        }
    }

    /**
     * Required gates, the blocking severity, the license rule (SPDX ids), the gates declared not applicable (gate ->
     * rationale: fixed by the policy, so by the commit a release is built from, never by an argument of a run) and the
     * gates that may never be declared not applicable; the gates that may never be bypassed ({@code gates.neverBypass})
     * and how many days ahead a flaky test may be quarantined at most ({@code gates.quarantineMaxDays}).
     */
    public record Gates(List<String> required, String blockAt, List<String> allowedLicenses, List<String> deniedLicenses,
                        Map<String, String> notApplicable, List<String> neverNotApplicable, List<String> neverBypass,
                        int quarantineMaxDays) {
        /** The library's bound on a quarantine: at most this many days ahead. */
        public static final int DEFAULT_QUARANTINE_MAX_DAYS = 30;

        public Gates {
            required = List.copyOf(required);
            allowedLicenses = List.copyOf(allowedLicenses);
            deniedLicenses = List.copyOf(deniedLicenses);
            notApplicable = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(notApplicable));
            neverNotApplicable = List.copyOf(neverNotApplicable);
            neverBypass = List.copyOf(neverBypass);
            if (quarantineMaxDays < 1) {
                throw new IllegalArgumentException("gates.quarantineMaxDays must be at least 1");
            }
        }

        /** Without bypass and quarantine settings: none is never bypassable, quarantines up to the default. */
        public Gates(List<String> required, String blockAt, List<String> allowedLicenses, List<String> deniedLicenses,
                     Map<String, String> notApplicable, List<String> neverNotApplicable) {
            this(required, blockAt, allowedLicenses, deniedLicenses, notApplicable, neverNotApplicable, List.of(),
                    DEFAULT_QUARANTINE_MAX_DAYS);
        }

        /**
         * What is wrong with a license expression under the license rule: its first id that is denied, or not on the
         * allowed list when the policy has one ({@code NOASSERTION} is not on any); empty when the expression is fine.
         */
        public Optional<LicenseProblem> licenseProblem(String expression) {
            for (String raw : expression.split("\\s+(?:AND|OR|WITH)\\s+|[()]")) {
                String id = raw.trim();
                if (id.isEmpty()) {
                    continue;
                }
                if (deniedLicenses.contains(id)) {
                    return Optional.of(new LicenseProblem(id, "licensed " + expression + ", and " + id + " is denied"));
                }
                if (!allowedLicenses.isEmpty() && !allowedLicenses.contains(id)) {
                    return Optional.of(new LicenseProblem(id, "licensed " + expression + ", and " + id + " is not on the allowed list"));
                }
            }
            return Optional.empty();
        }

        /** The rationale with which the policy declares {@code gate} not applicable; empty when it does not. */
        public Optional<String> notApplicable(String gate) {
            return Optional.ofNullable(notApplicable.get(gate));
        }
    }

    /** A license id the license rule refuses, and why. */
    public record LicenseProblem(String id, String why) {
    }

    public record Approvals(boolean highAssurance, int count, List<String> roles, Map<String, RoleMembers> members) {
        public Approvals {
            roles = List.copyOf(roles);
            members = Map.copyOf(members);
        }
    }

    /** How a role maps to people. */
    public record RoleMembers(List<String> people, Optional<String> structureFile, boolean codeowners) {
        public RoleMembers {
            people = List.copyOf(people);
        }
    }

    public record Windows(String timezone, List<Weekly> weekly, List<LocalDate> blackouts, List<Freeze> freezes) {
        public Windows {
            weekly = List.copyOf(weekly);
            blackouts = List.copyOf(blackouts);
            freezes = List.copyOf(freezes);
        }
    }

    public record Weekly(List<DayOfWeek> days, LocalTime from, LocalTime to) {
        public Weekly {
            days = List.copyOf(days);
        }
    }

    public record Freeze(String name, LocalDate from, LocalDate to, List<String> scope, String exitCriteria) {
        public Freeze {
            scope = List.copyOf(scope);
        }
    }

    public record Emergency(List<String> requires, int reviewWithinDays) {
        public Emergency {
            requires = List.copyOf(requires);
        }
    }

    public record Exceptions(String directory) {
    }

    /**
     * The release-scope gates: the production-impacting paths CODEOWNERS must cover (gitignore-style patterns; the
     * default {@code **} is every path), the secrets allowlist file (a path in the repository), the feature-flag
     * registry file (a path in the repository) and the patterns that find a flag referenced in code (Java regular
     * expressions, each with one capturing group: the flag's name).
     */
    public record Scope(List<String> codeownersCover, String secretsAllowlist, String flagRegistry, List<String> flagPattern) {
        /** The registry the flags gate reads by default. */
        public static final String FLAG_REGISTRY = "flags/registry.yaml";
        /**
         * The references the flags gate finds by default: {@code isEnabled("name"…} and {@code flag("name"…}, the
         * first argument a string literal (single or double quotes) of lower-case letters, digits, '.', '_' and '-'.
         */
        public static final List<String> FLAG_PATTERN = List.of(
                "\\bisEnabled\\(\\s*[\"']([a-z0-9][a-z0-9._-]*)[\"']",
                "\\bflag\\(\\s*[\"']([a-z0-9][a-z0-9._-]*)[\"']");
        /** The library's defaults: every path covered, the allowlist at {@code .release/secrets-allowlist.yaml}. */
        public static final Scope DEFAULT = new Scope(List.of("**"), ".release/secrets-allowlist.yaml", FLAG_REGISTRY, FLAG_PATTERN);

        public Scope {
            codeownersCover = List.copyOf(codeownersCover);
            flagPattern = List.copyOf(flagPattern);
        }
    }

    /**
     * The golden pipeline library: whether the last environment (production) may take a release built by a
     * library loaded from a moving ref (a branch) rather than a {@code vX.Y.Z} tag or a full commit SHA.
     */
    public record Library(boolean allowUnpinned) {
    }

    /**
     * Incidents: how long, by severity, an incident may stand before it is responded to (a release halt set for it is
     * lifted); {@code audit} reports the ones past that time.
     */
    public record Incidents(java.util.Map<String, java.time.Duration> responseTime) {
        public Incidents {
            responseTime = java.util.Map.copyOf(responseTime);
        }
    }

    /**
     * The branch model: how many days after a hotfix tag {@code vX.Y.Z} its fixes must have reached main and every newer
     * release branch ({@code forward-port check}; the next release of a branch still missing one is refused).
     */
    public record Branches(int forwardPortDays) {
        /** The library's default: five days. */
        public static final int DEFAULT_FORWARD_PORT_DAYS = 5;
        public static final Branches DEFAULT = new Branches(DEFAULT_FORWARD_PORT_DAYS);

        public Branches {
            if (forwardPortDays < 0) {
                throw new IllegalArgumentException("branches.forwardPortDays must be 0 or more");
            }
        }
    }

    /**
     * Progressive rollout into production (policy 003 §1.17.3.2): the stages before the last environment, in order, each
     * an environment {@code production-<stage>} (see {@link Stage#environment(String)}) that the loader places between the
     * environment before production and production (100%), requiring what production requires. {@code autoRollback}: a
     * failing health check of a stage rolls the stages holding that digest back to the known-good digest.
     */
    public record Rollout(List<Stage> stages, boolean autoRollback) {
        /** No stages: production takes a release in one step. */
        public static final Rollout NONE = new Rollout(List.of(), false);
        /** The evidence kinds a stage may require before the next stage. */
        public static final List<String> EVIDENCE_KINDS = List.of("check", "dashboard", "checklist");

        public Rollout {
            stages = List.copyOf(stages);
        }

        /** The stage whose environment is {@code environment} under {@code production} (the last environment's name). */
        public Optional<Stage> stageOf(String environment, String production) {
            return stages.stream().filter(s -> s.environment(production).equals(environment)).findFirst();
        }

        /** The stage called {@code name}. */
        public Optional<Stage> stage(String name) {
            return stages.stream().filter(s -> s.name().equals(name)).findFirst();
        }
    }

    /**
     * One rollout stage: its name, the share of traffic it takes, the minimum time a digest stays in it before the next
     * stage ({@code soak}), the kinds of verification evidence recorded for it before the next stage ({@code check},
     * {@code dashboard}, {@code checklist}) and its objective health checks.
     */
    public record Stage(String name, int percent, java.time.Duration soak, List<String> evidence, List<HealthCheck> health) {
        public Stage {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(soak, "soak");
            evidence = List.copyOf(new TreeSet<>(evidence));
            health = List.copyOf(health);
        }

        /** The stage's environment: {@code <production>-<name>}, e.g. {@code production-canary}. */
        public String environment(String production) {
            return production + "-" + name;
        }
    }

    /**
     * An objective health check: a command (argv, run without a shell of ours) that prints one number, which must be at
     * most {@code max} and at least {@code min} (at least one is given), within {@code timeout}.
     */
    public record HealthCheck(String name, List<String> command, Optional<java.math.BigDecimal> max,
                              Optional<java.math.BigDecimal> min, java.time.Duration timeout) {
        public static final java.time.Duration DEFAULT_TIMEOUT = java.time.Duration.ofSeconds(60);

        public HealthCheck {
            command = List.copyOf(command);
            Objects.requireNonNull(max, "max");
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(timeout, "timeout");
            if (command.isEmpty() || (max.isEmpty() && min.isEmpty())) {
                throw new IllegalArgumentException("a health check needs a command and a threshold");
            }
        }

        /** The threshold in words: {@code <= 0.01}, {@code >= 99.5}, or both. */
        public String threshold() {
            return (max.map(m -> "<= " + m.toPlainString()).orElse("") + (max.isPresent() && min.isPresent() ? " and " : "")
                    + min.map(m -> ">= " + m.toPlainString()).orElse(""));
        }

        /** Whether {@code value} is within the thresholds. */
        public boolean passes(java.math.BigDecimal value) {
            return max.map(m -> value.compareTo(m) <= 0).orElse(true) && min.map(m -> value.compareTo(m) >= 0).orElse(true);
        }
    }

    /** The last environment's name: production. */
    public String production() {
        return environments.get(environments.size() - 1).name();
    }

    /** The rollout stage whose environment is {@code environment}; empty for every other environment. */
    public Optional<Stage> stageOf(String environment) {
        return rollout.stageOf(environment, production());
    }

    /**
     * The identity of the effective policy: SHA-256 over {@link #canonicalJson()}. Two policies that decide alike
     * (whatever their files' layout, key order or the order of their sets) have the same digest.
     */
    public Digest digest() {
        return Digester.of(canonicalJson().getBytes(StandardCharsets.UTF_8));
    }

    /** The payload field that names the policy a decision was taken under. */
    public static final String EVENT_FIELD = "policy";

    /** Names this policy, by its {@link #digest()}, in the payload of an event that a decision under it records. */
    public ObjectNode stamp(ObjectNode payload) {
        return payload.put(EVENT_FIELD, digest().toString());
    }

    /**
     * The canonical form: JSON without whitespace, object keys sorted, sets (days, gates, licenses, roles, people,
     * blackouts, freezes, weekly windows, required evidence) sorted, lists whose order means something (environments)
     * as they are, times and dates in ISO 8601; {@link #source()} left out. {@code gates.notApplicable},
     * {@code gates.neverNotApplicable} and {@code gates.neverBypass} appear only when not empty (and
     * {@code gates.quarantineMaxDays} and {@code branches} only when not the default), so a policy without them keeps the digest it had
     * before they existed.
     */
    public String canonicalJson() {
        ObjectNode root = Json.object();
        root.put("version", version);
        ArrayNode envs = root.putArray("environments");
        for (Environment e : environments) {
            ObjectNode n = envs.addObject();
            n.put("name", e.name());
            strings(n.putArray("requires"), e.requires());
        }
        ObjectNode g = root.putObject("gates");
        strings(g.putArray("required"), gates.required());
        g.put("blockAt", gates.blockAt());
        strings(g.putArray("allowedLicenses"), gates.allowedLicenses());
        strings(g.putArray("deniedLicenses"), gates.deniedLicenses());
        // only when set, so that the policies written before these keys existed keep their digests
        if (!gates.notApplicable().isEmpty()) {
            ObjectNode na = g.putObject("notApplicable");
            gates.notApplicable().forEach(na::put);
        }
        if (!gates.neverNotApplicable().isEmpty()) {
            strings(g.putArray("neverNotApplicable"), gates.neverNotApplicable());
        }
        if (!gates.neverBypass().isEmpty()) {
            strings(g.putArray("neverBypass"), gates.neverBypass());
        }
        if (gates.quarantineMaxDays() != Gates.DEFAULT_QUARANTINE_MAX_DAYS) {
            g.put("quarantineMaxDays", gates.quarantineMaxDays());
        }
        ObjectNode a = root.putObject("approvals");
        a.put("highAssurance", approvals.highAssurance());
        a.put("count", approvals.count());
        strings(a.putArray("roles"), approvals.roles());
        ObjectNode members = a.putObject("members");
        for (String role : new TreeSet<>(approvals.members().keySet())) {
            RoleMembers m = approvals.members().get(role);
            ObjectNode n = members.putObject(role);
            strings(n.putArray("people"), m.people());
            m.structureFile().ifPresent(f -> n.put("structureFile", f));
            n.put("codeowners", m.codeowners());
        }
        ObjectNode w = root.putObject("windows");
        w.put("timezone", windows.timezone());
        strings(w.putArray("weekly"), windows.weekly().stream().map(x -> new TreeSet<>(x.days()) + " " + x.from() + "-" + x.to()).toList());
        strings(w.putArray("blackouts"), windows.blackouts().stream().map(LocalDate::toString).toList());
        ArrayNode freezes = w.putArray("freezes");
        windows.freezes().stream().sorted(Comparator.comparing(Freeze::from).thenComparing(Freeze::to).thenComparing(Freeze::name))
                .forEach(f -> {
                    ObjectNode n = freezes.addObject();
                    n.put("name", f.name());
                    n.put("from", f.from().toString());
                    n.put("to", f.to().toString());
                    strings(n.putArray("scope"), f.scope());
                    n.put("exitCriteria", f.exitCriteria());
                });
        ObjectNode em = root.putObject("emergency");
        strings(em.putArray("requires"), emergency.requires());
        em.put("reviewWithinDays", emergency.reviewWithinDays());
        root.putObject("exceptions").put("directory", exceptions.directory());
        root.putObject("library").put("allowUnpinned", library.allowUnpinned());
        // only when not the defaults, so that the policies written before these keys existed keep their digests
        if (!scope.equals(Scope.DEFAULT)) {
            ObjectNode sc = root.putObject("scope");
            if (!scope.codeownersCover().equals(Scope.DEFAULT.codeownersCover())
                    || !scope.secretsAllowlist().equals(Scope.DEFAULT.secretsAllowlist())) {
                strings(sc.putArray("codeownersCover"), scope.codeownersCover());
                sc.put("secretsAllowlist", scope.secretsAllowlist());
            }
            // each flags key only when set, so that the policies written before the flags gate keep their digests
            if (!scope.flagRegistry().equals(Scope.FLAG_REGISTRY)) {
                sc.put("flagRegistry", scope.flagRegistry());
            }
            if (!scope.flagPattern().equals(Scope.FLAG_PATTERN)) {
                strings(sc.putArray("flagPattern"), scope.flagPattern());
            }
        }
        if (!branches.equals(Branches.DEFAULT)) {
            root.putObject("branches").put("forwardPortDays", branches.forwardPortDays());
        }
        // only with stages, so that the policies written before rollouts existed keep their digests
        if (!rollout.stages().isEmpty() || rollout.autoRollback()) {
            ObjectNode ro = root.putObject("rollout");
            ro.put("autoRollback", rollout.autoRollback());
            ArrayNode stages = ro.putArray("stages");
            for (Stage st : rollout.stages()) {
                ObjectNode n = stages.addObject();
                n.put("name", st.name());
                n.put("percent", st.percent());
                n.put("soak", st.soak().toString());
                strings(n.putArray("evidence"), st.evidence());
                ArrayNode hs = n.putArray("health");
                st.health().stream().sorted(Comparator.comparing(HealthCheck::name)).forEach(h -> {
                    ObjectNode hn = hs.addObject();
                    hn.put("name", h.name());
                    ArrayNode cmd = hn.putArray("command");
                    h.command().forEach(cmd::add);
                    h.max().ifPresent(m -> hn.put("max", m.toPlainString()));
                    h.min().ifPresent(m -> hn.put("min", m.toPlainString()));
                    hn.put("timeout", h.timeout().toString());
                });
            }
        }
        if (!incidents.responseTime().isEmpty()) {
            ObjectNode rt = root.putObject("incidents").putObject("responseTime");
            incidents.responseTime().forEach((severity, d) -> rt.put(severity, d.toString()));
        }
        return Json.compact(sorted(root));
    }

    private static void strings(ArrayNode into, List<String> values) {
        new TreeSet<>(values).forEach(into::add);
    }

    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode out = Json.object();
            new TreeSet<>(iterable(o.fieldNames())).forEach(k -> out.set(k, sorted(o.get(k))));
            return out;
        }
        if (node instanceof ArrayNode arr) {
            ArrayNode out = Json.mapper().createArrayNode();
            arr.forEach(x -> out.add(sorted(x)));
            return out;
        }
        return node;
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /**
     * Whether {@code name} is governed like production: the last of the {@code baseline}'s environments or after it, or
     * one of this policy's rollout stages (which come before production and take what production takes).
     */
    public boolean productionGrade(String name, Policy baseline) {
        if (stageOf(name).isPresent() || baseline.stageOf(name).isPresent()) {
            return true;
        }
        String last = baseline.environments().get(baseline.environments().size() - 1).name();
        int lastIndex = indexOf(last);
        int index = indexOf(name);
        return index < 0 || lastIndex < 0 || index >= lastIndex;
    }

    private int indexOf(String name) {
        for (int i = 0; i < environments.size(); i++) {
            if (environments.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    public Optional<Environment> environment(String name) {
        return environments.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The environment called {@code name}; an input error naming the policy's environments when there is none. */
    public Environment requireEnvironment(String name) {
        return environment(name).orElseThrow(() -> new io.releasegate.error.InputException("unknown environment '" + name
                + "'; the policy has " + environments.stream().map(Environment::name).toList()));
    }

    /** The environment before {@code name}, empty for the first. */
    public Optional<Environment> previous(String name) {
        for (int i = 1; i < environments.size(); i++) {
            if (environments.get(i).name().equals(name)) {
                return Optional.of(environments.get(i - 1));
            }
        }
        return Optional.empty();
    }
}

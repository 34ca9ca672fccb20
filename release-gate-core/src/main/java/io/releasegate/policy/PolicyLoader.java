package io.releasegate.policy;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the policy: the library default ({@value #DEFAULT_RESOURCE}) with a team's
 * {@code .release/policy.yaml} laid over it (maps merge key by key; lists and values replace), the admin's
 * {@link CentralPolicy} between them when one is pinned. Strict: an unknown key, a wrong type, a bad time or
 * zone, an impossible window, an unknown environment or role, or a file that is not plain YAML (an alias bomb)
 * is an {@link InputException} naming the file, the line and the key. In high-assurance mode a team policy
 * that loosens the baseline in any way is refused ({@code policy.loosened}; see {@link Loosening}).
 */
public final class PolicyLoader {

    public static final String DEFAULT_RESOURCE = "/io/releasegate/policy/policy-default.yaml";
    public static final String TEAM_POLICY = ".release/policy.yaml";

    /** Limits that make a hostile file (an alias bomb, a huge document) an input error rather than an exhausted machine. */
    static final int MAX_ALIASES = 20;
    static final int MAX_VALUES = 10_000;
    static final int MAX_CODE_POINTS = 1 << 20;

    /** The gates a policy may name. */
    static final Set<String> GATES = Set.of("lint", "unit", "integration", "sast", "dependency", "license", "sbom", "dast",
            "files", "secrets", "deps", "flags");

    /** The gates a policy may name. */
    public static Set<String> knownGates() {
        return GATES;
    }

    /** A YAML value with where it came from. */
    private record Value(Object value, String file, int line) {
        @SuppressWarnings("unchecked")
        Map<String, Value> map() {
            return (Map<String, Value>) value;
        }

        @SuppressWarnings("unchecked")
        List<Value> list() {
            return (List<Value>) value;
        }
    }

    private PolicyLoader() {
    }

    /** The library default alone. */
    public static Policy defaults() {
        return load(Optional.empty(), Optional.empty());
    }

    /** The default with the team's policy file over it (when given and present). */
    public static Policy load(Optional<Path> teamPolicy) {
        return load(Optional.empty(), teamPolicy);
    }

    /**
     * The library default, the admin's central policy over it (the baseline), and the team's policy file over that.
     * In high-assurance mode a team policy that loosens the baseline is refused ({@code policy.loosened}).
     */
    public static Policy load(Optional<CentralPolicy> central, Optional<Path> teamPolicy) {
        Optional<Team> team = teamPolicy.map(f -> new Team(readFile(f), f.toString()));
        return build(central, team, new Policy.Source(teamPolicy.map(Path::toString).orElse("none"), Optional.empty(),
                central.isPresent()));
    }

    /**
     * The policy committed at {@code commit} of the repository at {@code repo}: its {@value #TEAM_POLICY} as that commit
     * has it (the baseline alone when it has none), read from the git objects, whatever the working tree holds.
     */
    public static Policy committed(Path repo, String commit, Optional<CentralPolicy> central) {
        Optional<String> text = CommittedFiles.read(repo, commit, TEAM_POLICY);
        Optional<Team> team = text.map(t -> new Team(t, TEAM_POLICY + "@" + shortSha(commit)));
        return build(central, team, new Policy.Source(text.isPresent() ? TEAM_POLICY : "none", Optional.of(commit), central.isPresent()));
    }

    private static String shortSha(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    /** A team policy's text and the name errors give it. */
    private record Team(String text, String file) {
    }

    private static String readFile(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException("policy file not found: " + f, e);
        } catch (IOException e) {
            throw new InputException("cannot read policy " + f + ": " + e.getMessage(), e);
        }
    }

    private static Policy build(Optional<CentralPolicy> central, Optional<Team> team, Policy.Source source) {
        Value base = parse(defaultText(), "policy-default.yaml");
        if (central.isPresent()) {
            base = merge(base, parse(central.get().read(), central.get().file().toString()));
        }
        Policy.Source baseSource = new Policy.Source("none", Optional.empty(), central.isPresent());
        Policy baseline = bind(base, baseSource);
        Value merged = team.isPresent() ? merge(base, parse(team.get().text(), team.get().file())) : base;
        Policy policy = bind(merged, source);
        if (baseline.approvals().highAssurance() || policy.approvals().highAssurance()) {
            Value root = merged;
            List<io.releasegate.error.Refusal> loosened = Loosening.check(baseline, policy,
                    central.isPresent() ? "the central policy's" : "the library's", key -> where(root, key));
            if (!loosened.isEmpty()) {
                throw new io.releasegate.error.RefusedException(loosened);
            }
        }
        for (String gate : policy.gates().notApplicable().keySet()) {
            if (policy.gates().neverNotApplicable().contains(gate)) {
                throw new InputException(where(merged, "gates.notApplicable." + gate) + ": gates.notApplicable." + gate + ": gate '"
                        + gate + "' is listed in gates.neverNotApplicable (" + where(merged, "gates.neverNotApplicable")
                        + "): it always needs its report");
            }
        }
        Value members = merged.map().get("approvals").map().get("members");
        if (members != null) {
            for (Map.Entry<String, Value> r : members.map().entrySet()) {
                if (!policy.approvals().roles().contains(r.getKey())) {
                    throw error(r.getValue(), "approvals.members." + r.getKey(), "role '" + r.getKey()
                            + "' is not one of approvals.roles " + policy.approvals().roles());
                }
            }
        }
        if (policy.approvals().roles().size() > policy.approvals().count()) {
            throw error(merged.map().get("approvals").map().get("count"), "approvals.count", policy.approvals().roles().size()
                    + " roles cannot be covered by " + policy.approvals().count() + " approvals");
        }
        return policy;
    }

    /** {@code file:line} of a dotted key of the merged policy (of its nearest parent that is there). */
    private static String where(Value root, String key) {
        Value v = root;
        for (String part : key.split("\\.")) {
            if (!(v.value() instanceof Map) || !v.map().containsKey(part)) {
                break;
            }
            v = v.map().get(part);
        }
        return v.file() + ":" + v.line();
    }

    static String defaultText() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("default policy missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // -------------------------------------------------------------------------------------- YAML

    private static Value parse(String text, String file) {
        Node root;
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_CODE_POINTS);
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new InputException(file + ":" + (e.getProblemMark().getLine() + 1) + ": not valid YAML: " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new InputException(file + ": not a usable policy: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // SnakeYAML reports some malformed documents (a tag with spaces: "!%20") with other exceptions
            throw new InputException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return new Value(new LinkedHashMap<String, Value>(), file, 1);
        }
        if (!(root instanceof MappingNode)) {
            throw new InputException(file + ":1: a policy is a YAML mapping of keys to values");
        }
        return convert(root, file, new int[] {0});
    }

    private static Value convert(Node node, String file, int[] count) {
        if (++count[0] > MAX_VALUES) {
            throw new InputException(file + ": not a usable policy: more than " + MAX_VALUES + " values once its aliases are "
                    + "expanded (a policy is a few dozen)");
        }
        int line = node.getStartMark().getLine() + 1;
        if (node instanceof MappingNode m) {
            Map<String, Value> map = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw new InputException(file + ":" + line + ": keys must be plain names");
                }
                if (map.containsKey(k.getValue())) {
                    throw new InputException(file + ":" + (k.getStartMark().getLine() + 1) + ": duplicate key '" + k.getValue() + "'");
                }
                map.put(k.getValue(), convert(t.getValueNode(), file, count));
            }
            return new Value(map, file, line);
        }
        if (node instanceof SequenceNode s) {
            List<Value> list = new ArrayList<>();
            for (Node n : s.getValue()) {
                list.add(convert(n, file, count));
            }
            return new Value(list, file, line);
        }
        ScalarNode sc = (ScalarNode) node;
        return new Value(sc.getValue(), file, line);
    }

    private static Value merge(Value base, Value over) {
        if (base.value() instanceof Map && over.value() instanceof Map) {
            Map<String, Value> out = new LinkedHashMap<>(base.map());
            for (Map.Entry<String, Value> e : over.map().entrySet()) {
                Value b = out.get(e.getKey());
                out.put(e.getKey(), b == null ? e.getValue() : merge(b, e.getValue()));
            }
            return new Value(out, over.file(), over.line());
        }
        return over;
    }

    // -------------------------------------------------------------------------------------- binding

    private static Policy bind(Value root, Policy.Source source) {
        Map<String, Value> top = object(root, "policy", Set.of("version", "environments", "gates", "approvals", "windows",
                "emergency", "exceptions", "library", "incidents", "scope", "branches", "rollout"));
        int version = integer(require(top, "version", root, "policy"), "version");
        if (version != 1) {
            throw error(top.get("version"), "version", "unknown policy version " + version + "; this release-gate reads version 1");
        }
        List<Policy.Environment> envs = new ArrayList<>();
        Set<String> envNames = new TreeSet<>();
        Set<String> evidence = Set.of("built", "signatures", "sbom", "provenance", "gates", "approvals", "window");
        Value envList = require(top, "environments", root, "policy");
        for (Value e : list(envList, "environments")) {
            Map<String, Value> m = object(e, "environments[]", Set.of("name", "requires"));
            String name = text(require(m, "name", e, "environments[]"), "environments[].name");
            if (!name.matches("[a-z][a-z0-9-]*") || !envNames.add(name)) {
                throw error(e, "environments[].name", "environment name '" + name + "' must be unique lowercase words");
            }
            List<String> requires = strings(m.get("requires"), "environments." + name + ".requires");
            for (int i = 0; i < requires.size(); i++) {
                if (!evidence.contains(requires.get(i))) {
                    throw error(m.get("requires").list().get(i), "environments." + name + ".requires",
                            "unknown evidence '" + requires.get(i) + "'; known: " + new TreeSet<>(evidence));
                }
            }
            envs.add(new Policy.Environment(name, requires));
        }
        if (envs.isEmpty()) {
            throw error(envList, "environments", "at least one environment is required");
        }

        Value gv = require(top, "gates", root, "policy");
        Map<String, Value> g = object(gv, "gates", Set.of("required", "blockAt", "licenses", "notApplicable", "neverNotApplicable",
                "neverBypass", "quarantineMaxDays"));
        List<String> requiredGates = strings(g.get("required"), "gates.required");
        for (String r : requiredGates) {
            if (!GATES.contains(r)) {
                throw error(g.get("required"), "gates.required", "unknown gate '" + r + "'; known: " + new TreeSet<>(GATES));
            }
        }
        String blockAt = text(require(g, "blockAt", gv, "gates"), "gates.blockAt");
        if (!Set.of("critical", "high", "medium", "low").contains(blockAt)) {
            throw error(g.get("blockAt"), "gates.blockAt", "'" + blockAt + "' is not one of critical, high, medium, low");
        }
        List<String> allowed = List.of();
        List<String> denied = List.of();
        if (g.containsKey("licenses")) {
            Map<String, Value> l = object(g.get("licenses"), "gates.licenses", Set.of("allowed", "denied"));
            allowed = strings(l.get("allowed"), "gates.licenses.allowed");
            denied = strings(l.get("denied"), "gates.licenses.denied");
        }
        Map<String, String> notApplicable = new LinkedHashMap<>();
        if (g.containsKey("notApplicable")) {
            for (Map.Entry<String, Value> e : object(g.get("notApplicable"), "gates.notApplicable", null).entrySet()) {
                String key = "gates.notApplicable." + e.getKey();
                if (!GATES.contains(e.getKey())) {
                    throw error(e.getValue(), key, "unknown gate '" + e.getKey() + "'; known: " + new TreeSet<>(GATES));
                }
                String rationale = text(e.getValue(), key).trim();
                if (rationale.isEmpty() || rationale.equals("~") || rationale.equalsIgnoreCase("null")) {
                    throw error(e.getValue(), key, "declaring gate '" + e.getKey() + "' not applicable needs a rationale, e.g. "
                            + e.getKey() + ": \"batch job without a network endpoint\"");
                }
                notApplicable.put(e.getKey(), rationale);
            }
        }
        List<String> never = strings(g.get("neverNotApplicable"), "gates.neverNotApplicable");
        for (String n : never) {
            if (!GATES.contains(n)) {
                throw error(g.get("neverNotApplicable"), "gates.neverNotApplicable", "unknown gate '" + n + "'; known: "
                        + new TreeSet<>(GATES));
            }
        }
        List<String> neverBypass = strings(g.get("neverBypass"), "gates.neverBypass");
        for (String n : neverBypass) {
            if (!GATES.contains(n)) {
                throw error(g.get("neverBypass"), "gates.neverBypass", "unknown gate '" + n + "'; known: " + new TreeSet<>(GATES));
            }
        }
        int quarantineMaxDays = Policy.Gates.DEFAULT_QUARANTINE_MAX_DAYS;
        if (g.containsKey("quarantineMaxDays")) {
            quarantineMaxDays = integer(g.get("quarantineMaxDays"), "gates.quarantineMaxDays");
            if (quarantineMaxDays < 1 || quarantineMaxDays > 366) {
                throw error(g.get("quarantineMaxDays"), "gates.quarantineMaxDays", quarantineMaxDays
                        + " is not a number of days from 1 to 366");
            }
        }
        Policy.Gates gates = new Policy.Gates(requiredGates, blockAt, allowed, denied, notApplicable, never, neverBypass,
                quarantineMaxDays);

        Value av = require(top, "approvals", root, "policy");
        Map<String, Value> a = object(av, "approvals", Set.of("highAssurance", "count", "roles", "members"));
        int count = integer(require(a, "count", av, "approvals"), "approvals.count");
        if (count < 1) {
            throw error(a.get("count"), "approvals.count", "at least one approval is required");
        }
        List<String> roles = strings(a.get("roles"), "approvals.roles");
        Map<String, Policy.RoleMembers> members = new HashMap<>();
        if (a.containsKey("members")) {
            for (Map.Entry<String, Value> r : object(a.get("members"), "approvals.members", null).entrySet()) {
                Map<String, Value> rm = object(r.getValue(), "approvals.members." + r.getKey(),
                        Set.of("people", "structureFile", "codeowners"));
                members.put(r.getKey(), new Policy.RoleMembers(strings(rm.get("people"), "people"),
                        Optional.ofNullable(rm.get("structureFile")).map(v -> text(v, "structureFile")),
                        rm.containsKey("codeowners") && bool(rm.get("codeowners"), "codeowners")));
            }
        }
        boolean high = a.containsKey("highAssurance") && bool(a.get("highAssurance"), "approvals.highAssurance");

        Value wv = require(top, "windows", root, "policy");
        Map<String, Value> w = object(wv, "windows", Set.of("timezone", "weekly", "blackouts", "freezes"));
        String tz = text(require(w, "timezone", wv, "windows"), "windows.timezone");
        try {
            ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw error(w.get("timezone"), "windows.timezone", "unknown time zone '" + tz + "' (use an IANA name such as Europe/Paris)");
        }
        List<Policy.Weekly> weekly = new ArrayList<>();
        if (w.containsKey("weekly")) {
            for (Value wk : list(w.get("weekly"), "windows.weekly")) {
                Map<String, Value> m = object(wk, "windows.weekly[]", Set.of("days", "from", "to"));
                List<DayOfWeek> days = new ArrayList<>();
                for (Value d : list(require(m, "days", wk, "windows.weekly[]"), "windows.weekly[].days")) {
                    days.add(day(d));
                }
                LocalTime from = time(require(m, "from", wk, "windows.weekly[]"), "windows.weekly[].from");
                LocalTime to = time(require(m, "to", wk, "windows.weekly[]"), "windows.weekly[].to");
                if (!from.isBefore(to)) {
                    throw error(wk, "windows.weekly[]", "impossible window: from " + from + " is not before to " + to);
                }
                weekly.add(new Policy.Weekly(days, from, to));
            }
        }
        List<LocalDate> blackouts = new ArrayList<>();
        if (w.containsKey("blackouts")) {
            for (Value b : list(w.get("blackouts"), "windows.blackouts")) {
                blackouts.add(date(b, "windows.blackouts[]"));
            }
        }
        List<Policy.Freeze> freezes = new ArrayList<>();
        if (w.containsKey("freezes")) {
            for (Value f : list(w.get("freezes"), "windows.freezes")) {
                Map<String, Value> m = object(f, "windows.freezes[]", Set.of("name", "from", "to", "scope", "exitCriteria"));
                LocalDate from = date(require(m, "from", f, "windows.freezes[]"), "windows.freezes[].from");
                LocalDate to = date(require(m, "to", f, "windows.freezes[]"), "windows.freezes[].to");
                if (to.isBefore(from)) {
                    throw error(f, "windows.freezes[]", "impossible freeze: ends " + to + " before it starts " + from);
                }
                List<String> scope = strings(m.get("scope"), "windows.freezes[].scope");
                for (String s : scope) {
                    if (!envNames.contains(s)) {
                        throw error(m.get("scope"), "windows.freezes[].scope", "unknown environment '" + s + "'; known: " + envNames);
                    }
                }
                freezes.add(new Policy.Freeze(text(require(m, "name", f, "windows.freezes[]"), "name"), from, to, scope,
                        text(require(m, "exitCriteria", f, "windows.freezes[]"), "exitCriteria")));
            }
        }
        Value ev = require(top, "emergency", root, "policy");
        Map<String, Value> em = object(ev, "emergency", Set.of("requires", "reviewWithinDays"));
        Set<String> emergencyFields = Set.of("reason", "approver", "scope", "rollbackPlan", "followUps");
        List<String> emRequires = strings(em.get("requires"), "emergency.requires");
        for (String r : emRequires) {
            if (!emergencyFields.contains(r)) {
                throw error(em.get("requires"), "emergency.requires", "unknown field '" + r + "'; known: " + new TreeSet<>(emergencyFields));
            }
        }
        Value exv = top.get("exceptions");
        String exDir = ".release/exceptions";
        if (exv != null) {
            Map<String, Value> ex = object(exv, "exceptions", Set.of("directory"));
            exDir = text(require(ex, "directory", exv, "exceptions"), "exceptions.directory");
        }
        Value lv = top.get("library");
        boolean allowUnpinned = false;
        if (lv != null) {
            Map<String, Value> lib = object(lv, "library", Set.of("allowUnpinned"));
            allowUnpinned = lib.containsKey("allowUnpinned") && bool(lib.get("allowUnpinned"), "library.allowUnpinned");
        }
        Map<String, java.time.Duration> responseTime = new java.util.TreeMap<>();
        Value iv = top.get("incidents");
        if (iv != null) {
            Map<String, Value> inc = object(iv, "incidents", Set.of("responseTime"));
            Value rv = inc.get("responseTime");
            if (rv != null) {
                for (Map.Entry<String, Value> e : object(rv, "incidents.responseTime", null).entrySet()) {
                    responseTime.put(e.getKey(), duration(e.getValue(), "incidents.responseTime." + e.getKey()));
                }
            }
        }
        Policy.Scope scope = Policy.Scope.DEFAULT;
        Value sv = top.get("scope");
        if (sv != null) {
            Map<String, Value> sm = object(sv, "scope", Set.of("codeownersCover", "secretsAllowlist", "flagRegistry", "flagPattern"));
            List<String> cover = sm.containsKey("codeownersCover") ? strings(sm.get("codeownersCover"), "scope.codeownersCover")
                    : scope.codeownersCover();
            for (String c : cover) {
                if (c.isBlank() || c.startsWith("!")) {
                    throw error(sm.get("codeownersCover"), "scope.codeownersCover", "'" + c + "' is not a path pattern "
                            + "(gitignore-style, e.g. src/** or /deploy/; negations are not allowed)");
                }
            }
            String allowlist = sm.containsKey("secretsAllowlist") ? text(sm.get("secretsAllowlist"), "scope.secretsAllowlist").trim()
                    : scope.secretsAllowlist();
            if (allowlist.isEmpty() || allowlist.startsWith("/") || allowlist.contains("..")) {
                throw error(sm.get("secretsAllowlist"), "scope.secretsAllowlist", "'" + allowlist
                        + "' is not a path inside the repository");
            }
            String registry = sm.containsKey("flagRegistry") ? text(sm.get("flagRegistry"), "scope.flagRegistry").trim()
                    : scope.flagRegistry();
            if (registry.isEmpty() || registry.startsWith("/") || registry.contains("..") || registry.endsWith("/")) {
                throw error(sm.get("flagRegistry"), "scope.flagRegistry", "'" + registry + "' is not a path inside the repository");
            }
            List<String> patterns = sm.containsKey("flagPattern") ? strings(sm.get("flagPattern"), "scope.flagPattern")
                    : scope.flagPattern();
            for (String p : patterns) {
                java.util.regex.Pattern compiled;
                try {
                    compiled = java.util.regex.Pattern.compile(p);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw error(sm.get("flagPattern"), "scope.flagPattern", "'" + p + "' is not a regular expression: "
                            + e.getDescription());
                }
                if (compiled.matcher("").groupCount() != 1) {
                    throw error(sm.get("flagPattern"), "scope.flagPattern", "'" + p + "' has " + compiled.matcher("").groupCount()
                            + " capturing groups; it needs exactly one, the flag's name (use (?:...) for the others)");
                }
            }
            scope = new Policy.Scope(cover, allowlist, registry, patterns);
        }
        Policy.Branches branches = Policy.Branches.DEFAULT;
        Value bv = top.get("branches");
        if (bv != null) {
            Map<String, Value> bm = object(bv, "branches", Set.of("forwardPortDays"));
            if (bm.containsKey("forwardPortDays")) {
                int days = integer(bm.get("forwardPortDays"), "branches.forwardPortDays");
                if (days < 0 || days > 366) {
                    throw error(bm.get("forwardPortDays"), "branches.forwardPortDays", days + " is not a number of days from 0 to 366");
                }
                branches = new Policy.Branches(days);
            }
        }
        Policy.Rollout rollout = rollout(top.get("rollout"), envs);
        return new Policy(version, envs, gates, new Policy.Approvals(high, count, roles, members),
                new Policy.Windows(tz, weekly, blackouts, freezes),
                new Policy.Emergency(emRequires, integer(require(em, "reviewWithinDays", ev, "emergency"), "emergency.reviewWithinDays")),
                new Policy.Exceptions(exDir), new Policy.Library(allowUnpinned), new Policy.Incidents(responseTime), scope, branches, rollout, source);
    }

    /** Stage and health-check names: lowercase words. */
    private static final String NAME = "[a-z][a-z0-9-]*";

    /**
     * The {@code rollout} section; its stages' environments ({@code <production>-<stage>}, each requiring what the last
     * environment requires) are inserted into {@code envs} before the last environment.
     */
    private static Policy.Rollout rollout(Value rv, List<Policy.Environment> envs) {
        if (rv == null) {
            return Policy.Rollout.NONE;
        }
        Map<String, Value> r = object(rv, "rollout", Set.of("stages", "autoRollback"));
        boolean auto = r.containsKey("autoRollback") && bool(r.get("autoRollback"), "rollout.autoRollback");
        Policy.Environment production = envs.get(envs.size() - 1);
        List<Policy.Stage> stages = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        int lastPercent = 0;
        if (r.containsKey("stages")) {
            for (Value sv : list(r.get("stages"), "rollout.stages")) {
                Map<String, Value> s = object(sv, "rollout.stages[]", Set.of("name", "percent", "soak", "evidence", "health"));
                String name = text(require(s, "name", sv, "rollout.stages[]"), "rollout.stages[].name");
                String key = "rollout.stages." + name;
                if (!name.matches(NAME) || !names.add(name)) {
                    throw error(sv, "rollout.stages[].name", "stage name '" + name + "' must be unique lowercase words");
                }
                String env = production.name() + "-" + name;
                if (envs.stream().anyMatch(e -> e.name().equals(env))) {
                    throw error(sv, key, "environment '" + env + "' is the stage's own, derived from rollout.stages: "
                            + "do not list it in environments");
                }
                int percent = integer(require(s, "percent", sv, key), key + ".percent");
                if (percent <= lastPercent || percent >= 100) {
                    throw error(s.get("percent"), key + ".percent", percent + " must be more than the previous stage's ("
                            + lastPercent + ") and less than 100 (" + production.name() + " itself takes 100)");
                }
                lastPercent = percent;
                java.time.Duration soak = s.containsKey("soak") ? duration(s.get("soak"), key + ".soak") : java.time.Duration.ZERO;
                List<String> evidence = strings(s.get("evidence"), key + ".evidence");
                for (String k : evidence) {
                    if (!Policy.Rollout.EVIDENCE_KINDS.contains(k)) {
                        throw error(s.get("evidence"), key + ".evidence", "unknown evidence kind '" + k + "'; known: "
                                + Policy.Rollout.EVIDENCE_KINDS);
                    }
                }
                List<Policy.HealthCheck> health = new ArrayList<>();
                Set<String> checkNames = new TreeSet<>();
                if (s.containsKey("health")) {
                    for (Value hv : list(s.get("health"), key + ".health")) {
                        Map<String, Value> h = object(hv, key + ".health[]", Set.of("name", "command", "max", "min", "timeout"));
                        String hn = text(require(h, "name", hv, key + ".health[]"), key + ".health[].name");
                        String hk = key + ".health." + hn;
                        if (!hn.matches(NAME) || !checkNames.add(hn)) {
                            throw error(hv, key + ".health[].name", "health check name '" + hn + "' must be unique lowercase words");
                        }
                        List<String> command = strings(require(h, "command", hv, hk), hk + ".command");
                        if (command.isEmpty() || command.get(0).isBlank()) {
                            throw error(h.get("command"), hk + ".command", "a command is a non-empty list: the program and its "
                                    + "arguments, e.g. [\"./error-rate.sh\", \"canary\"]");
                        }
                        Optional<java.math.BigDecimal> max = Optional.ofNullable(h.get("max")).map(v -> number(v, hk + ".max"));
                        Optional<java.math.BigDecimal> min = Optional.ofNullable(h.get("min")).map(v -> number(v, hk + ".min"));
                        if (max.isEmpty() && min.isEmpty()) {
                            throw error(hv, hk, "a health check needs a threshold: max, min or both");
                        }
                        if (max.isPresent() && min.isPresent() && min.get().compareTo(max.get()) > 0) {
                            throw error(h.get("min"), hk + ".min", "min " + min.get() + " is above max " + max.get());
                        }
                        java.time.Duration timeout = h.containsKey("timeout") ? duration(h.get("timeout"), hk + ".timeout")
                                : Policy.HealthCheck.DEFAULT_TIMEOUT;
                        health.add(new Policy.HealthCheck(hn, command, max, min, timeout));
                    }
                }
                stages.add(new Policy.Stage(name, percent, soak, evidence, health));
            }
        }
        int at = envs.size() - 1;
        for (Policy.Stage st : stages) {
            envs.add(at++, new Policy.Environment(st.environment(production.name()), production.requires()));
        }
        return new Policy.Rollout(stages, auto);
    }

    private static java.math.BigDecimal number(Value v, String key) {
        String t = text(v, key).trim();
        try {
            return new java.math.BigDecimal(t);
        } catch (NumberFormatException e) {
            throw error(v, key, "expected a number, got '" + t + "'");
        }
    }

    /** A duration as {@code 30s}, {@code 30m}, {@code 4h}, {@code 3d}, or ISO 8601 ({@code PT4H}); positive. */
    private static java.time.Duration duration(Value v, String key) {
        String t = text(v, key).trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})([smhd])").matcher(t);
        java.time.Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                case "h" -> java.time.Duration.ofHours(n);
                default -> java.time.Duration.ofDays(n);
            };
        } else {
            try {
                d = java.time.Duration.parse(t);
            } catch (java.time.format.DateTimeParseException e) {
                throw error(v, key, "'" + t + "' is not a duration (30s, 30m, 4h, 3d or ISO 8601 such as PT4H)");
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw error(v, key, (key.startsWith("incidents") ? "a response time" : "a duration") + " must be positive, not " + t);
        }
        return d;
    }

    // -------------------------------------------------------------------------------------- helpers

    private static InputException error(Value v, String key, String message) {
        return new InputException((v == null ? "policy" : v.file() + ":" + v.line()) + ": " + key + ": " + message);
    }

    private static Value require(Map<String, Value> m, String key, Value parent, String where) {
        Value v = m.get(key);
        if (v == null) {
            throw error(parent, where, "missing required key '" + key + "'");
        }
        return v;
    }

    private static Map<String, Value> object(Value v, String key, Set<String> allowed) {
        if (!(v.value() instanceof Map)) {
            throw error(v, key, "expected a mapping");
        }
        if (allowed != null) {
            for (String k : v.map().keySet()) {
                if (!allowed.contains(k)) {
                    throw error(v.map().get(k), key, "unknown key '" + k + "'; valid keys: " + new TreeSet<>(allowed));
                }
            }
        }
        return v.map();
    }

    private static List<Value> list(Value v, String key) {
        if (!(v.value() instanceof List)) {
            throw error(v, key, "expected a list");
        }
        return v.list();
    }

    private static List<String> strings(Value v, String key) {
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Value s : list(v, key)) {
            out.add(text(s, key));
        }
        return out;
    }

    private static String text(Value v, String key) {
        if (!(v.value() instanceof String s)) {
            throw error(v, key, "expected a single value");
        }
        return s;
    }

    private static int integer(Value v, String key) {
        try {
            return Integer.parseInt(text(v, key));
        } catch (NumberFormatException e) {
            throw error(v, key, "expected a whole number, got '" + v.value() + "'");
        }
    }

    private static boolean bool(Value v, String key) {
        String s = text(v, key);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw error(v, key, "expected true or false, got '" + s + "'");
    }

    private static LocalTime time(Value v, String key) {
        String s = text(v, key);
        try {
            return LocalTime.parse(s);
        } catch (DateTimeException e) {
            throw error(v, key, "'" + s + "' is not a time of day (HH:MM)");
        }
    }

    private static LocalDate date(Value v, String key) {
        String s = text(v, key);
        try {
            return LocalDate.parse(s);
        } catch (DateTimeException e) {
            throw error(v, key, "'" + s + "' is not a date (YYYY-MM-DD)");
        }
    }

    private static DayOfWeek day(Value v) {
        String s = text(v, "days").toUpperCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().startsWith(s) && s.length() >= 3) {
                return d;
            }
        }
        throw error(v, "windows.weekly[].days", "'" + v.value() + "' is not a day (MON..SUN)");
    }
}

package io.releasegate.gates;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.Finding.Severity;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The gate decision for one digest: every finding of every report with its disposition (blocking,
 * below threshold, not affected per VEX, waived by exception X, or blocking because exception X is
 * invalid and why), every required gate present or declared not applicable with a rationale. Recorded
 * as one {@code check-recorded} event per gate and one {@code gate-evaluated} event with the result.
 *
 * <p>"Not applicable" is a property of the policy the decision uses ({@code gates.notApplicable}: for production the
 * policy committed at the built commit), fixed before any run: its declarations apply with or without an argument, and
 * an argument ({@link #notApplicable(String, String)}) is accepted only for a gate the policy declares, whose rationale
 * it does not replace; any other is refused ({@code gates.not-applicable-unconfigured}) and nothing is recorded. A
 * report decides its gate even when the gate is declared not applicable. A run may not make not applicable a gate that
 * already has a result for the digest ({@code gates.not-applicable-fixed}); promotion reads the results monotonically
 * (a failure is cleared only by a later pass of the same gate).
 */
public final class EvaluateGates {

    public static final String GATE_EVALUATED = EventType.GATE_EVALUATED.wire();
    public static final String CHECK_RECORDED = EventType.CHECK_RECORDED.wire();
    /** The refusal of a "not applicable" argument for a gate the policy does not declare not applicable. */
    public static final String NOT_APPLICABLE_UNCONFIGURED = "gates.not-applicable-unconfigured";
    /** The refusal of a "not applicable" for a gate that already has a result for the digest. */
    public static final String NOT_APPLICABLE_FIXED = "gates.not-applicable-fixed";

    /**
     * What a finding does to the decision: blocks, or does not because it is below the threshold, not affected per VEX,
     * waived by an exception, its gate bypassed by a valid recorded bypass ({@link GateBypasses}), or it is the
     * failure of a test under a standing quarantine ({@link Quarantines}).
     */
    public enum Disposition { BLOCKING, BELOW_THRESHOLD, NOT_AFFECTED, WAIVED, BYPASSED, QUARANTINED }

    /** The check result of a gate whose blocking findings a valid bypass let pass: counts as passing. */
    public static final String BYPASSED = "bypassed";

    public record Dispositioned(Finding finding, Disposition disposition, String reason) {
    }

    public record Check(String gate, String result, String summary, Optional<String> rationale) {
    }

    public record Decision(boolean pass, List<Dispositioned> findings, List<Check> checks, String summary, String eventId,
                           List<GateBypasses.Bypass> bypasses, List<Quarantines.Quarantine> quarantines) {
        public Decision {
            findings = List.copyOf(findings);
            checks = List.copyOf(checks);
            bypasses = List.copyOf(bypasses);
            quarantines = List.copyOf(quarantines);
        }

        public Decision(boolean pass, List<Dispositioned> findings, List<Check> checks, String summary, String eventId) {
            this(pass, findings, checks, summary, eventId, List.of(), List.of());
        }
    }

    private final Policy policy;
    private final Ledger ledger;
    private String name;
    private String version;
    private Digest digest;
    private final List<Path> sarif = new ArrayList<>();
    private final List<Path> vulns = new ArrayList<>();
    private final List<Path> sboms = new ArrayList<>();
    private final List<Path> junit = new ArrayList<>();
    private final Map<String, String> notApplicable = new LinkedHashMap<>();
    private final Map<String, Boolean> passed = new LinkedHashMap<>();
    private List<PolicyException> exceptions = List.of();
    private Optional<Path> scopeRepo = Optional.empty();
    private Optional<io.releasegate.store.ArtifactStore> store = Optional.empty();
    private String repo = "";
    private String branch = "main";
    private String environment = "production";
    private String actor = "ci";
    private Clock clock = Clock.systemUTC();
    private GateBypasses.Approvers approvers = new GateBypasses.Approvers(
            Optional.of(io.releasegate.approval.RoleDirectory.empty()), java.util.Set.of());

    public EvaluateGates(Policy policy, Ledger ledger) {
        this.policy = Objects.requireNonNull(policy);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public EvaluateGates release(String n, String v, Digest d) {
        this.name = n;
        this.version = v;
        this.digest = d;
        return this;
    }

    public EvaluateGates sarif(List<Path> files) {
        sarif.addAll(files);
        return this;
    }

    public EvaluateGates vulnerabilities(List<Path> files) {
        vulns.addAll(files);
        return this;
    }

    public EvaluateGates sbom(List<Path> files) {
        sboms.addAll(files);
        return this;
    }

    public EvaluateGates junit(List<Path> files) {
        junit.addAll(files);
        return this;
    }

    /**
     * A gate the caller (the pipeline configuration, {@code --not-applicable}) says is not applicable, with its
     * rationale (e.g. dast: "no network service"). Accepted only when the policy declares that gate not applicable
     * ({@code gates.notApplicable}), and then redundant: the policy's rationale is the one recorded.
     */
    public EvaluateGates notApplicable(String gate, String rationale) {
        if (rationale == null || rationale.isBlank()) {
            throw new InputException("declaring gate '" + gate + "' not applicable needs a rationale");
        }
        notApplicable.put(gate, rationale.trim());
        return this;
    }

    /** A gate whose own command passed (lint, integration): its result as the pipeline saw it. */
    public EvaluateGates passed(String gate, boolean ok) {
        passed.put(gate, ok);
        return this;
    }

    /**
     * Decide the release-scope gates too ({@code files}, {@code secrets}, {@code flags}, and {@code deps} given a
     * {@link #store}; docs/scope.md) on the repository at {@code repo}: the scope is the last release tag reachable from the
     * commit the release was built from (its built event's) to that commit, never a range of the caller's choosing; the
     * secrets allowlist and the flag registry are read as that commit has them.
     */
    public EvaluateGates scope(Path repo) {
        this.scopeRepo = Optional.of(repo);
        return this;
    }

    /**
     * The store the release's evidence is in: with {@link #scope}, gate {@code deps} compares the SBOMs recorded for this
     * release and the scope's previous one, read back from it (docs/scope.md).
     */
    public EvaluateGates store(io.releasegate.store.ArtifactStore value) {
        this.store = Optional.of(value);
        return this;
    }

    public EvaluateGates exceptions(List<PolicyException> value) {
        this.exceptions = List.copyOf(value);
        return this;
    }

    public EvaluateGates context(String repository, String branchName, String env) {
        this.repo = repository;
        this.branch = branchName;
        this.environment = env;
        return this;
    }

    public EvaluateGates actor(String value) {
        this.actor = value;
        return this;
    }

    /**
     * Who may approve a bypass: the holders of the policy's approval roles, not the release's authors. Without it
     * nobody holds a role, so no bypass applies (fail closed).
     */
    public EvaluateGates bypassApprovers(GateBypasses.Approvers value) {
        this.approvers = Objects.requireNonNull(value);
        return this;
    }

    public EvaluateGates clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Decision call() {
        String subject = name + "@" + version;
        List<Event> history = ledger.events(subject);
        Event built = history.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("gates.unknown-release", "no 'built' event for " + subject,
                        "build it first")));
        if (!built.digest().orElseThrow().equals(digest)) {
            throw new RefusedException(new Refusal("gates.digest", "gating " + digest + " but " + subject + " was built as "
                    + built.digest().orElseThrow(), "gate the digest that was built"));
        }
        Severity threshold = Severity.parse(policy.gates().blockAt());
        LocalDate today = clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
        List<Finding> all = new ArrayList<>();
        Map<String, List<Finding>> byGate = new LinkedHashMap<>();
        sarif.forEach(f -> byGate.computeIfAbsent("sast", k -> new ArrayList<>()).addAll(Reports.sarif(f)));
        vulns.forEach(f -> byGate.computeIfAbsent("dependency", k -> new ArrayList<>()).addAll(Reports.vulnerabilities(f)));
        for (Path s : sboms) {
            List<Finding> lic = byGate.computeIfAbsent("license", k -> new ArrayList<>());
            for (Map.Entry<String, String> e : Reports.licenses(s).entrySet()) {
                licenseFinding(e.getKey(), e.getValue()).ifPresent(lic::add);
            }
        }
        Optional<io.releasegate.scope.DependencyChanges.Result> deps = Optional.empty();
        if (scopeRepo.isPresent()) {
            String commit = built.text("commit").orElseThrow(() -> new RefusedException(new Refusal("gates.scope-commit",
                    subject + " was built without a recorded commit, so its release scope is unknown",
                    "build it with buildOnce from a git checkout (the built event names the commit)")));
            try (io.releasegate.commits.History h = io.releasegate.commits.History.open(scopeRepo.get())) {
                io.releasegate.scope.ReleaseRange range = io.releasegate.scope.ReleaseRange.resolve(h, Optional.of(commit));
                byGate.put(io.releasegate.scope.ScopeFindings.FILES, new ArrayList<>(io.releasegate.scope.ScopeFindings.files(
                        new io.releasegate.scope.RequiredFiles(h.repository()).commit(range.to())
                                .cover(policy.scope().codeownersCover()).call())));
                io.releasegate.scope.SecretsAllowlist allowlist = io.releasegate.policy.CommittedFiles.read(scopeRepo.get(),
                                range.to(), policy.scope().secretsAllowlist())
                        .map(t -> io.releasegate.scope.SecretsAllowlist.parse(policy.scope().secretsAllowlist() + "@"
                                + range.to().substring(0, 12), t))
                        .orElse(io.releasegate.scope.SecretsAllowlist.none());
                byGate.put(io.releasegate.scope.ScopeFindings.SECRETS, new ArrayList<>(io.releasegate.scope.ScopeFindings.secrets(
                        new io.releasegate.scope.SecretScan(h.repository()).range(range).allowlist(allowlist, exceptions)
                                .context(repo, branch, environment, today).call())));
                byGate.put(io.releasegate.scope.ScopeFindings.FLAGS, new ArrayList<>(io.releasegate.scope.ScopeFindings.flags(
                        new io.releasegate.scope.FlagScan(h.repository()).range(range).policy(policy.scope()).clock(clock).call())));
                if (store.isPresent()) {
                    deps = Optional.of(new io.releasegate.scope.DependencyChanges(ledger, store.get(), policy).compare(name, version,
                            digest, history, range, new io.releasegate.scope.LockfileChanges(h.repository()).of(range)));
                    byGate.put(io.releasegate.scope.ScopeFindings.DEPS, new ArrayList<>(deps.get().findings()));
                }
            }
        }
        int tests = 0;
        for (Path j : junit) {
            Reports.JUnit r = Reports.junit(j);
            tests += r.tests();
            byGate.computeIfAbsent("unit", k -> new ArrayList<>()).addAll(r.failures());
        }
        byGate.values().forEach(all::addAll);
        refuseUnconfiguredNotApplicable(history, byGate.keySet());

        List<Event> quarantineEvents = byGate.containsKey("unit") ? ledger.events(Quarantines.subject(name)) : List.of();
        List<Quarantines.Quarantine> quarantinesUsed = new ArrayList<>();
        List<Dispositioned> out = new ArrayList<>();
        for (Finding f : all) {
            Dispositioned d = quarantine(dispose(f, threshold, today), quarantineEvents, today);
            if (d.disposition() == Disposition.QUARANTINED) {
                Quarantines.standing(quarantineEvents, f.id()).filter(q -> !quarantinesUsed.contains(q)).ifPresent(quarantinesUsed::add);
            }
            out.add(d);
        }
        // a gate's blocking findings, or its failed command, pass only through a valid recorded bypass
        List<GateBypasses.Bypass> bypassesUsed = new ArrayList<>();
        Map<String, GateBypasses.Bypass> bypassed = new LinkedHashMap<>();
        Map<String, List<String>> notBypassed = new LinkedHashMap<>();
        java.util.Set<String> failing = new java.util.LinkedHashSet<>();
        out.stream().filter(d -> d.disposition() == Disposition.BLOCKING).forEach(d -> failing.add(d.finding().gate()));
        passed.forEach((gate, ok) -> {
            if (!ok && !byGate.containsKey(gate)) {
                failing.add(gate);
            }
        });
        for (String gate : failing) {
            GateBypasses.Resolution r = GateBypasses.resolve(history, digest, gate, policy, today, approvers);
            r.valid().ifPresentOrElse(b -> {
                bypassed.put(gate, b);
                bypassesUsed.add(b);
            }, () -> notBypassed.put(gate, r.invalid()));
        }
        for (int i = 0; i < out.size(); i++) {
            Dispositioned d = out.get(i);
            if (d.disposition() != Disposition.BLOCKING) {
                continue;
            }
            String gate = d.finding().gate();
            if (bypassed.containsKey(gate)) {
                out.set(i, new Dispositioned(d.finding(), Disposition.BYPASSED, "bypassed by " + bypassed.get(gate).describe()
                        + "; was: " + d.reason()));
            } else if (!notBypassed.getOrDefault(gate, List.of()).isEmpty()) {
                out.set(i, new Dispositioned(d.finding(), Disposition.BLOCKING, d.reason() + "; "
                        + String.join("; ", notBypassed.get(gate))));
            }
        }
        List<Check> checks = new ArrayList<>();
        List<String> gates = new ArrayList<>(policy.gates().required());
        byGate.keySet().stream().filter(g -> !gates.contains(g)).forEach(gates::add);
        passed.keySet().stream().filter(g -> !gates.contains(g)).forEach(gates::add);
        boolean pass = true;
        for (String gate : gates) {
            // evidence first: a gate declared not applicable that has a report is decided by the report
            if (byGate.containsKey(gate)) {
                long blocking = out.stream().filter(d -> d.finding().gate().equals(gate) && d.disposition() == Disposition.BLOCKING).count();
                long quarantined = out.stream().filter(d -> d.finding().gate().equals(gate) && d.disposition() == Disposition.QUARANTINED).count();
                long bypassedHere = out.stream().filter(d -> d.finding().gate().equals(gate) && d.disposition() == Disposition.BYPASSED).count();
                String counts = byGate.get(gate).size() + " finding(s), " + blocking + " blocking"
                        + (quarantined > 0 ? ", " + quarantined + " quarantined" : "")
                        + (bypassedHere > 0 ? ", " + bypassedHere + " bypassed by " + bypassed.get(gate).describe() : "")
                        + (gate.equals("unit") ? " (" + tests + " tests)" : "");
                checks.add(new Check(gate, blocking > 0 ? "fail" : bypassedHere > 0 ? BYPASSED : "pass", counts, Optional.empty()));
                pass &= blocking == 0;
            } else if (passed.containsKey(gate)) {
                boolean ok = passed.get(gate);
                if (!ok && bypassed.containsKey(gate)) {
                    checks.add(new Check(gate, BYPASSED, "command failed; bypassed by " + bypassed.get(gate).describe(),
                            Optional.empty()));
                } else {
                    checks.add(new Check(gate, ok ? "pass" : "fail", "command " + (ok ? "passed" : "failed")
                            + (ok || notBypassed.getOrDefault(gate, List.of()).isEmpty() ? ""
                            : "; " + String.join("; ", notBypassed.get(gate))), Optional.empty()));
                    pass &= ok;
                }
            } else if (policy.gates().notApplicable(gate).isPresent()) {
                checks.add(new Check(gate, "not-applicable", "declared not applicable by " + declaredBy(),
                        policy.gates().notApplicable(gate)));
            } else {
                // a bypass accepts the findings of a gate that ran; it never stands in for a report (docs/bypass.md)
                checks.add(new Check(gate, "fail", "required gate has no report, and the policy does not declare it not applicable "
                        + "(gates.notApplicable); a bypass does not replace a report", Optional.empty()));
                pass = false;
            }
        }
        long blocking = out.stream().filter(d -> d.disposition() == Disposition.BLOCKING).count();
        long waived = out.stream().filter(d -> d.disposition() == Disposition.WAIVED).count();
        long nBypassed = out.stream().filter(d -> d.disposition() == Disposition.BYPASSED).count();
        long nQuarantined = out.stream().filter(d -> d.disposition() == Disposition.QUARANTINED).count();
        String summary = (pass ? "pass" : "fail") + ": " + all.size() + " finding(s), " + blocking + " blocking, " + waived
                + " waived" + (nBypassed > 0 ? ", " + nBypassed + " bypassed" : "")
                + (nQuarantined > 0 ? ", " + nQuarantined + " quarantined" : "")
                + "; gates " + checks.stream().map(c -> c.gate() + "=" + c.result()).toList();

        if (deps.isPresent()) {
            ledger.append(Event.draft(io.releasegate.scope.DependencyChanges.EVENT, subject, Optional.of(digest), actor,
                    clock.instant(), policy.stamp(deps.get().payload())));
        }
        for (Check c : checks) {
            ObjectNode p = policy.stamp(Json.object().put("name", c.gate()).put("result", c.result()).put("summary", c.summary()));
            c.rationale().ifPresent(r -> p.put("rationale", r));
            if (c.result().equals(BYPASSED)) {
                GateBypasses.Bypass b = bypassed.get(c.gate());
                p.put("bypass", b.request().id()).put("bypassApproval", b.approval().id());
            }
            ledger.append(Event.draft(CHECK_RECORDED, subject, Optional.of(digest), actor, clock.instant(), p));
        }
        ObjectNode payload = Json.object().put("name", "gates").put("result", pass ? "pass" : "fail").put("summary", summary)
                .put("environment", environment);
        ArrayNode fs = payload.putArray("findings");
        for (Dispositioned d : out) {
            ObjectNode n = fs.addObject().put("id", d.finding().id()).put("gate", d.finding().gate())
                    .put("severity", d.finding().severity().name().toLowerCase(Locale.ROOT))
                    .put("disposition", d.disposition().name().toLowerCase(Locale.ROOT).replace('_', '-')).put("reason", d.reason());
            d.finding().location().ifPresent(l -> n.put("location", l));
        }
        ArrayNode bs = payload.putArray("bypasses");
        for (GateBypasses.Bypass b : bypassesUsed) {
            ObjectNode n = bs.addObject().put("request", b.request().id()).put("approval", b.approval().id()).put("gate", b.gate())
                    .put("requester", b.requester()).put("approver", b.approver()).put("rationale", b.rationale())
                    .put("remediation", b.request().text("remediation").orElse(""));
            b.ticket().ifPresent(t -> n.put("ticket", t));
        }
        ArrayNode qs = payload.putArray("quarantines");
        for (Quarantines.Quarantine q : quarantinesUsed) {
            qs.addObject().put("event", q.event().id()).put("service", q.service()).put("test", q.test()).put("ticket", q.ticket())
                    .put("until", q.event().text("until").orElse("")).put("actor", q.event().actor()).put("reason", q.reason());
        }
        Event e = ledger.append(Event.draft(GATE_EVALUATED, subject, Optional.of(digest), actor, clock.instant(),
                policy.stamp(payload)));
        return new Decision(pass, out, checks, summary, e.id(), bypassesUsed, quarantinesUsed);
    }

    /**
     * "Not applicable" is a property of the release fixed before its gates first ran (the policy committed at the built
     * commit), not a way to discard a result: an argument for a gate the policy does not declare not applicable is
     * refused, and so is any "not applicable" for a gate that already has a result for this digest. Nothing is
     * recorded then.
     */
    private void refuseUnconfiguredNotApplicable(List<Event> history, java.util.Set<String> reported) {
        List<Refusal> refusals = new ArrayList<>();
        notApplicable.forEach((gate, rationale) -> {
            if (policy.gates().notApplicable(gate).isEmpty()) {
                refusals.add(new Refusal(NOT_APPLICABLE_UNCONFIGURED, "gate " + gate + " is declared not applicable by this run ('"
                        + rationale + "'), but " + declaredBy() + " does not declare it not applicable",
                        "'not applicable' is fixed before the run by the policy committed at the built commit: commit it in "
                                + PolicyLoader.TEAM_POLICY + " (gates.notApplicable." + gate + ": <rationale>) in a reviewed change "
                                + "and build again, or report the gate"));
            }
        });
        // the arguments, and the required gates this run would record as not applicable (no report or result in it)
        java.util.Set<String> becoming = new java.util.LinkedHashSet<>(notApplicable.keySet());
        policy.gates().notApplicable().keySet().stream().filter(g -> policy.gates().required().contains(g))
                .filter(g -> !reported.contains(g) && !passed.containsKey(g)).forEach(becoming::add);
        for (String gate : becoming) {
            history.stream().filter(e -> e.type().equals(CHECK_RECORDED) && e.digest().equals(Optional.of(digest))
                            && e.text("name").orElse("").equals(gate) && !e.text("result").orElse("").equals("not-applicable"))
                    .findFirst()
                    .ifPresent(e -> refusals.add(new Refusal(NOT_APPLICABLE_FIXED, "gate " + gate + " of " + digest
                            + " already has a result (" + e.text("result").orElse("?") + ", event " + e.id()
                            + "), so it cannot be declared not applicable now",
                            "'not applicable' is fixed by the policy committed at the built commit; report the gate again "
                                    + "(a later passing report clears a failure) or cover its findings with a valid exception")));
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
    }

    /** The policy whose declarations decide, for messages. */
    private String declaredBy() {
        Policy.Source s = policy.source();
        if (s.team().equals("none")) {
            return s.central() ? "the central policy" : "the library's default policy";
        }
        return "the policy " + s.describe();
    }

    private Dispositioned dispose(Finding f, Severity threshold, LocalDate today) {
        if (f.vexState().isPresent() && List.of("not_affected", "false_positive", "resolved").contains(f.vexState().get())) {
            return new Dispositioned(f, Disposition.NOT_AFFECTED, "VEX analysis: " + f.vexState().get());
        }
        boolean atOrAbove = f.severity().blocksAt(threshold);
        if (!atOrAbove) {
            return new Dispositioned(f, Disposition.BELOW_THRESHOLD, f.severity().name().toLowerCase(Locale.ROOT)
                    + " is below the blocking threshold " + policy.gates().blockAt());
        }
        List<String> why = new ArrayList<>();
        for (PolicyException x : exceptions) {
            if (!x.findings().contains(f.id())) {
                continue;
            }
            Optional<String> no = x.whyNot(f, repo, branch, environment, today);
            if (no.isEmpty()) {
                return new Dispositioned(f, Disposition.WAIVED, "waived by exception " + x.id());
            }
            why.add(no.get());
        }
        return new Dispositioned(f, Disposition.BLOCKING, f.severity().name().toLowerCase(Locale.ROOT) + " at or above "
                + policy.gates().blockAt() + (f.severity() == Severity.UNKNOWN ? " (unknown severity blocks)" : "")
                + (why.isEmpty() ? "" : "; " + String.join("; ", why)));
    }

    /** A blocking unit failure of a test with a standing quarantine: quarantined until its date, blocking after it. */
    private Dispositioned quarantine(Dispositioned d, List<Event> quarantineEvents, LocalDate today) {
        if (d.disposition() != Disposition.BLOCKING || !d.finding().gate().equals("unit")) {
            return d;
        }
        Optional<Quarantines.Quarantine> q = Quarantines.standing(quarantineEvents, d.finding().id());
        if (q.isEmpty()) {
            return d;
        }
        Optional<String> no = q.get().whyNot(policy, today);
        if (no.isEmpty()) {
            return new Dispositioned(d.finding(), Disposition.QUARANTINED, "quarantined by " + q.get().describe()
                    + ": does not block until " + q.get().until().orElseThrow() + " (" + q.get().reason() + ")");
        }
        return new Dispositioned(d.finding(), Disposition.BLOCKING, d.reason() + "; " + no.get());
    }

    private Optional<Finding> licenseFinding(String component, String expression) {
        return policy.gates().licenseProblem(expression).map(p -> new Finding("license:" + p.id() + ":" + component, "license",
                Severity.HIGH, component + " is " + p.why(), Optional.of(component), Optional.empty()));
    }
}

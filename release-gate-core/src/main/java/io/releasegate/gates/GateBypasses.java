package io.releasegate.gates;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.ApproverRules;
import io.releasegate.approval.Identities;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Recorded gate bypasses (policy 003 §1.13.3.5): a gate's blocking findings of one digest pass only through a
 * {@code bypass-requested} event (who asks, the gate, the rationale, a remediation date, optionally a ticket) and a
 * {@code bypass-approved} event naming it, by someone other than the requester. Both are a person's events, signed
 * with their own key, under the release's subject and naming its digest.
 *
 * <p>A bypass is valid for (digest, gate) when, at the time of the decision: both events are believed and name exactly
 * that digest and gate; the approver is not the requester ({@link Identities}); the approver did not author or commit a
 * change of the release (when the authors are known) and holds one of the policy's approval roles (checked by
 * {@link ApproverRules#check}, as a production approval is, when a role directory is given); the remediation date has
 * not passed; the policy does not list the gate in {@code gates.neverBypass}. Recording refuses what would not be valid.
 */
public final class GateBypasses {

    public static final String REQUESTED = EventType.BYPASS_REQUESTED.wire();
    public static final String APPROVED = EventType.BYPASS_APPROVED.wire();
    /** The rule names of the approver checks shared with production approvals. */
    public static final ApproverRules.Rules RULES = new ApproverRules.Rules("bypass.approver-not-in-role",
            "bypass.approver-author", "bypass.approver-releaser");

    /** One approved bypass: the request and the approval that names it. */
    public record Bypass(Event request, Event approval) {
        public Bypass {
            Objects.requireNonNull(request);
            Objects.requireNonNull(approval);
        }

        public String gate() {
            return request.text("gate").orElse("");
        }

        public String requester() {
            return request.actor();
        }

        public String approver() {
            return approval.actor();
        }

        /** The remediation date; empty when the request's is missing or malformed (then the bypass is not valid). */
        public Optional<LocalDate> remediation() {
            return date(request.text("remediation").orElse(""));
        }

        public Optional<String> ticket() {
            return request.text("ticket").filter(t -> !t.isBlank());
        }

        public String rationale() {
            return request.text("rationale").orElse("");
        }

        /** For messages: the events, who asked, who approved and until when. */
        public String describe() {
            return "bypass " + shortId(request.id()) + " (requested by " + requester() + ", approved by " + approver() + " in "
                    + shortId(approval.id()) + ", remediation by " + request.text("remediation").orElse("?")
                    + ticket().map(t -> ", ticket " + t).orElse("") + ")";
        }
    }

    /** Who may approve: the role directory (empty: roles are not checked here) and the release's authors' forms. */
    public record Approvers(Optional<RoleDirectory> roles, Set<String> authors) {
        public Approvers {
            Objects.requireNonNull(roles);
            authors = Set.copyOf(authors);
        }

        /** Roles and authors unknown: only what the ledger shows is checked. */
        public static Approvers unchecked() {
            return new Approvers(Optional.empty(), Set.of());
        }

        /**
         * The role holders of {@code policy} in the repository at {@code repo}, and the authors and committers of the
         * release's changes there (from the previous release tag to the commit its believed built event names); the
         * authors are empty when the release was built outside git or {@code repo} does not hold that commit.
         */
        public static Approvers of(Policy policy, java.nio.file.Path repo, List<Event> history, String version) {
            Optional<String> commit = history.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                    .flatMap(e -> e.text("commit"));
            Set<String> authors = Set.of();
            if (commit.isPresent()) {
                try (io.releasegate.commits.History h = io.releasegate.commits.History.open(repo)) {
                    authors = io.releasegate.approval.ReleaseAuthors.of(h, commit.get(), version);
                } catch (InputException notHere) {
                    authors = Set.of(); // not a repository holding the built commit: the authors are unknown here
                }
            }
            return new Approvers(Optional.of(RoleDirectory.resolve(policy, repo)), authors);
        }
    }

    /** The outcome of looking for a bypass of one gate: the valid one, else why each candidate is not valid. */
    public record Resolution(Optional<Bypass> valid, List<String> invalid) {
        public Resolution {
            invalid = List.copyOf(invalid);
        }
    }

    private GateBypasses() {
    }

    /**
     * Records a bypass request of {@code gate} for the built digest of {@code name@version}. Bad input (a missing
     * field, an unknown gate, a malformed date) is an {@link InputException}; a release that was not built, another
     * digest, a gate in {@code gates.neverBypass} or a remediation date not after today is refused.
     */
    public static Event request(Ledger ledger, Policy policy, String name, String version, Digest digest, String gate,
                                String requester, String rationale, String remediation, Optional<String> ticket, Clock clock) {
        require(requester, "the person asking (--actor)");
        require(gate, "the gate (--gate)");
        require(rationale, "a rationale (--rationale)");
        require(remediation, "a remediation date (--remediation YYYY-MM-DD)");
        if (!PolicyLoader.knownGates().contains(gate)) {
            throw new InputException("--gate: unknown gate '" + gate + "'; known: " + new TreeSet<>(PolicyLoader.knownGates()));
        }
        LocalDate due = date(remediation).orElseThrow(() -> new InputException("--remediation: '" + remediation
                + "' is not a date (YYYY-MM-DD)"));
        if (ticket.isPresent() && ticket.get().isBlank()) {
            throw new InputException("--ticket: a ticket, when given, is not blank");
        }
        String subject = name + "@" + version;
        Digest built = builtDigest(ledger.events(subject), subject, "bypass.unknown-release");
        LocalDate today = today(clock);
        List<Refusal> refusals = new ArrayList<>();
        if (!built.equals(digest)) {
            refusals.add(new Refusal("bypass.digest", "the request names " + digest + " but " + subject + " was built as " + built,
                    "a bypass is for exactly the digest that was built"));
        }
        never(policy, gate).ifPresent(refusals::add);
        if (!due.isAfter(today)) {
            refusals.add(new Refusal("bypass.remediation-date", "the remediation date " + due + " is not after today (" + today + ")",
                    "give the date by which the findings will be fixed, after today"));
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        ObjectNode p = Json.object().put("gate", gate).put("rationale", rationale.strip()).put("remediation", due.toString());
        ticket.ifPresent(t -> p.put("ticket", t.strip()));
        policy.stamp(p);
        return ledger.append(Event.draft(REQUESTED, subject, Optional.of(digest), requester, clock.instant(), p));
    }

    /**
     * Records the approval of the request {@code requestId} (its full id, or a unique prefix of at least 7 hex digits)
     * of {@code name@version} by {@code approver}; refused when the bypass would not be valid, and when
     * {@code expectedDigest} is given and is not the request's digest.
     */
    public static Event approve(Ledger ledger, Policy policy, String name, String version, String requestId,
                                Optional<Digest> expectedDigest, String approver, String comment, Approvers approvers,
                                Clock clock) {
        require(approver, "the approver (--actor)");
        require(requestId, "the request's event id (--request)");
        String subject = name + "@" + version;
        List<Event> history = ledger.events(subject);
        Digest built = builtDigest(history, subject, "bypass.unknown-release");
        List<Event> matching = history.stream().filter(e -> e.type().equals(REQUESTED) && matchesId(e.id(), requestId)).toList();
        if (matching.size() != 1) {
            throw new RefusedException(new Refusal("bypass.unknown-request", (matching.isEmpty() ? "no bypass request "
                    : "more than one bypass request starts with ") + requestId + " among the events of " + subject,
                    "name a request of this release (release-gate bypass list " + subject + ")"));
        }
        Event request = matching.get(0);
        List<Refusal> refusals = new ArrayList<>();
        Digest requested = request.digest().orElse(null);
        if (expectedDigest.isPresent() && !expectedDigest.get().equals(requested)) {
            refusals.add(new Refusal("bypass.digest", "request " + shortId(request.id()) + " is for " + requested + ", not "
                    + expectedDigest.get(), "approve a request for the digest you reviewed"));
        }
        if (!built.equals(requested)) {
            refusals.add(new Refusal("bypass.digest", "request " + shortId(request.id()) + " names " + requested + " but "
                    + subject + " was built as " + built, "a bypass is for exactly the digest that was built"));
        }
        Event draft = Event.draft(APPROVED, subject, Optional.ofNullable(requested), approver, clock.instant(), Json.object());
        refusals.addAll(refusals(new Bypass(request, draft), policy, today(clock), approvers, subject));
        boolean already = all(history).stream().anyMatch(b -> b.request().id().equals(request.id())
                && Identities.matches(approver, Identities.forms(b.approver())));
        if (already) {
            refusals.add(new Refusal("bypass.duplicate", approver + " already approved request " + shortId(request.id()),
                    "one approval is enough"));
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        ObjectNode p = Json.object().put("request", request.id()).put("gate", request.text("gate").orElse(""))
                .put("remediation", request.text("remediation").orElse(""));
        if (comment != null && !comment.isBlank()) {
            p.put("comment", comment.strip());
        }
        policy.stamp(p);
        return ledger.append(Event.draft(APPROVED, subject, Optional.ofNullable(requested), approver, clock.instant(), p));
    }

    /** Every approved bypass among the events of one release (oldest approval first). */
    public static List<Bypass> all(List<Event> history) {
        List<Bypass> out = new ArrayList<>();
        for (Event a : history) {
            if (!a.type().equals(APPROVED)) {
                continue;
            }
            String req = a.text("request").orElse("");
            history.stream().filter(e -> e.type().equals(REQUESTED) && e.id().equals(req) && e.subject().equals(a.subject()))
                    .findFirst().ifPresent(r -> out.add(new Bypass(r, a)));
        }
        return out;
    }

    /** The requests of one release that no approval names yet. */
    public static List<Event> pending(List<Event> history) {
        List<String> approved = all(history).stream().map(b -> b.request().id()).toList();
        return history.stream().filter(e -> e.type().equals(REQUESTED) && !approved.contains(e.id())).toList();
    }

    /** The bypass that is valid for {@code gate} of {@code digest} on {@code today}, else why each one for that gate is not. */
    public static Resolution resolve(List<Event> history, Digest digest, String gate, Policy policy, LocalDate today,
                                     Approvers approvers) {
        List<String> invalid = new ArrayList<>();
        Optional<Bypass> valid = Optional.empty();
        for (Bypass b : all(history)) {
            if (!b.gate().equals(gate) && !b.approval().text("gate").orElse("").equals(gate)) {
                continue; // for another gate: it bypasses nothing here
            }
            Optional<String> no = whyNot(b, digest, gate, policy, today, approvers);
            if (no.isEmpty()) {
                valid = Optional.of(b);
            } else {
                invalid.add(no.get());
            }
        }
        return new Resolution(valid, valid.isPresent() ? List.of() : invalid);
    }

    /** Why {@code b} does not bypass {@code gate} of {@code digest} on {@code today}; empty when it does. */
    public static Optional<String> whyNot(Bypass b, Digest digest, String gate, Policy policy, LocalDate today,
                                          Approvers approvers) {
        List<String> why = new ArrayList<>();
        if (!b.request().digest().equals(Optional.of(digest)) || !b.approval().digest().equals(Optional.of(digest))) {
            why.add("it is for " + b.request().digest().map(Object::toString).orElse("no digest") + ", not " + digest);
        }
        if (!b.gate().equals(gate) || !b.approval().text("gate").orElse(gate).equals(gate)) {
            why.add("it is for gate " + b.gate() + ", not " + gate);
        }
        if (!b.request().subject().equals(b.approval().subject())) {
            why.add("its approval is for " + b.approval().subject());
        }
        refusals(b, policy, today, approvers, b.request().subject()).forEach(r -> why.add(r.evidence()));
        return why.isEmpty() ? Optional.empty() : Optional.of(b.describe() + " does not apply: " + String.join("; ", why));
    }

    /** What makes a bypass not valid whatever its digest: who approved, the remediation date, the policy. */
    private static List<Refusal> refusals(Bypass b, Policy policy, LocalDate today, Approvers approvers, String subject) {
        List<Refusal> out = new ArrayList<>();
        String approver = b.approver();
        if (Identities.matches(approver, Identities.forms(b.requester()))) {
            out.add(new Refusal("bypass.self-approval", approver + " requested the bypass and cannot approve it",
                    "ask someone other than the requester to approve it"));
        }
        if (approvers.roles().isPresent()) {
            out.addAll(ApproverRules.check(RULES, approver, Optional.empty(), policy.approvals().roles(), approvers.roles().get(),
                    approvers.authors(), List.of(), subject));
        } else if (Identities.matches(approver, approvers.authors())) {
            out.add(new Refusal(RULES.author(), approver + " authored or committed a change in " + subject,
                    "approvals come from people who did not write the change"));
        }
        Optional<LocalDate> due = b.remediation();
        if (due.isEmpty()) {
            out.add(new Refusal("bypass.remediation-date", "the request has no remediation date", "request it again with one"));
        } else if (today.isAfter(due.get())) {
            out.add(new Refusal("bypass.expired", "its remediation date " + due.get() + " has passed (today " + today + ")",
                    "fix the findings, or request and approve a new bypass"));
        }
        if (b.rationale().isBlank()) {
            out.add(new Refusal("bypass.rationale", "the request has no rationale", "request it again with one"));
        }
        never(policy, b.gate()).ifPresent(out::add);
        return out;
    }

    private static Optional<Refusal> never(Policy policy, String gate) {
        if (!policy.gates().neverBypass().contains(gate)) {
            return Optional.empty();
        }
        return Optional.of(new Refusal("bypass.never", "gate " + gate + " is listed in gates.neverBypass of the policy "
                + policy.source().describe() + " " + policy.gates().neverBypass(), "fix the findings of " + gate
                + ", or cover each with a valid exception"));
    }

    private static Digest builtDigest(List<Event> history, String subject, String rule) {
        return history.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst().flatMap(Event::digest)
                .orElseThrow(() -> new RefusedException(new Refusal(rule, "the ledger has no 'built' event for " + subject,
                        "a bypass is for a release that was built")));
    }

    static boolean matchesId(String id, String given) {
        String g = given.strip().toLowerCase(java.util.Locale.ROOT);
        return id.equals(g) || (g.length() >= 7 && g.matches("[0-9a-f]+") && id.startsWith(g));
    }

    static Optional<LocalDate> date(String text) {
        try {
            return Optional.of(LocalDate.parse(text.strip()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static LocalDate today(Clock clock) {
        return clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
    }

    static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InputException("a gate bypass needs " + what);
        }
    }
}

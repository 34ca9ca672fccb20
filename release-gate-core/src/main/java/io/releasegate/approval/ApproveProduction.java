package io.releasegate.approval;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The approveProduction step: validates one approval of one digest of a release and records it.
 * Refused, each with its own rule: no rationale; a digest other than the one built for the version;
 * an unknown role; an approver who does not hold the role; an approver who authored or committed a
 * change in the release; the person who started the release; an approver who already approved.
 * A go/no-go decision is recorded with {@link #recordDecision}.
 */
public final class ApproveProduction {

    public static final String DECISION = EventType.DECISION.wire();

    /** The approval recorded and where the rule stands now. */
    public record Result(Event approval, ApprovalStatus status) {
    }

    private final Policy policy;
    private final Ledger ledger;
    private final RoleDirectory roles;
    private String name;
    private String version;
    private Digest digest;
    private String approver;
    private String role;
    private String rationale;
    private String environment = "production";
    private Set<String> authors = Set.of();
    private Optional<String> releaser = Optional.empty();
    private Clock clock = Clock.systemUTC();

    public ApproveProduction(Policy policy, Ledger ledger, RoleDirectory roles) {
        this.policy = Objects.requireNonNull(policy);
        this.ledger = Objects.requireNonNull(ledger);
        this.roles = Objects.requireNonNull(roles);
    }

    public ApproveProduction release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    public ApproveProduction digest(Digest value) {
        this.digest = value;
        return this;
    }

    /** The approver's identity: in Jenkins, the user who submitted the input, never a Jenkinsfile string. */
    public ApproveProduction approver(String value) {
        this.approver = value;
        return this;
    }

    public ApproveProduction role(String value) {
        this.role = value;
        return this;
    }

    public ApproveProduction rationale(String value) {
        this.rationale = value;
        return this;
    }

    public ApproveProduction environment(String value) {
        this.environment = Objects.requireNonNull(value);
        return this;
    }

    /** Identities (names, e-mails) of the authors and committers of the release's changes. */
    public ApproveProduction authors(Set<String> value) {
        this.authors = Identities.forms(value.toArray(String[]::new));
        return this;
    }

    /** Who started the release; default: the actor of the {@code built} event. */
    public ApproveProduction releaser(Optional<String> value) {
        this.releaser = Objects.requireNonNull(value);
        return this;
    }

    public ApproveProduction clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (approver == null || approver.isBlank() || digest == null || name == null || version == null) {
            throw new InputException("approve needs the release (name@version), the digest and the approver");
        }
        policy.requireEnvironment(environment);
        String subject = name + "@" + version;
        List<Event> events = ledger.events(subject);
        Event built = events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("approval.unknown-release",
                        "the ledger has no 'built' event for " + subject, "approve a release that was built")));
        List<Refusal> refusals = new ArrayList<>();
        if (rationale == null || rationale.isBlank()) {
            refusals.add(new Refusal("approval.rationale", "no rationale was given",
                    "say why this release may go to " + environment));
        }
        Digest builtDigest = built.digest().orElseThrow();
        if (!builtDigest.equals(digest)) {
            refusals.add(new Refusal("approval.digest", "the approval names " + digest + " but " + subject
                    + " was built as " + builtDigest, "approve exactly the digest that was built for " + version));
        }
        String starter = releaser.orElse(built.actor());
        if (role == null || !policy.approvals().roles().contains(role)) {
            refusals.add(new Refusal("approval.role", "role '" + role + "' is not one of " + policy.approvals().roles(),
                    "approve as one of " + policy.approvals().roles()));
            refusals.addAll(ApproverRules.check(ApproverRules.APPROVAL, approver, Optional.empty(), policy.approvals().roles(),
                    roles, authors, List.of(starter), subject).stream().filter(r -> !r.rule().equals("approval.not-in-role")).toList());
        } else {
            refusals.addAll(ApproverRules.check(ApproverRules.APPROVAL, approver, Optional.of(role), policy.approvals().roles(),
                    roles, authors, List.of(starter), subject));
        }
        ApprovalStatus before = ApprovalStatus.of(policy, events, digest, environment);
        if (Identities.matches(approver, Identities.forms(before.approvers().toArray(String[]::new)))) {
            refusals.add(new Refusal("approval.duplicate", approver + " already approved " + digest + " for " + environment,
                    "each approval must come from a different person"));
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        ObjectNode payload = Json.object();
        payload.put("role", role);
        payload.put("rationale", rationale.trim());
        payload.put("environment", environment);
        payload.put("version", version);
        policy.stamp(payload);
        Event recorded = ledger.append(Event.draft(ApprovalStatus.APPROVED, subject, Optional.of(digest), approver,
                clock.instant(), payload));
        List<Event> after = new ArrayList<>(events);
        after.add(recorded);
        ApprovalStatus status = ApprovalStatus.of(policy, after, digest, environment);
        if (status.satisfied() && !before.satisfied()) {
            recordDecision(ledger, subject, digest, approver, true, "approvals complete: " + status.describe(), environment, clock,
                    Optional.of(policy));
        }
        return new Result(recorded, status);
    }

    /** Records a go or no-go decision (an aborted approval is a no-go with its reason). */
    public static Event recordDecision(Ledger ledger, String subject, Digest digest, String actor, boolean go,
                                       String reason, String environment, Clock clock) {
        return recordDecision(ledger, subject, digest, actor, go, reason, environment, clock, Optional.empty());
    }

    /**
     * Records a no-go: it names the policy it was taken under when {@code policy} resolves, and is recorded even when
     * it does not (a policy that cannot be read or is refused must never stop anyone from saying no).
     */
    public static Event recordNoGo(Ledger ledger, String subject, Digest digest, String actor, String reason, String environment,
                                   Clock clock, java.util.function.Supplier<Policy> policy) {
        Optional<Policy> under;
        try {
            under = Optional.of(policy.get());
        } catch (io.releasegate.error.ReleaseGateException unreadable) {
            under = Optional.empty();
        }
        return recordDecision(ledger, subject, digest, actor, false, reason, environment, clock, under);
    }

    /** Records a go or no-go decision taken under {@code policy}, which the event names by its digest. */
    public static Event recordDecision(Ledger ledger, String subject, Digest digest, String actor, boolean go,
                                       String reason, String environment, Clock clock, Optional<Policy> policy) {
        if (reason == null || reason.isBlank()) {
            throw new InputException("a go/no-go decision needs a reason");
        }
        ObjectNode payload = Json.object().put("decision", go ? "go" : "no-go").put("reason", reason)
                .put("environment", environment);
        policy.ifPresent(p -> p.stamp(payload));
        return ledger.append(Event.draft(DECISION, subject, Optional.of(digest), actor, clock.instant(), payload));
    }
}

package io.releasegate.promotion;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.ApproverRules;
import io.releasegate.approval.Identities;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The approval of one emergency change by its approver: an {@code emergency-approved} event whose actor is the
 * record's approver, for one digest and environment, holding the record approved (reason, scope, rollback plan,
 * follow-ups). It is a person's event: the ledger takes it only signed by the approver's own key, or by an attestor
 * (the Jenkins controller, for the user who submitted the emergency input). Refused, before anything is recorded,
 * as an emergency change is refused at promotion: an incomplete record ({@code emergency.incomplete}), no approver
 * ({@code emergency.approver-missing}), an approver who holds none of the policy's roles, authored a change in the
 * release, or releases it ({@code emergency.approver-*}).
 */
public final class ApproveEmergency {

    private final Policy policy;
    private final Ledger ledger;
    private final RoleDirectory roles;
    private String name;
    private String version;
    private Digest digest;
    private String environment = "production";
    private EmergencyChange record;
    private Optional<String> role = Optional.empty();
    private Set<String> authors = Set.of();
    private List<String> releasers = List.of();
    private Clock clock = Clock.systemUTC();

    public ApproveEmergency(Policy policy, Ledger ledger, RoleDirectory roles) {
        this.policy = Objects.requireNonNull(policy);
        this.ledger = Objects.requireNonNull(ledger);
        this.roles = Objects.requireNonNull(roles);
    }

    public ApproveEmergency release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    public ApproveEmergency digest(Digest value) {
        this.digest = value;
        return this;
    }

    public ApproveEmergency environment(String value) {
        this.environment = Objects.requireNonNull(value);
        return this;
    }

    /** The emergency change approved; its approver is who approves. */
    public ApproveEmergency record(EmergencyChange value) {
        this.record = Objects.requireNonNull(value);
        return this;
    }

    /** The role the approver approves as; default: any of the policy's approval roles. */
    public ApproveEmergency role(Optional<String> value) {
        this.role = Objects.requireNonNull(value);
        return this;
    }

    /** Identities (names, e-mails) of the authors and committers of the release's changes. */
    public ApproveEmergency authors(Set<String> value) {
        this.authors = Identities.forms(value.toArray(String[]::new));
        return this;
    }

    /** Who else releases it (the one who promotes); the actor of the {@code built} event always does. */
    public ApproveEmergency releasers(List<String> value) {
        this.releasers = List.copyOf(value);
        return this;
    }

    public ApproveEmergency clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    /** Records the approval (or returns the same approval recorded before). */
    public Event call() {
        if (name == null || version == null || digest == null || record == null) {
            throw new InputException("an emergency approval needs the release (name@version), the digest and the emergency record");
        }
        policy.requireEnvironment(environment);
        String subject = name + "@" + version;
        List<Event> events = ledger.events(subject);
        Event built = events.stream().filter(EventType.BUILT::is).findFirst().orElseThrow(() -> new RefusedException(
                new Refusal("emergency.unknown-release", "the ledger has no 'built' event for " + subject,
                        "approve an emergency change of a release that was built")));
        List<Refusal> refusals = new ArrayList<>();
        if (!built.digest().equals(Optional.of(digest))) {
            refusals.add(new Refusal("emergency.digest", "the approval names " + digest + " but " + subject + " was built as "
                    + built.digest().map(Object::toString).orElse("?"), "approve exactly the digest that was built"));
        }
        role.filter(r -> !policy.approvals().roles().contains(r)).ifPresent(r -> refusals.add(new Refusal("emergency.approver-role",
                "role '" + r + "' is not one of " + policy.approvals().roles(), "approve as one of " + policy.approvals().roles())));
        List<String> all = new ArrayList<>(releasers);
        all.add(0, built.actor());
        refusals.addAll(approverRefusals(policy, record, role, roles, authors, all, subject));
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        Optional<Event> same = approvalOf(events, record, digest, environment);
        if (same.isPresent()) {
            return same.get();
        }
        return ledger.append(draft(subject, digest, environment, record, role, clock, Optional.of(policy)));
    }

    /** The refusals of an emergency record and its approver: complete, someone named, and someone who may approve. */
    static List<Refusal> approverRefusals(Policy policy, EmergencyChange record, Optional<String> role, RoleDirectory roles,
                                          Set<String> authors, List<String> releasers, String subject) {
        List<Refusal> out = new ArrayList<>();
        List<String> missing = record.missing(policy.emergency().requires());
        if (!missing.isEmpty()) {
            out.add(new Refusal("emergency.incomplete", "the emergency record lacks " + missing,
                    "complete the emergency record: " + policy.emergency().requires()));
        }
        if (record.approver().isBlank()) {
            out.add(new Refusal("emergency.approver-missing", "the emergency record of " + subject + " names no approver",
                    "name the approver: someone who holds one of " + policy.approvals().roles()));
            return out;
        }
        out.addAll(ApproverRules.check(ApproverRules.EMERGENCY, record.approver(), role, policy.approvals().roles(), roles,
                authors, releasers, subject));
        return out;
    }

    /** The approver's {@code emergency-approved} event of exactly this record, digest and environment, if any. */
    static Optional<Event> approvalOf(List<Event> events, EmergencyChange record, Digest digest, String environment) {
        return events.stream().filter(EventType.EMERGENCY_APPROVED::is)
                .filter(e -> e.digest().equals(Optional.of(digest)) && e.text("environment").orElse("").equals(environment))
                .filter(e -> Identities.matches(e.actor(), Identities.forms(record.approver())))
                .filter(e -> e.text("reason").orElse("").equals(record.reason()) && e.text("scope").orElse("").equals(record.scope())
                        && e.text("rollbackPlan").orElse("").equals(record.rollbackPlan()))
                .reduce((a, b) -> b);
    }

    /** The event that records the approval of {@code record} by its approver. */
    static Event draft(String subject, Digest digest, String environment, EmergencyChange record, Optional<String> role,
                       Clock clock) {
        return draft(subject, digest, environment, record, role, clock, Optional.empty());
    }

    /** The approval's event, naming the policy it was given under when known. */
    static Event draft(String subject, Digest digest, String environment, EmergencyChange record, Optional<String> role,
                       Clock clock, Optional<Policy> policy) {
        ObjectNode p = Json.object().put("environment", environment).put("reason", record.reason())
                .put("scope", record.scope()).put("rollbackPlan", record.rollbackPlan());
        p.putArray("followUps");
        record.followUps().forEach(f -> p.withArray("followUps").add(f));
        role.ifPresent(r -> p.put("role", r));
        policy.ifPresent(x -> x.stamp(p));
        return Event.draft(EventType.EMERGENCY_APPROVED.wire(), subject, Optional.of(digest), record.approver(), clock.instant(), p);
    }
}

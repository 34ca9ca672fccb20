package io.releasegate.promotion;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.Identities;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.OciNames;
import io.releasegate.store.TagResult;
import io.releasegate.verify.StoredEvidence;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The promoteDigest step: moves one digest into the next environment. In the store the very manifest
 * (same digest, same bytes; never rebuilt) is copied to the environment's repository
 * {@code NAME/ENV} under the version's tag ({@link StoreCopy}); in the ledger a {@code promoted} event is
 * appended, on the condition that nothing about the release, nor a release halt, was recorded since the decision was
 * taken: concurrent promotions of one release serialize, and each after the first finds the release already there;
 * events about other releases recorded meanwhile leave the decision standing.
 *
 * <p>Refused, each with its own rule: a digest other than the one built for the version
 * ({@code promote.digest-mismatch}); skipping an environment ({@code promote.skip-environment}); a
 * version already in the environment with another digest ({@code promote.version-conflict}); and whatever
 * the {@link PromotionRule}s of the evidence the environment requires say: missing or failed evidence
 * ({@code promote.evidence-*}), production without the approvals ({@code promote.approvals}), outside the
 * change windows without a complete emergency record ({@code window.*}, {@code emergency.*}), the last
 * environment for a release built by a pipeline library loaded from a moving ref ({@code promote.library-unpinned},
 * unless the policy allows it), production for a release of a line a release train cut without a "go" for its digest
 * ({@code train.*}, {@link io.releasegate.train.TrainRule}). A rollback promotes a digest that was promoted to the environment before and is
 * {@link KnownGood} (its verify-production passed in production, and it was not marked bad since), with an incident
 * reference, and is recorded as a rollback; anything else is refused ({@code promote.rollback-known-good}, naming why).
 */
public final class PromoteDigest {

    public static final String PROMOTED = EventType.PROMOTED.wire();
    public static final String EMERGENCY = EventType.EMERGENCY_CHANGE.wire();
    /** A release manifest promoted as if it were one release. */
    public static final String SET_ONLY = "manifest.promote-as-set";
    /** A member of a set that would go out as an emergency change. */
    public static final String SET_EMERGENCY = "manifest.emergency";

    /**
     * What happened. {@code alreadyThere}: the digest was promoted to the environment before (by another run, maybe one
     * racing this one), nothing was recorded, and {@code eventId} names that earlier {@code promoted} event.
     */
    public record Result(String environment, Digest digest, String reference, boolean rollback, boolean alreadyThere,
                         String eventId) {

        /** One line for people: what was done, or why nothing was. */
        public String describe() {
            if (alreadyThere) {
                return "already in " + environment + ": " + reference + " = " + digest + " (promoted by event " + eventId
                        + "; nothing recorded)";
            }
            return (rollback ? "rolled back " : "promoted to ") + environment + ": " + reference + " = " + digest;
        }
    }

    private final Policy policy;
    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private Digest digest;
    private String environment;
    private String actor;
    private Optional<EmergencyChange> emergency = Optional.empty();
    private Optional<String> rollbackIncident = Optional.empty();
    private Optional<String> rollbackReason = Optional.empty();
    private RoleDirectory roles = RoleDirectory.empty();
    private Set<String> authors = Set.of();
    private boolean attestEmergencyApproval;
    private Clock clock = Clock.systemUTC();

    public PromoteDigest(Policy policy, ArtifactStore store, Ledger ledger) {
        this.policy = Objects.requireNonNull(policy);
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public PromoteDigest release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    public PromoteDigest digest(Digest value) {
        this.digest = value;
        return this;
    }

    public PromoteDigest to(String value) {
        this.environment = value;
        return this;
    }

    public PromoteDigest actor(String value) {
        this.actor = value;
        return this;
    }

    public PromoteDigest emergency(Optional<EmergencyChange> value) {
        this.emergency = Objects.requireNonNull(value);
        return this;
    }

    /** A rollback to this (previously promoted) digest, for this incident. */
    public PromoteDigest rollback(Optional<String> incident) {
        this.rollbackIncident = Objects.requireNonNull(incident);
        return this;
    }

    /** Why a rollback is made (a failed health check of a rollout stage), recorded with it; default: only the incident. */
    public PromoteDigest reason(Optional<String> value) {
        this.rollbackReason = Objects.requireNonNull(value).map(String::strip).filter(r -> !r.isEmpty());
        return this;
    }

    /** Who holds each approval role; default: nobody. */
    public PromoteDigest roles(RoleDirectory value) {
        this.roles = Objects.requireNonNull(value);
        return this;
    }

    /** Identities (names, e-mails) of the authors and committers of the release's changes. */
    public PromoteDigest authors(Set<String> value) {
        this.authors = Identities.forms(value.toArray(String[]::new));
        return this;
    }

    /**
     * The caller attests that the emergency record's approver approved it (the Jenkins controller, for the user who
     * submitted the emergency input): without their {@code emergency-approved} event in the ledger, the promotion
     * records it, signed by this ledger's key, which the trust configuration must list as an attestor.
     */
    public PromoteDigest attestEmergencyApproval(boolean value) {
        this.attestEmergencyApproval = value;
        return this;
    }

    public PromoteDigest clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    private Policy.Environment validated() {
        if (name == null || version == null || digest == null || environment == null || actor == null || actor.isBlank()) {
            throw new InputException("promote needs the release (name@version), the digest, the target environment and the actor");
        }
        Policy.Environment target = policy.requireEnvironment(environment);
        if (rollbackIncident.isPresent() && rollbackIncident.get().isBlank()) {
            throw new InputException("a rollback needs an incident reference");
        }
        return target;
    }

    /**
     * One member of a set promotion ({@link io.releasegate.manifest.PromoteSet}), or the set itself: decides as
     * {@link #call} does and re-reads from the store what the decision rests on, but records nothing and copies nothing.
     * Refused as {@code call} is; an emergency change given to it is refused before anything is decided
     * ({@value #SET_EMERGENCY}): a set goes out inside the change windows, and an emergency goes member by member. True
     * when the digest is in the environment already.
     */
    public boolean plan() {
        Policy.Environment target = validated();
        if (emergency.isPresent()) {
            throw new RefusedException(new Refusal(SET_EMERGENCY, name + "@" + version + " is planned as part of a set, which "
                    + "goes out inside a change window", "promote the set inside a change window, or promote the member alone "
                    + "as an emergency change"));
        }
        String subject = name + "@" + version;
        Ledger.Snapshot read = ledger.snapshot(Set.of(subject, ReleaseHalt.SUBJECT, trainSubject()));
        List<Event> events = read.about(subject);
        Decision d = decide(new Promotion(policy, name, version, digest, target, actor, clock.instant(), emergency, roles,
                authors, attestEmergencyApproval, events), read, true);
        if (d.alreadyThere()) {
            return true;
        }
        new StoredEvidence(store, name, digest, ledger.trust().revoked()).require(rollbackIncident.isPresent() ? List.of()
                : requirements(target, events), events);
        return false;
    }

    /**
     * Records this release's promotion as part of a set whose promotion was decided: {@code intent} is the set's
     * {@code set-promotion-started} event, the commit point of that decision, so the rules are not decided again (a run
     * that completes a set promotion a crash interrupted records what was decided, nothing else). The digest must still
     * be the built one, and a version in the environment as another digest is still refused. {@code extra} goes into the
     * event's payload.
     */
    public Result recordAsPartOf(Event intent, ObjectNode extra) {
        validated();
        String subject = name + "@" + version;
        for (int attempt = 0; attempt < 20; attempt++) {
            Ledger.Snapshot read = ledger.snapshot(Set.of(subject));
            List<Event> events = read.about(subject);
            Promotion p = new Promotion(policy, name, version, digest, policy.requireEnvironment(environment), actor,
                    clock.instant(), Optional.empty(), roles, authors, false, events);
            if (new BuiltRule().check(p) instanceof PromotionRule.Refused r) {
                throw new RefusedException(r.refusals());
            }
            Optional<Event> existing = inTarget(events).filter(e -> e.digest().equals(Optional.of(digest))).findFirst();
            if (existing.isPresent() && rollbackIncident.isEmpty()) {
                return new Result(environment, digest, envReference(), false, true, existing.get().id());
            }
            Optional<Event> other = inTarget(events).filter(e -> !e.digest().equals(Optional.of(digest))).findFirst();
            if (other.isPresent()) {
                throw new RefusedException(new Refusal("promote.version-conflict", subject + " is already in " + environment
                        + " as " + other.get().digest().map(Object::toString).orElse("?"), "a version names one digest"));
            }
            if (rollbackIncident.isPresent() && events.stream().anyMatch(e -> e.type().equals(PROMOTED)
                    && e.text("intent").orElse("").equals(intent.id()))) {
                return new Result(environment, digest, envReference(), true, true, intent.id());
            }
            String reference = ensureInStore();
            ObjectNode payload = extra.deepCopy().put("environment", environment).put("reference", reference)
                    .put("rollback", rollbackIncident.isPresent()).put("intent", intent.id());
            rollbackIncident.ifPresent(i -> payload.put("incident", i));
            policy.stamp(payload);
            Optional<Event> promoted = ledger.appendUnlessChanged(Event.draft(PROMOTED, subject, Optional.of(digest), actor,
                    clock.instant(), payload), read.head(), Set.of(subject));
            if (promoted.isPresent()) {
                return new Result(environment, digest, reference, rollbackIncident.isPresent(), false, promoted.get().id());
            }
        }
        throw new InputException("the ledger is too busy: " + subject + " changed under the promotion 20 times; try again");
    }

    private java.util.stream.Stream<Event> inTarget(List<Event> events) {
        return events.stream().filter(e -> e.type().equals(PROMOTED) && e.text("environment").orElse("").equals(environment));
    }

    /**
     * The evidence the target requires of this release: the policy's list, and for a release manifest (a set, which
     * has no SBOM, signature or gates of its own: its members do) what a set needs: built, approvals bound to its
     * digest, the change window, and into the last environment a passing integration test of the exact set.
     */
    private List<String> requirements(Policy.Environment target, List<Event> events) {
        if (io.releasegate.manifest.ReleaseManifest.built(events).isEmpty()) {
            return target.requires();
        }
        List<String> r = new ArrayList<>(target.requires().stream().filter(SET_EVIDENCE::contains).toList());
        List<Policy.Environment> all = policy.environments();
        if (all.get(all.size() - 1).name().equals(target.name()) || policy.stageOf(target.name()).isPresent()) {
            r.add(IntegrationRule.EVIDENCE);
        }
        return r;
    }

    /** What a set needs of the policy's evidence names; the rest its members need. */
    private static final Set<String> SET_EVIDENCE = Set.of("built", "approvals", "window");

    public Result call() {
        Policy.Environment target = validated();
        String subject = name + "@" + version;
        boolean attested = false;
        // the decision reads the release's events and the release halts, nothing else of the ledger: events about other
        // releases recorded meanwhile leave it standing, and the event goes onto the newer head
        Set<String> decidedOn = Set.of(subject, ReleaseHalt.SUBJECT, trainSubject());
        for (int attempt = 0; attempt < 20; attempt++) {
            Ledger.Snapshot read = ledger.snapshot(decidedOn);
            Optional<String> head = read.head();
            List<Event> events = read.about(subject);
            Decision d = decide(new Promotion(policy, name, version, digest, target, actor, clock.instant(), emergency, roles,
                    authors, attestEmergencyApproval, events), read, false);
            if (d.alreadyThere()) {
                ensureInStore();
                return new Result(environment, digest, envReference(), false, true, d.existing().orElseThrow().id());
            }
            // what the decision rests on, re-read from the store: for a rollback the artifact, otherwise its evidence too
            new StoredEvidence(store, name, digest, ledger.trust().revoked()).require(rollbackIncident.isPresent() ? List.of()
                    : requirements(target, events), events);
            String reference = ensureInStore();
            Optional<Event> emergencyEvent = Optional.empty();
            if (d.emergency().isPresent()) {
                EmergencyChange e = d.emergency().get().change();
                Optional<Event> approval = d.emergency().get().approval();
                if (approval.isEmpty()) {
                    // attested by the caller: recorded first, then decided again with it
                    if (attested) {
                        throw new IllegalStateException("the attested emergency approval was recorded but is not found");
                    }
                    attested = ledger.appendUnlessChanged(ApproveEmergency.draft(subject, digest, environment, e,
                            Optional.empty(), clock, Optional.of(policy)), head, decidedOn).isPresent();
                    continue;
                }
                ObjectNode p = Json.object().put("environment", environment).put("reason", e.reason())
                        .put("approver", e.approver()).put("approval", approval.get().id()).put("scope", e.scope())
                        .put("rollbackPlan", e.rollbackPlan())
                        .put("reviewDue", clock.instant().plus(Duration.ofDays(policy.emergency().reviewWithinDays())).toString());
                e.followUps().forEach(f -> p.withArray("followUps").add(f));
                policy.stamp(p);
                emergencyEvent = ledger.appendUnlessChanged(Event.draft(EMERGENCY, subject, Optional.of(digest), actor,
                        clock.instant(), p), head, decidedOn);
                if (emergencyEvent.isEmpty()) {
                    continue;
                }
                head = Optional.of(emergencyEvent.get().id());
            }
            ObjectNode payload = Json.object().put("environment", environment).put("reference", reference)
                    .put("rollback", rollbackIncident.isPresent());
            rollbackIncident.ifPresent(i -> payload.put("incident", i));
            rollbackReason.filter(r -> rollbackIncident.isPresent()).ifPresent(r -> payload.put("reason", r));
            emergencyEvent.ifPresent(e -> payload.put("emergency", e.id()));
            policy.stamp(payload);
            Optional<Event> promoted = ledger.appendUnlessChanged(Event.draft(PROMOTED, subject, Optional.of(digest), actor,
                    clock.instant(), payload), head, decidedOn);
            if (promoted.isPresent()) {
                return new Result(environment, digest, reference, rollbackIncident.isPresent(), false, promoted.get().id());
            }
            // something about this release (or a halt) was recorded meanwhile: decide again on the new history
        }
        throw new InputException("the ledger is too busy: " + subject + " changed under the promotion 20 times; try again");
    }

    private record Decision(boolean alreadyThere, Optional<Event> existing, Optional<PromotionRule.Emergency> emergency) {
    }

    /** The subject of the cuts of the train that may release this name: a train release needs a go for production. */
    private String trainSubject() {
        return io.releasegate.train.TrainCut.subject(name);
    }

    private Decision decide(Promotion p, Ledger.Snapshot read, boolean asPartOfSet) {
        List<Event> halts = read.about(ReleaseHalt.SUBJECT);
        if (new BuiltRule().check(p) instanceof PromotionRule.Refused r) {
            throw new RefusedException(r.refusals());
        }
        List<Event> events = p.events();
        boolean manifest = io.releasegate.manifest.ReleaseManifest.built(events).isPresent();
        if (manifest && !asPartOfSet) {
            throw new RefusedException(new Refusal(SET_ONLY, p.subject() + " is a release manifest: its members go to "
                    + environment + " together or not at all", "promote it as a set (release-gate promote, which does, or "
                    + "io.releasegate.manifest.PromoteSet)"));
        }
        List<Event> inTarget = events.stream().filter(e -> e.type().equals(PROMOTED)
                && e.text("environment").orElse("").equals(environment)).toList();
        Optional<Event> sameDigest = inTarget.stream().filter(e -> e.digest().equals(Optional.of(digest))).findFirst();
        Optional<Event> otherDigest = inTarget.stream().filter(e -> !e.digest().equals(Optional.of(digest))).findFirst();
        if (otherDigest.isPresent()) {
            throw new RefusedException(new Refusal("promote.version-conflict", p.subject() + " is already in " + environment
                    + " as " + otherDigest.get().digest().map(Object::toString).orElse("?"), "a version names one digest"));
        }
        if (rollbackIncident.isPresent()) {
            if (sameDigest.isEmpty()) {
                throw new RefusedException(new Refusal(KnownGood.RULE, digest + " of " + p.subject()
                        + " was never promoted to " + environment + ", so it is not a known-good release there",
                        "roll back to a digest that ran in " + environment + " before"));
            }
            // a set is known-good when each member is, which each member's own rollback decides
            Optional<Refusal> notKnownGood = manifest ? Optional.empty() : KnownGood.whyNot(events, p.subject(), digest);
            if (notKnownGood.isPresent()) {
                throw new RefusedException(notKnownGood.get());
            }
            return new Decision(false, Optional.empty(), Optional.empty());
        }
        if (sameDigest.isPresent()) {
            return new Decision(true, sameDigest, Optional.empty());
        }
        List<Refusal> refusals = new ArrayList<>();
        // a standing release halt stops everything past the first environment (a rollback was decided above)
        if (new HaltRule(halts).check(p) instanceof PromotionRule.Refused halted) {
            refusals.addAll(halted.refusals());
        }
        // a release of a line a train cut goes to production only with a go for its digest, whatever the policy lists
        if (new io.releasegate.train.TrainRule(read.about(trainSubject())).check(p) instanceof PromotionRule.Refused train) {
            refusals.addAll(train.refusals());
        }
        Optional<Policy.Environment> previous = policy.previous(environment);
        if (previous.isPresent() && events.stream().noneMatch(e -> e.type().equals(PROMOTED)
                && e.text("environment").orElse("").equals(previous.get().name()) && e.digest().equals(Optional.of(digest)))) {
            refusals.add(new Refusal("promote.skip-environment", digest + " of " + p.subject() + " was never promoted to "
                    + previous.get().name() + ", which comes before " + environment,
                    "promote it to " + previous.get().name() + " first"));
        }
        // out of a rollout stage only with its verification evidence, its soak time and healthy
        if (new RolloutRule().check(p) instanceof PromotionRule.Refused stage) {
            refusals.addAll(stage.refusals());
        }
        Optional<PromotionRule.Emergency> asEmergency = Optional.empty();
        for (String req : requirements(p.target(), events)) {
            if (req.equals("built")) {
                continue; // checked first
            }
            PromotionRule.Outcome outcome = PromotionRule.forEvidence(req).check(p);
            if (outcome instanceof PromotionRule.Refused r) {
                refusals.addAll(r.refusals());
            } else if (outcome instanceof PromotionRule.Emergency e) {
                asEmergency = Optional.of(e);
            }
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        return new Decision(false, Optional.empty(), asEmergency);
    }

    private String envRepository() {
        return OciNames.repository(name + "/" + environment);
    }

    private String envReference() {
        return envRepository() + ":" + OciNames.tagForVersion(version);
    }

    /** The same manifest (by digest), with everything it refers to, in NAME/ENV:VERSION. */
    private String ensureInStore() {
        String tag = OciNames.tagForVersion(version);
        TagResult r = new StoreCopy(store).copy(name, digest, envRepository(), Optional.of(tag));
        if (r instanceof TagResult.Conflict c && rollbackIncident.isEmpty()) {
            throw new RefusedException(new Refusal("promote.version-conflict", envRepository() + ":" + tag + " already names "
                    + c.existing(), "a version names one digest"));
        }
        return envRepository() + ":" + tag;
    }
}

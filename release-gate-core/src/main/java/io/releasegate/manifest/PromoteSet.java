package io.releasegate.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.promotion.ReleaseHalt;
import io.releasegate.store.ArtifactStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Promotes a {@link ReleaseManifest} as one set: every member's digest goes into the environment, or none does.
 *
 * <p>The decision is each member's own ({@link PromoteDigest#plan}: built digest, skipped environment, signatures,
 * SBOMs, provenance, gates, approvals, change window, halt, under the member's policy), the set's ({@code built},
 * approvals bound to the manifest's digest, the change window, a passing integration test of the exact set before the
 * last environment; see {@code PromoteDigest}), and the order ({@link SetOrder}: a library before its dependants, from
 * their SBOMs). One refusal anywhere and nothing moves: every refusal is reported, each naming its member.
 *
 * <p>All or nothing, whatever happens to the process: nothing is written before one {@code set-promotion-started} event
 * records the decision for every member (the commit point); then each member is copied into the environment's repository
 * and its {@code promoted} event recorded, in the set's order, then the set's. A run that finds a
 * decided set promotion without the set's {@code promoted} event completes it before anything else, recording only
 * what was decided (so a set is never left half-promoted by a crash, and {@code audit} names one that is, until the next
 * run). A rollback promotes a manifest that ran in the environment before, each member to its known-good digest.
 */
public final class PromoteSet {

    /** The set's promotion decided and recorded, its members' events following. */
    public static final String STARTED = EventType.SET_PROMOTION_STARTED.wire();
    /** A set promotion decided for another environment is not complete. */
    public static final String INCOMPLETE = "manifest.promotion-incomplete";

    /** What a member's (or the set's) decision is made under. */
    public record Governance(Policy policy, RoleDirectory roles, Set<String> authors) {
        public Governance {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(roles, "roles");
            authors = Set.copyOf(authors);
        }
    }

    /**
     * What happened. {@code resumed}: this run completed a set promotion an earlier run decided and did not finish;
     * {@code alreadyThere}: the set was in the environment already, nothing was recorded.
     */
    public record Result(String environment, String set, Digest digest, boolean rollback, boolean alreadyThere, boolean resumed,
                         List<PromoteDigest.Result> members, String eventId) {
        public Result {
            members = List.copyOf(members);
        }

        public String describe() {
            if (alreadyThere) {
                return "already in " + environment + ": the set " + set + " = " + digest + " (nothing recorded)";
            }
            return (resumed ? "completed the interrupted promotion of " : rollback ? "rolled back " : "promoted ") + "the set " + set
                    + " (" + digest.shortForm() + ") " + (rollback ? "in " : "to ") + environment + ": "
                    + String.join(", ", members.stream().map(m -> m.reference() + "=" + m.digest().shortForm()).toList());
        }
    }

    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private Digest digest;
    private String environment;
    private String actor;
    private Function<String, Governance> governance;
    private Optional<String> rollbackIncident = Optional.empty();
    private Clock clock = Clock.systemUTC();

    public PromoteSet(ArtifactStore store, Ledger ledger) {
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public PromoteSet release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    /** The manifest's digest: approvals and the integration test are bound to it. */
    public PromoteSet digest(Digest value) {
        this.digest = value;
        return this;
    }

    public PromoteSet to(String value) {
        this.environment = value;
        return this;
    }

    public PromoteSet actor(String value) {
        this.actor = value;
        return this;
    }

    /**
     * The policy, role holders and authors for the decision about one subject ({@code NAME@VERSION}): the set's own and
     * each member's (whose policy is the one committed with the member's source). The set's approvers must be
     * independent of every member's authors: its authors are the union.
     */
    public PromoteSet governance(Function<String, Governance> value) {
        this.governance = Objects.requireNonNull(value);
        return this;
    }

    /** Roll back to this manifest, which ran in the environment before, for this incident. */
    public PromoteSet rollback(Optional<String> incident) {
        this.rollbackIncident = Objects.requireNonNull(incident);
        return this;
    }

    public PromoteSet clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || version == null || digest == null || environment == null || actor == null || actor.isBlank()
                || governance == null) {
            throw new InputException("a set promotion needs the manifest (name@version), its digest, the environment, the actor "
                    + "and the governance of each member");
        }
        if (rollbackIncident.isPresent() && rollbackIncident.get().isBlank()) {
            throw new InputException("a rollback needs an incident reference");
        }
        String subject = name + "@" + version;
        // resolving a governance reads a repository's policy and history: once per subject and call
        java.util.Map<String, Governance> resolved = new java.util.HashMap<>();
        Function<String, Governance> governanceOf = s -> resolved.computeIfAbsent(s, governance);
        for (int attempt = 0; attempt < 20; attempt++) {
            ReleaseManifest manifest = ReleaseManifest.read(store, subject, ledger.events(subject));
            Set<String> subjects = new LinkedHashSet<>();
            subjects.add(subject);
            subjects.add(ReleaseHalt.SUBJECT);
            manifest.members().forEach(m -> subjects.add(m.subject()));
            Ledger.Snapshot read = ledger.snapshot(subjects);
            List<Event> events = read.about(subject);
            Optional<Event> pending = pending(events);
            if (pending.isPresent()) {
                if (!pending.get().text("environment").orElse("").equals(environment)) {
                    throw new RefusedException(new Refusal(INCOMPLETE, "the promotion of the set " + subject + " to "
                            + pending.get().text("environment").orElse("?") + " (event " + pending.get().id() + ") was decided "
                            + "and is not complete", "complete it first: promote " + subject + " --to "
                            + pending.get().text("environment").orElse("?")));
                }
                return complete(manifest, pending.get(), true, governanceOf);
            }
            Governance own = governanceOf.apply(subject);
            Set<String> authors = new HashSet<>(own.authors());
            for (ReleaseManifest.Member m : manifest.members()) {
                authors.addAll(governanceOf.apply(m.subject()).authors());
            }
            List<Refusal> refusals = new ArrayList<>();
            boolean there = plan(promoteDigest(name, version, digest, new Governance(own.policy(), own.roles(), authors)),
                    subject, refusals);
            if (there && refusals.isEmpty()) {
                return new Result(environment, subject, digest, false, true, false, List.of(), "");
            }
            refusals.addAll(SetOrder.check(store, manifest));
            for (ReleaseManifest.Member m : manifest.members()) {
                plan(promoteDigest(m.name(), m.version(), m.digest(), governanceOf.apply(m.subject())), m.subject(), refusals);
            }
            if (!refusals.isEmpty()) {
                throw new RefusedException(refusals);
            }
            // the commit point: after it, each member is copied into the environment and recorded
            ObjectNode p = Json.object().put("environment", environment).put("rollback", rollbackIncident.isPresent());
            rollbackIncident.ifPresent(i -> p.put("incident", i));
            ArrayNode ms = p.putArray("members");
            manifest.members().forEach(m -> ms.addObject().put("subject", m.subject()).put("digest", m.digest().toString()));
            own.policy().stamp(p);
            Optional<Event> intent = ledger.appendUnlessChanged(Event.draft(STARTED, subject, Optional.of(digest), actor,
                    clock.instant(), p), read.head(), subjects);
            if (intent.isPresent()) {
                return complete(manifest, intent.get(), false, governanceOf);
            }
            // a member, the set or a halt changed meanwhile: decide again
        }
        throw new InputException("the ledger is too busy: the set " + subject + " changed under the promotion 20 times; try again");
    }

    /** The newest decided promotion of this set's digest the set's own {@code promoted} event does not complete. */
    private Optional<Event> pending(List<Event> events) {
        return undone(events).stream().filter(e -> e.digest().equals(Optional.of(digest))).reduce((a, b) -> b);
    }

    /**
     * The set promotions decided ({@value #STARTED}) among a set's events that no {@code promoted} event of the set
     * completes (names as its {@code intent}), oldest first: a crash left each half-done, until the next run.
     */
    public static List<Event> undone(List<Event> events) {
        Set<String> completed = new HashSet<>();
        events.stream().filter(e -> e.type().equals(PromoteDigest.PROMOTED)).forEach(e -> e.text("intent").ifPresent(completed::add));
        return events.stream().filter(e -> e.type().equals(STARTED) && !completed.contains(e.id())).toList();
    }

    /** Records what {@code intent} decided: each member's promotion, in the set's order, then the set's. */
    private Result complete(ReleaseManifest manifest, Event intent, boolean resumed, Function<String, Governance> governanceOf) {
        String subject = manifest.subject();
        Optional<String> incident = intent.payload().path("rollback").asBoolean(false)
                ? intent.text("incident") : Optional.empty();
        List<PromoteDigest.Result> done = new ArrayList<>();
        ObjectNode partOf = Json.object().put("set", subject).put("setDigest", digest.toString());
        for (JsonNode m : intent.payload().path("members")) {
            String memberSubject = m.path("subject").asText();
            Optional<ReleaseManifest.Member> member = manifest.members().stream()
                    .filter(x -> x.subject().equals(memberSubject) && x.digest().toString().equals(m.path("digest").asText()))
                    .findFirst();
            if (member.isEmpty()) {
                throw new RefusedException(new Refusal(ReleaseManifest.TAMPERED, "the decided promotion " + intent.id() + " names "
                        + memberSubject + " " + m.path("digest").asText() + ", which the set " + subject + " does not hold",
                        "restore the manifest from a trusted copy"));
            }
            ReleaseManifest.Member x = member.get();
            done.add(promoteDigest(x.name(), x.version(), x.digest(), governanceOf.apply(x.subject())).rollback(incident)
                    .recordAsPartOf(intent, partOf));
        }
        ObjectNode members = Json.object();
        ArrayNode ms = members.putArray("members");
        done.forEach(r -> ms.add(r.eventId()));
        PromoteDigest.Result set = promoteDigest(name, version, digest, governanceOf.apply(subject)).rollback(incident)
                .recordAsPartOf(intent, members);
        return new Result(environment, subject, digest, incident.isPresent(), false, resumed, done, set.eventId());
    }

    private PromoteDigest promoteDigest(String n, String v, Digest d, Governance g) {
        return new PromoteDigest(g.policy(), store, ledger).release(n, v).digest(d).to(environment).actor(actor).roles(g.roles())
                .authors(g.authors()).rollback(rollbackIncident).clock(clock);
    }

    /** One subject's decision, its refusals added (each naming the subject); true when it is in the environment already. */
    private static boolean plan(PromoteDigest p, String subject, List<Refusal> refusals) {
        try {
            return p.plan();
        } catch (RefusedException e) {
            e.refusals().forEach(r -> refusals.add(new Refusal(r.rule(), subject + ": " + r.evidence(), r.remedy())));
            return false;
        }
    }
}

package io.releasegate.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.Identities;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.commits.History;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.ChangeWindows;
import io.releasegate.policy.Policy;
import io.releasegate.promotion.Promotion;
import io.releasegate.promotion.PromotionRule;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code train go-no-go}: the release manager's decision on one digest of a train release, recorded as a
 * {@code go-no-go} event signed by them, with the go/no-go checklist (policy 003 §1.14.7) it rests on. Each item is
 * answered from evidence where evidence exists (the same rules a promotion applies: the digest built for the version
 * from the commit its tag names, the gates, both SBOMs and the provenance, the signatures; the planned production time
 * inside a production change window; the train's cut; a recorded freeze of main when the train freezes it), and from the
 * release manager's answers where it does not (known issues, rollback, support, stakeholders, release notes); an answer
 * given for an evidence item is refused, never taken instead of the evidence. Production promotion of a train release
 * needs a "go" for its exact digest ({@link TrainRule}).
 *
 * <p>Refused: a decider who is not one of the train's release managers ({@code train.not-release-manager}) or who wrote
 * or committed the release's changes ({@code train.self-approval}) or started it ({@code train.releaser}); a release whose line no train cut
 * ({@code train.not-cut}); a digest other than the built one ({@code train.digest-mismatch}); a "go" while an evidence
 * item fails or a release manager's item is not answered yes ({@code train.go-unsupported}), or without a rollback plan.
 */
public final class GoNoGo {

    public static final String TYPE = EventType.GO_NO_GO.wire();
    public static final String GO = "go";
    public static final String NO_GO = "no-go";

    /** The checklist items the release manager answers: id → question. */
    public static final Map<String, String> ANSWERED;
    /** The checklist items evidence answers: id → question. */
    public static final Map<String, String> EVIDENCED;

    static {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("known-issues", "known issues are reviewed and accepted");
        a.put("rollback-tested", "the rollback plan is tested");
        a.put("support-ready", "support and on-call are ready");
        a.put("stakeholders-informed", "stakeholders are informed");
        a.put("release-notes", "the release notes are reviewed");
        ANSWERED = java.util.Collections.unmodifiableMap(a);
        Map<String, String> e = new LinkedHashMap<>();
        e.put("candidate", "the digest is the one built for the version, from the commit its tag names");
        e.put("gates", "the required gates passed");
        e.put("sbom-provenance", "both SBOMs and the provenance are recorded");
        e.put("signatures", "the signatures verify");
        e.put("window", "the planned production time is inside a production change window");
        e.put("cut", "the train was cut (its release branch, or the recorded rationale for none)");
        e.put("freeze", "a recorded freeze covered main during stabilization and nothing landed against it");
        EVIDENCED = java.util.Collections.unmodifiableMap(e);
    }

    /** One answered checklist item: where its answer comes from, the answer, and what it rests on. */
    public record Item(String id, String question, boolean fromEvidence, boolean yes, String detail) {
    }

    /** The recorded decision and its checklist. */
    public record Result(Event event, String decision, List<Item> checklist) {
        public Result {
            checklist = List.copyOf(checklist);
        }
    }

    private final TrainConfig config;
    private final Policy policy;
    private final Ledger ledger;
    private final History history;
    private String name;
    private String version;
    private Digest digest;
    private String decision;
    private String actor;
    private Map<String, Boolean> answers = Map.of();
    private List<String> attendees = List.of();
    private List<String> risksAccepted = List.of();
    private String rollbackPlan = "";
    private String reason = "";
    private Set<String> authors = Set.of();
    private String mainRef = "main";
    private Clock clock = Clock.systemUTC();

    public GoNoGo(TrainConfig config, Policy policy, Ledger ledger, History history) {
        this.config = Objects.requireNonNull(config);
        this.policy = Objects.requireNonNull(policy);
        this.ledger = Objects.requireNonNull(ledger);
        this.history = Objects.requireNonNull(history);
    }

    public GoNoGo release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    public GoNoGo digest(Digest value) {
        this.digest = value;
        return this;
    }

    /** {@value #GO} or {@value #NO_GO}. */
    public GoNoGo decision(String value) {
        this.decision = value;
        return this;
    }

    public GoNoGo actor(String value) {
        this.actor = value;
        return this;
    }

    /** The release manager's answers to the items of {@link #ANSWERED}: id → yes/no. */
    public GoNoGo answers(Map<String, Boolean> value) {
        this.answers = Map.copyOf(value);
        return this;
    }

    /** Who attended; default: the train's attendees. */
    public GoNoGo attendees(List<String> value) {
        this.attendees = List.copyOf(value);
        return this;
    }

    public GoNoGo risksAccepted(List<String> value) {
        this.risksAccepted = List.copyOf(value);
        return this;
    }

    public GoNoGo rollbackPlan(String value) {
        this.rollbackPlan = value == null ? "" : value;
        return this;
    }

    /** Why, for a no-go (and optionally a go). */
    public GoNoGo reason(String value) {
        this.reason = value == null ? "" : value;
        return this;
    }

    /** The authors and committers of the release's changes, who may not decide it. */
    public GoNoGo authors(Set<String> value) {
        this.authors = Identities.forms(value.toArray(String[]::new));
        return this;
    }

    public GoNoGo mainRef(String value) {
        this.mainRef = Objects.requireNonNull(value);
        return this;
    }

    public GoNoGo clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || version == null || digest == null || actor == null || actor.isBlank()) {
            throw new InputException("a go/no-go needs the release (name@version), the digest and the release manager (--actor)");
        }
        if (!GO.equals(decision) && !NO_GO.equals(decision)) {
            throw new InputException("the decision is go or no-go, not '" + decision + "'");
        }
        for (String k : answers.keySet()) {
            if (EVIDENCED.containsKey(k)) {
                throw new InputException("checklist item '" + k + "' (" + EVIDENCED.get(k) + ") is answered from evidence, "
                        + "not by the release manager");
            }
            if (!ANSWERED.containsKey(k)) {
                throw new InputException("unknown checklist item '" + k + "'; the release manager answers " + ANSWERED.keySet());
            }
        }
        if (!name.equals(config.train())) {
            throw new InputException(name + " is not the release of the " + config.train() + " train (" + config.file() + ")");
        }
        if (NO_GO.equals(decision) && reason.isBlank()) {
            throw new InputException("a no-go records why (--reason)");
        }
        Freeze.releaseManager(config, actor, "decide go or no-go");
        if (Identities.matches(actor, authors)) {
            throw new RefusedException(new Refusal("train.self-approval", actor + " wrote or committed changes of " + name
                    + "@" + version + " and cannot decide its go/no-go", "another of the release managers "
                    + config.releaseManagers() + " decides it"));
        }
        String subject = name + "@" + version;
        List<Event> trainEvents = ledger.events(TrainCut.subject(name));
        Event cut = TrainCut.cutOf(trainEvents, version).orElseThrow(() -> new RefusedException(new Refusal("train.not-cut",
                "no " + name + " train cut the release line of " + version, "cut the train first (release-gate train cut)")));
        List<Event> events = ledger.events(subject);
        Event built = events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("train.not-built", subject + " was never built",
                        "build it once (release-gate build-once) before deciding it")));
        if (Identities.matches(actor, Identities.forms(built.actor()))) {
            throw new RefusedException(new Refusal("train.releaser", actor + " started the release " + subject
                    + " (its built event) and cannot also decide its go/no-go", "another of the release managers "
                    + config.releaseManagers() + " decides it"));
        }
        if (!built.digest().equals(Optional.of(digest))) {
            throw new RefusedException(new Refusal("train.digest-mismatch", digest + " is not the digest built for " + subject
                    + " (" + built.digest().map(Object::toString).orElse("?") + ")", "decide the digest that was built"));
        }
        List<Item> checklist = new ArrayList<>(evidence(cut, built, events));
        for (Map.Entry<String, String> q : ANSWERED.entrySet()) {
            Boolean a = answers.get(q.getKey());
            checklist.add(new Item(q.getKey(), q.getValue(), false, Boolean.TRUE.equals(a),
                    a == null ? "not answered" : a ? "yes, says " + actor : "no, says " + actor));
        }
        if (GO.equals(decision)) {
            List<Item> failing = checklist.stream().filter(i -> !i.yes()).toList();
            if (!failing.isEmpty() || rollbackPlan.isBlank()) {
                List<String> why = new ArrayList<>(failing.stream().map(i -> i.id() + " (" + i.detail() + ")").toList());
                if (rollbackPlan.isBlank()) {
                    why.add("rollback plan (none given)");
                }
                throw new RefusedException(new Refusal("train.go-unsupported", "a go for " + subject + " needs every checklist "
                        + "item answered yes; not: " + String.join("; ", why), "fix the evidence, answer the items "
                        + "(--answer ITEM=yes), give the rollback plan, or record a no-go"));
            }
        }
        ObjectNode p = Json.object().put("decision", decision).put("train", cut.text("train").orElse(""))
                .put("cut", cut.id()).put("rollbackPlan", rollbackPlan.strip()).put("reason", reason.strip());
        ArrayNode items = p.putArray("checklist");
        checklist.forEach(i -> items.addObject().put("item", i.id()).put("question", i.question())
                .put("source", i.fromEvidence() ? "evidence" : "release-manager").put("answer", i.yes()).put("detail", i.detail()));
        (attendees.isEmpty() ? config.attendees() : attendees).forEach(a -> p.withArray("attendees").add(a));
        risksAccepted.forEach(r -> p.withArray("risksAccepted").add(r));
        policy.stamp(p);
        Event e = ledger.append(Event.draft(TYPE, subject, Optional.of(digest), actor, clock.instant(), p));
        return new Result(e, decision, checklist);
    }

    /** The checklist items evidence answers. */
    private List<Item> evidence(Event cut, Event built, List<Event> events) {
        List<Item> out = new ArrayList<>();
        Optional<String> builtCommit = built.text("commit");
        Optional<History.ReleaseTag> tag = history.releaseTags().stream().filter(t -> t.name().equals("v" + version)).findFirst();
        boolean candidate = tag.isPresent() && builtCommit.equals(Optional.of(tag.get().commit()));
        out.add(item("candidate", candidate, tag.isEmpty() ? "no tag v" + version + " in the repository"
                : builtCommit.isEmpty() ? "the built event names no commit"
                : candidate ? digest + " built from " + builtCommit.get().substring(0, 12) + " = v" + version
                : "v" + version + " names " + tag.get().commit().substring(0, 12) + ", the digest was built from "
                        + builtCommit.get().substring(0, 12)));
        List<Policy.Environment> envs = policy.environments();
        Policy.Environment production = envs.get(envs.size() - 1);
        Promotion p = new Promotion(policy, name, version, digest, production, actor, clock.instant(), Optional.empty(),
                RoleDirectory.empty(), authors, false, events);
        out.add(rule("gates", p, List.of("gates")));
        out.add(rule("sbom-provenance", p, List.of("sbom", "provenance")));
        out.add(rule("signatures", p, List.of("signatures")));
        TrainConfig.Occurrence train = config.byId(cut.text("train").orElse(""))
                .orElseThrow(() -> new InputException("the cut " + cut.id() + " names train " + cut.text("train").orElse("?")
                        + ", which " + config.file() + " does not schedule"));
        Optional<Refusal> window = ChangeWindows.check(policy, production.name(), train.production());
        out.add(item("window", window.isEmpty(), window.map(Refusal::evidence)
                .orElse("the planned production time " + train.production() + " is inside the change windows")));
        String branch = cut.text("branch").orElse("");
        out.add(item("cut", true, branch.isEmpty() ? "no release branch: " + cut.text("skipBranchRationale").orElse("")
                : "cut " + branch + " at " + cut.text("commit").orElse("?").substring(0, 12) + " (event " + cut.id() + ")"));
        if (config.freezeMain()) {
            LocalDate from = train.cutoff().atZone(config.zone()).toLocalDate();
            LocalDate to = train.goNoGo().atZone(config.zone()).toLocalDate();
            List<Event> freezes = ledger.events(Freeze.SUBJECT);
            Optional<Freeze.Declared> covering = Freeze.covering(freezes, mainRef, from, to);
            List<Freeze.Violation> broken = covering.isEmpty() ? List.of()
                    : Freeze.check(history, mainRef, mainRef, freezes, config.zone(), clock.instant());
            out.add(item("freeze", covering.isPresent() && broken.isEmpty(), covering.isEmpty()
                    ? "freeze.unrecorded: no recorded freeze of " + mainRef + " covers " + from + " to " + to
                    : broken.isEmpty() ? covering.get().describe()
                    : broken.stream().map(v -> v.rule() + ": " + v.message()).toList().toString()));
        }
        return out;
    }

    private static Item item(String id, boolean yes, String detail) {
        return new Item(id, EVIDENCED.get(id), true, yes, detail);
    }

    private static Item rule(String id, Promotion p, List<String> evidence) {
        List<String> refused = new ArrayList<>();
        for (String e : evidence) {
            if (PromotionRule.forEvidence(e).check(p) instanceof PromotionRule.Refused r) {
                r.refusals().forEach(x -> refused.add(x.rule() + ": " + x.evidence()));
            }
        }
        return item(id, refused.isEmpty(), refused.isEmpty() ? String.join(" and ", evidence) + " recorded for " + p.digest()
                : String.join("; ", refused));
    }

    /** The latest go/no-go recorded for {@code digest} among a release's events. */
    public static Optional<Event> latest(List<Event> events, Digest digest) {
        Optional<Event> last = Optional.empty();
        for (Event e : events) {
            if (e.type().equals(TYPE) && e.digest().equals(Optional.of(digest))) {
                last = Optional.of(e);
            }
        }
        return last;
    }

    /** The checklist ids, for help texts. */
    public static String answeredIds() {
        return String.join(", ", new TreeSet<>(ANSWERED.keySet()));
    }
}

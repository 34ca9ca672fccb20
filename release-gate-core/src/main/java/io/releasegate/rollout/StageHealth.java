package io.releasegate.rollout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.promotion.KnownGood;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.store.ArtifactStore;
import io.releasegate.verify.CheckCommand;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The objective health checks of a rollout stage, for the digest in the stage: each command (argv, no shell of ours;
 * {@code $RELEASE_DIGEST}, {@code $RELEASE_ENVIRONMENT}, {@code $RELEASE_STAGE} set) runs within its timeout and must
 * exit 0 and print one number as its last line, which is compared with the check's threshold. A command that fails,
 * hangs or prints something else fails the check, saying so; nothing of it is recorded as passing. The outcome is
 * recorded ({@code health-checked}: each check's command, value, threshold and outcome); a failure blocks the next stage
 * ({@code rollout.health-failed}).
 *
 * <p>On a failure with {@link #autoRollback} (or the policy's {@code rollout.autoRollback}) every rollout stage holding
 * that digest is rolled back to the known-good digest of the same name (the newest other release that is
 * {@link KnownGood}) through {@link PromoteDigest#rollback}, with the failed check as the reason. Without a known-good
 * digest the rollback is refused ({@value KnownGood#RULE}) and said so; so is the rollback of a stage the known-good
 * release never ran in.
 */
public final class StageHealth {

    /** One check's outcome: the value it printed (empty when it printed no number), and why it failed. */
    public record CheckOutcome(String name, List<String> command, Optional<BigDecimal> value, String threshold, boolean passed,
                               Optional<String> problem) {
        public CheckOutcome {
            command = List.copyOf(command);
        }
    }

    /** What became of the automatic rollback. */
    public sealed interface Rollback permits NotAsked, RolledBack, Refused {
    }

    /** The checks passed, or no automatic rollback was asked for. */
    public record NotAsked() implements Rollback {
    }

    /** Rolled back to {@code knownGood} in these environments; {@code refused}: the environments it could not be. */
    public record RolledBack(String knownGood, Digest digest, List<PromoteDigest.Result> promotions,
                             Map<String, List<Refusal>> refused) implements Rollback {
        public RolledBack {
            promotions = List.copyOf(promotions);
            refused = Map.copyOf(refused);
        }
    }

    /** No rollback was possible. */
    public record Refused(List<Refusal> refusals) implements Rollback {
        public Refused {
            refusals = List.copyOf(refusals);
        }
    }

    public record Result(StageTarget target, boolean passed, List<CheckOutcome> checks, String summary, Event event,
                         Rollback rollback) {
        public Result {
            checks = List.copyOf(checks);
        }
    }

    private final Policy policy;
    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private Optional<Digest> digest = Optional.empty();
    private String stage;
    private String actor;
    private Path workdir = Path.of(".");
    private boolean autoRollback;
    private Optional<String> incident = Optional.empty();
    private Clock clock = Clock.systemUTC();

    public StageHealth(Policy policy, ArtifactStore store, Ledger ledger) {
        this.policy = Objects.requireNonNull(policy);
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public StageHealth release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    /** The digest expected in the stage ({@value StageTarget#NOT_IN_STAGE} when another is); default: the one there. */
    public StageHealth digest(Optional<Digest> value) {
        this.digest = Objects.requireNonNull(value);
        return this;
    }

    public StageHealth stage(String value) {
        this.stage = value;
        return this;
    }

    public StageHealth actor(String value) {
        this.actor = value;
        return this;
    }

    public StageHealth workdir(Path value) {
        this.workdir = Objects.requireNonNull(value);
        return this;
    }

    /** Roll back on a failure even when the policy does not say so ({@code rollout.autoRollback}). */
    public StageHealth autoRollback(boolean value) {
        this.autoRollback = value;
        return this;
    }

    /** The incident a rollback is recorded for; default: the failed {@code health-checked} event. */
    public StageHealth incident(Optional<String> value) {
        this.incident = Objects.requireNonNull(value).filter(i -> !i.isBlank());
        return this;
    }

    public StageHealth clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || version == null || stage == null || actor == null || actor.isBlank()) {
            throw new InputException("a health check needs the release (name@version), the stage and the actor");
        }
        String subject = name + "@" + version;
        StageTarget t = StageTarget.resolve(policy, ledger.events(), subject, digest, stage);
        if (t.stage().health().isEmpty()) {
            throw new InputException("stage " + t.stage().name() + " declares no health checks (rollout.stages." + t.stage().name()
                    + ".health)");
        }
        Map<String, String> env = Map.of("RELEASE_DIGEST", t.digest().toString(), "RELEASE_ENVIRONMENT", t.environment(),
                "RELEASE_STAGE", t.stage().name());
        List<CheckOutcome> outcomes = new ArrayList<>();
        for (Policy.HealthCheck h : t.stage().health()) {
            outcomes.add(run(h, env));
        }
        boolean passed = outcomes.stream().allMatch(CheckOutcome::passed);
        String summary = passed ? "all " + outcomes.size() + " health check(s) passed" : String.join("; ", outcomes.stream()
                .filter(o -> !o.passed()).map(o -> o.name() + ": " + o.problem().orElse("failed")).toList());
        ObjectNode p = Json.object().put("environment", t.environment()).put("stage", t.stage().name())
                .put("promotion", t.promoted().id()).put("result", passed ? "pass" : "fail").put("summary", summary);
        for (CheckOutcome o : outcomes) {
            ObjectNode n = p.withArray("checks").addObject().put("name", o.name()).put("threshold", o.threshold())
                    .put("passed", o.passed());
            o.command().forEach(a -> n.withArray("command").add(a));
            o.value().ifPresent(v -> n.put("value", v.toPlainString()));
            o.problem().ifPresent(pr -> n.put("problem", pr));
        }
        policy.stamp(p);
        Event recorded = ledger.append(Event.draft(EventType.HEALTH_CHECKED.wire(), subject, Optional.of(t.digest()), actor,
                clock.instant(), p));
        Rollback rollback = new NotAsked();
        if (!passed && (autoRollback || policy.rollout().autoRollback())) {
            rollback = rollBack(t, recorded, summary);
        }
        return new Result(t, passed, outcomes, summary, recorded, rollback);
    }

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("[-+]?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,3})?");

    private CheckOutcome run(Policy.HealthCheck h, Map<String, String> env) {
        CheckCommand.Outcome o = CheckCommand.run(h.command(), workdir, env, h.timeout());
        Optional<String> problem = Optional.empty();
        Optional<BigDecimal> value = Optional.empty();
        if (o.timedOut()) {
            problem = Optional.of("timed out after " + h.timeout().toSeconds() + "s");
        } else if (o.exitCode() != 0) {
            problem = Optional.of("exit " + o.exitCode() + ": " + shorten(o.output()));
        } else {
            String[] lines = o.output().strip().split("\\R");
            String last = lines[lines.length - 1].strip();
            if (!NUMBER.matcher(last).matches()) {
                problem = Optional.of("printed '" + shorten(last) + "', not a number");
            } else {
                value = Optional.of(new BigDecimal(last));
                if (!h.passes(value.get())) {
                    problem = Optional.of(value.get().toPlainString() + " is not " + h.threshold());
                }
            }
        }
        return new CheckOutcome(h.name(), h.command(), value, h.threshold(), problem.isEmpty(), problem);
    }

    private static String shorten(String s) {
        String one = s.replaceAll("\\p{Cntrl}", " ").strip();
        return one.length() > 120 ? one.substring(0, 120) + "…" : one;
    }

    /** The rollout stages whose last promotion (of any release of the name) is {@code t}'s digest. */
    private List<String> holding(List<Event> all, Digest digest) {
        Map<String, Event> last = new LinkedHashMap<>();
        for (Event e : all) {
            if (EventType.PROMOTED.is(e) && e.subject().startsWith(name + "@")) {
                last.put(e.text("environment").orElse(""), e);
            }
        }
        return policy.rollout().stages().stream().map(s -> s.environment(policy.production()))
                .filter(env -> last.containsKey(env) && last.get(env).digest().equals(Optional.of(digest))).toList();
    }

    private Rollback rollBack(StageTarget t, Event failed, String summary) {
        List<Event> all = ledger.events();
        // the newest other release of the name that is known-good
        Optional<Event> knownGood = Optional.empty();
        List<String> why = new ArrayList<>();
        for (Event e : all) {
            if (EventType.BUILT.is(e) && e.subject().startsWith(name + "@") && !e.subject().equals(t.subject())
                    && e.digest().isPresent() && !e.digest().get().equals(t.digest())) {
                List<Event> its = all.stream().filter(x -> x.subject().equals(e.subject())).toList();
                Optional<Refusal> not = KnownGood.whyNot(its, e.subject(), e.digest().get());
                if (not.isEmpty()) {
                    knownGood = Optional.of(e);
                } else {
                    why.add(not.get().evidence());
                }
            }
        }
        if (knownGood.isEmpty()) {
            return new Refused(List.of(new Refusal(KnownGood.RULE, "no known-good release of " + name + " to roll "
                    + t.environment() + " back to" + (why.isEmpty() ? " (no other release of it was built)" : ": "
                    + String.join("; ", why)), "roll back by hand (promote --rollback) to a release that ran in "
                    + t.environment() + ", or fix forward with a new version; " + t.subject() + " stays in the stage and "
                    + "cannot go further")));
        }
        String kgVersion = knownGood.get().subject().substring(name.length() + 1);
        Digest kgDigest = knownGood.get().digest().get();
        String reason = "health check of stage " + t.stage().name() + " failed (event " + failed.id() + "): " + summary;
        List<PromoteDigest.Result> done = new ArrayList<>();
        Map<String, List<Refusal>> refused = new LinkedHashMap<>();
        for (String env : holding(all, t.digest())) {
            try {
                done.add(new PromoteDigest(policy, store, ledger).release(name, kgVersion).digest(kgDigest).to(env).actor(actor)
                        .rollback(Optional.of(incident.orElse("health-checked " + failed.id()))).reason(Optional.of(reason))
                        .clock(clock).call());
            } catch (RefusedException e) {
                refused.put(env, e.refusals());
            }
        }
        return new RolledBack(knownGood.get().subject(), kgDigest, done, refused);
    }
}

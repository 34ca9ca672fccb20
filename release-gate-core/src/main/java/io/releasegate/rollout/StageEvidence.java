package io.releasegate.rollout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.ApproverRules;
import io.releasegate.approval.Identities;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.verify.CheckCommand;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Records one piece of a rollout stage's verification evidence for the digest in the stage, which the next stage
 * requires ({@code io.releasegate.promotion.RolloutRule}): a check command's outcome or a dashboard link
 * ({@code stage-verified}, the pipeline's), or a checklist signed by a person ({@code stage-checklist-signed}, signed
 * with that person's own key: the ledger's signer). A checklist signed by someone who holds none of the approval roles,
 * wrote the release or built it is refused ({@code rollout.checklist-*}) and nothing is recorded; evidence about a digest
 * that is not the one in the stage is refused ({@value StageTarget#NOT_IN_STAGE}).
 */
public final class StageEvidence {

    /** What is recorded. */
    public sealed interface Kind permits Check, Dashboard, Checklist {
        String name();
    }

    /** A check command (argv, no shell of ours) run now, with a timeout; it passes when it exits 0. */
    public record Check(List<String> command, Path workdir, Duration timeout) implements Kind {
        public Check {
            command = List.copyOf(command);
            if (command.isEmpty()) {
                throw new InputException("a stage check needs its command");
            }
        }

        @Override
        public String name() {
            return "check";
        }
    }

    /** A link to the dashboard someone looked at (http or https). */
    public record Dashboard(URI url) implements Kind {
        @Override
        public String name() {
            return "dashboard";
        }
    }

    /** A checklist (what was checked), signed by the actor. */
    public record Checklist(String text) implements Kind {
        @Override
        public String name() {
            return "checklist";
        }
    }

    /** The recorded event, and for a check whether it passed. */
    public record Result(StageTarget target, String kind, boolean passed, String summary, Event event) {
    }

    private final Policy policy;
    private final Ledger ledger;
    private String name;
    private String version;
    private Optional<Digest> digest = Optional.empty();
    private String stage;
    private String actor;
    private Kind kind;
    private RoleDirectory roles = RoleDirectory.empty();
    private Set<String> authors = Set.of();
    private Clock clock = Clock.systemUTC();

    public StageEvidence(Policy policy, Ledger ledger) {
        this.policy = Objects.requireNonNull(policy);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public StageEvidence release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    /** The digest the evidence is about: it must be the one in the stage; default: that one. */
    public StageEvidence digest(Optional<Digest> value) {
        this.digest = Objects.requireNonNull(value);
        return this;
    }

    public StageEvidence stage(String value) {
        this.stage = value;
        return this;
    }

    public StageEvidence actor(String value) {
        this.actor = value;
        return this;
    }

    public StageEvidence evidence(Kind value) {
        this.kind = Objects.requireNonNull(value);
        return this;
    }

    /** Who holds each approval role (a checklist's signer must hold one). */
    public StageEvidence roles(RoleDirectory value) {
        this.roles = Objects.requireNonNull(value);
        return this;
    }

    /** The identities of the release's authors and committers (none of whom may sign its checklist). */
    public StageEvidence authors(Set<String> value) {
        this.authors = Identities.forms(value.toArray(String[]::new));
        return this;
    }

    public StageEvidence clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || version == null || stage == null || kind == null || actor == null || actor.isBlank()) {
            throw new InputException("stage evidence needs the release (name@version), the stage, the evidence and the actor");
        }
        String subject = name + "@" + version;
        List<Event> events = ledger.events(subject);
        StageTarget t = StageTarget.resolve(policy, ledger.events(), subject, digest, stage);
        ObjectNode p = Json.object().put("environment", t.environment()).put("stage", t.stage().name())
                .put("kind", kind.name()).put("promotion", t.promoted().id());
        boolean passed = true;
        String summary;
        EventType type = EventType.STAGE_VERIFIED;
        if (kind instanceof Check c) {
            CheckCommand.Outcome o = CheckCommand.run(c.command(), c.workdir(), Map.of("RELEASE_DIGEST", t.digest().toString(),
                    "RELEASE_ENVIRONMENT", t.environment(), "RELEASE_STAGE", t.stage().name()), c.timeout());
            passed = o.ok();
            summary = o.timedOut() ? "timed out after " + c.timeout().toSeconds() + "s" : "exit " + o.exitCode();
            c.command().forEach(a -> p.withArray("command").add(a));
            p.put("exitCode", o.exitCode()).put("timedOut", o.timedOut())
                    .put("outputDigest", Digester.of(o.output().getBytes(StandardCharsets.UTF_8)).toString())
                    .put("output", o.output()).put("outputTruncated", o.truncated());
        } else if (kind instanceof Dashboard d) {
            String scheme = Optional.ofNullable(d.url().getScheme()).orElse("");
            if (!(scheme.equals("https") || scheme.equals("http")) || d.url().getHost() == null) {
                throw new InputException("a dashboard link is an http(s) URL, not '" + d.url() + "'");
            }
            if (d.url().getUserInfo() != null) {
                throw new InputException("a dashboard link must not carry credentials");
            }
            summary = "dashboard " + d.url();
            p.put("url", d.url().toString());
        } else {
            Checklist l = (Checklist) kind;
            if (l.text() == null || l.text().isBlank()) {
                throw new InputException("a checklist needs what was checked");
            }
            List<String> releasers = new ArrayList<>();
            events.stream().filter(EventType.BUILT::is).findFirst().ifPresent(b -> releasers.add(b.actor()));
            List<Refusal> refused = ApproverRules.check(ApproverRules.CHECKLIST, actor, Optional.empty(),
                    policy.approvals().roles(), roles, authors, releasers, subject);
            if (!refused.isEmpty()) {
                throw new RefusedException(refused);
            }
            type = EventType.STAGE_CHECKLIST_SIGNED;
            summary = "checklist signed by " + actor;
            p.put("checklist", l.text().strip());
        }
        p.put("result", passed ? "pass" : "fail").put("summary", summary);
        policy.stamp(p);
        Event e = ledger.append(Event.draft(type.wire(), subject, Optional.of(t.digest()), actor, clock.instant(), p));
        return new Result(t, kind.name(), passed, summary, e);
    }
}

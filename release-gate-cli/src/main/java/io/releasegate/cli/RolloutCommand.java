package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyResolver;
import io.releasegate.rollout.RolloutStatus;
import io.releasegate.rollout.StageEvidence;
import io.releasegate.rollout.StageHealth;
import io.releasegate.rollout.StageTarget;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** rollout status | evidence | check: a release's progress through the policy's rollout stages (docs/rollout.md). */
@Command(name = "rollout", header = "Progressive rollout: stage progress, stage evidence and health checks.",
        description = {"The policy's rollout.stages are environments production-<stage> between the",
                "environment before production and production; a digest goes through them in",
                "order with 'promote --to production-<stage>'. Before the next stage: the soak",
                "time, the stage's evidence (rollout evidence) and passing health checks (rollout",
                "check). verify-production --stage S checks what runs in a stage. See docs/rollout.md."},
        subcommands = {RolloutCommand.Status.class, RolloutCommand.Evidence.class, RolloutCommand.Check.class})
final class RolloutCommand extends GroupCommand {

    /** The policy of a stage: production's, committed at the built commit (or the central policy). */
    static Policy stagePolicy(ReleaseContext ctx, Path repo, CentralPolicyOptions central, String subject) {
        return new PolicyResolver(repo).builtCommit(GovernanceCommands.ReleaseCommand.builtCommit(ctx, subject))
                .environment("production").central(central.central()).call();
    }

    @Command(name = "status", header = "Where a release stands in the rollout: each stage, its soak and its evidence.",
            description = "Exit 0; 2 for an unknown release.")
    static final class Status extends JsonCommand {
        @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The release.")
        String release;

        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "The release's git repository (its committed .release/policy.yaml).")
        Path repo;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            String[] nv = InspectCommand.parse(release);
            String subject = nv[0] + "@" + nv[1];
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                List<io.releasegate.ledger.Event> events = ctx.ledger().events(subject);
                if (events.isEmpty()) {
                    throw new InputException("the ledger knows nothing about " + subject);
                }
                Policy policy = stagePolicy(ctx, repo, centralPolicy, subject);
                RolloutStatus.Status s = RolloutStatus.of(policy, events, subject);
                StringBuilder text = new StringBuilder(subject + ": " + s.current().map(c -> "in " + c)
                        .orElse("not in production or any stage yet") + (policy.rollout().stages().isEmpty()
                        ? " (the policy declares no rollout stages)" : ""));
                ObjectNode doc = Json.object().put("release", subject);
                s.current().ifPresent(c -> doc.put("current", c));
                ArrayNode stages = doc.putArray("stages");
                for (RolloutStatus.StageStatus st : s.stages()) {
                    ObjectNode n = stages.addObject().put("stage", st.stage()).put("environment", st.environment())
                            .put("percent", st.percent());
                    st.promoted().ifPresent(p -> n.put("promoted", p.time().toString()).put("promotion", p.id())
                            .put("digest", p.digest().map(Object::toString).orElse("")));
                    st.soakUntil().ifPresent(u -> n.put("soakUntil", u.toString()));
                    st.evidenceRequired().forEach(k -> n.withArray("evidenceRequired").add(k));
                    ArrayNode rec = n.putArray("recorded");
                    text.append(String.format("%n  %-20s %3d%%  %s", st.environment(), st.percent(),
                            st.promoted().map(p -> "promoted " + p.time() + st.soakUntil().map(u -> ", soak until " + u).orElse(""))
                                    .orElse("not yet")));
                    if (!st.evidenceRequired().isEmpty()) {
                        text.append(String.format("%n      requires %s", st.evidenceRequired()));
                    }
                    for (RolloutStatus.Recorded r : st.recorded()) {
                        rec.addObject().put("kind", r.kind()).put("result", r.result()).put("actor", r.actor())
                                .put("time", r.time().toString()).put("event", r.eventId()).put("summary", r.summary());
                        text.append(String.format("%n      %-9s %-6s by %s at %s (event %s) %s", r.kind(), r.result(), r.actor(),
                                r.time(), r.eventId().substring(0, Math.min(12, r.eventId().length())), r.summary()));
                    }
                }
                print(out, text.toString(), doc);
                return 0;
            }
        }
    }

    @Command(name = "evidence", header = "Record a stage's verification evidence for the digest in it.",
            description = {"One of: --check -- CMD ARG... (run now, within --timeout; recorded with its exit",
                    "code and the digest and tail of its output; exit 1 when it fails), --dashboard URL,",
                    "or --checklist TEXT, signed with your own --event-key by a holder of an approval",
                    "role who neither wrote nor built the release (otherwise refused, exit 1,",
                    "rollout.checklist-*). Refused (exit 1, rollout.not-in-stage) when --digest is not",
                    "the digest in the stage. Unknown stage: exit 2."})
    static final class Evidence extends GovernanceCommands.ReleaseCommand {
        @Option(names = "--stage", required = true, paramLabel = "STAGE", description = "The stage, e.g. canary.")
        String stage;

        @Option(names = "--check", description = "Run the command given after -- and record its outcome.")
        boolean check;

        @Parameters(index = "1..*", paramLabel = "CMD", description = "With --check: the command and its arguments (no shell).")
        List<String> command = new ArrayList<>();

        @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "For --check. Default: ${DEFAULT-VALUE}.")
        long timeout;

        @Option(names = "--dashboard", paramLabel = "URL", description = "A link to the dashboard that was looked at.")
        String dashboard;

        @Option(names = "--checklist", paramLabel = "TEXT", description = "What was checked; signed by --actor with --event-key.")
        String checklist;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who records it. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            int kinds = (check ? 1 : 0) + (dashboard != null ? 1 : 0) + (checklist != null ? 1 : 0);
            if (kinds != 1) {
                throw new InputException("give exactly one of --check -- CMD..., --dashboard URL, --checklist TEXT");
            }
            if (check && command.isEmpty()) {
                throw new InputException("--check needs the command after --, e.g. --check -- ./smoke.sh canary");
            }
            if (!check && !command.isEmpty()) {
                throw new InputException("unexpected arguments " + command + " (a command goes with --check)");
            }
            if (timeout < 1) {
                throw new InputException("--timeout must be at least 1 second");
            }
            String subject = nv[0] + "@" + nv[1];
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Policy policy = policy(ctx, subject, "production");
                StageTarget.stage(policy, stage);
                StageEvidence.Kind kind;
                if (check) {
                    kind = new StageEvidence.Check(command, repo, Duration.ofSeconds(timeout));
                } else if (dashboard != null) {
                    try {
                        kind = new StageEvidence.Dashboard(new URI(dashboard));
                    } catch (URISyntaxException e) {
                        throw new InputException("--dashboard: not a URL: " + e.getMessage(), e);
                    }
                } else {
                    kind = new StageEvidence.Checklist(checklist);
                }
                StageEvidence ev = new StageEvidence(policy, ctx.ledger()).release(nv[0], nv[1]).digest(Optional.of(parsedDigest()))
                        .stage(stage).actor(actor).evidence(kind);
                if (kind instanceof StageEvidence.Checklist) {
                    ev.roles(RoleDirectory.resolve(policy, repo)).authors(authors(ctx, nv[0], nv[1]));
                }
                StageEvidence.Result r = ev.call();
                if (json) {
                    output.document(Json.object().put("release", subject).put("stage", r.target().stage().name())
                            .put("environment", r.target().environment()).put("digest", r.target().digest().toString())
                            .put("kind", r.kind()).put("passed", r.passed()).put("summary", r.summary()).put("event", r.event().id()));
                } else {
                    output.out().println((r.passed() ? "recorded " : "recorded, FAILED: ") + r.kind() + " of " + subject + " in "
                            + r.target().environment() + ": " + r.summary() + " (event " + r.event().id() + ")");
                    output.out().flush();
                }
                return r.passed() ? 0 : 1;
            }
        }
    }

    @Command(name = "check", header = "Run a stage's health checks for the digest in it; roll back on failure if asked.",
            description = {"Runs each of the stage's health checks (rollout.stages[].health: a command, no",
                    "shell, printing one number, compared with max/min, within its timeout) and records",
                    "the outcome. Exit 0 when all pass, 1 when one fails (it then blocks the next stage).",
                    "With --auto-rollback (or the policy's rollout.autoRollback) a failure rolls every",
                    "stage holding the digest back to the known-good release (promote --rollback), the",
                    "failed check recorded as the reason; without a known-good release that is refused",
                    "and said so (promote.rollback-known-good)."})
    static final class Check extends GovernanceCommands.ReleaseCommand {
        @Option(names = "--stage", required = true, paramLabel = "STAGE", description = "The stage, e.g. canary.")
        String stage;

        @Option(names = "--auto-rollback", description = "Roll back on a failure, whatever rollout.autoRollback says.")
        boolean autoRollback;

        @Option(names = "--incident", paramLabel = "ID", description = "The incident a rollback is recorded for. Default: the failed check's event.")
        String incident;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who runs them. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            String subject = nv[0] + "@" + nv[1];
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Policy policy = policy(ctx, subject, "production");
                StageHealth.Result r = new StageHealth(policy, ctx.store(), ctx.ledger()).release(nv[0], nv[1])
                        .digest(Optional.of(parsedDigest())).stage(stage).actor(actor).workdir(repo).autoRollback(autoRollback)
                        .incident(Optional.ofNullable(incident)).call();
                if (json) {
                    output.document(document(subject, r));
                } else {
                    output.out().println((r.passed() ? "healthy: " : "UNHEALTHY: ") + subject + " in " + r.target().environment()
                            + " (event " + r.event().id() + ")");
                    for (StageHealth.CheckOutcome c : r.checks()) {
                        output.out().println("  " + c.name() + ": " + c.value().map(java.math.BigDecimal::toPlainString).orElse("-")
                                + " (" + c.threshold() + ") " + (c.passed() ? "ok" : "FAILED: " + c.problem().orElse("")));
                    }
                    if (r.rollback() instanceof StageHealth.RolledBack b) {
                        b.promotions().forEach(p -> output.out().println("  " + p.describe() + " (" + b.knownGood() + ")"));
                        b.refused().forEach((env, why) -> why.forEach(w -> output.out().println("  rollback of " + env
                                + " refused by rule " + w.rule() + ": " + w.evidence() + "; to proceed: " + w.remedy())));
                    } else if (r.rollback() instanceof StageHealth.Refused no) {
                        no.refusals().forEach(w -> output.out().println("  no rollback: refused by rule " + w.rule() + ": "
                                + w.evidence() + "; to proceed: " + w.remedy()));
                    }
                    output.out().flush();
                }
                return r.passed() ? 0 : 1;
            }
        }

        static ObjectNode document(String subject, StageHealth.Result r) {
            ObjectNode doc = Json.object().put("release", subject).put("stage", r.target().stage().name())
                    .put("environment", r.target().environment()).put("digest", r.target().digest().toString())
                    .put("passed", r.passed()).put("summary", r.summary()).put("event", r.event().id());
            ArrayNode checks = doc.putArray("checks");
            for (StageHealth.CheckOutcome c : r.checks()) {
                ObjectNode n = checks.addObject().put("name", c.name()).put("threshold", c.threshold()).put("passed", c.passed());
                c.value().ifPresent(v -> n.put("value", v.toPlainString()));
                c.problem().ifPresent(p -> n.put("problem", p));
            }
            ObjectNode rb = doc.putObject("rollback");
            if (r.rollback() instanceof StageHealth.RolledBack b) {
                rb.put("state", "rolled-back").put("knownGood", b.knownGood()).put("digest", b.digest().toString());
                b.promotions().forEach(p -> rb.withArray("environments").add(p.environment()));
                b.refused().forEach((env, why) -> why.forEach(w -> rb.withArray("refused").addObject().put("environment", env)
                        .put("rule", w.rule()).put("evidence", w.evidence()).put("remedy", w.remedy())));
            } else if (r.rollback() instanceof StageHealth.Refused no) {
                rb.put("state", "refused");
                no.refusals().forEach(w -> rb.withArray("refused").addObject().put("rule", w.rule()).put("evidence", w.evidence())
                        .put("remedy", w.remedy()));
            } else {
                rb.put("state", "not-asked");
            }
            return doc;
        }
    }
}

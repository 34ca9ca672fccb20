package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.ReleaseHalt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** halt: stop every promotion past the first environment while an incident is handled, and lift it again. */
@Command(name = "halt", header = "Record, lift or show a release halt: while it stands, promotions are refused.", description = {"Record a release halt (APM2 step 17): while it stands, every promotion past the first",
        "environment is refused (promote.halted), except a rollback to a known-good digest. --lift lifts it, by someone",
        "other than whoever set it (halt.self-lift). Both are signed with the person's own --event-key.",
        "With neither --reason nor --lift: show the standing halt (exit 0 either way)."})
final class HaltCommand extends JsonCommand {

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the releases stop (or, with --lift, why they may go on).")
    String reason;

    @Option(names = "--incident", paramLabel = "ID", description = "The incident the halt answers, e.g. INC-7 (required to set one).")
    String incident;

    @Option(names = "--severity", paramLabel = "SEV", defaultValue = "",
            description = "The incident's severity, one of the policy's incidents.responseTime (default: sev1 … sev4).")
    String severity;

    @Option(names = "--lift", description = "Lift the standing halt.")
    boolean lift;

    @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
            description = "Who sets or lifts it. Default: $RELEASE_GATE_ACTOR, else the OS user.")
    String actor;

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
            description = "The repository whose .release/policy.yaml (over the central policy) holds the severity table.")
    Path repo;

    @Mixin
    CentralPolicyOptions centralPolicy;

    @Mixin
    CommonOptions common;

    @Override
    int run(CliOutput output) {
        Policy policy = centralPolicy.policy(repo, null);
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            java.time.Clock clock = java.time.Clock.systemUTC();
            Optional<Event> recorded = Optional.empty();
            if (lift) {
                recorded = Optional.of(ReleaseHalt.lift(ctx.ledger(), actor, reason, policy, clock));
            } else if (reason != null || incident != null) {
                recorded = Optional.of(ReleaseHalt.set(ctx.ledger(), actor, reason, incident, severity, policy, clock));
            }
            Optional<Event> standing = ReleaseHalt.active(ctx.ledger().events(ReleaseHalt.SUBJECT));
            ObjectNode doc = Json.object();
            recorded.ifPresent(e -> doc.put("event", e.id()).put("type", e.type()));
            standing.ifPresentOrElse(h -> doc.set("halt", describe(h, policy, clock)), () -> doc.putNull("halt"));
            print(output, recorded.map(e -> (lift ? "lifted: " : "halted: ") + "event " + e.id() + "\n").orElse("")
                    + standing.map(h -> ReleaseHalt.describe(h) + " stands").orElse("no release halt stands"), doc);
            return 0;
        }
    }

    /** The standing halt as JSON, with how far past its response time its incident is. */
    static ObjectNode describe(Event halt, Policy policy, java.time.Clock clock) {
        ObjectNode n = Json.object().put("event", halt.id()).put("actor", halt.actor()).put("time", halt.time().toString())
                .put("incident", halt.text("incident").orElse("")).put("reason", halt.text("reason").orElse(""));
        halt.text("severity").ifPresent(s -> n.put("severity", s));
        ReleaseHalt.overdue(halt, policy, clock.instant()).ifPresent(d -> n.put("overdueBy", d.toString()));
        return n;
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.History;
import io.releasegate.context.ReleaseContext;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import io.releasegate.train.Freeze;
import io.releasegate.train.TrainConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** freeze: record, lift or check a freeze of main, which one of the train's release managers approves. */
@Command(name = "freeze", header = "Record, lift or check a freeze of main: scope, dates and exit criteria, approved by a release manager.",
        description = {"Record a freeze of a branch (main by default) with its dates, the commit types that may still land",
                "(--allow, default fix,revert) and its exit criteria, signed by one of the release managers release-train.yaml",
                "names (with their own --event-key); --lift lifts it, saying how the exit criteria were met. Then, and with",
                "neither: check the branch (exit 1 with each finding): a commit of another type that landed during a freeze",
                "(freeze.violated; a merge brings in what it merges), a freeze past its last day that nobody lifted",
                "(freeze.expired). Lifting a freeze that was never recorded is refused (freeze.unrecorded)."})
final class FreezeCommand extends JsonCommand {

    @Option(names = "--branch", paramLabel = "REF", defaultValue = "main", description = "The branch. Default: main.")
    String branch;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "The freeze's first day (the train's time zone).")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "The freeze's last day.")
    LocalDate to;

    @Option(names = "--allow", paramLabel = "TYPES", defaultValue = "fix,revert",
            description = "Commit types that may still land, comma-separated. Default: fix,revert.")
    String allow;

    @Option(names = "--exit-criteria", paramLabel = "TEXT", description = "When the freeze ends (required to record one).")
    String exitCriteria;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (to record one), or how its exit criteria were met (--lift).")
    String reason;

    @Option(names = "--lift", description = "Lift the standing freeze of the branch.")
    boolean lift;

    @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
            description = "The release manager. Default: $RELEASE_GATE_ACTOR, else the OS user.")
    String actor;

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
            description = "The repository whose main declares the train (its release managers) and whose branch is checked.")
    Path repo;

    @Option(names = "--main", paramLabel = "REF", defaultValue = "main", description = "The trunk that declares the train. Default: main.")
    String main;

    @Mixin
    CentralPolicyOptions centralPolicy;

    @Mixin
    CommonOptions common;

    @Override
    int run(CliOutput out) {
        Policy policy = centralPolicy.policy(repo, null);
        Clock clock = Clock.systemUTC();
        try (History h = History.open(repo); ReleaseContext ctx = ReleaseContext.open(common.options())) {
            TrainConfig train = TrainConfig.onMain(h, main);
            Optional<Event> recorded = Optional.empty();
            if (lift) {
                recorded = Optional.of(Freeze.lift(ctx.ledger(), train, actor, branch, reason, policy, clock));
            } else if (from != null || to != null || exitCriteria != null || reason != null) {
                recorded = Optional.of(Freeze.declare(ctx.ledger(), train, actor, branch, from, to, Freeze.types(allow),
                        exitCriteria, reason, policy, clock));
            }
            List<Event> events = ctx.ledger().events(Freeze.SUBJECT);
            List<Freeze.Declared> standing = Freeze.standing(events, branch);
            List<Freeze.Violation> findings = Freeze.check(h, branch, branch, events, train.zone(), clock.instant());
            ObjectNode doc = Json.object().put("branch", branch).put("ok", findings.isEmpty());
            recorded.ifPresent(e -> doc.put("event", e.id()).put("type", e.type()));
            ArrayNode s = doc.putArray("standing");
            standing.forEach(d -> s.addObject().put("event", d.event().id()).put("from", d.from().toString())
                    .put("to", d.to().toString()).put("exitCriteria", d.exitCriteria()).put("actor", d.event().actor()));
            ArrayNode f = doc.putArray("findings");
            StringBuilder text = new StringBuilder();
            recorded.ifPresent(e -> text.append(lift ? "lifted: " : "frozen: ").append("event ").append(e.id()).append('\n'));
            standing.forEach(d -> text.append(d.describe()).append(" stands\n"));
            for (Freeze.Violation v : findings) {
                ObjectNode n = f.addObject().put("rule", v.rule()).put("message", v.message()).put("remedy", v.remedy());
                v.commit().ifPresent(c -> n.put("commit", c));
                text.append(v.rule()).append(": ").append(v.message()).append("; to proceed: ").append(v.remedy()).append('\n');
            }
            text.append(branch).append(": ").append(findings.isEmpty() ? (standing.isEmpty() ? "not frozen" : "frozen, nothing against it")
                    : findings.size() + " finding(s)");
            print(out, text.toString(), doc);
            return findings.isEmpty() ? 0 : 1;
        }
    }
}

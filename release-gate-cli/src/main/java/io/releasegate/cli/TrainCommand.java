package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.History;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.json.Json;
import io.releasegate.policy.ChangeWindows;
import io.releasegate.policy.Policy;
import io.releasegate.train.GoNoGo;
import io.releasegate.train.TrainConfig;
import io.releasegate.train.TrainCut;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** train: the release train main declares in release-train.yaml: its dates, its cut, its go/no-go. */
@Command(name = "train", header = "Release trains: the next trains' dates, the cut at the cutoff, the go/no-go.",
        description = {"Release trains, as main declares them in release-train.yaml (schema release-train-v1; docs/trains.md):",
                "plan prints the next trains' dates, cut creates release/X.Y at the cutoff and records it, go-no-go records the",
                "release manager's decision on one digest. Production of a release the train cut needs a go for its digest."},
        subcommands = {TrainCommand.Plan.class, TrainCommand.Cut.class, TrainCommand.Decide.class})
final class TrainCommand extends GroupCommand {

    @Command(name = "plan", description = {"Print the next trains: each one's id, cutoff, end of stabilization, go/no-go meeting",
            "and planned production time, and whether the production change window allows that time. Exit 1 when a planned",
            "production time falls outside the windows (train.window-misaligned), 2 on a bad train file."})
    static final class Plan extends JsonCommand {
        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".", description = "The repository whose main declares the train.")
        Path repo;

        @Option(names = "--main", paramLabel = "REF", defaultValue = "main", description = "The trunk. Default: main.")
        String main;

        @Option(names = "--count", paramLabel = "N", defaultValue = "4", description = "How many trains. Default: 4.")
        int count;

        @Option(names = "--from", paramLabel = "INSTANT", description = "From when (ISO 8601, e.g. 2026-12-01T00:00:00Z). Default: now.")
        Instant from;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Override
        int run(CliOutput out) {
            if (count < 1 || count > 100) {
                throw new InputException("--count is 1 to 100, not " + count);
            }
            TrainConfig train;
            try (History h = History.open(repo)) {
                train = TrainConfig.onMain(h, main);
            }
            Policy policy = centralPolicy.policy(repo, null);
            String production = policy.environments().get(policy.environments().size() - 1).name();
            ObjectNode doc = Json.object();
            ArrayNode trains = doc.putArray("trains");
            StringBuilder text = new StringBuilder("train " + train.train() + " (every " + train.cadenceDays() + " days, "
                    + train.zone() + "; captain " + train.captain() + ", release managers " + train.releaseManagers() + ")\n");
            int misaligned = 0;
            for (TrainConfig.Occurrence o : train.upcoming(from == null ? Instant.now() : from, count)) {
                Optional<Refusal> window = ChangeWindows.check(policy, production, o.production());
                misaligned += window.isPresent() ? 1 : 0;
                ObjectNode n = trains.addObject().put("id", o.id()).put("cutoff", o.cutoff().toString())
                        .put("stabilizationEnds", o.stabilizationEnds().toString()).put("goNoGo", o.goNoGo().toString())
                        .put("production", o.production().toString()).put("windowAligned", window.isEmpty());
                window.ifPresent(w -> n.put("window", w.rule() + ": " + w.evidence()));
                text.append(String.format(Locale.ROOT, "%s  cutoff %s  go/no-go %s  production %s%s%n", o.id(), local(o.cutoff(), train),
                        local(o.goNoGo(), train), local(o.production(), train),
                        window.map(w -> "  train.window-misaligned: " + w.evidence()).orElse("")));
            }
            doc.put("train", train.train()).put("timezone", train.zone().getId())
                    .put("releaseBranch", train.releaseBranch()).put("freezeMain", train.freezeMain());
            print(out, text.toString().stripTrailing(), doc);
            return misaligned == 0 ? 0 : 1;
        }
    }

    static String local(Instant i, TrainConfig t) {
        return i.atZone(t.zone()).toLocalDateTime().toString().replace('T', ' ');
    }

    @Command(name = "cut", description = {"At the cutoff of the current train: take main's last first-parent commit from",
            "before the cutoff (or --commit, which must be one), the version main releases there, create release/X.Y at it",
            "(unless the train skips release branches) and record the cut. Run again: finds it done. Refused (exit 1) before",
            "the cutoff, after the train's production time, at a commit after the cutoff or off main, with a stray",
            "release/X.Y, with nothing to release, or when the train freezes main and no freeze is recorded."})
    static final class Cut extends JsonCommand {
        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".", description = "The repository (the branch is created there).")
        Path repo;

        @Option(names = "--main", paramLabel = "REF", defaultValue = "main", description = "The trunk. Default: main.")
        String main;

        @Option(names = "--commit", paramLabel = "SHA", description = "The cutoff commit. Default: main's last one before the cutoff.")
        String commit;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who cuts. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            Policy policy = centralPolicy.policy(repo, null);
            try (History h = History.open(repo); ReleaseContext ctx = ReleaseContext.open(common.options())) {
                TrainConfig train = TrainConfig.onMain(h, main);
                TrainCut.Result r = new TrainCut(train, h, ctx.ledger(), policy).mainRef(main).commit(Optional.ofNullable(commit))
                        .actor(actor).clock(Clock.systemUTC()).call();
                ObjectNode doc = Json.object().put("train", r.train().id()).put("commit", r.commit()).put("version", r.version())
                        .put("line", r.line()).put("alreadyCut", r.alreadyCut()).put("event", r.event().id())
                        .put("goNoGo", r.train().goNoGo().toString()).put("production", r.train().production().toString());
                r.branch().ifPresentOrElse(b -> doc.put("branch", b), () -> doc.putNull("branch"));
                print(out, (r.alreadyCut() ? "already cut: " : "cut: ") + r.train().id() + " at " + r.commit().substring(0, 12)
                        + " -> " + r.branch().map(b -> b + " (push it: git push origin " + b + ")").orElse("no release branch")
                        + ", version " + r.version() + "; go/no-go " + local(r.train().goNoGo(), train) + ", production "
                        + local(r.train().production(), train) + " " + train.zone(), doc);
                return 0;
            }
        }
    }

    @Command(name = "go-no-go", description = {"Record the release manager's go or no-go for one digest of a train release, with",
            "the go/no-go checklist: items answered from evidence (candidate, gates, sbom-provenance, signatures, window, cut,",
            "freeze) and items the release manager answers with --answer ITEM=yes|no (known-issues, rollback-tested,",
            "support-ready, stakeholders-informed, release-notes). A go needs every item yes and a rollback plan.",
            "Signed with the release manager's own --event-key. Refused (exit 1): not a release manager, an author of the",
            "release, another digest, a go the checklist does not support; bad input (exit 2)."})
    static final class Decide extends GovernanceCommands.ReleaseCommand {
        @Option(names = "--decision", required = true, paramLabel = "go|no-go", description = "The decision.")
        String decision;

        @Option(names = "--actor", required = true, paramLabel = "ID", description = "The release manager deciding.")
        String actor;

        @Option(names = "--answer", paramLabel = "ITEM=yes|no", description = "An answer to a release manager's checklist item.")
        Map<String, String> answers = new LinkedHashMap<>();

        @Option(names = "--attendee", paramLabel = "ID", description = "Who attended (repeat). Default: the train's attendees.")
        List<String> attendees = new ArrayList<>();

        @Option(names = "--risk-accepted", paramLabel = "TEXT", description = "A risk accepted with the decision (repeat).")
        List<String> risks = new ArrayList<>();

        @Option(names = "--rollback-plan", paramLabel = "TEXT", description = "The rollback plan (required for a go).")
        String rollbackPlan;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (required for a no-go).")
        String reason;

        @Option(names = "--main", paramLabel = "REF", defaultValue = "main", description = "The trunk. Default: main.")
        String main;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            Map<String, Boolean> yes = new LinkedHashMap<>();
            answers.forEach((k, v) -> {
                String a = v.trim().toLowerCase(Locale.ROOT);
                if (!a.equals("yes") && !a.equals("no")) {
                    throw new InputException("--answer " + k + "=" + v + ": the answer is yes or no");
                }
                yes.put(k.trim(), a.equals("yes"));
            });
            try (ReleaseContext ctx = ReleaseContext.open(common.options()); History h = History.open(repoOf(nv[0]))) {
                TrainConfig train = TrainConfig.onMain(h, main);
                Policy policy = policy(ctx, nv[0] + "@" + nv[1], "production");
                GoNoGo.Result r = new GoNoGo(train, policy, ctx.ledger(), h).release(nv[0], nv[1]).digest(parsedDigest())
                        .decision(decision).actor(actor).answers(yes).attendees(attendees).risksAccepted(risks)
                        .rollbackPlan(rollbackPlan).reason(reason).authors(authors(ctx, nv[0], nv[1])).mainRef(main).call();
                ObjectNode doc = Json.object().put("decision", r.decision()).put("event", r.event().id());
                ArrayNode items = doc.putArray("checklist");
                StringBuilder text = new StringBuilder(r.decision() + " for " + release + " " + digest + " (event "
                        + r.event().id() + ")\n");
                for (GoNoGo.Item i : r.checklist()) {
                    items.addObject().put("item", i.id()).put("source", i.fromEvidence() ? "evidence" : "release-manager")
                            .put("answer", i.yes()).put("detail", i.detail());
                    text.append(String.format(Locale.ROOT, "  %-3s %-22s %s%n", i.yes() ? "yes" : "no", i.id(), i.detail()));
                }
                if (json) {
                    output.document(doc);
                } else {
                    output.out().print(text);
                    output.out().flush();
                }
                return 0;
            }
        }
    }
}

package io.releasegate.cli;

import io.releasegate.context.ReleaseContext;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.report.PipelineRun;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** record-run: one pipeline run's outcome, for the delivery report's CI pass rate. */
@Command(name = "record-run", header = "Record a pipeline run's outcome (branch, result, duration) for the delivery report.",
        description = {"Record a pipeline run's outcome as a 'pipeline-finished' event under pipeline:NAME, signed as the CI",
                "identity's: the branch it built, its result (SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT), its duration",
                "and, with --stage, each stage's. 'release-gate report' computes the CI pass rate per branch from them."})
final class RecordRunCommand extends JsonCommand {

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The service: the release name its builds use.")
    String name;

    @Option(names = "--branch", required = true, paramLabel = "BRANCH", description = "The branch the run built (main, release/1.4, …).")
    String branch;

    @Option(names = "--result", required = true, paramLabel = "RESULT",
            description = "How the run ended: SUCCESS, UNSTABLE, FAILURE, ABORTED or NOT_BUILT.")
    String result;

    @Option(names = "--duration-ms", required = true, paramLabel = "N", description = "How long the run took, in milliseconds.")
    long durationMs;

    @Option(names = "--stage", paramLabel = "NAME=MS", description = "A stage's duration in milliseconds (repeatable, in order).")
    Map<String, Long> stages = new LinkedHashMap<>();

    @Option(names = "--commit", paramLabel = "SHA", description = "The commit the run built.")
    String commit;

    @Option(names = "--run", paramLabel = "ID", description = "The run's identifier or URL (e.g. the Jenkins build URL).")
    String run;

    @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
            description = "Who records it (the CI identity). Default: $RELEASE_GATE_ACTOR, else the OS user.")
    String actor;

    @Mixin
    CommonOptions common;

    @Override
    int run(CliOutput output) {
        PipelineRun r = new PipelineRun(name, branch, PipelineRun.Result.parse(result), durationMs).stages(stages)
                .commit(Optional.ofNullable(commit)).run(Optional.ofNullable(run));
        r.payload(); // checked before the ledger is opened
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            Event e = r.record(ctx.ledger(), actor, java.time.Clock.systemUTC());
            print(output, "recorded " + r.result() + " of " + name + " on " + branch + ": event " + e.id(),
                    Json.object().put("event", e.id()).put("type", e.type()).put("subject", e.subject()));
            return 0;
        }
    }
}

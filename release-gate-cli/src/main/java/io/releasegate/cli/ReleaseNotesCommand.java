package io.releasegate.cli;

import io.releasegate.changelog.Changelog;
import io.releasegate.commits.History;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.notes.ReleaseNotes;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.scope.FlagScan;
import io.releasegate.scope.ReleaseRange;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "release-notes", header = "Write docs/releases/vX.Y.Z.md from the policy's template and the release record.", description = {"Write docs/releases/vX.Y.Z.md from the policy's template, filled from the",
        "release record and the changelog since the previous release, with the feature-flag registry's changes in that",
        "range (scope.flagRegistry). A required field that is empty stops it (exit 1), naming the field."})
final class ReleaseNotesCommand extends RepoCommand {

    @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The release.")
    String release;

    @Option(names = "--summary", paramLabel = "TEXT", description = "The release summary (required by the default template).")
    String summary;

    @Option(names = "--risks", paramLabel = "TEXT", description = "Risks and mitigations. Default: the Risk: trailers of the commits.")
    String risks;

    @Option(names = "--rollback-plan", paramLabel = "TEXT", description = "Rollback plan in words (needed when no earlier release is known-good).")
    String rollbackPlan;

    @Option(names = "--template", paramLabel = "FILE", description = "Markdown template. Default: the library's release-notes template.")
    Path template;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write. Default: <repo>/docs/releases/vX.Y.Z.md.")
    Path out;

    @Mixin
    CommonOptions common;

    @Mixin
    CentralPolicyOptions centralPolicy;

    @Override
    int run(History history, CliOutput output) throws IOException {
        String[] nv = InspectCommand.parse(release);
        ReleaseRecord record;
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            record = ReleaseRecordProjection.project(nv[0], nv[1], ctx.ledger().events(), ctx.ledger().location(),
                    ctx.ledger().head()).orElseThrow(() -> new InputException("the ledger has no record of " + release
                    + ": build it with build-once first"));
        }
        String to = record.source().commit().orElse("HEAD");
        Optional<String> previous = history.lastRelease(to, Optional.of(SemVer.parse(nv[1]))).map(History.ReleaseTag::name);
        Changelog.Result changelog = new Changelog(history).from(previous).to(to).version(Optional.of(nv[1]))
                .requireTickets(false).call();
        // the flag registry's changes in the same range, commit by commit (who, what, when, why)
        String toSha = history.resolve(to).name();
        Optional<String> fromSha = previous.map(t -> history.resolve(t).name());
        java.util.List<FlagScan.Change> flagChanges = new FlagScan(history.repository())
                .range(new ReleaseRange(fromSha, toSha, previous)).registry(centralPolicy.policy(repo, null).scope().flagRegistry())
                .changes();
        ReleaseNotes notes = new ReleaseNotes(record).changelog(changelog).summary(Optional.ofNullable(summary))
                .risks(Optional.ofNullable(risks)).rollbackPlan(Optional.ofNullable(rollbackPlan)).flagChanges(flagChanges);
        if (template != null) {
            notes.template(Files.readString(template));
        }
        String md = notes.render();
        Path target = out != null ? out : repo.resolve("docs/releases/v" + nv[1] + ".md");
        io.releasegate.files.AtomicFile.write(target, md.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (output.json()) {
            output.document(Json.object().put("file", target.toString()).put("markdown", md));
        } else {
            output.out().println("wrote " + target);
            output.out().flush();
        }
        return 0;
    }
}

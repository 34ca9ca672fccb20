package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.context.ReleaseContext;
import io.releasegate.demo.SampleProject;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.record.ReleaseRecords;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo",
        description = {"The main job: create a sample project (a real git repository with Conventional Commits and a",
                "built jar) and walk it through every Release Gate step, with the embedded store and ledger",
                "inside the project's .release-gate directory. Prints each step and the release record."})
final class DemoCommand implements Callable<Integer>, Main.JsonAware {

    static final String VERSION = "1.0.0";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where to create the sample project (missing or empty). Default: a new temporary directory.")
    Path dir;

    @Option(names = "--json", description = "Print the steps and the release record as JSON.")
    boolean json;

    @Mixin
    HelpOption help;

    private CliOutput output;
    private final ArrayNode steps = Json.mapper().createArrayNode();

    @Override
    public CliOutput output() {
        return output;
    }

    @Override
    public Integer call() throws IOException {
        output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        Path project = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("release-gate-demo-");
        SampleProject sample = SampleProject.create(project, Instant.parse("2026-11-02T09:00:00Z"));
        step("sample project", "git repository with " + sample.commits().size() + " Conventional Commits in " + project);

        String jar = sample.build(VERSION);
        step("build", "compiled and packaged " + jar);

        ReleaseContext.Options options = new ReleaseContext.Options("", "", project.resolve(".release-gate"),
                java.util.Optional.empty());
        try (ReleaseContext ctx = ReleaseContext.open(options)) {
            BuildResult built = new BuildOnce(ctx.store(), ctx.ledger()).name(SampleProject.NAME).version(VERSION)
                    .workspace(project).outputs(List.of("target/*.jar")).actor("ci").call();
            step("buildOnce", "published " + built.reference() + " as " + built.digest() + " (ledger event "
                    + built.eventId().substring(0, 12) + ")");

            BuildResult again = new BuildOnce(ctx.store(), ctx.ledger()).name(SampleProject.NAME).version(VERSION)
                    .workspace(project).outputs(List.of("target/*.jar")).actor("ci").call();
            if (again.outcome() != BuildResult.Outcome.ALREADY_PUBLISHED || !again.digest().equals(built.digest())) {
                throw new IllegalStateException("rebuilding identical content did not resolve to the same digest");
            }
            step("buildOnce again", "identical content: no change, same digest");

            Files.writeString(project.resolve("target/extra.txt"), "a file that was not in the release\n");
            try {
                new BuildOnce(ctx.store(), ctx.ledger()).name(SampleProject.NAME).version(VERSION)
                        .workspace(project).outputs(List.of("target/*.jar", "target/extra.txt")).actor("ci").call();
                throw new IllegalStateException("publishing different content under " + VERSION + " was not refused");
            } catch (RefusedException refused) {
                step("immutability", "different content under " + VERSION + " refused: " + refused.refusals().get(0).rule());
            } finally {
                Files.delete(project.resolve("target/extra.txt"));
            }

            ReleaseRecord record = ReleaseRecordProjection.project(SampleProject.NAME, VERSION, ctx.ledger().events(),
                    ctx.ledger().location(), ctx.ledger().head())
                    .orElseThrow(() -> new InputException("the ledger has no record of the demo build"));
            String recordJson = new ReleaseRecords().write(record);
            if (json) {
                ObjectNode doc = Json.object();
                doc.put("directory", project.toString());
                doc.set("steps", steps);
                doc.set("record", Json.mapper().readTree(recordJson));
                output.document(doc);
            } else {
                PrintWriter out = output.out();
                out.println();
                out.println("release record of " + SampleProject.NAME + "@" + VERSION + ":");
                out.print(recordJson);
                out.println();
                out.println("Try: cd " + project + " && git --git-dir=.release-gate/ledger.git log --stat");
                out.flush();
            }
        }
        return 0;
    }

    private void step(String name, String detail) {
        steps.addObject().put("step", name).put("result", detail);
        if (!json) {
            output.out().println("✔ " + name + ": " + detail);
            output.out().flush();
        }
    }
}

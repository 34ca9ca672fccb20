package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Subject;
import io.releasegate.json.Json;
import io.releasegate.steps.BuildOnceResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "build-once", sortOptions = false,
        description = {"Digest the build outputs, publish them as one OCI artifact NAME:VERSION and record a 'built' event.",
                "A version names one digest forever: the same content again is a no-op, other content is refused (exit 1)."},
        footer = {"%nExamples:",
                "  release-gate build-once --name payments --version 1.4.0 'target/*.jar'",
                "  release-gate build-once --name payments --version 1.4.0 --store oci://127.0.0.1:5000/team build/image-layout"})
final class BuildOnceCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Artifact name (an OCI repository name, e.g. payments).")
    String name;

    @Option(names = "--version", required = true, paramLabel = "VERSION", description = "SemVer 2.0 version, e.g. 1.4.0.")
    String version;

    @Option(names = "--workspace", paramLabel = "DIR", defaultValue = ".",
            description = "Directory the paths are relative to; nothing outside it is published. Default: current directory.")
    Path workspace;

    @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
            description = "Who runs the build. Default: $RELEASE_GATE_ACTOR, else the OS user.")
    String actor;

    @Option(names = "--expect-target", paramLabel = "NAME|GLOB",
            description = {"A target the release must ship (repeatable): a subject name, or a glob such as 'app-*-arm64.tar.gz'.",
                    "Recorded in the built event; while a target matches no subject, promotion to production is refused",
                    "and audit reports the release incomplete."})
    List<String> expectTargets = List.of();

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress display.")
    boolean quiet;

    @Mixin
    CommonOptions common;

    @Mixin
    HelpOption help;

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Build outputs: files, directories, globs (quote them) or one OCI image layout directory.")
    List<String> paths;

    private CliOutput output;

    @Override
    public CliOutput output() {
        return output;
    }

    @Override
    public Integer call() {
        output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            BuildResult r = new BuildOnce(ctx.store(), ctx.ledger())
                    .name(name).version(version).workspace(workspace).outputs(paths).expectTargets(expectTargets).actor(actor)
                    .progress(TerminalProgress.forTerminal(output.err(), !quiet && !json))
                    .call();
            if (json) {
                output.document(toJson(r));
            } else {
                var out = output.out();
                out.println((r.outcome() == BuildResult.Outcome.PUBLISHED ? "published " : "already published (no change) ")
                        + r.reference());
                out.println("  digest   " + r.digest());
                out.println("  store    " + r.store());
                out.println("  ledger   built event " + r.eventId() + " in " + ctx.ledger().location());
                r.commit().ifPresent(c -> out.println("  commit   " + c));
                out.println("  subjects (" + r.subjects().size() + ")");
                for (Subject s : r.subjects()) {
                    out.println("    " + s.digest() + "  " + s.name());
                }
                if (!r.missingTargets().isEmpty()) {
                    output.err().println("warning: " + r.name() + "@" + r.version() + " is incomplete: no subject for the expected "
                            + "target(s) " + String.join(", ", r.missingTargets()) + "; it cannot be promoted to production");
                }
                out.flush();
            }
            return 0;
        }
    }

    static ObjectNode toJson(BuildResult r) {
        return (ObjectNode) Json.tree(new BuildOnceResult(r).toMap());
    }
}

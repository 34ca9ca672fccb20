package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.sbom.Limits;
import io.releasegate.sbom.MavenRepositoryIndex;
import io.releasegate.sbom.SbomFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sbom", header = "SBOM in CycloneDX 1.6 and/or SPDX 2.3 JSON, schema-validated and deterministic.", description = {
        "SBOM in CycloneDX 1.6 and/or SPDX 2.3 JSON, validated against each format's schema, deterministic (SOURCE_DATE_EPOCH sets the timestamp).",
        "NAME@VERSION: the published release's archives (nested ones included), bound to the artifact digest; each document is stored as an OCI artifact referring to the release and recorded in the ledger.",
        "FILE...: the SBOM of a local file (or of several files together, named by --name), written with --out; nothing is stored or recorded.",
        "sbom diff A B: compare two SBOM files (see 'sbom diff --help').",
        "See docs/sbom.md."}, subcommands = SbomDiffCommand.class)
final class SbomCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    // 0..*: with 1..* picocli would ask for a target before running the 'diff' subcommand; call() requires one
    @Parameters(arity = "0..*", paramLabel = "NAME@VERSION|FILE", description = "A published release, or local files to catalog.")
    List<String> targets;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "both",
            description = "cyclonedx, spdx or both (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "DIR", description = "Write sbom.cdx.json and/or sbom.spdx.json here (complete files or none).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Files: the subject's name (required for several files; default: the file name).")
    String name;

    @Option(names = "--version", paramLabel = "VERSION", description = "Files: the subject's version.")
    String version;

    @Option(names = "--maven-repo", paramLabel = "DIR", defaultValue = "${env:RELEASE_GATE_MAVEN_REPO}",
            description = {"A Maven repository on disk (e.g. ~/.m2/repository, default $RELEASE_GATE_MAVEN_REPO): jars without",
                    "Maven metadata of their own are identified where it holds their exact bytes."})
    Path mavenRepo;

    @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}")
    String actor;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Mixin
    CommonOptions common;

    @Mixin
    HelpOption help;

    private CliOutput output;

    @Override
    public CliOutput output() {
        return output;
    }

    @Override
    public Integer call() throws Exception {
        output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        if (targets == null || targets.isEmpty()) {
            throw new InputException("Missing required parameter: 'NAME@VERSION|FILE' (a published release, or local files; "
                    + "or 'sbom diff A B')");
        }
        List<SbomFormat> formats = SbomFormat.parse(format);
        Optional<Instant> epoch = Optional.ofNullable(System.getenv("SOURCE_DATE_EPOCH")).map(s -> {
            try {
                return Instant.ofEpochSecond(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                throw new InputException("SOURCE_DATE_EPOCH must be seconds since 1970, not '" + s + "'");
            }
        });
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new InputException("--out " + out + " is not a directory");
        }
        boolean release = targets.size() == 1 && !Files.exists(Path.of(targets.get(0))) && targets.get(0).contains("@");
        return release ? release(formats, epoch) : files(formats, epoch);
    }

    private int release(List<SbomFormat> formats, Optional<Instant> epoch) {
        if (name != null || version != null) {
            throw new InputException("--name and --version describe local files; a release is named NAME@VERSION");
        }
        String[] nv = InspectCommand.parse(targets.get(0));
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            GenerateSbom.Result r = GenerateSbom.call(ctx.store(), ctx.ledger(), nv[0], nv[1], formats, epoch, Limits.defaults(),
                    mavenRepository(), actor, Clock.systemUTC());
            List<Path> written = out == null ? List.of()
                    : GenerateSbom.writeTo(out, r.documents().stream().map(GenerateSbom.Stored::document).toList());
            if (json) {
                ObjectNode doc = Json.object().put("subject", nv[0] + "@" + nv[1]).put("components", r.components());
                for (GenerateSbom.Stored s : r.documents()) {
                    document(doc, s.document()).put("referrer", s.referrer().toString()).put("event", s.eventId());
                }
                finish(doc, written, r.warnings());
            } else {
                for (GenerateSbom.Stored s : r.documents()) {
                    output.out().println(s.document().format().title() + " SBOM of " + nv[0] + "@" + nv[1] + ": " + r.components()
                            + " component(s), " + s.document().digest() + ", stored as " + s.referrer());
                }
                finish(null, written, r.warnings());
            }
            return 0;
        }
    }

    private int files(List<SbomFormat> formats, Optional<Instant> epoch) {
        List<Path> files = new ArrayList<>();
        for (String t : targets) {
            Path f = Path.of(t);
            if (!Files.isRegularFile(f)) {
                throw new InputException(t.contains("@") && !t.contains("/")
                        ? "'" + t + "' is neither a file nor, with other arguments, a release: give one NAME@VERSION or files"
                        : "no such file: " + t);
            }
            files.add(f);
        }
        if (out == null && !json) {
            throw new InputException("the SBOM of local files is not stored: give --out DIR (or --json to see the result)");
        }
        GenerateSbom.FilesResult r = GenerateSbom.ofFiles(files, Optional.ofNullable(name), Optional.ofNullable(version), formats,
                epoch, Limits.defaults(), mavenRepository());
        List<Path> written = out == null ? List.of() : GenerateSbom.writeTo(out, r.documents());
        if (json) {
            ObjectNode doc = Json.object().put("subject", r.subject().name()).put("subjectDigest", r.subject().digest().toString())
                    .put("components", r.components());
            r.documents().forEach(d -> document(doc, d));
            finish(doc, written, r.warnings());
        } else {
            for (GenerateSbom.Document d : r.documents()) {
                output.out().println(d.format().title() + " SBOM of " + r.subject().name() + " (" + r.subject().digest() + "): "
                        + r.components() + " component(s), " + d.digest());
            }
            finish(null, written, r.warnings());
        }
        return 0;
    }

    private Optional<MavenRepositoryIndex> mavenRepository() {
        return Optional.ofNullable(mavenRepo).map(MavenRepositoryIndex::of);
    }

    private static ObjectNode document(ObjectNode doc, GenerateSbom.Document d) {
        return doc.withArray("documents").addObject().put("format", d.format().id()).put("specVersion", d.format().specVersion())
                .put("mediaType", d.format().mediaType()).put("digest", d.digest().toString());
    }

    private void finish(ObjectNode doc, List<Path> written, List<String> warnings) {
        if (doc != null) {
            doc.putArray("written");
            written.forEach(p -> doc.withArray("written").add(p.toString()));
            doc.putArray("warnings");
            warnings.forEach(w -> doc.withArray("warnings").add(w));
            output.document(doc);
            return;
        }
        written.forEach(p -> output.out().println("  wrote " + p));
        warnings.forEach(w -> output.out().println("  warning: " + w));
        output.out().flush();
    }
}

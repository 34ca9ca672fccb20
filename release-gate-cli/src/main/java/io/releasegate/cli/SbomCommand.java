package io.releasegate.cli;

import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.sbom.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sbom", description = {"CycloneDX 1.6 SBOM of a published release's JVM archives (nested jars included), bound to",
        "the artifact digest, validated, stored as an OCI artifact referring to the release, and recorded.",
        "Deterministic: SOURCE_DATE_EPOCH sets the timestamp (default: the build's time)."})
final class SbomCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME@VERSION")
    String release;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write sbom.cdx.json here.")
    Path out;

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
        String[] nv = InspectCommand.parse(release);
        Optional<Instant> epoch = Optional.ofNullable(System.getenv("SOURCE_DATE_EPOCH")).map(s -> {
            try {
                return Instant.ofEpochSecond(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                throw new InputException("SOURCE_DATE_EPOCH must be seconds since 1970, not '" + s + "'");
            }
        });
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            GenerateSbom.Result r = GenerateSbom.call(ctx.store(), ctx.ledger(), nv[0], nv[1], epoch, Limits.defaults(),
                    actor, Clock.systemUTC());
            if (out != null) {
                Files.createDirectories(out);
                Files.write(out.resolve("sbom.cdx.json"), r.cyclonedx());
            }
            if (json) {
                var doc = Json.object().put("format", "cyclonedx").put("specVersion", "1.6").put("digest", r.sbomDigest().toString())
                        .put("referrer", r.referrer().toString()).put("components", r.components()).put("event", r.eventId());
                r.warnings().forEach(w -> doc.withArray("warnings").add(w));
                output.document(doc);
            } else {
                output.out().println("CycloneDX 1.6 SBOM of " + release + ": " + r.components() + " component(s), " + r.sbomDigest()
                        + ", stored as " + r.referrer());
                r.warnings().forEach(w -> output.out().println("  warning: " + w));
                output.out().flush();
            }
            return 0;
        }
    }
}

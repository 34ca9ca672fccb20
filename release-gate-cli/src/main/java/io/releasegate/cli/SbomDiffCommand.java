package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.gates.Finding;
import io.releasegate.policy.Policy;
import io.releasegate.sbom.SbomComponents;
import io.releasegate.sbom.SbomDiff;
import io.releasegate.scope.DependencyChanges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** sbom diff A B: what changed in the components of two SBOM files, under the policy's license and downgrade rules. */
@Command(name = "diff", header = "Compare two SBOM files (CycloneDX or SPDX JSON): added, removed, upgraded and downgraded components.",
        description = {"Compare two SBOM files, CycloneDX or SPDX JSON in any combination: components added, removed, upgraded,",
                "downgraded or relicensed, and licenses that are new. Under the policy, as gate deps judges a release (docs/scope.md):",
                "a new dependency or license is for review; a downgrade, or a change that brings a denied (or not allowed)",
                "license, blocks. Exit 0 when nothing blocks, 1 when something does, 2 when a file is not an SBOM."})
final class SbomDiffCommand extends JsonCommand {

    /** SBOM files larger than this are not read whole into memory. */
    private static final long MAX_BYTES = 512L << 20;

    @Parameters(index = "0", paramLabel = "A", description = "The earlier SBOM (e.g. the previous release's).")
    Path before;

    @Parameters(index = "1", paramLabel = "B", description = "The later SBOM.")
    Path after;

    @Option(names = "--policy", paramLabel = "FILE", description = "Team policy for the license rule. Default: ./.release/policy.yaml when present.")
    Path policyFile;

    @Mixin
    CentralPolicyOptions centralPolicy;

    @Override
    int run(CliOutput out) {
        SbomDiff d = SbomDiff.of(read(before), read(after));
        Policy policy = centralPolicy.policy(Path.of("."), policyFile);
        List<Finding> findings = DependencyChanges.findings(d, policy);
        Finding.Severity threshold = Finding.Severity.parse(policy.gates().blockAt());
        List<Finding> blocking = findings.stream().filter(f -> f.severity().blocksAt(threshold)).toList();
        if (out.json()) {
            ObjectNode doc = d.toJson().put("ok", blocking.isEmpty());
            ArrayNode fs = doc.putArray("findings");
            for (Finding f : findings) {
                fs.addObject().put("id", f.id()).put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT))
                        .put("blocking", blocking.contains(f)).put("title", f.title());
            }
            out.document(doc);
        } else {
            d.markdown().forEach(out.out()::println);
            for (Finding f : findings) {
                out.out().println((blocking.contains(f) ? "BLOCK  " : "review ") + f.id() + ": " + f.title());
            }
            out.out().println((blocking.isEmpty() ? "ok" : "fail") + ": " + d.changes().size() + " change(s) from " + before + " to "
                    + after + " (" + d.of(SbomDiff.Kind.ADDED).size() + " added, " + d.of(SbomDiff.Kind.REMOVED).size() + " removed, "
                    + d.of(SbomDiff.Kind.UPGRADED).size() + " upgraded, " + d.of(SbomDiff.Kind.DOWNGRADED).size() + " downgraded), "
                    + d.unchanged() + " unchanged, " + blocking.size() + " blocking");
            out.out().flush();
        }
        return blocking.isEmpty() ? 0 : 1;
    }

    private static SbomComponents.Document read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new InputException("no such SBOM file: " + file);
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new InputException(file + " is larger than " + MAX_BYTES + " bytes: not an SBOM this command reads");
            }
            return SbomComponents.read(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

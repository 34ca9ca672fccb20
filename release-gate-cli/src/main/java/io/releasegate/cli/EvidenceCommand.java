package io.releasegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.evidence.EvidenceExport;
import io.releasegate.evidence.EvidenceVerify;
import io.releasegate.json.Json;
import io.releasegate.signing.KeySigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "evidence", header = "Export the evidence bundle of a release, or verify one offline.",
        description = {"Export the evidence bundle of NAME@VERSION: one deterministic tar holding the release record, the artifact",
                "manifest and its subjects' digests, both SBOMs, the provenance envelope, every recorded signature, certificate and",
                "Sigstore bundle, the signed tag object, the gate reports, exceptions used, approvals, promotions, verify-production",
                "outcomes and the ledger's history as a git bundle, with INDEX.json (every file's SHA-256 and the required evidence",
                "that is missing) signed with the release key, and INDEX.md. Check it offline with `evidence verify`."},
        subcommands = EvidenceCommand.Verify.class)
final class EvidenceCommand extends JsonCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME@VERSION", description = "The release.")
    String reference;

    @Option(names = "--out", paramLabel = "FILE", description = "The bundle to write (a tar; written whole or not at all).")
    Path out;

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
            description = "The git repository holding the release tag. Default: the current directory.")
    Path repo;

    @ArgGroup(exclusive = false, multiplicity = "0..1")
    KeyOptions key;

    @Mixin
    CommonOptions common;

    @Override
    int run(CliOutput output) {
        if (reference == null || out == null || key == null) {
            throw new InputException("usage: evidence NAME@VERSION --out FILE --key KEY (or evidence verify FILE --public-key PUB.pem)");
        }
        String[] nv = InspectCommand.parse(reference);
        Path target = out.toAbsolutePath();
        if (!Files.isDirectory(target.getParent())) {
            throw new InputException("the directory of --out does not exist: " + target.getParent());
        }
        KeySigner signer = key.signer();
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            Optional<Path> tagRepo = Files.exists(repo.resolve(".git")) || Files.exists(repo.resolve("HEAD")) ? Optional.of(repo)
                    : Optional.empty();
            EvidenceExport.Exported exported = new EvidenceExport(ctx.store(), ctx.ledger()).release(nv[0], nv[1])
                    .repository(tagRepo).signer(signer).call();
            byte[] archive = exported.archive();
            io.releasegate.files.AtomicFile.write(target, archive);
            ObjectNode doc = Json.object().put("bundle", target.toString()).put("sha256", Digester.of(archive).hex())
                    .put("size", archive.length);
            doc.set("index", exported.index());
            if (output.json()) {
                output.document(doc);
            } else {
                PrintWriter w = output.out();
                JsonNode index = exported.index();
                w.println("exported " + index.path("release").asText() + " to " + target);
                w.println("  sha256   " + Digester.of(archive).hex());
                w.println("  files    " + index.path("files").size() + " (+ INDEX.json, INDEX.json.sig)");
                w.println("  ledger   " + index.path("ledger").path("size").asInt() + " commits up to " + index.path("ledger").path("tip").asText());
                for (JsonNode m : index.path("missing")) {
                    w.println("  MISSING  " + m.path("evidence").asText() + ": " + m.path("reason").asText());
                }
                w.flush();
            }
            return 0;
        }
    }

    @Command(name = "verify",
            description = {"Check an evidence bundle offline: the archive's canonical form, the index's signature with the release",
                    "key's public key, every file against the index's SHA-256, the ledger bundle's chain of commits, every event",
                    "file against its commit and the release record against the projection of the bundle's events. Any altered",
                    "byte is refused naming the file (exit 1)."})
    static final class Verify extends JsonCommand {

        @Parameters(index = "0", paramLabel = "FILE", description = "The evidence bundle.")
        Path file;

        @Option(names = "--public-key", required = true, paramLabel = "PUB.pem",
                description = "The release key's public key (PEM SPKI, PEM PKCS#1 RSA or OpenSSH).")
        Path publicKey;

        @Override
        int run(CliOutput output) {
            PublicKey key = KeySigner.publicKey(publicKey);
            byte[] archive;
            try {
                archive = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new InputException("file not found: " + file, e);
            } catch (IOException e) {
                throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
            }
            EvidenceVerify.Verified v = EvidenceVerify.verify(archive, key);
            if (output.json()) {
                ObjectNode doc = Json.object().put("bundle", file.toString()).put("verified", true)
                        .put("release", v.index().path("release").asText());
                v.checks().forEach(doc.putArray("checks")::add);
                v.notes().forEach(doc.putArray("notes")::add);
                doc.set("missing", v.index().path("missing"));
                output.document(doc);
            } else {
                PrintWriter w = output.out();
                w.println("verified evidence of " + v.index().path("release").asText() + " (" + file + ")");
                v.checks().forEach(c -> w.println("  ok       " + c));
                v.notes().forEach(n -> w.println("  note     " + n));
                for (JsonNode m : v.index().path("missing")) {
                    w.println("  MISSING  " + m.path("evidence").asText() + ": " + m.path("reason").asText());
                }
                w.flush();
            }
            return 0;
        }
    }
}

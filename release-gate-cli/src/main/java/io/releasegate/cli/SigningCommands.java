package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.provenance.Provenance;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** sign, verify and provenance with a managed ECDSA P-256 key. */
final class SigningCommands {

    private SigningCommands() {
    }

    @Command(name = "sign", description = {"Sign files (writes FILE.sig: base64 DER ECDSA over SHA-256, as cosign does) or, with",
            "--release, the artifact of a release (its manifest bytes), recording a 'signed' event."})
    static final class Sign extends JsonCommand {

        @Option(names = "--key", required = true, paramLabel = "KEY.pem", description = "PKCS#8 PEM EC P-256 private key.")
        Path key;

        @Option(names = "--public-key", paramLabel = "PUB.pem", description = "Its public key (required with --release; checked to match).")
        Path publicKey;

        @Option(names = "--release", paramLabel = "NAME@VERSION", description = "Sign the release's artifact instead of files.")
        String release;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}")
        String actor;

        @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files to sign.")
        List<Path> files = new ArrayList<>();

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            KeySigner signer = KeySigner.fromPem(key);
            if (release != null) {
                if (publicKey == null) {
                    throw new InputException("--release needs --public-key (recorded with the signature)");
                }
                String[] nv = InspectCommand.parse(release);
                try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                    Event e = ReleaseSignatures.sign(ctx.store(), ctx.ledger(), nv[0], nv[1], signer, KeySigner.publicKey(publicKey),
                            actor, Clock.systemUTC());
                    print(out, "signed " + release + " " + e.digest().orElseThrow() + " (event " + e.id() + ")",
                            Json.object().put("release", release).put("digest", e.digest().orElseThrow().toString()).put("event", e.id()));
                }
            } else {
                if (files.isEmpty()) {
                    throw new InputException("name the files to sign, or --release NAME@VERSION");
                }
                var sigs = Json.mapper().createArrayNode();
                StringBuilder text = new StringBuilder();
                for (Path f : files) {
                    Path sig = signer.signFile(f);
                    sigs.add(sig.toString());
                    text.append(text.length() == 0 ? "" : "\n").append("wrote ").append(sig);
                }
                print(out, text.toString(), Json.object().set("signatures", sigs));
            }
            return 0;
        }
    }

    @Command(name = "verify", description = {"Verify FILE against FILE.sig (or --signature) with a public key, or, with --release,",
            "the recorded signatures of a release's artifact (recording the outcome). Exit 1 when verification fails."})
    static final class Verify extends JsonCommand {

        @Option(names = "--key", required = true, paramLabel = "PUB.pem", description = "PEM EC P-256 public key.")
        Path key;

        @Option(names = "--signature", paramLabel = "FILE.sig", description = "Default: FILE.sig next to FILE.")
        Path signature;

        @Option(names = "--release", paramLabel = "NAME@VERSION", description = "Verify a release's artifact signatures.")
        String release;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}")
        String actor;

        @Parameters(paramLabel = "FILE", arity = "0..1")
        Path file;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) throws IOException {
            PublicKey pub = KeySigner.publicKey(key);
            if (release != null) {
                String[] nv = InspectCommand.parse(release);
                try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                    Event e = ReleaseSignatures.verify(ctx.store(), ctx.ledger(), nv[0], nv[1], pub, actor, Clock.systemUTC());
                    print(out, "verified " + release + " " + e.digest().orElseThrow(), Json.object().put("verified", true)
                            .put("release", release).put("digest", e.digest().orElseThrow().toString()).put("event", e.id()));
                    return 0;
                }
            }
            if (file == null) {
                throw new InputException("name the FILE to verify, or --release NAME@VERSION");
            }
            Path sigFile = signature != null ? signature : file.resolveSibling(file.getFileName() + ".sig");
            byte[] sig;
            byte[] data;
            try {
                sig = Base64.getDecoder().decode(Files.readString(sigFile).trim());
                data = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new RefusedException(new Refusal("signature.missing", e.getFile() + " does not exist",
                        "sign the file (release-gate sign --key KEY.pem " + file + ")"));
            } catch (IllegalArgumentException e) {
                throw new RefusedException(new Refusal("signature.malformed", sigFile + " is not base64", "re-sign the file"));
            }
            if (!KeySigner.verify(pub, data, sig)) {
                throw new RefusedException(new Refusal("signature.mismatch", file + " does not match " + sigFile + " under key "
                        + ReleaseSignatures.fingerprint(pub), "the file or signature was altered, or another key signed it"));
            }
            print(out, "verified " + file, Json.object().put("verified", true).put("file", file.toString()));
            return 0;
        }
    }

    @Command(name = "provenance", description = "SLSA Provenance v1 for a release, in a DSSE envelope signed with --key; records it.")
    static final class ProvenanceCommand extends JsonCommand {

        @Parameters(index = "0", paramLabel = "NAME@VERSION")
        String release;

        @Option(names = "--key", required = true, paramLabel = "KEY.pem")
        Path key;

        @Option(names = "--out", paramLabel = "FILE", description = "Where to write the envelope. Default: stdout.")
        Path out;

        @Option(names = "--repository", defaultValue = "${env:GIT_URL:-unknown}")
        String repository;

        @Option(names = "--ref", defaultValue = "${env:BRANCH_NAME:-unknown}")
        String ref;

        @Option(names = "--jenkinsfile", defaultValue = "Jenkinsfile")
        String jenkinsfile;

        @Option(names = "--library-name", defaultValue = "golden")
        String libraryName;

        @Option(names = "--library-version", defaultValue = "${env:RELEASE_GATE_LIBRARY_VERSION:-unknown}",
                description = "Ref the pipeline library was loaded from; production refuses anything but a vX.Y.Z tag or a full "
                        + "commit SHA unless the policy sets library.allowUnpinned. Default: $RELEASE_GATE_LIBRARY_VERSION, else unknown.")
        String libraryVersion;

        @Option(names = "--builder-id", defaultValue = "${env:JOB_URL:-local}")
        String builderId;

        @Option(names = "--invocation-id", defaultValue = "${env:BUILD_URL:-local}")
        String invocationId;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}")
        String actor;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput output) throws IOException {
            String[] nv = InspectCommand.parse(release);
            Instant now = Instant.now();
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                ObjectNode env = Provenance.generate(ctx.store(), ctx.ledger(), nv[0], nv[1], new Provenance.Build(repository, ref, jenkinsfile,
                        libraryName, libraryVersion, Optional.empty(), builderId, invocationId, now, now), KeySigner.fromPem(key),
                        "release-key", actor, Clock.systemUTC());
                if (out != null) {
                    Files.writeString(out, Json.pretty(env));
                    print(output, "wrote " + out, Json.object().put("file", out.toString()));
                } else {
                    output.document(env);
                }
                return 0;
            }
        }
    }
}

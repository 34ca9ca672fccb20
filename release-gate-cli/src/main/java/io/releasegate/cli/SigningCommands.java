package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.provenance.Provenance;
import io.releasegate.signing.CertificateSigner;
import io.releasegate.signing.CertificateVerifier;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.signing.SignatureCheckFailed;
import io.releasegate.signing.SigningCertificates;
import io.releasegate.signing.TransparencyLog;
import io.releasegate.signing.TrustRoot;
import io.releasegate.verify.VerifyRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
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

/** sign, verify and provenance with a key file or a key in a PKCS#11 token. */
final class SigningCommands {

    private SigningCommands() {
    }

    @Command(name = "sign", header = "Sign files, or the artifact of a release, with a key or a certificate.", description = {"Sign files (writes FILE.sig: the base64 signature, as cosign makes it with the key) or, with",
            "--release, the artifact of a release (its manifest bytes), recording a 'signed' event.",
            "With --certificate also FILE.pem (the leaf certificate) and FILE.bundle (Sigstore bundle v0.3), the entry",
            "appended to the transparency log of --tlog when given; for a release the bundle is stored as a referrer."})
    static final class Sign extends JsonCommand {

        @Mixin
        KeyOptions key;

        @Option(names = "--certificate", paramLabel = "CERT.pem", description = "The signing certificate (its key must be --key).")
        Path certificate;

        @Option(names = "--chain", paramLabel = "CHAIN.pem", description = "The issuing CA chain (intermediates first); checked to issue the certificate.")
        Path chain;

        @Option(names = "--tlog", paramLabel = "DIR", description = "Append each signature to this transparency log (see 'tlog-init').")
        Path tlog;

        @Option(names = "--public-key", paramLabel = "PUB.pem", description = {"Its public key, checked to match and recorded with --release",
                "(needed there unless the key's source holds it: SEC1 and PKCS#1 files, a token's certificate)."})
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
            KeySigner signer = key.signer();
            if (certificate == null && (chain != null || tlog != null)) {
                throw new InputException("--chain and --tlog need --certificate");
            }
            if (certificate != null) {
                return signWithCertificate(out, signer);
            }
            if (release != null) {
                if (publicKey == null && signer.publicKey().isEmpty()) {
                    throw new InputException("--release needs --public-key (recorded with the signature)");
                }
                PublicKey pub = publicKey != null ? KeySigner.publicKey(publicKey) : signer.publicKey().orElseThrow();
                String[] nv = InspectCommand.parse(release);
                try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                    Event e = ReleaseSignatures.sign(ctx.store(), ctx.ledger(), nv[0], nv[1], signer, pub, actor, Clock.systemUTC());
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

        private int signWithCertificate(CliOutput out, KeySigner signer) {
            List<X509Certificate> certs = SigningCertificates.read(certificate);
            List<X509Certificate> chainCerts = chain == null ? List.of() : SigningCertificates.read(chain);
            Optional<TransparencyLog> log = Optional.ofNullable(tlog).map(TransparencyLog::open);
            CertificateSigner cs = new CertificateSigner(signer, certs.get(0), chainCerts, log);
            if (release != null) {
                String[] nv = InspectCommand.parse(release);
                try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                    Event e = ReleaseSignatures.signWithCertificate(ctx.store(), ctx.ledger(), nv[0], nv[1], cs, actor, Clock.systemUTC());
                    ObjectNode doc = Json.object().put("release", release).put("digest", e.digest().orElseThrow().toString())
                            .put("event", e.id()).put("bundle", e.payload().path("reference").asText());
                    if (e.payload().has("logIndex")) {
                        doc.put("logIndex", e.payload().path("logIndex").asLong());
                    }
                    print(out, "signed " + release + " " + e.digest().orElseThrow() + " (event " + e.id() + ", bundle "
                            + e.payload().path("reference").asText() + ")", doc);
                }
                return 0;
            }
            if (files.isEmpty()) {
                throw new InputException("name the files to sign, or --release NAME@VERSION");
            }
            var arr = Json.mapper().createArrayNode();
            StringBuilder text = new StringBuilder();
            for (CertificateSigner.Written w : cs.signFiles(files, Instant.now())) {
                ObjectNode o = arr.addObject().put("file", w.file().toString()).put("signature", w.signature().toString())
                        .put("certificate", w.certificate().toString()).put("bundle", w.bundle().toString());
                w.logIndex().ifPresent(i -> o.put("logIndex", i));
                text.append(text.length() == 0 ? "" : "\n").append("wrote ").append(w.signature()).append(", ").append(w.certificate())
                        .append(", ").append(w.bundle()).append(w.logIndex().map(i -> " (log index " + i + ")").orElse(""));
            }
            print(out, text.toString(), Json.object().set("signed", arr));
            return 0;
        }
    }

    @Command(name = "verify", header = "Verify a file's signature, or the recorded signatures of a release.", description = {"Verify FILE against FILE.sig (or --signature) with a public key, or, with --release,",
            "the recorded signatures of a release's artifact (recording the outcome). Exit 1 when verification fails.",
            "With --certificate-identity[-regexp], --certificate-oidc-issuer and --trusted-root: a certificate signature",
            "(FILE.bundle, else FILE.sig and FILE.pem), checked against the trust root; see docs/signing.md."})
    static final class Verify extends JsonCommand {

        @Option(names = "--key", paramLabel = "PUB", description = {"The public key: PEM SubjectPublicKeyInfo, PEM PKCS#1 RSA, or an",
                "OpenSSH public key (ECDSA P-256/P-384, RSA >= 2048, Ed25519)."})
        Path key;

        @Option(names = "--certificate-identity", paramLabel = "ID", description = "The signer's email or URI (certificate SAN), exactly.")
        String identity;

        @Option(names = "--certificate-identity-regexp", paramLabel = "RE", description = "A regular expression the whole SAN must match.")
        String identityRegexp;

        @Option(names = "--certificate-oidc-issuer", paramLabel = "URL", description = "The OIDC issuer the certificate must name.")
        String issuer;

        @Option(names = "--trusted-root", paramLabel = "FILE", description = "Sigstore trusted_root.json, or a PEM bundle of CA certificates.")
        Path trustedRoot;

        @Option(names = "--certificate", paramLabel = "FILE.pem", description = "Default: FILE.pem next to FILE (without a bundle).")
        Path certificate;

        @Option(names = "--bundle", paramLabel = "FILE.bundle", description = "Default: FILE.bundle next to FILE when it exists.")
        Path bundle;

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
            boolean certMode = identity != null || identityRegexp != null;
            if (certMode == (key != null)) {
                throw new InputException("give either --key, or --certificate-identity / --certificate-identity-regexp");
            }
            if (certMode) {
                return verifyCertificate(out);
            }
            if (certificate != null || bundle != null || trustedRoot != null || issuer != null) {
                throw new InputException("--certificate, --bundle, --trusted-root and --certificate-oidc-issuer need a certificate identity");
            }
            PublicKey pub = KeySigner.publicKey(key);
            if (release != null) {
                String[] nv = InspectCommand.parse(release);
                try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                    Event e = new VerifyRelease(ctx.store(), ctx.ledger()).release(nv[0], nv[1]).key(pub).actor(actor)
                            .clock(Clock.systemUTC()).call().signature();
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
            printLazily(out, "verified " + file, () -> Json.object().put("verified", true).put("file", file.toString()));
            return 0;
        }

        private int verifyCertificate(CliOutput out) {
            if (identity != null && identityRegexp != null) {
                throw new InputException("give only one of --certificate-identity and --certificate-identity-regexp");
            }
            if (issuer == null) {
                throw new InputException("--certificate-oidc-issuer is required with a certificate identity");
            }
            if (trustedRoot == null) {
                throw new InputException("--trusted-root is required with a certificate identity");
            }
            CertificateVerifier.Policy policy = identity != null ? CertificateVerifier.Policy.exact(identity, issuer)
                    : CertificateVerifier.Policy.regexp(identityRegexp, issuer);
            TrustRoot root = TrustRoot.load(trustedRoot);
            if (release != null) {
                String[] nv = InspectCommand.parse(release);
                try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                    Event e = new VerifyRelease(ctx.store(), ctx.ledger()).release(nv[0], nv[1]).certificate(policy, root)
                            .actor(actor).clock(Clock.systemUTC()).call().signature();
                    print(out, "verified " + release + " " + e.digest().orElseThrow() + ", signed by " + e.payload().path("identity").asText(),
                            Json.object().put("verified", true).put("release", release).put("digest", e.digest().orElseThrow().toString())
                                    .put("identity", e.payload().path("identity").asText()).put("event", e.id()));
                    return 0;
                }
            }
            if (file == null) {
                throw new InputException("name the FILE to verify, or --release NAME@VERSION");
            }
            CertificateVerifier.Verified v;
            try {
                v = CertificateVerifier.verifyFile(file, Optional.ofNullable(signature), Optional.ofNullable(certificate),
                        Optional.ofNullable(bundle), policy, root, Instant.now());
            } catch (SignatureCheckFailed e) {
                throw new RefusedException(new Refusal(e.check(), e.getMessage().substring(e.check().length() + 2),
                        "sign exactly this file with a certificate for the expected identity, issued by a trusted CA"));
            }
            ObjectNode doc = Json.object().put("verified", true).put("file", file.toString()).put("identity", v.identity())
                    .put("issuer", v.issuer()).put("signingTime", v.signingTime().toString())
                    .put("signingTimeSource", v.timeFromLog() ? "tlog" : "now").put("authority", v.authority());
            var idx = doc.putArray("logIndexes");
            v.logIndexes().forEach(idx::add);
            print(out, "verified " + file + ": signed by " + v.identity() + " (" + v.issuer() + ") at " + v.signingTime()
                    + (v.timeFromLog() ? " (log)" : ""), doc);
            return 0;
        }
    }

    @Command(name = "tlog-init", header = "Create a local transparency log for 'sign --tlog DIR'.", description = {"Create a local transparency log in DIR (key, origin, empty tree) for 'sign --tlog DIR';",
            "prints the 'tlogs' entry to add to a trusted_root.json."})
    static final class TlogInit extends JsonCommand {

        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--origin", required = true, paramLabel = "HOST", description = "The log's name (host of its base URL; signs its checkpoints).")
        String origin;

        @Override
        int run(CliOutput out) {
            TransparencyLog log = TransparencyLog.create(dir, origin);
            out.document(log.trustedRootEntry(Instant.now()));
            return 0;
        }
    }

    @Command(name = "provenance", description = "SLSA Provenance v1 for a release, in a DSSE envelope signed with --key; records it.")
    static final class ProvenanceCommand extends JsonCommand {

        @Parameters(index = "0", paramLabel = "NAME@VERSION")
        String release;

        @Mixin
        KeyOptions key;

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
            KeySigner signer = key.signer();
            Instant now = Instant.now();
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                ObjectNode env = Provenance.generate(ctx.store(), ctx.ledger(), nv[0], nv[1], new Provenance.Build(repository, ref, jenkinsfile,
                        libraryName, libraryVersion, Optional.empty(), builderId, invocationId, now, now), signer,
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

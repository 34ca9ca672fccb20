package io.releasegate.signing;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Verifies a certificate-based (Sigstore-style) signature of an artifact digest, failing closed on the first check
 * that does not hold, in this order, each with its own reason ({@link SignatureCheckFailed#check()}):
 * <ol>
 *   <li>{@code bundle.digest}: the bundle's message digest is the artifact's;</li>
 *   <li>{@code signature.mismatch}: the signature verifies over the artifact digest with the certificate's key;</li>
 *   <li>{@code tlog.*} for each transparency log entry: the log is trusted ({@code tlog.unknown-log}), its body is
 *   this artifact, certificate and signature ({@code tlog.body}), the signed entry timestamp verifies
 *   ({@code tlog.set}), the inclusion proof recomputes to its root ({@code tlog.inclusion-proof}), the checkpoint
 *   commits to that root and is signed by the log ({@code tlog.checkpoint});</li>
 *   <li>{@code certificate.expired} / {@code certificate.not-yet-valid}: the certificate was valid at signing time,
 *   which is the integrated time of a log entry whose signed entry timestamp verified, else the verification time;</li>
 *   <li>{@code certificate.untrusted}: it chains to a CA of the trust root valid at that time (PKIX, no revocation);</li>
 *   <li>{@code certificate.identity}: a SAN email or URI equals the identity, or matches the regular expression;</li>
 *   <li>{@code certificate.issuer}: the Fulcio OIDC issuer extension equals the expected issuer.</li>
 * </ol>
 */
public final class CertificateVerifier {

    /** Who must have signed: an exact identity or a regular expression over the SAN, and the OIDC issuer. */
    public record Policy(Optional<String> identity, Optional<Pattern> identityRegexp, String issuer) {
        public Policy {
            if (identity.isPresent() == identityRegexp.isPresent()) {
                throw new InputException("give exactly one of --certificate-identity and --certificate-identity-regexp");
            }
            if (issuer == null || issuer.isBlank()) {
                throw new InputException("--certificate-oidc-issuer is required with a certificate identity");
            }
        }

        public static Policy exact(String identity, String issuer) {
            return new Policy(Optional.of(identity), Optional.empty(), issuer);
        }

        public static Policy regexp(String regexp, String issuer) {
            try {
                return new Policy(Optional.empty(), Optional.of(Pattern.compile(regexp)), issuer);
            } catch (PatternSyntaxException e) {
                throw new InputException("--certificate-identity-regexp is not a valid regular expression: " + e.getDescription(), e);
            }
        }

        String describe() {
            return identity.map(i -> "'" + i + "'").orElseGet(() -> "/" + identityRegexp.orElseThrow().pattern() + "/");
        }
    }

    /** The evidence of one signature: artifact digest, signature, leaf certificate, the bundle's digest and log entries. */
    public record Evidence(byte[] artifactSha256, byte[] signature, X509Certificate certificate, Optional<byte[]> bundleDigest,
                           List<JsonNode> tlogEntries) {
        public Evidence {
            tlogEntries = List.copyOf(tlogEntries);
        }
    }

    /** A verified signature: who signed, when (and whether the time came from a log), which CA and log entries. */
    public record Verified(String identity, String issuer, Instant signingTime, boolean timeFromLog, String authority,
                           List<Long> logIndexes) {
        public Verified {
            logIndexes = List.copyOf(logIndexes);
        }
    }

    private CertificateVerifier() {
    }

    /**
     * Verifies {@code artifact} from files: the bundle ({@code --bundle}, else FILE.bundle when it exists) or else the
     * signature ({@code --signature}, else FILE.sig) and certificate ({@code --certificate}, else FILE.pem). A missing
     * signature, certificate or named bundle fails ({@code signature.missing}, {@code certificate.missing},
     * {@code bundle.missing}); a signature or certificate given beside a bundle must be the bundle's.
     */
    public static Verified verifyFile(Path artifact, Optional<Path> signature, Optional<Path> certificate, Optional<Path> bundle,
                                      Policy policy, TrustRoot root, Instant now) {
        byte[] digest = CertificateSigner.sha256(artifact);
        Path bundleFile = bundle.orElse(sibling(artifact, ".bundle"));
        if (bundle.isPresent() && !Files.exists(bundleFile)) {
            throw new SignatureCheckFailed("bundle.missing", bundleFile + " does not exist");
        }
        if (Files.exists(bundleFile)) {
            SigstoreBundle.Contents c;
            try {
                c = SigstoreBundle.parse(read(bundleFile), bundleFile.toString());
            } catch (InputException e) {
                // a bundle that does not parse was damaged or forged: a failed check, like any other tampering
                throw new SignatureCheckFailed("bundle.malformed", e.getMessage());
            }
            if (signature.isPresent() && !MessageDigest.isEqual(readSignature(signature.get()), c.signature())) {
                throw new SignatureCheckFailed("bundle.inconsistent", signature.get() + " is not the signature in " + bundleFile);
            }
            if (certificate.isPresent() && !SigningCertificates.read(certificate.get()).get(0).equals(c.certificate())) {
                throw new SignatureCheckFailed("bundle.inconsistent", certificate.get() + " is not the certificate in " + bundleFile);
            }
            return verify(new Evidence(digest, c.signature(), c.certificate(), Optional.of(c.digest()), c.tlogEntries()), policy, root, now);
        }
        Path sigFile = signature.orElse(sibling(artifact, ".sig"));
        Path certFile = certificate.orElse(sibling(artifact, ".pem"));
        if (!Files.exists(sigFile)) {
            throw new SignatureCheckFailed("signature.missing", "neither " + bundleFile + " nor " + sigFile + " exists");
        }
        if (!Files.exists(certFile)) {
            throw new SignatureCheckFailed("certificate.missing", certFile + " does not exist (give --certificate or --bundle)");
        }
        return verify(new Evidence(digest, readSignature(sigFile), SigningCertificates.read(certFile).get(0), Optional.empty(), List.of()),
                policy, root, now);
    }

    private static Path sibling(Path f, String suffix) {
        return f.resolveSibling(f.getFileName() + suffix);
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new InputException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readSignature(Path p) {
        try {
            return Base64.getDecoder().decode(new String(read(p), StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            throw new InputException(p + " is not a base64 signature", e);
        }
    }

    public static Verified verify(Evidence ev, Policy policy, TrustRoot root, Instant now) {
        X509Certificate leaf = ev.certificate();
        if (ev.bundleDigest().isPresent() && !MessageDigest.isEqual(ev.bundleDigest().get(), ev.artifactSha256())) {
            throw new SignatureCheckFailed("bundle.digest", "the bundle is for sha256:" + hex(ev.bundleDigest().get())
                    + ", the artifact is sha256:" + hex(ev.artifactSha256()));
        }
        if (!verifyDigest(leaf.getPublicKey(), ev.artifactSha256(), ev.signature())) {
            throw new SignatureCheckFailed("signature.mismatch", "the signature does not verify over sha256:" + hex(ev.artifactSha256())
                    + " with the certificate's key (" + leaf.getSubjectX500Principal().getName() + ", serial "
                    + leaf.getSerialNumber().toString(16) + ")");
        }
        Optional<Instant> logTime = Optional.empty();
        List<Long> indexes = new ArrayList<>();
        for (JsonNode entry : ev.tlogEntries()) {
            LogTime t = verifyEntry(entry, ev, root);
            indexes.add(t.index());
            if (t.promised() && logTime.isEmpty()) {
                logTime = Optional.of(t.integratedTime());
            }
        }
        Instant signingTime = logTime.orElse(now);
        String when = signingTime + (logTime.isPresent() ? " (integrated time of the log entry)" : " (now: no log entry gives a signing time)");
        try {
            leaf.checkValidity(Date.from(signingTime));
        } catch (CertificateExpiredException e) {
            throw new SignatureCheckFailed("certificate.expired", "the certificate expired " + leaf.getNotAfter().toInstant()
                    + ", before the signing time " + when);
        } catch (CertificateNotYetValidException e) {
            throw new SignatureCheckFailed("certificate.not-yet-valid", "the certificate is valid only from "
                    + leaf.getNotBefore().toInstant() + ", after the signing time " + when);
        }
        String authority = chain(leaf, root, signingTime);
        List<String> identities = SigningCertificates.identities(leaf);
        Optional<String> matched = identities.stream().filter(i -> policy.identity().map(i::equals)
                .orElseGet(() -> policy.identityRegexp().orElseThrow().matcher(i).matches())).findFirst();
        if (matched.isEmpty()) {
            throw new SignatureCheckFailed("certificate.identity", "the certificate's identities " + identities + " do not match "
                    + policy.describe());
        }
        Optional<String> issuer = SigningCertificates.oidcIssuer(leaf);
        if (issuer.isEmpty()) {
            throw new SignatureCheckFailed("certificate.issuer", "the certificate has no OIDC issuer extension ("
                    + SigningCertificates.ISSUER_V2 + " or " + SigningCertificates.ISSUER_V1 + ")");
        }
        if (!issuer.get().equals(policy.issuer())) {
            throw new SignatureCheckFailed("certificate.issuer", "the certificate's OIDC issuer is '" + issuer.get() + "', not '"
                    + policy.issuer() + "'");
        }
        return new Verified(matched.get(), issuer.get(), signingTime, logTime.isPresent(), authority, indexes);
    }

    private record LogTime(long index, Instant integratedTime, boolean promised) {
    }

    private static LogTime verifyEntry(JsonNode e, Evidence ev, TrustRoot root) {
        String kind = e.path("kindVersion").path("kind").asText("") + "/" + e.path("kindVersion").path("version").asText("");
        if (!kind.equals(TransparencyLog.KIND + "/" + TransparencyLog.API_VERSION)) {
            throw new SignatureCheckFailed("tlog.kind", "the log entry is " + kind + ", only hashedrekord/0.0.1 is supported");
        }
        byte[] logId = b64(e.path("logId").path("keyId"), "logId.keyId");
        long index = number(e.path("logIndex"), "logIndex");
        long integrated = number(e.path("integratedTime"), "integratedTime");
        Instant integratedTime = Instant.ofEpochSecond(integrated);
        TrustRoot.Log log = root.logs().stream().filter(l -> Arrays.equals(l.logId(), logId)).findFirst()
                .orElseThrow(() -> new SignatureCheckFailed("tlog.unknown-log", "log " + hex(logId) + " is not in the trust root "
                        + root.source()));
        if (!log.validAt(integratedTime)) {
            throw new SignatureCheckFailed("tlog.unknown-log", "log " + log.name() + " is not trusted at " + integratedTime);
        }
        byte[] body = b64(e.path("canonicalizedBody"), "canonicalizedBody");
        checkBody(body, ev);
        String b64Body = Base64.getEncoder().encodeToString(body);
        boolean promised = false;
        JsonNode set = e.path("inclusionPromise").path("signedEntryTimestamp");
        if (set.isTextual()) {
            byte[] content = TransparencyLog.signedEntryTimestampContent(b64Body, integrated, hex(logId), index);
            if (!KeySigner.verify(log.key(), content, b64(set, "signedEntryTimestamp"))) {
                throw new SignatureCheckFailed("tlog.set", "the signed entry timestamp of entry " + index + " does not verify with the key of log "
                        + log.name());
            }
            promised = true;
        }
        JsonNode proof = e.path("inclusionProof");
        if (proof.isObject()) {
            long pIndex = number(proof.path("logIndex"), "inclusionProof.logIndex");
            long size = number(proof.path("treeSize"), "inclusionProof.treeSize");
            byte[] rootHash = b64(proof.path("rootHash"), "inclusionProof.rootHash");
            List<byte[]> hashes = new ArrayList<>();
            for (JsonNode h : proof.path("hashes")) {
                hashes.add(b64(h, "inclusionProof.hashes"));
            }
            if (!MerkleTree.verifyInclusion(pIndex, size, MerkleTree.leafHash(body), hashes, rootHash)) {
                throw new SignatureCheckFailed("tlog.inclusion-proof", "the inclusion proof of entry " + pIndex + " in a tree of " + size
                        + " does not recompute to the root " + hex(rootHash));
            }
            checkCheckpoint(proof.path("checkpoint").path("envelope").asText(""), log, size, rootHash);
        } else if (!promised) {
            throw new SignatureCheckFailed("tlog.inclusion-missing", "log entry " + index + " has neither an inclusion proof nor a signed entry timestamp");
        }
        return new LogTime(index, integratedTime, promised);
    }

    private static void checkBody(byte[] body, Evidence ev) {
        JsonNode b;
        try {
            b = TransparencyLog.readJson(body, "the log entry body");
        } catch (InputException e) {
            throw new SignatureCheckFailed("tlog.body", e.getMessage());
        }
        String expected = new String(SigstoreBundle.hashedRekordBody(ev.artifactSha256(), ev.certificate(), ev.signature()),
                StandardCharsets.UTF_8);
        JsonNode want = TransparencyLog.readJson(expected.getBytes(StandardCharsets.UTF_8), "the expected body");
        if (!b.path("kind").equals(want.path("kind")) || !b.path("apiVersion").equals(want.path("apiVersion"))) {
            throw new SignatureCheckFailed("tlog.body", "the log entry is not a hashedrekord 0.0.1 entry");
        }
        JsonNode spec = b.path("spec");
        if (!spec.path("data").equals(want.path("spec").path("data"))) {
            throw new SignatureCheckFailed("tlog.body", "the log entry records " + spec.path("data").path("hash").path("algorithm").asText()
                    + ":" + spec.path("data").path("hash").path("value").asText() + ", not the artifact's sha256:" + hex(ev.artifactSha256()));
        }
        if (!spec.path("signature").path("content").equals(want.path("spec").path("signature").path("content"))) {
            throw new SignatureCheckFailed("tlog.body", "the log entry records another signature than the one given");
        }
        byte[] pem;
        try {
            pem = Base64.getDecoder().decode(spec.path("signature").path("publicKey").path("content").asText(""));
        } catch (IllegalArgumentException ex) {
            throw new SignatureCheckFailed("tlog.body", "the log entry's public key is not base64");
        }
        X509Certificate logged;
        try {
            logged = SigningCertificates.parsePem(new String(pem, StandardCharsets.US_ASCII), "the log entry").get(0);
        } catch (InputException ex) {
            throw new SignatureCheckFailed("tlog.body", "the log entry records no certificate: " + ex.getMessage());
        }
        if (!logged.equals(ev.certificate())) {
            throw new SignatureCheckFailed("tlog.body", "the log entry records another certificate than the one given");
        }
    }

    private static void checkCheckpoint(String envelope, TrustRoot.Log log, long size, byte[] rootHash) {
        int sep = envelope.indexOf("\n\n");
        if (sep < 0) {
            throw new SignatureCheckFailed("tlog.checkpoint", "the checkpoint is not a signed note (no blank line before the signatures)");
        }
        String note = envelope.substring(0, sep + 1);
        String[] lines = note.split("\n");
        if (lines.length < 3) {
            throw new SignatureCheckFailed("tlog.checkpoint", "the checkpoint note has fewer than 3 lines");
        }
        if (!lines[1].equals(Long.toString(size))) {
            throw new SignatureCheckFailed("tlog.checkpoint", "the checkpoint is for a tree of " + lines[1] + ", the proof for " + size);
        }
        byte[] noteRoot;
        try {
            noteRoot = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException ex) {
            throw new SignatureCheckFailed("tlog.checkpoint", "the checkpoint root hash is not base64");
        }
        if (!MessageDigest.isEqual(noteRoot, rootHash)) {
            throw new SignatureCheckFailed("tlog.checkpoint", "the checkpoint root " + hex(noteRoot) + " is not the proof's root " + hex(rootHash));
        }
        byte[] hint = Arrays.copyOf(log.logId(), 4);
        for (String line : envelope.substring(sep + 2).split("\n")) {
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[0].equals("\u2014") || !parts[1].equals(log.name())) {
                continue;
            }
            byte[] keySig;
            try {
                keySig = Base64.getDecoder().decode(parts[2]);
            } catch (IllegalArgumentException ex) {
                continue;
            }
            if (keySig.length > 4 && Arrays.equals(Arrays.copyOf(keySig, 4), hint)
                    && KeySigner.verify(log.key(), note.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(keySig, 4, keySig.length))) {
                return;
            }
        }
        throw new SignatureCheckFailed("tlog.checkpoint", "no signature of the checkpoint by log " + log.name() + " verifies");
    }

    private static String chain(X509Certificate leaf, TrustRoot root, Instant at) {
        List<String> failures = new ArrayList<>();
        for (TrustRoot.Authority ca : root.authorities()) {
            if (!ca.validAt(at)) {
                failures.add(ca.name() + ": not valid at " + at);
                continue;
            }
            X509Certificate anchor = ca.chain().get(ca.chain().size() - 1);
            try {
                X509CertSelector target = new X509CertSelector();
                target.setCertificate(leaf);
                PKIXBuilderParameters params = new PKIXBuilderParameters(Set.of(new TrustAnchor(anchor, null)), target);
                params.setRevocationEnabled(false);
                params.setDate(Date.from(at));
                List<X509Certificate> store = new ArrayList<>(ca.chain().subList(0, ca.chain().size() - 1));
                store.add(leaf);
                params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
                PKIXCertPathBuilderResult built = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
                CertPathValidator.getInstance("PKIX").validate(built.getCertPath(), params);
                return ca.name();
            } catch (GeneralSecurityException e) {
                failures.add(ca.name() + ": " + e.getMessage());
            }
        }
        throw new SignatureCheckFailed("certificate.untrusted", "the certificate (issuer " + leaf.getIssuerX500Principal().getName()
                + ") does not chain to a CA of " + root.source() + " at " + at + (failures.isEmpty() ? "" : ": " + String.join("; ", failures)));
    }

    /** A signature of a SHA-256 digest: the same check as over the data, without the data (ECDSA; RSA PKCS#1 v1.5). */
    static boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) {
        return KeySigner.verifyDigest(key, sha256, signature);
    }

    private static byte[] b64(JsonNode n, String what) {
        try {
            return Base64.getDecoder().decode(n.asText(""));
        } catch (IllegalArgumentException e) {
            throw new SignatureCheckFailed("tlog.malformed", "the log entry's " + what + " is not base64");
        }
    }

    private static long number(JsonNode n, String what) {
        try {
            return Long.parseLong(n.asText(""));
        } catch (NumberFormatException e) {
            throw new SignatureCheckFailed("tlog.malformed", "the log entry's " + what + " is not a number: '" + n.asText("") + "'");
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}

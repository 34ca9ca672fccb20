package io.releasegate.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Certificate-based signing, as cosign does with a key and a certificate: the signature over the artifact's SHA-256
 * (ECDSA P-256/P-384, RSA PKCS#1 v1.5), the leaf certificate, and a Sigstore bundle v0.3 carrying both (and the log entry when a transparency log
 * is given). The private key must belong to the certificate; the certificate must be issued by the chain's first
 * certificate when a chain is given.
 */
public final class CertificateSigner {

    private final KeySigner key;
    private final X509Certificate certificate;
    private final Optional<TransparencyLog> log;

    /** What signing one artifact produced. */
    public record Signed(byte[] sha256, byte[] signature, ObjectNode bundle, Optional<Long> logIndex) {
    }

    /** The files written for one artifact. */
    public record Written(Path file, Path signature, Path certificate, Path bundle, Optional<Long> logIndex) {
    }

    public CertificateSigner(KeySigner key, X509Certificate certificate, List<X509Certificate> chain, Optional<TransparencyLog> log) {
        this.key = key;
        this.certificate = certificate;
        this.log = log;
        key.requireDigestSigning();
        byte[] probe = "release-gate key/certificate check".getBytes(StandardCharsets.US_ASCII);
        if (!KeySigner.verify(certificate.getPublicKey(), probe, key.sign(probe))) {
            throw new InputException("the signing key does not belong to the certificate (" + certificate.getSubjectX500Principal().getName()
                    + ", SAN " + SigningCertificates.identities(certificate) + ")");
        }
        if (!chain.isEmpty()) {
            try {
                certificate.verify(chain.get(0).getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new InputException("the certificate is not issued by the chain's first certificate ("
                        + chain.get(0).getSubjectX500Principal().getName() + "): " + e.getMessage(), e);
            }
        }
    }

    /** Signs an artifact digest; appends the entry to the log when there is one. */
    public Signed signDigest(byte[] sha256, Instant now) {
        byte[] sig = key.signDigest(sha256);
        Optional<JsonNode> entry = log.map(l -> l.append(SigstoreBundle.hashedRekordBody(sha256, certificate, sig), now));
        return new Signed(sha256, sig, SigstoreBundle.build(certificate, sha256, sig, entry),
                entry.map(e -> Long.parseLong(e.path("logIndex").asText())));
    }

    /**
     * Signs each file and writes FILE.sig, FILE.pem and FILE.bundle. Every file is read and signed before anything is
     * written, and the outputs are written through temporary files, so a failure leaves no new output behind.
     */
    public List<Written> signFiles(List<Path> files, Instant now) {
        Map<Path, byte[]> digests = new LinkedHashMap<>();
        for (Path f : files) {
            digests.put(f, sha256(f));
        }
        List<Written> out = new ArrayList<>();
        List<Path> staged = new ArrayList<>();
        try {
            Map<Path, Path> moves = new LinkedHashMap<>();
            for (var d : digests.entrySet()) {
                Path f = d.getKey();
                Signed s = signDigest(d.getValue(), now);
                Path sig = sibling(f, ".sig");
                Path pem = sibling(f, ".pem");
                Path bundle = sibling(f, ".bundle");
                moves.put(stage(sig, Base64.getEncoder().encodeToString(s.signature()), staged), sig);
                moves.put(stage(pem, SigningCertificates.pem(certificate), staged), pem);
                moves.put(stage(bundle, Json.pretty(s.bundle()), staged), bundle);
                out.add(new Written(f, sig, pem, bundle, s.logIndex()));
            }
            for (var m : moves.entrySet()) {
                Files.move(m.getKey(), m.getValue(), StandardCopyOption.REPLACE_EXISTING);
            }
            return out;
        } catch (IOException e) {
            throw new InputException("cannot write the signatures: " + e.getMessage(), e);
        } finally {
            for (Path p : staged) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temporary file is named *.tmp
                }
            }
        }
    }

    private static Path stage(Path target, String content, List<Path> staged) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        staged.add(tmp);
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        return tmp;
    }

    private static Path sibling(Path f, String suffix) {
        return f.resolveSibling(f.getFileName() + suffix);
    }

    /** SHA-256 of a file, streamed. */
    public static byte[] sha256(Path file) {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
            return md.digest();
        } catch (NoSuchFileException e) {
            throw new InputException("file not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

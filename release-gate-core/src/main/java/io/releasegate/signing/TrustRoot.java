package io.releasegate.signing;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What a verifier trusts: certificate authorities (each a chain from its intermediates up to a root, with the time it
 * may issue in) and transparency logs (public key, log id, name, validity). Read from a Sigstore
 * {@code trusted_root.json} ({@code certificateAuthorities}, {@code tlogs}) or from a PEM bundle of CA certificates
 * (private PKI, offline: self-signed certificates are the roots, the others intermediates; no log is trusted).
 */
public record TrustRoot(List<Authority> authorities, List<Log> logs, String source) {

    public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

    public TrustRoot {
        authorities = List.copyOf(authorities);
        logs = List.copyOf(logs);
    }

    /** A CA: its chain (intermediates first, the root last) and the period it may issue certificates in. */
    public record Authority(String name, List<X509Certificate> chain, Instant start, Optional<Instant> end) {
        public Authority {
            chain = List.copyOf(chain);
        }

        public boolean validAt(Instant t) {
            return !t.isBefore(start) && end.map(t::isBefore).orElse(true);
        }
    }

    /** A transparency log: its id (SHA-256 of the key DER), key, name (the host of its base URL) and validity. */
    public record Log(byte[] logId, PublicKey key, String name, Instant start, Optional<Instant> end) {
        public boolean validAt(Instant t) {
            return !t.isBefore(start) && end.map(t::isBefore).orElse(true);
        }
    }

    public static TrustRoot load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException("trust root not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (text.stripLeading().startsWith("{")) {
            return fromTrustedRootJson(text, file.toString());
        }
        List<X509Certificate> certs = SigningCertificates.parsePem(text, file.toString());
        List<X509Certificate> roots = new ArrayList<>();
        List<X509Certificate> intermediates = new ArrayList<>();
        for (X509Certificate c : certs) {
            (c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) ? roots : intermediates).add(c);
        }
        if (roots.isEmpty()) {
            throw new InputException(file + " holds no self-signed (root) CA certificate");
        }
        List<Authority> authorities = new ArrayList<>();
        for (X509Certificate root : roots) {
            List<X509Certificate> chain = new ArrayList<>(intermediates);
            chain.add(root);
            authorities.add(new Authority(root.getSubjectX500Principal().getName(), chain, Instant.EPOCH, Optional.empty()));
        }
        return new TrustRoot(authorities, List.of(), file.toString());
    }

    static TrustRoot fromTrustedRootJson(String text, String source) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new InputException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        String mediaType = root.path("mediaType").asText("");
        if (!mediaType.startsWith("application/vnd.dev.sigstore.trustedroot")) {
            throw new InputException(source + " is not a Sigstore trusted root (mediaType '" + mediaType + "')");
        }
        List<Authority> authorities = new ArrayList<>();
        for (JsonNode ca : root.path("certificateAuthorities")) {
            List<X509Certificate> chain = new ArrayList<>();
            for (JsonNode c : ca.path("certChain").path("certificates")) {
                chain.add(SigningCertificates.parse(base64(c.path("rawBytes"), source), source + ": a CA certificate"));
            }
            if (chain.isEmpty()) {
                throw new InputException(source + ": a certificate authority has an empty certChain");
            }
            String name = ca.path("subject").path("commonName").asText(chain.get(0).getSubjectX500Principal().getName());
            authorities.add(new Authority(name, chain, instant(ca.path("validFor").path("start"), source).orElse(Instant.EPOCH),
                    instant(ca.path("validFor").path("end"), source)));
        }
        List<Log> logs = new ArrayList<>();
        for (JsonNode t : root.path("tlogs")) {
            byte[] der = base64(t.path("publicKey").path("rawBytes"), source);
            PublicKey key;
            try {
                key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // logs with other key types (Ed25519) cannot be checked here; they are not trusted
                continue;
            }
            String baseUrl = t.path("baseUrl").asText("");
            String host = baseUrl.replaceFirst("^[a-z]+://", "").replaceFirst("[/:].*$", "");
            byte[] logId = t.path("logId").has("keyId") ? base64(t.path("logId").path("keyId"), source) : TransparencyLog.logId(key);
            JsonNode validFor = t.path("publicKey").path("validFor");
            logs.add(new Log(logId, key, host, instant(validFor.path("start"), source).orElse(Instant.EPOCH), instant(validFor.path("end"), source)));
        }
        if (authorities.isEmpty()) {
            throw new InputException(source + " trusts no certificate authority");
        }
        return new TrustRoot(authorities, logs, source);
    }

    private static byte[] base64(JsonNode n, String source) {
        try {
            return Base64.getDecoder().decode(n.asText(""));
        } catch (IllegalArgumentException e) {
            throw new InputException(source + ": '" + n.asText() + "' is not base64", e);
        }
    }

    private static Optional<Instant> instant(JsonNode n, String source) {
        if (n.isMissingNode() || n.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(n.asText()));
        } catch (DateTimeParseException e) {
            throw new InputException(source + ": '" + n.asText() + "' is not an RFC 3339 time", e);
        }
    }
}

package io.releasegate.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Sigstore bundle v0.3 ({@value #MEDIA_TYPE}) for a message signature: the leaf certificate
 * ({@code verificationMaterial.certificate.rawBytes}), the SHA-256 message digest and the signature, and the
 * transparency log entries when the signature was logged. Also the canonical {@code hashedrekord} v0.0.1 body
 * that a log records for such a signature.
 */
public final class SigstoreBundle {

    public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    /** The same version under the media type of the earlier bundle versions' form, which some signers write. */
    public static final String MEDIA_TYPE_ALT = "application/vnd.dev.sigstore.bundle+json;version=0.3";

    /** What a bundle carries, decoded. */
    public record Contents(X509Certificate certificate, byte[] digest, byte[] signature, List<JsonNode> tlogEntries) {
        public Contents {
            tlogEntries = List.copyOf(tlogEntries);
        }
    }

    private SigstoreBundle() {
    }

    /** The canonical JSON (RFC 8785: sorted keys, no spaces) of the hashedrekord v0.0.1 entry body. */
    public static byte[] hashedRekordBody(byte[] sha256, X509Certificate certificate, byte[] signature) {
        ObjectNode body = Json.object();
        body.put("apiVersion", TransparencyLog.API_VERSION);
        body.put("kind", TransparencyLog.KIND);
        ObjectNode spec = body.putObject("spec");
        spec.putObject("data").putObject("hash").put("algorithm", "sha256").put("value", HexFormat.of().formatHex(sha256));
        ObjectNode sig = spec.putObject("signature");
        sig.put("content", Base64.getEncoder().encodeToString(signature));
        sig.putObject("publicKey").put("content", Base64.getEncoder().encodeToString(
                SigningCertificates.pem(certificate).getBytes(StandardCharsets.US_ASCII)));
        return Json.bytes(body);
    }

    public static ObjectNode build(X509Certificate certificate, byte[] sha256, byte[] signature, Optional<JsonNode> tlogEntry) {
        ObjectNode b = Json.object();
        b.put("mediaType", MEDIA_TYPE);
        ObjectNode vm = b.putObject("verificationMaterial");
        vm.putObject("certificate").put("rawBytes", Base64.getEncoder().encodeToString(SigningCertificates.der(certificate)));
        var entries = vm.putArray("tlogEntries");
        tlogEntry.ifPresent(entries::add);
        ObjectNode ms = b.putObject("messageSignature");
        ms.putObject("messageDigest").put("algorithm", "SHA2_256").put("digest", Base64.getEncoder().encodeToString(sha256));
        ms.put("signature", Base64.getEncoder().encodeToString(signature));
        return b;
    }

    /** Reads a bundle; an input error (exit 2) when it is not a v0.3 message-signature bundle with a certificate. */
    public static Contents parse(byte[] json, String source) {
        JsonNode b;
        try {
            b = Json.mapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new InputException(source + " is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")") + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InputException(source + " cannot be read: " + e.getMessage(), e);
        }
        if (b == null || !b.isObject()) {
            throw new InputException(source + " is not a JSON object");
        }
        String mediaType = b.path("mediaType").asText("");
        if (!mediaType.equals(MEDIA_TYPE) && !mediaType.equals(MEDIA_TYPE_ALT)) {
            throw new InputException(source + " is not a Sigstore bundle v0.3 (mediaType '" + mediaType + "')");
        }
        JsonNode vm = b.path("verificationMaterial");
        JsonNode raw = vm.path("certificate").path("rawBytes");
        if (!raw.isTextual()) {
            throw new InputException(source + " carries no verificationMaterial.certificate (only certificate bundles are supported)");
        }
        X509Certificate cert = SigningCertificates.parse(decode(raw, source, "certificate"), source + ": the certificate");
        JsonNode ms = b.path("messageSignature");
        if (!ms.isObject()) {
            throw new InputException(source + " carries no messageSignature (DSSE bundles are not supported here)");
        }
        if (!"SHA2_256".equals(ms.path("messageDigest").path("algorithm").asText())) {
            throw new InputException(source + ": the message digest algorithm is '" + ms.path("messageDigest").path("algorithm").asText()
                    + "', only SHA2_256 is supported");
        }
        byte[] digest = decode(ms.path("messageDigest").path("digest"), source, "messageDigest");
        byte[] signature = decode(ms.path("signature"), source, "signature");
        List<JsonNode> entries = new ArrayList<>();
        vm.path("tlogEntries").forEach(entries::add);
        return new Contents(cert, digest, signature, entries);
    }

    private static byte[] decode(JsonNode n, String source, String what) {
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new InputException(source + ": " + what + " is missing");
        }
        try {
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw new InputException(source + ": " + what + " is not base64", e);
        }
    }
}

package io.releasegate.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;

/** DSSE (Dead Simple Signing Envelope) v1: sign and verify over the pre-authentication encoding. */
public final class Dsse {

    public static final String IN_TOTO = "application/vnd.in-toto+json";

    private Dsse() {
    }

    /** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
    public static byte[] pae(String payloadType, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    public static ObjectNode sign(String payloadType, byte[] payload, KeySigner signer, String keyId) {
        ObjectNode env = Json.object();
        env.put("payloadType", payloadType);
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        env.putArray("signatures").addObject().put("keyid", keyId)
                .put("sig", Base64.getEncoder().encodeToString(signer.sign(pae(payloadType, payload))));
        return env;
    }

    /** The verified payload; any failure says which check failed. */
    public static byte[] verify(JsonNode envelope, String expectedType, PublicKey key) {
        String type = envelope.path("payloadType").asText("");
        if (!type.equals(expectedType)) {
            throw new SignatureCheckFailed("dsse.payload-type", "payload type is '" + type + "', expected '" + expectedType + "'");
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(envelope.path("payload").asText(""));
        } catch (IllegalArgumentException e) {
            throw new InputException("DSSE payload is not valid base64", e);
        }
        if (!envelope.path("signatures").isArray() || envelope.path("signatures").isEmpty()) {
            throw new SignatureCheckFailed("dsse.signature", "the envelope carries no signature");
        }
        byte[] pae = pae(type, payload);
        for (JsonNode s : envelope.path("signatures")) {
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(s.path("sig").asText(""));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (KeySigner.verify(key, pae, sig)) {
                return payload;
            }
        }
        throw new SignatureCheckFailed("dsse.signature", "no signature of the envelope verifies with the given key");
    }
}

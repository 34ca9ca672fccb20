package io.releasegate.signing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/** Writes a key in cosign's encrypted format, for tests: scrypt (N=32768, r=8, p=1) and NaCl secretbox over PKCS#8. */
final class CosignKeys {

    private CosignKeys() {
    }

    static String encrypt(byte[] pkcs8, char[] password) throws Exception {
        SecureRandom rnd = new SecureRandom();
        byte[] salt = new byte[32];
        byte[] nonce = new byte[24];
        rnd.nextBytes(salt);
        rnd.nextBytes(nonce);
        byte[] key = SCrypt.generate(new String(password).getBytes(StandardCharsets.UTF_8), salt, 32768, 8, 1, 32);
        XSalsa20Engine stream = new XSalsa20Engine();
        stream.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        byte[] in = new byte[32 + pkcs8.length];
        System.arraycopy(pkcs8, 0, in, 32, pkcs8.length);
        byte[] out = new byte[in.length];
        stream.processBytes(in, 0, in.length, out, 0);
        byte[] ct = Arrays.copyOfRange(out, 32, out.length);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(Arrays.copyOf(out, 32)));
        mac.update(ct, 0, ct.length);
        byte[] box = new byte[16 + ct.length];
        mac.doFinal(box, 0);
        System.arraycopy(ct, 0, box, 16, ct.length);
        ObjectNode doc = Json.object();
        doc.putObject("kdf").put("name", "scrypt").put("salt", Base64.getEncoder().encodeToString(salt))
                .putObject("params").put("N", 32768).put("r", 8).put("p", 1);
        doc.putObject("cipher").put("name", "nacl/secretbox").put("nonce", Base64.getEncoder().encodeToString(nonce));
        doc.put("ciphertext", Base64.getEncoder().encodeToString(box));
        return KeySigner.toPem("ENCRYPTED SIGSTORE PRIVATE KEY", Json.mapper().writeValueAsBytes(doc));
    }
}

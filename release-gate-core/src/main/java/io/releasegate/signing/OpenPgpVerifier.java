package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies detached OpenPGP signatures (armored, as in a git tag or a commit's {@code gpgsig} header)
 * against a keyring, with BouncyCastle. Fails closed with {@link SignatureCheckFailed}: {@code unknown-signer}
 * (the key is not in the keyring, or is revoked) or {@code signature} (not a signature, or it does not match).
 */
public final class OpenPgpVerifier {

    /** The key that verified: its fingerprint (upper-case hex) and the user ids of its key ring. */
    public record Verified(String fingerprint, List<String> userIds) {
        public Verified {
            userIds = List.copyOf(userIds);
        }
    }

    private final PGPPublicKeyRingCollection keyring;
    private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();

    public OpenPgpVerifier(PGPPublicKeyRingCollection keyring) {
        this.keyring = keyring;
    }

    /** Reads an armored public key file or a keyring export; a missing or unreadable file is an input error. */
    public static PGPPublicKeyRingCollection readKeyring(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            String begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
            if (text.indexOf(begin) != text.lastIndexOf(begin)) {
                // several armored keys one after the other (cat a.asc b.asc): each block is read on its own
                List<PGPPublicKeyRing> rings = new ArrayList<>();
                for (int at = text.indexOf(begin); at >= 0; at = text.indexOf(begin, at + 1)) {
                    int next = text.indexOf(begin, at + 1);
                    byte[] block = text.substring(at, next < 0 ? text.length() : next).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(block))) {
                        new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator()).forEach(rings::add);
                    }
                }
                return new PGPPublicKeyRingCollection(rings);
            }
            try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
                return new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
            }
        } catch (NoSuchFileException e) {
            throw new InputException("keyring not found: " + file, e);
        } catch (IOException | PGPException e) {
            throw new InputException("cannot read keyring " + file + ": " + e.getMessage(), e);
        }
    }

    public Verified verify(byte[] payload, byte[] armoredSignature) {
        try {
            PGPSignature sig = signature(armoredSignature);
            PGPPublicKey key = keyring.getPublicKey(sig.getKeyID());
            if (key == null) {
                throw new SignatureCheckFailed("unknown-signer", "signed by key "
                        + Long.toHexString(sig.getKeyID()).toUpperCase() + ", which is not in the keyring");
            }
            PGPPublicKeyRing ring = keyring.getPublicKeyRing(sig.getKeyID());
            if (key.hasRevocation() || ring.getPublicKey().hasRevocation()) {
                throw new SignatureCheckFailed("unknown-signer", "signed by key " + fingerprint(key) + ", which is revoked");
            }
            // BouncyCastle's own operators, not the JCA's: the same algorithms without a JCA key conversion and provider
            // look-up per signature, which were most of the time of checking a long ledger's events
            sig.init(VERIFIERS, key);
            sig.update(payload);
            if (!sig.verify()) {
                throw new SignatureCheckFailed("signature", "the signature does not match the signed content");
            }
            List<String> ids = new ArrayList<>();
            for (Iterator<String> it = ring.getPublicKey().getUserIDs(); it.hasNext(); ) {
                ids.add(it.next());
            }
            return new Verified(fingerprint(ring.getPublicKey()), ids);
        } catch (IOException | PGPException | RuntimeException e) {
            if (e instanceof SignatureCheckFailed f) {
                throw f;
            }
            throw new SignatureCheckFailed("signature", "not a usable OpenPGP signature: " + e.getMessage());
        }
    }

    private static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
    }

    private static PGPSignature signature(byte[] armored) throws IOException {
        JcaPGPObjectFactory f = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(armored)));
        Object o = f.nextObject();
        if (o instanceof PGPSignatureList list && !list.isEmpty()) {
            return list.get(0);
        }
        throw new SignatureCheckFailed("signature", "the signature block is not an OpenPGP signature");
    }
}

package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.Provider;
import java.util.HexFormat;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/**
 * Verifies OpenPGP-signed annotated git tags (ours and those of {@code git tag -s}) against a keyring
 * (an armored public key file or a keyring export), with BouncyCastle. Fails closed, naming the check:
 * not an annotated tag, unsigned, unknown signer, or a signature that does not match the tag's bytes.
 */
public final class TagVerifier {

    private static final byte[] BEGIN = "-----BEGIN PGP SIGNATURE-----".getBytes(StandardCharsets.US_ASCII);

    /** The verified tag: its name, the commit it names, and the signer's fingerprint. */
    public record Verified(String tag, String object, String signer) {
    }

    private final PGPPublicKeyRingCollection keyring;
    private final Provider bc = new BouncyCastleProvider();

    private TagVerifier(PGPPublicKeyRingCollection keyring) {
        this.keyring = keyring;
    }

    public static TagVerifier withKeyring(Path file) {
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
            return new TagVerifier(new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator()));
        } catch (NoSuchFileException e) {
            throw new InputException("keyring not found: " + file, e);
        } catch (IOException | PGPException e) {
            throw new InputException("cannot read keyring " + file + ": " + e.getMessage(), e);
        }
    }

    public Verified verify(Repository repo, String tag) {
        try {
            Ref ref = repo.exactRef(Constants.R_TAGS + tag);
            if (ref == null) {
                throw new SignatureCheckFailed("tag.missing", "no tag " + tag);
            }
            ObjectLoader loader = repo.open(ref.getObjectId());
            if (loader.getType() != Constants.OBJ_TAG) {
                throw new SignatureCheckFailed("tag.lightweight", tag + " is not an annotated tag, so it cannot be signed");
            }
            byte[] raw = loader.getBytes();
            int at = indexOf(raw, BEGIN);
            if (at < 0) {
                throw new SignatureCheckFailed("tag.unsigned", tag + " carries no OpenPGP signature");
            }
            byte[] payload = java.util.Arrays.copyOf(raw, at);
            byte[] armored = java.util.Arrays.copyOfRange(raw, at, raw.length);
            PGPSignature sig = signature(armored);
            PGPPublicKey key = keyring.getPublicKey(sig.getKeyID());
            if (key == null) {
                throw new SignatureCheckFailed("tag.unknown-signer", tag + " is signed by key "
                        + Long.toHexString(sig.getKeyID()).toUpperCase() + ", which is not in the keyring");
            }
            sig.init(new JcaPGPContentVerifierBuilderProvider().setProvider(bc), key);
            sig.update(payload);
            if (!sig.verify()) {
                throw new SignatureCheckFailed("tag.signature", "the signature of " + tag + " does not match its content");
            }
            String object = new String(payload, StandardCharsets.UTF_8).lines().findFirst().orElse("").replace("object ", "");
            return new Verified(tag, ObjectId.isId(object) ? object : "", HexFormat.of().withUpperCase().formatHex(key.getFingerprint()));
        } catch (IOException | PGPException e) {
            throw new SignatureCheckFailed("tag.signature", "cannot verify " + tag + ": " + e.getMessage());
        }
    }

    private PGPSignature signature(byte[] armored) throws IOException {
        JcaPGPObjectFactory f = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(armored)));
        Object o = f.nextObject();
        if (o instanceof PGPSignatureList list && !list.isEmpty()) {
            return list.get(0);
        }
        throw new SignatureCheckFailed("tag.signature", "the tag's signature block is not an OpenPGP signature");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

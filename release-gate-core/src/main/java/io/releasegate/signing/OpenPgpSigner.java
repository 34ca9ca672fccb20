package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.Provider;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;

/**
 * Detached, ASCII-armored OpenPGP signatures (what {@code git tag -s} embeds in a tag) made with
 * BouncyCastle from an armored secret key file, as exported by {@code gpg --armor --export-secret-keys}.
 * The first usable signing key (primary or subkey) is used.
 */
public final class OpenPgpSigner {

    private final PGPSecretKey key;
    private final PGPPrivateKey privateKey;
    private final Provider provider = new BouncyCastleProvider();

    private OpenPgpSigner(PGPSecretKey key, PGPPrivateKey privateKey) {
        this.key = key;
        this.privateKey = privateKey;
    }

    /** Loads a signing key; a wrong passphrase, a file without a signing key or a malformed file is an input error. */
    public static OpenPgpSigner fromArmoredSecretKey(Path file, char[] passphrase) {
        Provider bc = new BouncyCastleProvider();
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
            PGPSecretKeyRingCollection rings = new PGPSecretKeyRingCollection(in, new JcaKeyFingerprintCalculator());
            for (Iterator<PGPSecretKeyRing> r = rings.getKeyRings(); r.hasNext(); ) {
                for (Iterator<PGPSecretKey> k = r.next().getSecretKeys(); k.hasNext(); ) {
                    PGPSecretKey candidate = k.next();
                    if (!candidate.isSigningKey() || candidate.isPrivateKeyEmpty() || candidate.getPublicKey().hasRevocation()) {
                        continue;
                    }
                    try {
                        PGPPrivateKey priv = candidate.extractPrivateKey(
                                new JcePBESecretKeyDecryptorBuilder().setProvider(bc).build(passphrase));
                        return new OpenPgpSigner(candidate, priv);
                    } catch (PGPException e) {
                        throw new InputException("cannot unlock the OpenPGP key in " + file + ": wrong passphrase?", e);
                    }
                }
            }
            throw new InputException(file + " holds no usable OpenPGP signing key");
        } catch (NoSuchFileException e) {
            throw new InputException("signing key file not found: " + file, e);
        } catch (IOException | PGPException e) {
            throw new InputException("cannot read OpenPGP secret key " + file + ": " + e.getMessage(), e);
        }
    }

    /** The signing key's fingerprint, upper-case hex. */
    public String fingerprint() {
        return HexFormat.of().withUpperCase().formatHex(key.getPublicKey().getFingerprint());
    }

    /** The primary user id of the key, if it carries one. */
    public Optional<String> userId() {
        Iterator<String> ids = key.getUserIDs();
        return ids.hasNext() ? Optional.of(ids.next()) : Optional.empty();
    }

    /** An armored detached signature over {@code payload}, made at {@code time}. */
    public String sign(byte[] payload, Date time) {
        try {
            PGPSignatureGenerator gen = new PGPSignatureGenerator(
                    new JcaPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256)
                            .setProvider(provider), key.getPublicKey());
            gen.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            PGPSignatureSubpacketGenerator sub = new PGPSignatureSubpacketGenerator();
            sub.setSignatureCreationTime(false, time);
            sub.setIssuerFingerprint(false, key.getPublicKey());
            sub.setIssuerKeyID(false, key.getKeyID());
            gen.setHashedSubpackets(sub.generate());
            gen.update(payload);
            PGPSignature sig = gen.generate();
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (ArmoredOutputStream aos = ArmoredOutputStream.builder().clearHeaders().build(bos)) {
                sig.encode(aos);
            }
            return bos.toString(StandardCharsets.US_ASCII);
        } catch (PGPException | IOException e) {
            throw new InputException("OpenPGP signing failed: " + e.getMessage(), e);
        }
    }
}

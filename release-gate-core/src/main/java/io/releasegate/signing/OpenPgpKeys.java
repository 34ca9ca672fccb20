package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;

/** Generates OpenPGP keys: for the demo's throwaway signing key, never for production use. */
public final class OpenPgpKeys {

    private OpenPgpKeys() {
    }

    /** A new unprotected RSA-3072 signing key, ASCII-armored (secret and public parts). */
    public static String[] generateArmored(String userId, Date created) {
        try {
            BouncyCastleProvider bc = new BouncyCastleProvider();
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA", bc);
            kpg.initialize(3072);
            PGPKeyPair pair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, kpg.generateKeyPair(), created);
            PGPDigestCalculator sha1 = new JcaPGPDigestCalculatorProviderBuilder().setProvider(bc).build()
                    .get(HashAlgorithmTags.SHA1);
            PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId, sha1,
                    null, null, new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256)
                    .setProvider(bc), null);
            PGPSecretKeyRing secret = gen.generateSecretKeyRing();
            return new String[] {armor(secret.getEncoded()), armor(gen.generatePublicKeyRing().getEncoded())};
        } catch (NoSuchAlgorithmException | PGPException | IOException e) {
            throw new InputException("cannot generate an OpenPGP key: " + e.getMessage(), e);
        }
    }

    /**
     * A new unprotected Ed25519 signing key (OpenPGP v4, EdDSA), ASCII-armored (secret and public parts):
     * small and quick to make, verified by GnuPG 2.1 and later.
     */
    public static String[] generateEd25519Armored(String userId, Date created) {
        try {
            BouncyCastleProvider bc = new BouncyCastleProvider();
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("Ed25519", bc);
            PGPKeyPair pair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, kpg.generateKeyPair(), created);
            PGPDigestCalculator sha1 = new JcaPGPDigestCalculatorProviderBuilder().setProvider(bc).build()
                    .get(HashAlgorithmTags.SHA1);
            PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId, sha1,
                    null, null, new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA256)
                    .setProvider(bc), null);
            PGPSecretKeyRing secret = gen.generateSecretKeyRing();
            return new String[] {armor(secret.getEncoded()), armor(gen.generatePublicKeyRing().getEncoded())};
        } catch (NoSuchAlgorithmException | PGPException | IOException e) {
            throw new InputException("cannot generate an OpenPGP key: " + e.getMessage(), e);
        }
    }

    private static String armor(byte[] encoded) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ArmoredOutputStream aos = ArmoredOutputStream.builder().clearHeaders().build(bos)) {
            aos.write(encoded);
        }
        return bos.toString(StandardCharsets.US_ASCII);
    }
}

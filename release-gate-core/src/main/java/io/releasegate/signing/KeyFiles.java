package io.releasegate.signing;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Signing keys in the files companies keep them in, read with BouncyCastle's PEM and PKCS readers:
 *
 * <ul>
 *   <li>private keys: PKCS#8 {@code PRIVATE KEY} and {@code ENCRYPTED PRIVATE KEY} (PBES2, as {@code openssl genpkey
 *       -aes256} writes it), SEC1 {@code EC PRIVATE KEY} (as {@code openssl ecparam -genkey} writes it, with or without
 *       its {@code EC PARAMETERS} block), PKCS#1 {@code RSA PRIVATE KEY}, OpenSSL's legacy encrypted PEM
 *       ({@code Proc-Type: 4,ENCRYPTED}), unencrypted {@code OPENSSH PRIVATE KEY}, and cosign's
 *       {@code ENCRYPTED SIGSTORE PRIVATE KEY} (scrypt and NaCl secretbox over PKCS#8);</li>
 *   <li>public keys: SubjectPublicKeyInfo {@code PUBLIC KEY}, PKCS#1 {@code RSA PUBLIC KEY}, and an OpenSSH public key
 *       line ({@code ssh-ed25519 …}, {@code ecdsa-sha2-nistp256 …}, {@code ssh-rsa …}).</li>
 * </ul>
 *
 * Algorithms: ECDSA P-256 and P-384, RSA of at least 2048 bits, Ed25519. Anything weaker (a shorter RSA key, another
 * curve, DSA) is refused by rule {@value #WEAK}. Unreadable input, an encrypted key without its passphrase and a wrong
 * passphrase are input errors.
 */
public final class KeyFiles {

    /** The rule that refuses a weak key. */
    public static final String WEAK = "key.weak";
    static final int MIN_RSA_BITS = 2048;
    private static final Set<String> COSIGN_BLOCKS = Set.of("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY");
    private static final ECParameterSpec P256 = curve("secp256r1");
    private static final ECParameterSpec P384 = curve("secp384r1");

    private KeyFiles() {
    }

    /** A private key and, when the file holds it, its public key. */
    public record PrivateKeyFile(PrivateKey key, Optional<PublicKey> publicKey) {
    }

    /** Reads a private key file; the passphrase of an encrypted one comes from {@code secrets}. */
    public static PrivateKeyFile readPrivate(Path file, KeySecrets secrets) {
        return parsePrivate(read(file), file.toString(), secrets);
    }

    /** A private key from PEM text ({@code source} names where it was read, for messages). */
    public static PrivateKeyFile parsePrivate(String text, String source, KeySecrets secrets) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (text.contains("-----BEGIN OPENSSH PRIVATE KEY-----")) {
                return new PrivateKeyFile(fromInfo(openSsh(text, source), source, converter), Optional.empty());
            }
            for (String block : COSIGN_BLOCKS) {
                if (text.contains("-----BEGIN " + block + "-----")) {
                    return new PrivateKeyFile(fromInfo(PrivateKeyInfo.getInstance(cosign(text, source, secrets)), source, converter),
                            Optional.empty());
                }
            }
            try (PEMParser p = new PEMParser(new StringReader(text))) {
                for (Object o; (o = p.readObject()) != null; ) {
                    if (o instanceof PEMKeyPair kp) {
                        return pair(kp, source, converter);
                    } else if (o instanceof PrivateKeyInfo info) {
                        return new PrivateKeyFile(fromInfo(info, source, converter), Optional.empty());
                    } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                        char[] pass = passphrase(secrets, source);
                        try {
                            return new PrivateKeyFile(fromInfo(enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                                    .setProvider(new BouncyCastleProvider()).build(pass)), source, converter), Optional.empty());
                        } catch (PKCSException e) {
                            throw new InputException(source + ": cannot decrypt the key: wrong passphrase, or a cipher this build lacks", e);
                        } finally {
                            Arrays.fill(pass, '\0');
                        }
                    } else if (o instanceof PEMEncryptedKeyPair enc) {
                        char[] pass = passphrase(secrets, source);
                        try {
                            return pair(enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(new BouncyCastleProvider())
                                    .build(pass)), source, converter);
                        } catch (PEMException e) {
                            throw new InputException(source + ": cannot decrypt the key: wrong passphrase, or a cipher this build lacks", e);
                        } finally {
                            Arrays.fill(pass, '\0');
                        }
                    } else if (o instanceof SubjectPublicKeyInfo) {
                        throw new InputException(source + " holds a public key; signing needs the private key");
                    }
                    // EC PARAMETERS, certificates and other blocks beside the key are skipped
                }
            }
        } catch (io.releasegate.error.ReleaseGateException | SignatureCheckFailed ours) {
            throw ours;
        } catch (IOException | OperatorCreationException | RuntimeException e) {
            // as for public keys: malformed PEM or DER ends in runtime exceptions of many kinds in BouncyCastle
            throw new InputException(source + " is not a readable private key: " + e, e);
        }
        throw new InputException(source + " holds no private key (PEM PKCS#8, EC, RSA, OpenSSH or cosign)");
    }

    /** Reads a public key file. */
    public static PublicKey readPublic(Path file) {
        return parsePublic(read(file), file.toString());
    }

    /** A public key from its text: PEM SubjectPublicKeyInfo or PKCS#1 RSA, or an OpenSSH public key line. */
    public static PublicKey parsePublic(String text, String source) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        String line = text.strip();
        try {
            if (line.startsWith("ssh-") || line.startsWith("ecdsa-sha2-")) {
                String[] parts = line.split("\\s+");
                if (parts.length < 2) {
                    throw new InputException(source + " is not an OpenSSH public key line (TYPE BASE64 [COMMENT])");
                }
                SubjectPublicKeyInfo spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(
                        OpenSSHPublicKeyUtil.parsePublicKey(Base64.getDecoder().decode(parts[1])));
                return checked(spki, source, converter);
            }
            try (PEMParser p = new PEMParser(new StringReader(text))) {
                for (Object o; (o = p.readObject()) != null; ) {
                    if (o instanceof SubjectPublicKeyInfo spki) {
                        return checked(spki, source, converter);
                    }
                    if (o instanceof PEMKeyPair || o instanceof PrivateKeyInfo || o instanceof PKCS8EncryptedPrivateKeyInfo
                            || o instanceof PEMEncryptedKeyPair) {
                        throw new InputException(source + " holds a private key; verification takes the public key "
                                + "(openssl pkey -in KEY -pubout)");
                    }
                }
            }
        } catch (io.releasegate.error.ReleaseGateException | SignatureCheckFailed ours) {
            throw ours;
        } catch (IOException | RuntimeException e) {
            // BouncyCastle's PEM and ASN.1 parsers end malformed input in runtime exceptions of many kinds (a null
            // where a DER object was expected, an index out of bounds): each is this file's fault, not ours
            throw new InputException(source + " is not a readable public key: " + e, e);
        }
        throw new InputException(source + " holds no public key (PEM 'PUBLIC KEY' or 'RSA PUBLIC KEY', or an OpenSSH public key)");
    }

    /** Refuses a weak key by rule {@value #WEAK}: RSA under 2048 bits, a curve other than P-256 and P-384, DSA and others. */
    public static void requireStrong(Key key, String source) {
        String why = null;
        if (key instanceof RSAKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                why = "an RSA key of " + bits + " bits (at least " + MIN_RSA_BITS + ")";
            }
        } else if (key instanceof ECKey ec) {
            if (curveBits(ec.getParams()) == 0) {
                why = "an EC key on a curve other than P-256 and P-384";
            }
        } else if (key instanceof EdECKey ed) {
            if (!"Ed25519".equalsIgnoreCase(ed.getParams().getName())) {
                why = "an EdDSA key on " + ed.getParams().getName() + " (Ed25519 only)";
            }
        } else if (!Set.of("EC", "RSA", "Ed25519", "EdDSA").contains(key.getAlgorithm())) {
            why = "a " + key.getAlgorithm() + " key";
        }
        if (why != null) {
            throw weak(source, why);
        }
    }

    /** 256 for P-256, 384 for P-384, 0 for any other curve. */
    static int curveBits(ECParameterSpec params) {
        if (same(params, P256)) {
            return 256;
        }
        return same(params, P384) ? 384 : 0;
    }

    /** SHA-256 over a public key's SubjectPublicKeyInfo, hex: its fingerprint ({@code openssl pkey -pubin -outform DER | sha256sum}). */
    public static String fingerprint(PublicKey key) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RefusedException weak(String source, String why) {
        return new RefusedException(new Refusal(WEAK, source + " is " + why,
                "use ECDSA P-256 or P-384, RSA of at least " + MIN_RSA_BITS + " bits, or Ed25519"));
    }

    private static PrivateKeyFile pair(PEMKeyPair kp, String source, JcaPEMKeyConverter converter) throws PEMException {
        PrivateKey k = fromInfo(kp.getPrivateKeyInfo(), source, converter);
        return new PrivateKeyFile(k, kp.getPublicKeyInfo() == null ? Optional.empty()
                : Optional.of(converter.getPublicKey(kp.getPublicKeyInfo())));
    }

    /** The key, after its algorithm and curve are checked on the ASN.1 (a JDK may not even load a weak curve). */
    private static PrivateKey fromInfo(PrivateKeyInfo info, String source, JcaPEMKeyConverter converter) throws PEMException {
        checkAlgorithm(info.getPrivateKeyAlgorithm(), source);
        PrivateKey k = converter.getPrivateKey(info);
        requireStrong(k, source);
        return k;
    }

    private static PublicKey checked(SubjectPublicKeyInfo spki, String source, JcaPEMKeyConverter converter) throws PEMException {
        checkAlgorithm(spki.getAlgorithm(), source);
        PublicKey k = converter.getPublicKey(spki);
        requireStrong(k, source);
        return k;
    }

    private static void checkAlgorithm(AlgorithmIdentifier alg, String source) {
        ASN1ObjectIdentifier oid = alg.getAlgorithm();
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            X962Parameters params = alg.getParameters() == null ? null : X962Parameters.getInstance(alg.getParameters());
            if (params == null || !(params.getParameters() instanceof ASN1ObjectIdentifier curve)) {
                throw weak(source, "an EC key with explicit curve parameters (a named curve, P-256 or P-384, is required)");
            }
            if (!curve.equals(SECObjectIdentifiers.secp256r1) && !curve.equals(SECObjectIdentifiers.secp384r1)) {
                throw weak(source, "an EC key on curve " + curve.getId() + " (P-256 or P-384 only)");
            }
        } else if (!oid.equals(PKCSObjectIdentifiers.rsaEncryption) && !oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            throw weak(source, "a key of algorithm " + oid.getId() + " (ECDSA P-256/P-384, RSA, Ed25519 only)");
        }
    }

    private static PrivateKeyInfo openSsh(String text, String source) throws IOException {
        PemObject pem;
        try (PemReader r = new PemReader(new StringReader(text.substring(text.indexOf("-----BEGIN OPENSSH PRIVATE KEY-----"))))) {
            pem = r.readPemObject();
        }
        if (pem == null) {
            throw new InputException(source + ": unreadable OPENSSH PRIVATE KEY block");
        }
        if (encryptedOpenSsh(pem.getContent())) {
            throw new InputException(source + " is a passphrase-protected OpenSSH key, which is not read: export it as an encrypted "
                    + "PKCS#8 key (ssh-keygen -p -m PKCS8 -f KEY, for ECDSA and RSA keys) or sign with an unencrypted copy kept in a "
                    + "credentials store");
        }
        return PrivateKeyInfoFactory.createPrivateKeyInfo(OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(pem.getContent()));
    }

    /** Whether an openssh-key-v1 blob names a cipher other than "none". */
    private static boolean encryptedOpenSsh(byte[] blob) {
        byte[] magic = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
        if (blob.length < magic.length + 4 || !Arrays.equals(Arrays.copyOf(blob, magic.length), magic)) {
            return false;
        }
        int at = magic.length;
        int len = new BigInteger(1, Arrays.copyOfRange(blob, at, at + 4)).intValue();
        if (len < 0 || at + 4 + len > blob.length) {
            return false;
        }
        return !"none".equals(new String(blob, at + 4, len, StandardCharsets.US_ASCII));
    }

    /**
     * cosign's encrypted key: a JSON document (scrypt parameters and salt, a secretbox nonce, the ciphertext) in a PEM
     * block; the plaintext is the PKCS#8 DER of the key. Decrypted with BouncyCastle's SCrypt, XSalsa20 and Poly1305,
     * as NaCl's secretbox composes them.
     */
    private static byte[] cosign(String text, String source, KeySecrets secrets) throws IOException {
        PemObject pem;
        try (PemReader r = new PemReader(new StringReader(text))) {
            pem = r.readPemObject();
        }
        if (pem == null || !COSIGN_BLOCKS.contains(pem.getType())) {
            throw new InputException(source + ": unreadable cosign key block");
        }
        JsonNode doc = Json.mapper().readTree(pem.getContent());
        JsonNode kdf = doc.path("kdf");
        if (!"scrypt".equals(kdf.path("name").asText()) || !"nacl/secretbox".equals(doc.path("cipher").path("name").asText())) {
            throw new InputException(source + ": a cosign key with kdf '" + kdf.path("name").asText() + "' and cipher '"
                    + doc.path("cipher").path("name").asText() + "' (scrypt and nacl/secretbox are read)");
        }
        int n = kdf.path("params").path("N").asInt();
        int r = kdf.path("params").path("r").asInt();
        int p = kdf.path("params").path("p").asInt();
        if (n < 2 || n > (1 << 20) || r < 1 || r > 32 || p < 1 || p > 16) {
            throw new InputException(source + ": cosign key scrypt parameters out of range (N=" + n + ", r=" + r + ", p=" + p + ")");
        }
        byte[] salt = Base64.getDecoder().decode(kdf.path("salt").asText());
        byte[] nonce = Base64.getDecoder().decode(doc.path("cipher").path("nonce").asText());
        byte[] box = Base64.getDecoder().decode(doc.path("ciphertext").asText());
        if (nonce.length != 24 || box.length < 16) {
            throw new InputException(source + ": malformed cosign key (nonce or ciphertext)");
        }
        Optional<char[]> given = secrets.passphrase();
        char[] pass = given.orElseGet(() -> new char[0]);
        byte[] passBytes = new String(pass).getBytes(StandardCharsets.UTF_8);
        Arrays.fill(pass, '\0');
        byte[] key = SCrypt.generate(passBytes, salt, n, r, p, 32);
        Arrays.fill(passBytes, (byte) 0);
        byte[] plain = secretboxOpen(key, nonce, box);
        Arrays.fill(key, (byte) 0);
        if (plain == null && given.isEmpty()) {
            throw passphrase(source);
        }
        if (plain == null) {
            throw new InputException(source + ": cannot decrypt the cosign key: wrong passphrase ($" + KeySecrets.PASSPHRASE_ENV
                    + " or the passphrase file; cosign's COSIGN_PASSWORD is not read)");
        }
        return plain;
    }

    /** NaCl secretbox open: box = Poly1305 tag (16) || XSalsa20 ciphertext; null when the tag does not verify. */
    static byte[] secretboxOpen(byte[] key, byte[] nonce, byte[] box) {
        XSalsa20Engine stream = new XSalsa20Engine();
        stream.init(false, new ParametersWithIV(new KeyParameter(key), nonce));
        byte[] in = new byte[32 + box.length - 16];
        System.arraycopy(box, 16, in, 32, box.length - 16);
        byte[] out = new byte[in.length];
        stream.processBytes(in, 0, in.length, out, 0);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(Arrays.copyOf(out, 32)));
        mac.update(box, 16, box.length - 16);
        byte[] tag = new byte[16];
        mac.doFinal(tag, 0);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, 16))) {
            return null;
        }
        return Arrays.copyOfRange(out, 32, out.length);
    }

    private static char[] passphrase(KeySecrets secrets, String source) {
        return secrets.passphrase().orElseThrow(() -> passphrase(source));
    }

    private static InputException passphrase(String source) {
        return new InputException(source + " is encrypted: give its passphrase in $" + KeySecrets.PASSPHRASE_ENV
                + " or in a file (--key-passphrase-file FILE); never as an argument");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InputException("key file not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean same(ECParameterSpec a, ECParameterSpec b) {
        return a.getCurve().equals(b.getCurve()) && a.getOrder().equals(b.getOrder()) && a.getGenerator().equals(b.getGenerator());
    }

    private static ECParameterSpec curve(String name) {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(name));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + name, e);
        }
    }
}

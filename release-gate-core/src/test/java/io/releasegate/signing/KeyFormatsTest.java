package io.releasegate.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every key form {@link KeyFiles} reads, generated here with openssl or ssh-keygen: each signs a file, the signature
 * verifies with our verifier from each public key form, and openssl verifies the same signature independently.
 */
public class KeyFormatsTest {

    @TempDir
    Path tmp;

    static final KeySecrets NONE = new KeySecrets(Map.of(), Optional.empty(), Optional.empty());

    public static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new AssertionError(String.join(" ", cmd) + " -> " + rc + ": " + out);
        }
        return out;
    }

    static int status(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    /** Signs app.bin with {@code key}, checks our verifier with each public form, and returns the DER signature file. */
    Path roundTrip(KeySigner signer, SignatureScheme scheme, String... publicKeyFiles) throws Exception {
        Path file = Files.writeString(tmp.resolve("app.bin"), "release bytes " + scheme);
        assertThat(signer.scheme()).isEqualTo(scheme);
        Path sig = signer.signFile(file);
        byte[] der = Base64.getDecoder().decode(Files.readString(sig));
        for (String pub : publicKeyFiles) {
            PublicKey k = KeySigner.publicKey(tmp.resolve(pub));
            assertThat(KeySigner.verify(k, Files.readAllBytes(file), der)).as(pub).isTrue();
            assertThat(KeySigner.verify(k, "other bytes".getBytes(StandardCharsets.UTF_8), der)).as(pub).isFalse();
        }
        return Files.write(tmp.resolve("app.bin.sig.der"), der);
    }

    void opensslVerifies(String digest, String pub, String... sigopts) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "dgst", "-" + digest, "-verify", pub, "-signature", "app.bin.sig.der"));
        for (String o : sigopts) {
            cmd.add("-sigopt");
            cmd.add(o);
        }
        cmd.add("app.bin");
        assertThat(run(tmp, cmd.toArray(String[]::new))).contains("Verified OK");
    }

    @Test
    void pkcs8EcP256() throws Exception {
        run(tmp, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem");
        run(tmp, "openssl", "pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        roundTrip(KeySigner.open(tmp.resolve("k.pem").toString(), NONE), SignatureScheme.ECDSA_P256_SHA256, "pub.pem");
        opensslVerifies("sha256", "pub.pem");
    }

    @Test
    void sec1EcP256AsEcparamWritesIt() throws Exception {
        run(tmp, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "k.pem");
        assertThat(Files.readString(tmp.resolve("k.pem"))).contains("BEGIN EC PARAMETERS").contains("BEGIN EC PRIVATE KEY");
        run(tmp, "openssl", "ec", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        KeySigner signer = KeySigner.open(tmp.resolve("k.pem").toString(), NONE);
        assertThat(signer.publicKey()).isPresent();
        roundTrip(signer, SignatureScheme.ECDSA_P256_SHA256, "pub.pem");
        opensslVerifies("sha256", "pub.pem");
    }

    @Test
    void sec1AndPkcs8EcP384SignOverSha384() throws Exception {
        run(tmp, "openssl", "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "k.pem");
        run(tmp, "openssl", "ec", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        roundTrip(KeySigner.open(tmp.resolve("k.pem").toString(), NONE), SignatureScheme.ECDSA_P384_SHA384, "pub.pem");
        opensslVerifies("sha384", "pub.pem");
        run(tmp, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-out", "k8.pem");
        roundTrip(KeySigner.open(tmp.resolve("k8.pem").toString(), NONE), SignatureScheme.ECDSA_P384_SHA384, "pub.pem");
        opensslVerifies("sha384", "pub.pem");
    }

    @Test
    void encryptedPkcs8Pbes2WithThePassphraseFromTheEnvironmentOrAFile() throws Exception {
        run(tmp, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes-256-cbc",
                "-pass", "pass:correct horse", "-out", "k.pem");
        assertThat(Files.readString(tmp.resolve("k.pem"))).contains("BEGIN ENCRYPTED PRIVATE KEY");
        run(tmp, "openssl", "pkey", "-in", "k.pem", "-passin", "pass:correct horse", "-pubout", "-out", "pub.pem");
        KeySecrets env = new KeySecrets(Map.of(KeySecrets.PASSPHRASE_ENV, "correct horse"), Optional.empty(), Optional.empty());
        roundTrip(KeySigner.open(tmp.resolve("k.pem").toString(), env), SignatureScheme.ECDSA_P256_SHA256, "pub.pem");
        opensslVerifies("sha256", "pub.pem");
        Path passFile = Files.writeString(tmp.resolve("pass"), "correct horse\n");
        KeySecrets file = new KeySecrets(Map.of(KeySecrets.PASSPHRASE_ENV, "wrong"), Optional.of(passFile), Optional.empty());
        roundTrip(KeySigner.open(tmp.resolve("k.pem").toString(), file), SignatureScheme.ECDSA_P256_SHA256, "pub.pem");

        assertThatThrownBy(() -> KeySigner.open(tmp.resolve("k.pem").toString(), NONE)).isInstanceOf(InputException.class)
                .hasMessageContaining("is encrypted").hasMessageContaining(KeySecrets.PASSPHRASE_ENV);
        KeySecrets wrong = new KeySecrets(Map.of(KeySecrets.PASSPHRASE_ENV, "wrong"), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> KeySigner.open(tmp.resolve("k.pem").toString(), wrong)).isInstanceOf(InputException.class)
                .hasMessageContaining("wrong passphrase").hasMessageNotContaining("wrong,");
    }

    @Test
    void pkcs1RsaWithPkcs1V15AndPss() throws Exception {
        run(tmp, "openssl", "genrsa", "-traditional", "-out", "k.pem", "2048");
        assertThat(Files.readString(tmp.resolve("k.pem"))).contains("BEGIN RSA PRIVATE KEY");
        run(tmp, "openssl", "rsa", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        run(tmp, "openssl", "rsa", "-in", "k.pem", "-RSAPublicKey_out", "-out", "pub1.pem");
        assertThat(Files.readString(tmp.resolve("pub1.pem"))).contains("BEGIN RSA PUBLIC KEY");
        KeySigner signer = KeySigner.open(tmp.resolve("k.pem").toString(), NONE);
        roundTrip(signer, SignatureScheme.RSA_PKCS1_SHA256, "pub.pem", "pub1.pem");
        opensslVerifies("sha256", "pub.pem");
        roundTrip(signer.withRsaPss(), SignatureScheme.RSA_PSS_SHA256, "pub.pem", "pub1.pem");
        opensslVerifies("sha256", "pub.pem", "rsa_padding_mode:pss", "rsa_pss_saltlen:32");
        // a PSS signature with the longest salt (as Go, and so cosign, makes them) verifies too
        Path file = tmp.resolve("app.bin");
        run(tmp, "openssl", "dgst", "-sha256", "-sign", "k.pem", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max",
                "-out", "max.sig", "app.bin");
        assertThat(KeySigner.verify(KeySigner.publicKey(tmp.resolve("pub.pem")), Files.readAllBytes(file),
                Files.readAllBytes(tmp.resolve("max.sig")))).isTrue();
    }

    @Test
    void legacyEncryptedRsaPem() throws Exception {
        run(tmp, "openssl", "genrsa", "-traditional", "-aes256", "-passout", "pass:s3cret", "-out", "k.pem", "3072");
        assertThat(Files.readString(tmp.resolve("k.pem"))).contains("Proc-Type: 4,ENCRYPTED");
        run(tmp, "openssl", "rsa", "-in", "k.pem", "-passin", "pass:s3cret", "-pubout", "-out", "pub.pem");
        KeySecrets env = new KeySecrets(Map.of(KeySecrets.PASSPHRASE_ENV, "s3cret"), Optional.empty(), Optional.empty());
        roundTrip(KeySigner.open(tmp.resolve("k.pem").toString(), env), SignatureScheme.RSA_PKCS1_SHA256, "pub.pem");
        opensslVerifies("sha256", "pub.pem");
        assertThatThrownBy(() -> KeySigner.open(tmp.resolve("k.pem").toString(), NONE)).isInstanceOf(InputException.class)
                .hasMessageContaining("is encrypted");
    }

    @Test
    void ed25519Pkcs8() throws Exception {
        run(tmp, "openssl", "genpkey", "-algorithm", "ed25519", "-out", "k.pem");
        run(tmp, "openssl", "pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        roundTrip(KeySigner.open(tmp.resolve("k.pem").toString(), NONE), SignatureScheme.ED25519, "pub.pem");
        assertThat(run(tmp, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "app.bin",
                "-sigfile", "app.bin.sig.der")).contains("Signature Verified Successfully");
    }

    @Test
    void openSshPrivateKeysAndOpenSshPublicKeys() throws Exception {
        run(tmp, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "release", "-f", "ed");
        // the SPKI of the raw Ed25519 key, the last 32 bytes of the OpenSSH blob: a public key made without our parser
        byte[] blob = Base64.getDecoder().decode(Files.readString(tmp.resolve("ed.pub")).split(" ")[1]);
        byte[] spki = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
        byte[] raw = java.util.Arrays.copyOfRange(blob, blob.length - 32, blob.length);
        byte[] whole = java.util.Arrays.copyOf(spki, 44);
        System.arraycopy(raw, 0, whole, 12, 32);
        Files.writeString(tmp.resolve("ed.pem"), KeySigner.toPem("PUBLIC KEY", whole));
        roundTrip(KeySigner.open(tmp.resolve("ed").toString(), NONE), SignatureScheme.ED25519, "ed.pub");
        assertThat(run(tmp, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "ed.pem", "-rawin", "-in", "app.bin",
                "-sigfile", "app.bin.sig.der")).contains("Signature Verified Successfully");

        run(tmp, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", "ec");
        Files.writeString(tmp.resolve("ec.pem"), run(tmp, "ssh-keygen", "-e", "-m", "PKCS8", "-f", "ec.pub"));
        roundTrip(KeySigner.open(tmp.resolve("ec").toString(), NONE), SignatureScheme.ECDSA_P256_SHA256, "ec.pub", "ec.pem");
        opensslVerifies("sha256", "ec.pem");

        run(tmp, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "384", "-N", "", "-f", "ec384");
        Files.writeString(tmp.resolve("ec384.pem"), run(tmp, "ssh-keygen", "-e", "-m", "PKCS8", "-f", "ec384.pub"));
        roundTrip(KeySigner.open(tmp.resolve("ec384").toString(), NONE), SignatureScheme.ECDSA_P384_SHA384, "ec384.pub", "ec384.pem");
        opensslVerifies("sha384", "ec384.pem");

        run(tmp, "ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-f", "rsa");
        Files.writeString(tmp.resolve("rsa.pem"), run(tmp, "ssh-keygen", "-e", "-m", "PKCS8", "-f", "rsa.pub"));
        roundTrip(KeySigner.open(tmp.resolve("rsa").toString(), NONE), SignatureScheme.RSA_PKCS1_SHA256, "rsa.pub", "rsa.pem");
        opensslVerifies("sha256", "rsa.pem");

        run(tmp, "ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f", "locked");
        assertThatThrownBy(() -> KeySigner.open(tmp.resolve("locked").toString(), NONE)).isInstanceOf(InputException.class)
                .hasMessageContaining("passphrase-protected OpenSSH key");
    }

    @Test
    void weakKeysAreRefusedNamingTheRule() throws Exception {
        run(tmp, "openssl", "genrsa", "-out", "rsa1024.pem", "1024");
        run(tmp, "openssl", "rsa", "-in", "rsa1024.pem", "-pubout", "-out", "rsa1024.pub");
        run(tmp, "openssl", "ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "k1.pem");
        run(tmp, "openssl", "ec", "-in", "k1.pem", "-pubout", "-out", "k1.pub");
        run(tmp, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521", "-out", "p521.pem");
        run(tmp, "openssl", "genpkey", "-algorithm", "ed448", "-out", "ed448.pem");
        for (String f : List.of("rsa1024.pem", "k1.pem", "p521.pem", "ed448.pem")) {
            assertThatThrownBy(() -> KeySigner.open(tmp.resolve(f).toString(), NONE)).as(f).isInstanceOf(RefusedException.class)
                    .satisfies(e -> assertThat(((RefusedException) e).refusals().get(0).rule()).isEqualTo(KeyFiles.WEAK));
        }
        for (String f : List.of("rsa1024.pub", "k1.pub")) {
            assertThatThrownBy(() -> KeySigner.publicKey(tmp.resolve(f))).as(f).isInstanceOf(RefusedException.class)
                    .hasMessageContaining(KeyFiles.WEAK);
        }
        assertThatThrownBy(() -> KeySigner.open(tmp.resolve("rsa1024.pem").toString(), NONE)).hasMessageContaining("1024 bits");
    }

    @Test
    void badInputIsAnInputError() throws Exception {
        Files.writeString(tmp.resolve("junk.pem"), "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n");
        Files.writeString(tmp.resolve("empty.pem"), "");
        run(tmp, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem");
        run(tmp, "openssl", "pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        for (String f : List.of("junk.pem", "empty.pem", "pub.pem", "missing.pem")) {
            assertThatThrownBy(() -> KeySigner.open(tmp.resolve(f).toString(), NONE)).as(f).isInstanceOf(InputException.class);
        }
        assertThatThrownBy(() -> KeySigner.publicKey(tmp.resolve("k.pem"))).isInstanceOf(InputException.class)
                .hasMessageContaining("holds a private key");
        assertThatThrownBy(() -> KeySigner.publicKey(tmp.resolve("junk.pem"))).isInstanceOf(InputException.class);
    }

    @Test
    void certificateSigningTakesDigestSigningKeysOnly() throws Exception {
        run(tmp, "openssl", "genpkey", "-algorithm", "ed25519", "-out", "ed.pem");
        KeySigner ed = KeySigner.open(tmp.resolve("ed.pem").toString(), NONE);
        assertThatThrownBy(() -> ed.signDigest(new byte[32])).isInstanceOf(InputException.class).hasMessageContaining("not digests");
        run(tmp, "openssl", "genrsa", "-out", "rsa.pem", "2048");
        run(tmp, "openssl", "rsa", "-in", "rsa.pem", "-pubout", "-out", "rsa.pub");
        KeySigner rsa = KeySigner.open(tmp.resolve("rsa.pem").toString(), NONE);
        byte[] data = "manifest".getBytes(StandardCharsets.UTF_8);
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(data);
        byte[] sig = rsa.signDigest(sha);
        PublicKey pub = KeySigner.publicKey(tmp.resolve("rsa.pub"));
        assertThat(KeySigner.verifyDigest(pub, sha, sig)).isTrue();
        assertThat(KeySigner.verify(pub, data, sig)).as("the digest signature is a SHA256withRSA signature of the data").isTrue();
        assertThatThrownBy(() -> rsa.withRsaPss().signDigest(sha)).isInstanceOf(InputException.class);
    }

    @Test
    void cosignEncryptedKeyFormat() throws Exception {
        // made here with the format's own primitives (scrypt, XSalsa20-Poly1305 secretbox over PKCS#8); no cosign
        // binary is reachable from this build, so a key made by cosign itself is not part of the test
        run(tmp, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem");
        run(tmp, "openssl", "pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        byte[] der = Base64.getMimeDecoder().decode(Files.readString(tmp.resolve("k.pem")).replaceAll("-----[A-Z ]+-----", ""));
        Files.writeString(tmp.resolve("cosign.key"), CosignKeys.encrypt(der, "pw".toCharArray()));
        KeySecrets pw = new KeySecrets(Map.of(KeySecrets.PASSPHRASE_ENV, "pw"), Optional.empty(), Optional.empty());
        roundTrip(KeySigner.open(tmp.resolve("cosign.key").toString(), pw), SignatureScheme.ECDSA_P256_SHA256, "pub.pem");
        opensslVerifies("sha256", "pub.pem");
        KeySecrets bad = new KeySecrets(Map.of(KeySecrets.PASSPHRASE_ENV, "nope"), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> KeySigner.open(tmp.resolve("cosign.key").toString(), bad)).isInstanceOf(InputException.class)
                .hasMessageContaining("wrong passphrase");
        assertThatThrownBy(() -> KeySigner.open(tmp.resolve("cosign.key").toString(), NONE)).isInstanceOf(InputException.class)
                .hasMessageContaining("is encrypted");
    }
}

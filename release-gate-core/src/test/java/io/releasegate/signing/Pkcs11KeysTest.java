package io.releasegate.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys that never leave a real SoftHSM2 token, through SunPKCS11. SoftHSM2 reads its configuration once per process
 * (the surefire configuration points SOFTHSM2_CONF into target/), so every token is made before the first use.
 */
public class Pkcs11KeysTest {

    static final String PIN = "73914825";
    static Path dir;
    static Path module;

    @TempDir
    Path tmp;

    /** The SoftHSM2 module of this machine (Debian's softhsm2 package). */
    public static Path module() {
        return Stream.of("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so").map(Path::of).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new AssertionError("SoftHSM2 is not installed (apt-get install softhsm2 opensc)"));
    }

    /**
     * A token labelled {@code label} in the SoftHSM2 configuration {@code conf}, with an EC P-256 key {@code release} (id 01)
     * and an RSA 2048 key {@code rsa} (id 02), each with a certificate for its key (SunPKCS11 lists keys with certificates),
     * and a key {@code bare} (id 03) without one. The public keys are exported to {@code out}/LABEL.pem.
     */
    public static void token(Path conf, String label, String pin, Path out) throws Exception {
        Map<String, String> env = Map.of("SOFTHSM2_CONF", conf.toString());
        KeyFormatsTest.run(out, env(env, "softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "5678", "--pin", pin));
        String[] tool = {"pkcs11-tool", "--module", module().toString(), "--token-label", label, "--login", "--pin", pin};
        key(env, out, tool, "EC:prime256v1", "release", "01", true);
        key(env, out, tool, "rsa:2048", "rsa", "02", true);
        key(env, out, tool, "EC:prime256v1", "bare", "03", false);
    }

    private static void key(Map<String, String> env, Path out, String[] tool, String type, String label, String id, boolean cert)
            throws Exception {
        KeyFormatsTest.run(out, env(env, concat(tool, "--keypairgen", "--key-type", type, "--label", label, "--id", id)));
        KeyFormatsTest.run(out, env(env, concat(tool, "--read-object", "--type", "pubkey", "--id", id, "-o", label + ".der")));
        KeyFormatsTest.run(out, "openssl", "pkey", "-pubin", "-inform", "DER", "-in", label + ".der", "-out", label + ".pem");
        if (cert) {
            if (!Files.exists(out.resolve("ca.pem"))) {
                KeyFormatsTest.run(out, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", "ca.key", "-subj", "/CN=test CA", "-days", "2", "-out", "ca.pem");
            }
            KeyFormatsTest.run(out, "openssl", "x509", "-new", "-subj", "/CN=" + label, "-force_pubkey", label + ".pem", "-CA", "ca.pem",
                    "-CAkey", "ca.key", "-days", "2", "-outform", "DER", "-out", label + ".crt");
            KeyFormatsTest.run(out, env(env, concat(tool, "--write-object", label + ".crt", "--type", "cert", "--id", id, "--label", label)));
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A command run with extra environment variables, through env(1). */
    public static String[] env(Map<String, String> env, String... cmd) {
        String[] out = new String[cmd.length + 1 + env.size()];
        out[0] = "env";
        int i = 1;
        for (var e : env.entrySet()) {
            out[i++] = e.getKey() + "=" + e.getValue();
        }
        System.arraycopy(cmd, 0, out, i, cmd.length);
        return out;
    }

    /** Writes a SoftHSM2 configuration {@code dir}/softhsm2.conf with its tokens in {@code dir}/tokens. */
    public static Path softhsmConf(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("tokens"));
        return Files.writeString(dir.resolve("softhsm2.conf"), "directories.tokendir = " + dir.resolve("tokens")
                + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    }

    @BeforeAll
    static void tokens() throws Exception {
        Path conf = Path.of(System.getenv("SOFTHSM2_CONF"));
        dir = conf.getParent();
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        softhsmConf(dir);
        module = module();
        token(conf, "rg test", PIN, dir);
    }

    static KeySecrets pin(String pin) {
        return new KeySecrets(Map.of(KeySecrets.PIN_ENV, pin), Optional.empty(), Optional.empty());
    }

    static String uri(String object) {
        return "pkcs11:token=rg%20test;object=" + object + "?module-path=" + module;
    }

    @Test
    void anEcKeyInTheTokenSignsAndOpensslVerifiesWithTheExportedPublicKey() throws Exception {
        KeySigner signer = KeySigner.open(uri("release"), pin(PIN));
        assertThat(signer.scheme()).isEqualTo(SignatureScheme.ECDSA_P256_SHA256);
        assertThat(signer.publicKey().map(KeyFiles::fingerprint))
                .contains(KeyFiles.fingerprint(KeySigner.publicKey(dir.resolve("release.pem"))));
        Path file = Files.writeString(tmp.resolve("app.bin"), "the release");
        Path sig = signer.signFile(file);
        Files.write(tmp.resolve("app.bin.der"), Base64.getDecoder().decode(Files.readString(sig)));
        assertThat(KeyFormatsTest.run(tmp, "openssl", "dgst", "-sha256", "-verify", dir.resolve("release.pem").toString(), "-signature",
                "app.bin.der", "app.bin")).contains("Verified OK");
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        PublicKey pub = KeySigner.publicKey(dir.resolve("release.pem"));
        assertThat(KeySigner.verifyDigest(pub, sha, signer.signDigest(sha))).isTrue();
    }

    @Test
    void anRsaKeyInTheTokenSignsWithPkcs1AndPss() throws Exception {
        KeySigner signer = KeySigner.open(uri("rsa"), pin(PIN));
        assertThat(signer.scheme()).isEqualTo(SignatureScheme.RSA_PKCS1_SHA256);
        Path file = Files.writeString(tmp.resolve("app.bin"), "the release");
        Files.write(tmp.resolve("v15.der"), Base64.getDecoder().decode(Files.readString(signer.signFile(file))));
        assertThat(KeyFormatsTest.run(tmp, "openssl", "dgst", "-sha256", "-verify", dir.resolve("rsa.pem").toString(), "-signature",
                "v15.der", "app.bin")).contains("Verified OK");
        Files.write(tmp.resolve("pss.der"), Base64.getDecoder().decode(Files.readString(signer.withRsaPss().signFile(file))));
        assertThat(KeyFormatsTest.run(tmp, "openssl", "dgst", "-sha256", "-verify", dir.resolve("rsa.pem").toString(), "-sigopt",
                "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-signature", "pss.der", "app.bin")).contains("Verified OK");
        byte[] sha = MessageDigest.getInstance("SHA-256").digest("m".getBytes(StandardCharsets.UTF_8));
        assertThat(KeySigner.verifyDigest(KeySigner.publicKey(dir.resolve("rsa.pem")), sha, signer.signDigest(sha))).isTrue();
    }

    @Test
    void aWrongPinAMissingObjectTokenOrModuleAreClearInputErrors() {
        // a correct login first: the next, wrong PIN must still be checked
        KeySigner.open(uri("release"), pin(PIN));
        assertThatThrownBy(() -> KeySigner.open(uri("release"), pin("00000000"))).isInstanceOf(InputException.class)
                .hasMessageContaining("refused the login").hasMessageNotContaining("00000000");
        assertThatThrownBy(() -> KeySigner.open(uri("nothing"), pin(PIN))).isInstanceOf(InputException.class)
                .hasMessageContaining("no private key labelled 'nothing'").hasMessageContaining("[");
        assertThatThrownBy(() -> KeySigner.open(uri("bare"), pin(PIN))).isInstanceOf(InputException.class)
                .hasMessageContaining("with a certificate");
        assertThatThrownBy(() -> KeySigner.open("pkcs11:token=gone;object=release?module-path=" + module, pin(PIN)))
                .isInstanceOf(InputException.class).hasMessageContaining("no token").hasMessageContaining("rg test");
        assertThatThrownBy(() -> KeySigner.open("pkcs11:token=rg%20test;object=release?module-path=/nonexistent/libp11.so", pin(PIN)))
                .isInstanceOf(InputException.class).hasMessageContaining("module not found");
        assertThatThrownBy(() -> KeySigner.open("pkcs11:token=rg%20test;object=release", pin(PIN)))
                .isInstanceOf(InputException.class).hasMessageContaining(KeySecrets.MODULE_ENV);
        KeySecrets fromEnv = new KeySecrets(Map.of(KeySecrets.PIN_ENV, PIN, KeySecrets.MODULE_ENV, module.toString()),
                Optional.empty(), Optional.empty());
        assertThat(KeySigner.open("pkcs11:token=rg%20test;object=release", fromEnv).scheme()).isEqualTo(SignatureScheme.ECDSA_P256_SHA256);
        assertThatThrownBy(() -> KeySigner.open(uri("release"), new KeySecrets(Map.of(), Optional.empty(), Optional.empty())))
                .isInstanceOf(InputException.class).hasMessageContaining(KeySecrets.PIN_ENV);
    }

    @Test
    void thePinComesFromAFileAndNeverFromTheUri() throws Exception {
        Path pinFile = Files.writeString(tmp.resolve("pin"), PIN + "\n");
        assertThat(KeySigner.open(uri("release"), new KeySecrets(Map.of(), Optional.empty(), Optional.of(pinFile))).publicKey()).isPresent();
        for (String u : new String[] {uri("release") + "&pin-value=" + PIN, "pkcs11:token=rg%20test;object=release;pin-value=" + PIN,
                uri("release") + "&pin-source=file:" + pinFile}) {
            assertThatThrownBy(() -> KeySigner.open(u, pin(PIN))).isInstanceOf(InputException.class)
                    .hasMessageContaining("PIN in the PKCS#11 URI").hasMessageNotContaining(PIN);
        }
    }

    @Test
    void uriParsing() {
        Pkcs11Uri u = Pkcs11Uri.parse("pkcs11:token=My%20Token%c3%a9;object=release%3Bkey;slot-id=7;x-vendor=1?module-path=%2Fopt%2Fp11.so");
        assertThat(u.token()).contains("My Tokené");
        assertThat(u.object()).isEqualTo("release;key");
        assertThat(u.slotId()).contains(7L);
        assertThat(u.modulePath()).contains("/opt/p11.so");
        for (String bad : new String[] {"pkcs11:object=k", "pkcs11:token=t", "pkcs11:token=t;object=k;object=j", "pkcs11:token=t;object=%zz",
                "pkcs11:token=t;object=k;colour=red", "pkcs11:token=t;object=k;type=cert", "pkcs11:token=t;object=k?module-name=softhsm2",
                "pkcs11:token=t;object=k;slot-id=x", "pkcs11:token=t;object=%ff"}) {
            assertThatThrownBy(() -> Pkcs11Uri.parse(bad)).as(bad).isInstanceOf(InputException.class);
        }
    }
}

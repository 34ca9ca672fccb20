package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.signing.KeyFormatsTest;
import io.releasegate.signing.Pkcs11KeysTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line signing with a key in a real SoftHSM2 token, each command a process of its own (as in a pipeline:
 * the PIN and module in the environment, SoftHSM2's configuration in SOFTHSM2_CONF): release signature, file signature,
 * certificate signature and provenance, verified independently by openssl; the failures leave nothing written; the
 * PIN appears in no output and nowhere in the ledger or the store.
 */
class Pkcs11CommandsTest {

    static final String PIN = "58213907";

    @TempDir
    Path tmp;

    final StringBuilder allOutput = new StringBuilder();

    record Run(int exit, String stdout, String stderr) {
    }

    Run cli(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RELEASE_GATE_"));
        pb.environment().putAll(env);
        pb.redirectError(tmp.resolve("stderr").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        String err = Files.readString(tmp.resolve("stderr"));
        allOutput.append(out).append(err);
        return new Run(exit, out, err);
    }

    long ledgerCommits(Path state) throws Exception {
        String out = KeyFormatsTest.run(tmp, "git", "--git-dir", state.resolve("ledger.git").toString(), "rev-list", "--all", "--count");
        return Long.parseLong(out.trim());
    }

    long storeBlobs(Path state) throws Exception {
        try (Stream<Path> s = Files.walk(state.resolve("store"))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aTokenKeySignsReleasesFilesBundlesAndProvenanceAndThePinIsNowhere() throws Exception {
        Path hsm = Files.createDirectories(tmp.resolve("hsm"));
        Path conf = Pkcs11KeysTest.softhsmConf(hsm);
        Pkcs11KeysTest.token(conf, "ci token", PIN, hsm);
        Map<String, String> env = new LinkedHashMap<>(Map.of("SOFTHSM2_CONF", conf.toString(), "RELEASE_GATE_PKCS11_PIN", PIN,
                "RELEASE_GATE_PKCS11_MODULE", Pkcs11KeysTest.module().toString()));
        String key = "pkcs11:token=ci%20token;object=release";
        Path state = tmp.resolve("state");
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "the app");
        String stateDir = state.toString();

        assertThat(cli(env, "build-once", "--state-dir", stateDir, "--workspace", ws.toString(), "--actor", "ci", "--name", "payments",
                "--version", "1.0.0", "app.jar").exit()).isZero();
        Run signed = cli(env, "sign", "--release", "payments@1.0.0", "--key", key, "--state-dir", stateDir);
        assertThat(signed.exit()).as(signed.stderr()).isZero();
        Run verified = cli(env, "verify", "--release", "payments@1.0.0", "--key", hsm.resolve("release.pem").toString(), "--state-dir", stateDir);
        assertThat(verified.exit()).as(verified.stderr()).isZero();
        Path prov = tmp.resolve("prov.json");
        Run provenance = cli(env, "provenance", "payments@1.0.0", "--key", key, "--out", prov.toString(), "--state-dir", stateDir);
        assertThat(provenance.exit()).as(provenance.stderr()).isZero();

        // a file signature, verified by openssl with the public key exported from the token
        Path file = Files.writeString(tmp.resolve("app.bin"), "bytes");
        assertThat(cli(env, "sign", "--key", key, file.toString()).exit()).isZero();
        Files.write(tmp.resolve("app.bin.der"), java.util.Base64.getDecoder().decode(Files.readString(tmp.resolve("app.bin.sig"))));
        assertThat(KeyFormatsTest.run(tmp, "openssl", "dgst", "-sha256", "-verify", hsm.resolve("release.pem").toString(), "-signature",
                "app.bin.der", "app.bin")).contains("Verified OK");

        // certificate mode: a certificate for the token's key, issued by the test CA, with an identity and an issuer
        Files.writeString(hsm.resolve("ext.cnf"), "subjectAltName=email:ci@example.com\nkeyUsage=critical,digitalSignature\n"
                + "extendedKeyUsage=codeSigning\n1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:https://issuer.example.com\n");
        KeyFormatsTest.run(hsm, "openssl", "x509", "-new", "-subj", "/CN=ci", "-force_pubkey", "release.pem", "-CA", "ca.pem",
                "-CAkey", "ca.key", "-days", "1", "-extfile", "ext.cnf", "-out", "leaf.pem");
        Path jar = Files.writeString(tmp.resolve("app2.bin"), "more bytes");
        Run certSigned = cli(env, "sign", "--key", key, "--certificate", hsm.resolve("leaf.pem").toString(), jar.toString());
        assertThat(certSigned.exit()).as(certSigned.stderr()).isZero();
        Run certVerified = cli(env, "verify", jar.toString(), "--certificate-identity", "ci@example.com", "--certificate-oidc-issuer",
                "https://issuer.example.com", "--trusted-root", hsm.resolve("ca.pem").toString());
        assertThat(certVerified.exit()).as(certVerified.stdout() + certVerified.stderr()).isZero();
        Files.write(tmp.resolve("app2.der"), java.util.Base64.getDecoder().decode(Files.readString(tmp.resolve("app2.bin.sig"))));
        assertThat(KeyFormatsTest.run(tmp, "openssl", "dgst", "-sha256", "-verify", hsm.resolve("release.pem").toString(), "-signature",
                "app2.der", "app2.bin")).contains("Verified OK");

        // failures: exit 2, clear, nothing recorded or stored
        assertThat(cli(env, "build-once", "--state-dir", stateDir, "--workspace", ws.toString(), "--actor", "ci", "--name", "payments",
                "--version", "1.0.1", "app.jar").exit()).isZero();
        long commits = ledgerCommits(state);
        long blobs = storeBlobs(state);
        Map<String, String> wrongPin = new LinkedHashMap<>(env);
        wrongPin.put("RELEASE_GATE_PKCS11_PIN", "11111111");
        Run wrong = cli(wrongPin, "sign", "--release", "payments@1.0.1", "--key", key, "--state-dir", stateDir);
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.stderr()).contains("refused the login").doesNotContain("11111111");
        Run noObject = cli(env, "sign", "--release", "payments@1.0.1", "--key", "pkcs11:token=ci%20token;object=other", "--state-dir", stateDir);
        assertThat(noObject.exit()).isEqualTo(2);
        assertThat(noObject.stderr()).contains("no private key labelled 'other'");
        Run noToken = cli(env, "provenance", "payments@1.0.1", "--key", "pkcs11:token=removed;object=release", "--state-dir", stateDir);
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.stderr()).contains("no token").contains("ci token");
        Map<String, String> noModule = new LinkedHashMap<>(env);
        noModule.put("RELEASE_GATE_PKCS11_MODULE", tmp.resolve("libgone.so").toString());
        Run moduleGone = cli(noModule, "sign", "--release", "payments@1.0.1", "--key", key, "--state-dir", stateDir);
        assertThat(moduleGone.exit()).isEqualTo(2);
        assertThat(moduleGone.stderr()).contains("module not found");
        Run inUri = cli(env, "sign", "--release", "payments@1.0.1", "--key", key + "?pin-value=" + PIN, "--state-dir", stateDir);
        assertThat(inUri.exit()).isEqualTo(2);
        assertThat(inUri.stderr()).contains("PIN in the PKCS#11 URI");
        assertThat(ledgerCommits(state)).isEqualTo(commits);
        assertThat(storeBlobs(state)).isEqualTo(blobs);

        // the PIN from a file works the same
        Map<String, String> noPin = new LinkedHashMap<>(env);
        noPin.remove("RELEASE_GATE_PKCS11_PIN");
        Path pinFile = Files.writeString(tmp.resolve("pin.txt"), PIN + "\n");
        assertThat(cli(noPin, "sign", "--release", "payments@1.0.1", "--key", key, "--state-dir", stateDir).exit()).isEqualTo(2);
        assertThat(cli(noPin, "sign", "--release", "payments@1.0.1", "--key", key, "--pin-file", pinFile.toString(),
                "--state-dir", stateDir).exit()).isZero();

        // the PIN is in no output (the one given inside a URI aside, which was refused without echoing it), no ledger record
        String ledger = KeyFormatsTest.run(tmp, "git", "--git-dir", state.resolve("ledger.git").toString(), "log", "--all", "-p");
        assertThat(ledger).contains("signed").doesNotContain(PIN);
        assertThat(allOutput.toString()).doesNotContain(PIN);
        try (Stream<Path> s = Files.walk(state)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as(p.toString()).doesNotContain(PIN);
            }
        }
        assertThat(Files.readString(prov)).doesNotContain(PIN);
    }
}

package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.signing.SigstoreBundle;
import io.releasegate.testing.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateSigningCommandsTest {

    static final String EMAIL = "release-bot@example.test";

    @TempDir
    Path tmp;

    int exit;
    String stdout;
    String stderr;
    TestPki pki;
    TestPki.Leaf leaf;
    Path tlog;
    Path trustedRoot;
    Path file;

    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        stdout = out.toString();
        stderr = err.toString();
        return stdout + stderr;
    }

    JsonNode json(String... args) throws Exception {
        run(args);
        return Json.mapper().readTree(stdout);
    }

    @BeforeEach
    void setUp() throws Exception {
        Instant now = Instant.now();
        pki = TestPki.create(now);
        leaf = pki.leaf(tmp.resolve("id"), "signer", EMAIL, now);
        tlog = tmp.resolve("tlog");
        JsonNode entry = json("tlog-init", tlog.toString(), "--origin", "tlog.release-gate.test");
        assertThat(exit).isZero();
        assertThat(entry.path("baseUrl").asText()).isEqualTo("https://tlog.release-gate.test");
        trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"),
                Optional.of(io.releasegate.signing.TransparencyLog.open(tlog)));
        file = Files.writeString(tmp.resolve("app.jar"), "bytes");
    }

    String[] verifyArgs(String... extra) {
        String[] base = {"verify", file.toString(), "--certificate-oidc-issuer", TestPki.ISSUER, "--trusted-root", trustedRoot.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void signWithACertificateAndVerifyTheIdentity() throws Exception {
        JsonNode signed = json("sign", "--key", leaf.key().toString(), "--certificate", leaf.cert().toString(), "--chain",
                pki.caBundle(tmp.resolve("chain.pem")).toString(), "--tlog", tlog.toString(), "--json", file.toString());
        assertThat(exit).as(stderr).isZero();
        assertThat(signed.at("/signed/0/bundle").asText()).endsWith("app.jar.bundle");
        assertThat(signed.at("/signed/0/logIndex").asLong()).isZero();
        assertThat(tmp.resolve("app.jar.sig")).exists();
        assertThat(tmp.resolve("app.jar.pem")).exists();
        assertThat(Json.mapper().readTree(tmp.resolve("app.jar.bundle").toFile()).path("mediaType").asText()).isEqualTo(SigstoreBundle.MEDIA_TYPE);

        JsonNode v = json(verifyArgs("--certificate-identity", EMAIL, "--json"));
        assertThat(exit).as(stdout + stderr).isZero();
        assertThat(v.path("verified").asBoolean()).isTrue();
        assertThat(v.path("identity").asText()).isEqualTo(EMAIL);
        assertThat(v.path("signingTimeSource").asText()).isEqualTo("tlog");
        assertThat(v.path("logIndexes").get(0).asLong()).isZero();
        assertThat(run(verifyArgs("--certificate-identity-regexp", "release-bot@.*"))).contains("verified").contains("signed by " + EMAIL);
        assertThat(exit).isZero();
        // explicit files: the .sig and .pem alone (no log entry: the signing time is now)
        assertThat(run(verifyArgs("--certificate-identity", EMAIL, "--signature", tmp.resolve("app.jar.sig").toString(),
                "--certificate", tmp.resolve("app.jar.pem").toString(), "--bundle", tmp.resolve("app.jar.bundle").toString())))
                .contains("verified");
        assertThat(exit).isZero();
    }

    @Test
    void refusalsExitOneAndInputErrorsExitTwo() throws Exception {
        run("sign", "--key", leaf.key().toString(), "--certificate", leaf.cert().toString(), "--tlog", tlog.toString(), file.toString());
        assertThat(exit).isZero();

        JsonNode wrong = json(verifyArgs("--certificate-identity", "someone@example.test", "--json"));
        assertThat(exit).isEqualTo(1);
        assertThat(wrong.at("/error/refusals/0/rule").asText()).isEqualTo("certificate.identity");
        run("verify", file.toString(), "--certificate-identity", EMAIL, "--certificate-oidc-issuer", "https://other.test",
                "--trusted-root", trustedRoot.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(stderr).contains("certificate.issuer");

        Files.writeString(file, "bytes!");
        assertThat(run(verifyArgs("--certificate-identity", EMAIL))).contains("bundle.digest");
        assertThat(exit).isEqualTo(1);
        Files.writeString(file, "bytes");

        // a key that is not the certificate's: refused, and nothing written
        TestPki.Leaf other = pki.leaf(tmp.resolve("id"), "other", EMAIL, Instant.now());
        Path file2 = Files.writeString(tmp.resolve("b.jar"), "b");
        assertThat(run("sign", "--key", other.key().toString(), "--certificate", leaf.cert().toString(), file2.toString()))
                .contains("does not belong to the certificate");
        assertThat(exit).isEqualTo(2);
        assertThat(tmp.resolve("b.jar.sig")).doesNotExist();
        assertThat(tmp.resolve("b.jar.bundle")).doesNotExist();

        // missing evidence is a refusal, and so is a bundle that does not parse (damaged or forged); a bad trust root an input error
        assertThat(run("verify", file2.toString(), "--certificate-identity", EMAIL, "--certificate-oidc-issuer", TestPki.ISSUER,
                "--trusted-root", trustedRoot.toString())).contains("signature.missing");
        assertThat(exit).isEqualTo(1);
        String good = Files.readString(tmp.resolve("app.jar.bundle"));
        Files.writeString(tmp.resolve("app.jar.bundle"), good.substring(0, 100));
        assertThat(run(verifyArgs("--certificate-identity", EMAIL))).contains("bundle.malformed").contains("is not valid JSON");
        assertThat(exit).isEqualTo(1);
        Files.writeString(tmp.resolve("app.jar.bundle"), good);
        Path badRoot = Files.writeString(tmp.resolve("bad-root.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        run("verify", file.toString(), "--certificate-identity", EMAIL, "--certificate-oidc-issuer", TestPki.ISSUER,
                "--trusted-root", badRoot.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(stderr).contains("is not an X.509 certificate");

        // usage: key and identity together, issuer or trust root missing
        run(verifyArgs("--certificate-identity", EMAIL, "--key", leaf.key().toString()));
        assertThat(exit).isEqualTo(2);
        run("verify", file.toString(), "--certificate-identity", EMAIL, "--trusted-root", trustedRoot.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(stderr).contains("--certificate-oidc-issuer is required");
        run("verify", file.toString(), "--certificate-identity", EMAIL, "--certificate-oidc-issuer", TestPki.ISSUER);
        assertThat(exit).isEqualTo(2);
        assertThat(stderr).contains("--trusted-root is required");
        run("sign", "--key", leaf.key().toString(), "--tlog", tlog.toString(), file.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(run("verify", "--help")).contains("--certificate-identity-regexp").contains("--trusted-root");
        assertThat(run("sign", "--help")).contains("--certificate").contains("--tlog");
    }

    @Test
    void aReleaseSignedWithACertificateStoresTheBundleAsAReferrerAndVerificationsAreRecorded() throws Exception {
        String state = tmp.resolve("state").toString();
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "app");
        run("build-once", "--state-dir", state, "--workspace", ws.toString(), "--actor", "ci", "--name", "payments",
                "--version", "1.0.0", "app.jar");
        assertThat(exit).as(stderr).isZero();
        String[] verify = {"verify", "--release", "payments@1.0.0", "--certificate-identity", EMAIL, "--certificate-oidc-issuer",
                TestPki.ISSUER, "--trusted-root", trustedRoot.toString(), "--state-dir", state, "--json"};
        JsonNode missing = json(verify);
        assertThat(exit).isEqualTo(1);
        assertThat(missing.at("/error/refusals/0/rule").asText()).isEqualTo("signature.missing");

        JsonNode signed = json("sign", "--release", "payments@1.0.0", "--key", leaf.key().toString(), "--certificate",
                leaf.cert().toString(), "--tlog", tlog.toString(), "--state-dir", state, "--json");
        assertThat(exit).as(stdout + stderr).isZero();
        assertThat(signed.path("bundle").asText()).startsWith("payments@sha256:");
        assertThat(signed.path("logIndex").asLong()).isZero();

        JsonNode ok = json(verify);
        assertThat(exit).as(stdout + stderr).isZero();
        assertThat(ok.path("identity").asText()).isEqualTo(EMAIL);

        JsonNode wrong = json("verify", "--release", "payments@1.0.0", "--certificate-identity", "someone@example.test",
                "--certificate-oidc-issuer", TestPki.ISSUER, "--trusted-root", trustedRoot.toString(), "--state-dir", state, "--json");
        assertThat(exit).isEqualTo(1);
        assertThat(wrong.at("/error/refusals/0/rule").asText()).isEqualTo("certificate.identity");

        String inspect = run("inspect", "payments@1.0.0", "--state-dir", state, "--json");
        var record = Json.mapper().readTree(inspect.substring(0, inspect.lastIndexOf('}') + 1)).path("record");
        assertThat(record.path("signatures").findValuesAsText("result")).containsExactly("failed", "signed", "verified", "failed");
    }
}

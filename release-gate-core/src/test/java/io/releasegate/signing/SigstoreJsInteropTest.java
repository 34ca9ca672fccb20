package io.releasegate.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.json.Json;
import io.releasegate.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sigstore-js verifier ({@code @sigstore/verify}, pinned in src/test/node/sigstore-verify/package.json) checks a
 * bundle we wrote against the same trust root, with Node.js. The test installs the package into
 * target/sigstore-js itself (npm install), and fails when node or npm is missing: CI installs them.
 */
class SigstoreJsInteropTest {

    static final Path SOURCE = Path.of("src/test/node/sigstore-verify");
    static final Path INSTALL = Path.of("target/sigstore-js");
    static final String EMAIL = "release-bot@example.test";

    @TempDir
    Path tmp;

    record Run(int exit, String output) {
    }

    static Run run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Run(p.exitValue(), out.trim());
    }

    @BeforeAll
    static void install() throws Exception {
        Files.createDirectories(INSTALL);
        Files.copy(SOURCE.resolve("package.json"), INSTALL.resolve("package.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(SOURCE.resolve("verify-bundle.js"), INSTALL.resolve("verify-bundle.js"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isRegularFile(INSTALL.resolve("node_modules/@sigstore/verify/package.json"))) {
            Run npm = run(INSTALL, List.of("npm", "install", "--no-audit", "--no-fund", "--no-package-lock"));
            assertThat(npm.exit()).as("npm install: %s", npm.output()).isZero();
        }
        String installed = Json.mapper().readTree(INSTALL.resolve("node_modules/@sigstore/verify/package.json").toFile())
                .path("version").asText();
        assertThat(installed).isEqualTo("3.1.1");
    }

    Run verify(Path bundle, Path artifact, Path trustedRoot, String san, String issuer) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", "verify-bundle.js", bundle.toAbsolutePath().toString(),
                artifact.toAbsolutePath().toString(), trustedRoot.toAbsolutePath().toString(), san, issuer));
        return run(INSTALL, cmd);
    }

    @Test
    void sigstoreJsAcceptsOurBundleAndRefusesTamperedOnes() throws Exception {
        Instant now = Instant.now();
        TestPki pki = TestPki.create(now);
        TransparencyLog log = TransparencyLog.create(tmp.resolve("tlog"), "tlog.release-gate.test");
        for (int i = 0; i < 5; i++) {
            log.append(("{\"entry\":" + i + "}").getBytes(StandardCharsets.UTF_8), now);
        }
        Path trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.of(log));
        Path artifact = Files.writeString(tmp.resolve("app.jar"), "the artifact bytes");
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "signer", EMAIL, now);
        Path bundle = new CertificateSigner(KeySigner.fromPem(leaf.key()), leaf.certificate(), pki.chain(), Optional.of(log))
                .signFiles(List.of(artifact), now).get(0).bundle();

        Run ok = verify(bundle, artifact, trustedRoot, "^release-bot@example\\.test$", TestPki.ISSUER);
        assertThat(ok.output()).isEqualTo("verified " + EMAIL);
        assertThat(ok.exit()).isZero();

        Run wrongIdentity = verify(bundle, artifact, trustedRoot, "^someone@example\\.test$", TestPki.ISSUER);
        assertThat(wrongIdentity.exit()).isEqualTo(1);
        assertThat(wrongIdentity.output()).contains("refused: UNTRUSTED_SIGNER_ERROR");
        Run wrongIssuer = verify(bundle, artifact, trustedRoot, "^release-bot@example\\.test$", "https://other-issuer.test");
        assertThat(wrongIssuer.exit()).isEqualTo(1);
        assertThat(wrongIssuer.output()).contains("refused: UNTRUSTED_SIGNER_ERROR");

        String good = Files.readString(bundle);
        ObjectNode b = (ObjectNode) Json.mapper().readTree(good);
        ((ObjectNode) b.path("messageSignature")).put("signature",
                CertificateSigningTest.flip(b.at("/messageSignature/signature").asText(), 5));
        Files.writeString(bundle, Json.pretty(b));
        Run badSig = verify(bundle, artifact, trustedRoot, "^release-bot@example\\.test$", TestPki.ISSUER);
        assertThat(badSig.exit()).as(badSig.output()).isEqualTo(1);

        b = (ObjectNode) Json.mapper().readTree(good);
        var hashes = (com.fasterxml.jackson.databind.node.ArrayNode) b.at("/verificationMaterial/tlogEntries/0/inclusionProof/hashes");
        hashes.set(0, CertificateSigningTest.flip(hashes.get(0).asText(), 1));
        Files.writeString(bundle, Json.pretty(b));
        Run badProof = verify(bundle, artifact, trustedRoot, "^release-bot@example\\.test$", TestPki.ISSUER);
        assertThat(badProof.exit()).as(badProof.output()).isEqualTo(1);
        assertThat(badProof.output()).contains("TLOG_INCLUSION_PROOF_ERROR");

        Files.writeString(bundle, good);
        Files.writeString(artifact, "the artifact byteS");
        Run badArtifact = verify(bundle, artifact, trustedRoot, "^release-bot@example\\.test$", TestPki.ISSUER);
        assertThat(badArtifact.exit()).as(badArtifact.output()).isEqualTo(1);
    }
}

package io.releasegate.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Ledger;
import io.releasegate.provenance.Provenance;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningTest {

    @TempDir
    Path tmp;

    static String openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + ":" + out.trim();
    }

    @Test
    void fileSignaturesAreCosignStyleAndOpensslVerifiesThem() throws Exception {
        // a key made by openssl, used by us
        assertThat(openssl(tmp, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem")).startsWith("0:");
        assertThat(openssl(tmp, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem")).startsWith("0:");
        Path file = Files.writeString(tmp.resolve("app.jar"), "the artifact");
        Path sig = KeySigner.fromPem(tmp.resolve("key.pem")).signFile(file);
        assertThat(sig.getFileName().toString()).isEqualTo("app.jar.sig");
        byte[] der = Base64.getDecoder().decode(Files.readString(sig).trim());
        Files.write(tmp.resolve("sig.der"), der);
        assertThat(openssl(tmp, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.der", "app.jar")).isEqualTo("0:Verified OK");
        PublicKey pub = KeySigner.publicKey(tmp.resolve("pub.pem"));
        assertThat(KeySigner.verify(pub, Files.readAllBytes(file), der)).isTrue();

        // one flipped byte in the artifact, or in the signature, and both verifiers refuse
        Files.writeString(file, "the artifacT");
        assertThat(openssl(tmp, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.der", "app.jar")).startsWith("1:");
        assertThat(KeySigner.verify(pub, Files.readAllBytes(file), der)).isFalse();
        byte[] flipped = der.clone();
        flipped[flipped.length - 3] ^= 1;
        assertThat(KeySigner.verify(pub, "the artifact".getBytes(StandardCharsets.UTF_8), flipped)).isFalse();
        // a valid signature from another key
        String[] other = KeySigner.generatePem();
        Path otherPub = Files.writeString(tmp.resolve("other.pub"), other[1]);
        assertThat(KeySigner.verify(KeySigner.publicKey(otherPub), "the artifact".getBytes(StandardCharsets.UTF_8), der)).isFalse();
        // malformed keys are input errors
        Files.writeString(tmp.resolve("bad.pem"), "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> KeySigner.fromPem(tmp.resolve("bad.pem"))).isInstanceOf(InputException.class);
        assertThatThrownBy(() -> KeySigner.publicKey(tmp.resolve("key.pem"))).isInstanceOf(InputException.class)
                .hasMessageContaining("holds a private key");
    }

    record Release(Ledger ledger, OciLayoutStore store, BuildResult built, KeySigner signer, PublicKey pub, PublicKey wrong) {
    }

    Release release() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "app");
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("state/store"));
        BuildResult b = new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws)
                .outputs(List.of("app.jar")).actor("ci").call();
        String[] k = KeySigner.generatePem();
        String[] w = KeySigner.generatePem();
        return new Release(ledger, store, b, KeySigner.fromPem(Files.writeString(tmp.resolve("k.pem"), k[0])),
                KeySigner.publicKey(Files.writeString(tmp.resolve("k.pub"), k[1])),
                KeySigner.publicKey(Files.writeString(tmp.resolve("w.pub"), w[1])));
    }

    @Test
    void releaseSignaturesFailClosedAndEveryVerificationIsRecorded() throws Exception {
        Release r = release();
        Clock clock = Clock.systemUTC();
        assertThatThrownBy(() -> ReleaseSignatures.verify(r.store(), r.ledger(), "payments", "1.0.0", r.pub(), "ci", clock))
                .isInstanceOf(RefusedException.class).hasMessageContaining("signature.missing");
        ReleaseSignatures.sign(r.store(), r.ledger(), "payments", "1.0.0", r.signer(), r.pub(), "ci", clock);
        assertThat(ReleaseSignatures.verify(r.store(), r.ledger(), "payments", "1.0.0", r.pub(), "ci", clock).type())
                .isEqualTo("signature-verified");
        assertThatThrownBy(() -> ReleaseSignatures.verify(r.store(), r.ledger(), "payments", "1.0.0", r.wrong(), "ci", clock))
                .isInstanceOf(RefusedException.class).hasMessageContaining("signature.mismatch");
        assertThatThrownBy(() -> ReleaseSignatures.sign(r.store(), r.ledger(), "payments", "1.0.0", r.signer(), r.wrong(), "ci", clock))
                .isInstanceOf(InputException.class).hasMessageContaining("does not belong");
        assertThat(r.ledger().events("payments@1.0.0")).extracting(e -> e.type())
                .containsExactly("built", "signature-failed", "signed", "signature-verified", "signature-failed");
        r.ledger().close();
    }

    @Test
    void provenanceIsASignedSlsaStatementAndTamperingIsCaughtByItsOwnCheck() throws Exception {
        Release r = release();
        Provenance.Build b = new Provenance.Build("https://git.example.com/payments.git", "refs/heads/main", "Jenkinsfile",
                "golden", "v1.4.0", Optional.of("a".repeat(40)), "https://jenkins.example.com/job/payments",
                "https://jenkins.example.com/job/payments/42/", Instant.parse("2026-11-23T10:00:00Z"),
                Instant.parse("2026-11-23T10:05:00Z"));
        ObjectNode env = Provenance.generate(r.store(), r.ledger(), "payments", "1.0.0", b, r.signer(), "release-key", "ci", Clock.systemUTC());
        Digest artifact = r.built().digest();
        var st = Provenance.verify(env, r.pub(), artifact);
        assertThat(st.path("predicate").path("buildDefinition").path("externalParameters").path("library").path("version").asText())
                .isEqualTo("v1.4.0");
        assertThat(st.path("subject")).hasSize(2);
        assertThat(st.path("predicate").path("runDetails").path("metadata").path("invocationId").asText()).endsWith("/42/");
        assertThat(r.ledger().events("payments@1.0.0")).extracting(e -> e.type()).contains("provenance-generated");
        // stored as an attestation referring to the release's manifest, and it reads back to a valid envelope
        var recorded = r.ledger().events("payments@1.0.0").stream().filter(e -> e.type().equals("provenance-generated")).findFirst()
                .orElseThrow();
        String reference = recorded.payload().path("reference").asText();
        var referrer = io.releasegate.json.Json.mapper().readTree(r.store().fetchManifest("payments",
                reference.substring(reference.indexOf('@') + 1)).orElseThrow().bytes());
        assertThat(referrer.path("artifactType").asText()).isEqualTo(Provenance.DSSE_ARTIFACT_TYPE);
        assertThat(referrer.path("subject").path("digest").asText()).isEqualTo(artifact.toString());
        Digest layer = Digest.parse(referrer.path("layers").get(0).path("digest").asText());
        assertThat(layer.toString()).isEqualTo(recorded.payload().path("attestationDigest").asText());
        try (var in = r.store().openBlob("payments", layer)) {
            var stored = (ObjectNode) io.releasegate.json.Json.mapper().readTree(in.readAllBytes());
            assertThat(Provenance.verify(stored, r.pub(), artifact).path("predicateType").asText()).isEqualTo(Provenance.PREDICATE);
        }
        // verified at promotion from the store: good, wrong key, then one flipped byte in the stored document
        assertThat(Provenance.verifyStored(r.store(), r.ledger(), "payments", "1.0.0", r.pub(), "ci", Clock.systemUTC()).type())
                .isEqualTo("attestation-verified");
        assertThatThrownBy(() -> Provenance.verifyStored(r.store(), r.ledger(), "payments", "1.0.0", r.wrong(), "ci", Clock.systemUTC()))
                .isInstanceOf(RefusedException.class).hasMessageContaining("dsse.signature");
        java.nio.file.Path blob = tmp.resolve("state/store/blobs/sha256/" + layer.hex());
        byte[] bytes = java.nio.file.Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        blob.toFile().setWritable(true);
        java.nio.file.Files.write(blob, bytes);
        assertThatThrownBy(() -> Provenance.verifyStored(r.store(), r.ledger(), "payments", "1.0.0", r.pub(), "ci", Clock.systemUTC()))
                .isInstanceOf(RefusedException.class).hasMessageContaining("store.digest-mismatch").hasMessageContaining(blob.toString());
        assertThat(r.ledger().events("payments@1.0.0")).extracting(e -> e.type())
                .endsWith("attestation-verified", "attestation-failed", "attestation-failed");

        assertThatThrownBy(() -> Provenance.verify(env, r.wrong(), artifact)).isInstanceOf(SignatureCheckFailed.class)
                .hasMessageContaining("dsse.signature");
        assertThatThrownBy(() -> Provenance.verify(env, r.pub(), Digest.parse("sha256:" + "0".repeat(64))))
                .isInstanceOf(SignatureCheckFailed.class).hasMessageContaining("dsse.subject");
        ObjectNode tampered = env.deepCopy();
        byte[] payload = Base64.getDecoder().decode(env.path("payload").asText());
        payload[payload.length / 2] ^= 1;
        tampered.put("payload", Base64.getEncoder().encodeToString(payload));
        assertThatThrownBy(() -> Provenance.verify(tampered, r.pub(), artifact)).isInstanceOf(SignatureCheckFailed.class)
                .hasMessageContaining("dsse.signature");
        ObjectNode retyped = env.deepCopy().put("payloadType", "application/json");
        assertThatThrownBy(() -> Provenance.verify(retyped, r.pub(), artifact)).isInstanceOf(SignatureCheckFailed.class)
                .hasMessageContaining("dsse.payload-type");
        r.ledger().close();
    }
}

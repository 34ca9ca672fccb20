package io.releasegate.steps;

import static io.releasegate.steps.MapSteps.buildOnce;
import static io.releasegate.steps.MapSteps.provenance;
import static io.releasegate.steps.MapSteps.sign;
import static io.releasegate.steps.MapSteps.verifySignatures;
import static io.releasegate.steps.MapSteps.verifySignaturesWithCertificate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.context.ReleaseContext;
import io.releasegate.demo.SampleProject;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.signing.KeySigner;
import io.releasegate.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sign and verifySignatures entry points in key mode and in certificate mode, with their refusals. */
class PipelineStepsSignatureTest {

    static final String IDENTITY = "https://ci.example.test/job/payments";
    static final Map<String, String> RELEASE = Map.of("name", "payments", "version", "1.0.0");

    @TempDir
    Path tmp;

    Path state;
    Path keys;
    TestPki pki;

    @BeforeEach
    void buildTheRelease() throws Exception {
        SampleProject sample = SampleProject.create(tmp.resolve("payments"), Instant.parse("2026-11-02T09:00:00Z"));
        state = tmp.resolve("state");
        keys = Files.createDirectories(tmp.resolve("keys"));
        String jar = sample.build("1.0.0");
        buildOnce(Map.of("name", "payments", "version", "1.0.0", "artifacts", jar), StepEnvironment.of(sample.directory(),
                state, "rita"));
        pki = TestPki.create(Instant.now());
    }

    private Map<String, Object> args(Object... more) {
        Map<String, Object> a = new HashMap<>(RELEASE);
        for (int i = 0; i < more.length; i += 2) {
            a.put(more[i].toString(), more[i + 1]);
        }
        return a;
    }

    /** A leaf for {@code identity}, its certificate file followed by the issuing chain; signs the release and its provenance. */
    private TestPki.Leaf signWithCertificate(TestPki issuing, String identity) throws Exception {
        TestPki.Leaf leaf = issuing.leaf(keys, "leaf", identity, Instant.now());
        Path withChain = keys.resolve("leaf-chain.crt");
        Files.writeString(withChain, Files.readString(leaf.cert()) + TestPki.pem("CERTIFICATE", issuing.intermediate().getEncoded()));
        Map<String, Object> signed = MapSteps.signWithCertificate(args(), env("ci"), leaf.key(), withChain, Optional.empty());
        assertThat(signed).containsEntry("mode", "certificate").containsEntry("identity", IDENTITY.equals(identity) ? IDENTITY : identity)
                .containsEntry("issuer", TestPki.ISSUER);
        assertThat(signed.get("reference").toString()).startsWith("payments@sha256:");
        provenance(args(), env("ci"), leaf.key());
        return leaf;
    }

    private List<Event> events() {
        try (ReleaseContext ctx = ReleaseContext.open(new ReleaseContext.Options("", "", state, Optional.empty()))) {
            return ctx.ledger().events("payments@1.0.0");
        }
    }

    @Test
    void keyModeSignsAndVerifiesWithThePublicKey() throws Exception {
        String[] pair = KeySigner.generatePem();
        Files.writeString(keys.resolve("release.pem"), pair[0]);
        Files.writeString(keys.resolve("release.pub.pem"), pair[1]);
        sign(args(), env("ci"), keys.resolve("release.pem"), keys.resolve("release.pub.pem"));
        provenance(args(), env("ci"), keys.resolve("release.pem"));

        Map<String, Object> verified = verifySignatures(args(), env("jenkins"), keys.resolve("release.pub.pem"));

        assertThat(verified).containsEntry("verified", true).containsKeys("event", "provenanceEvent");
        String[] other = KeySigner.generatePem();
        Files.writeString(keys.resolve("other.pub.pem"), other[1]);
        assertThatThrownBy(() -> verifySignatures(args(), env("jenkins"), keys.resolve("other.pub.pem")))
                .isInstanceOf(RefusedException.class).hasMessageContaining("signature.mismatch");
        assertThatThrownBy(() -> verifySignatures(args("certificateIdentity", IDENTITY), env("jenkins"),
                keys.resolve("release.pub.pem")))
                .isInstanceOf(InputException.class).hasMessageContaining("[certificateIdentity] belong to certificate mode");
    }

    @Test
    void certificateModeSignsStoresTheBundleAndVerifiesIdentityIssuerAndProvenance() throws Exception {
        signWithCertificate(pki, IDENTITY);
        Path trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.empty());
        Path caBundle = pki.caBundle(tmp.resolve("ca.pem"));

        Map<String, Object> exact = verifySignaturesWithCertificate(args("certificateIdentity", IDENTITY,
                "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"), Optional.of(trustedRoot));
        Map<String, Object> regexp = verifySignaturesWithCertificate(args("certificateIdentityRegexp",
                "https://ci\\.example\\.test/job/.*", "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"), Optional.of(caBundle));

        assertThat(exact).containsEntry("verified", true).containsEntry("mode", "certificate").containsEntry("identity", IDENTITY)
                .containsEntry("issuer", TestPki.ISSUER).containsKeys("event", "provenanceEvent");
        assertThat(regexp).containsEntry("verified", true).containsEntry("identity", IDENTITY);
        List<Event> events = events();
        assertThat(events).extracting(Event::type).contains("signed", "provenance-generated", "signature-verified", "attestation-verified")
                .doesNotContain("signature-failed", "attestation-failed");
        Event verified = events.stream().filter(e -> e.type().equals("signature-verified")).findFirst().orElseThrow();
        assertThat(verified.payload().path("identity").asText()).isEqualTo(IDENTITY);
        assertThat(verified.payload().path("issuer").asText()).isEqualTo(TestPki.ISSUER);
        assertThat(verified.payload().path("certificate").asText()).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void certificateModeRefusesAWrongIdentityAWrongIssuerAndAnUntrustedCa() throws Exception {
        signWithCertificate(pki, IDENTITY);
        Path trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.empty());
        Path otherRoot = TestPki.other(Instant.now()).caBundle(tmp.resolve("other-ca.pem"));

        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentity",
                "https://ci.example.test/job/intruder", "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"), Optional.of(trustedRoot)))
                .isInstanceOf(RefusedException.class).hasMessageContaining("certificate.identity")
                .hasMessageContaining(IDENTITY).hasMessageContaining("'https://ci.example.test/job/intruder'");
        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentityRegexp",
                "https://ci\\.example\\.test/job/billing", "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"),
                Optional.of(trustedRoot)))
                .isInstanceOf(RefusedException.class).hasMessageContaining("certificate.identity");
        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentity", IDENTITY,
                "certificateOidcIssuer", "https://accounts.example.test"), env("jenkins"), Optional.of(trustedRoot)))
                .isInstanceOf(RefusedException.class).hasMessageContaining("certificate.issuer")
                .hasMessageContaining("'" + TestPki.ISSUER + "', not 'https://accounts.example.test'");
        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentity", IDENTITY,
                "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"), Optional.of(otherRoot)))
                .isInstanceOf(RefusedException.class).hasMessageContaining("certificate.untrusted");

        List<Event> events = events();
        assertThat(events).filteredOn(e -> e.type().equals("signature-failed")).hasSize(4)
                .extracting(e -> e.payload().path("reason").asText().split(":")[0])
                .containsExactly("certificate.identity", "certificate.identity", "certificate.issuer", "certificate.untrusted");
        assertThat(events).extracting(Event::type).doesNotContain("signature-verified", "attestation-verified");
    }

    @Test
    void certificateModeRefusesACertificateFromAnotherCaAndAReleaseSignedOnlyWithAKey() throws Exception {
        Path trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.empty());
        Map<String, Object> policy = args("certificateIdentity", IDENTITY, "certificateOidcIssuer", TestPki.ISSUER);
        String[] pair = KeySigner.generatePem();
        Files.writeString(keys.resolve("release.pem"), pair[0]);
        Files.writeString(keys.resolve("release.pub.pem"), pair[1]);
        sign(args(), env("ci"), keys.resolve("release.pem"), keys.resolve("release.pub.pem"));

        assertThatThrownBy(() -> verifySignaturesWithCertificate(policy, env("jenkins"), Optional.of(trustedRoot)))
                .isInstanceOf(RefusedException.class).hasMessageContaining("signature.missing");

        signWithCertificate(TestPki.other(Instant.now()), IDENTITY);
        assertThatThrownBy(() -> verifySignaturesWithCertificate(policy, env("jenkins"), Optional.of(trustedRoot)))
                .isInstanceOf(RefusedException.class).hasMessageContaining("certificate.untrusted");
    }

    @Test
    void certificateModeNamesWhatIsMissing() throws Exception {
        signWithCertificate(pki, IDENTITY);
        Path trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.empty());

        assertThatThrownBy(() -> verifySignaturesWithCertificate(args(), env("jenkins"), Optional.empty()))
                .isInstanceOf(InputException.class).hasMessage("verifySignatures: certificate mode needs certificateIdentity or "
                        + "certificateIdentityRegexp, certificateOidcIssuer, a trust root (trusted_root.json or a PEM bundle of CA certificates)");
        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentity", IDENTITY), env("jenkins"),
                Optional.of(trustedRoot)))
                .isInstanceOf(InputException.class).hasMessage("verifySignatures: certificate mode needs certificateOidcIssuer");
        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentity", IDENTITY,
                "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"), Optional.empty())).isInstanceOf(InputException.class)
                .hasMessageContaining("needs a trust root");
        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentity", IDENTITY,
                "certificateIdentityRegexp", ".*", "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"), Optional.of(trustedRoot)))
                .isInstanceOf(InputException.class).hasMessageContaining("only one of certificateIdentity and certificateIdentityRegexp");
        assertThatThrownBy(() -> verifySignaturesWithCertificate(args("certificateIdentity", IDENTITY,
                "certificateOidcIssuer", TestPki.ISSUER), env("jenkins"), Optional.of(tmp.resolve("missing.json"))))
                .isInstanceOf(InputException.class).hasMessageContaining("trust root not found");
        assertThat(events()).extracting(Event::type).doesNotContain("signature-verified", "signature-failed");
    }

    @Test
    void certificateSigningRefusesAKeyThatIsNotTheCertificates() throws Exception {
        TestPki.Leaf leaf = pki.leaf(keys, "leaf", IDENTITY, Instant.now());
        String[] pair = KeySigner.generatePem();
        Files.writeString(keys.resolve("other.pem"), pair[0]);

        assertThatThrownBy(() -> MapSteps.signWithCertificate(args(), env("ci"), keys.resolve("other.pem"), leaf.cert(),
                Optional.empty())).isInstanceOf(InputException.class).hasMessageContaining("does not belong to the certificate");
        assertThat(events()).extracting(Event::type).doesNotContain("signed");
    }

    /** The step environment of this test's workspace and state, acting as {@code actor}. */
    StepEnvironment env(String actor) {
        return StepEnvironment.of(tmp, state, actor);
    }
}

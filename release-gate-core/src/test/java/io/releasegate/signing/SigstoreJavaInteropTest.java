package io.releasegate.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.VerificationOptions.CertificateMatcher;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.strings.StringMatcher;
import io.releasegate.json.Json;
import io.releasegate.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sigstore-java, an independent verifier, checks the bundles we write against our test trust root, offline. */
class SigstoreJavaInteropTest {

    static final String EMAIL = "release-bot@example.test";

    @TempDir
    Path tmp;

    Instant now = Instant.now();
    TestPki pki;
    TransparencyLog log;
    Path trustedRoot;
    Path artifact;
    KeylessVerifier verifier;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create(now);
        log = TransparencyLog.create(tmp.resolve("tlog"), "tlog.release-gate.test");
        trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.of(log));
        artifact = Files.writeString(tmp.resolve("app.jar"), "the artifact bytes");
        verifier = KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build();
    }

    Path sign(TestPki.Leaf leaf) {
        // a few entries before, so the inclusion proof has hashes
        for (int i = 0; i < 4; i++) {
            log.append(("{\"entry\":" + i + "}").getBytes(StandardCharsets.UTF_8), now);
        }
        return new CertificateSigner(KeySigner.fromPem(leaf.key()), leaf.certificate(), pki.chain(), Optional.of(log))
                .signFiles(List.of(artifact), now).get(0).bundle();
    }

    static VerificationOptions options(StringMatcher san, String issuer) {
        return VerificationOptions.builder().addCertificateMatchers(CertificateMatcher.fulcio().subjectAlternativeName(san)
                .issuer(StringMatcher.string(issuer)).build()).build();
    }

    @Test
    void acceptsOurBundleWithExactAndRegexIdentities() throws Exception {
        Path bundle = sign(pki.leaf(tmp.resolve("id"), "signer", EMAIL, now));
        Bundle b = Bundle.from(bundle, StandardCharsets.UTF_8);
        assertThatCode(() -> verifier.verify(artifact, b, options(StringMatcher.string(EMAIL), TestPki.ISSUER))).doesNotThrowAnyException();
        assertThatCode(() -> verifier.verify(artifact, b, options(StringMatcher.regex("release-bot@.*"), TestPki.ISSUER)))
                .doesNotThrowAnyException();
        // and our own verifier agrees
        assertThat(CertificateVerifier.verifyFile(artifact, Optional.empty(), Optional.empty(), Optional.empty(),
                CertificateVerifier.Policy.exact(EMAIL, TestPki.ISSUER), TrustRoot.load(trustedRoot), now).logIndexes()).containsExactly(4L);
    }

    @Test
    void acceptsUriIdentitiesAndTheLegacyIssuerExtension() throws Exception {
        String uri = "https://ci.example.test/jobs/app/main";
        Path bundle = sign(pki.leaf(tmp.resolve("id"), "ci", uri, TestPki.ISSUER, TestPki.IssuerOid.LEGACY, now.minusSeconds(60),
                now.plusSeconds(600)));
        assertThatCode(() -> verifier.verify(artifact, Bundle.from(bundle, StandardCharsets.UTF_8),
                options(StringMatcher.string(uri), TestPki.ISSUER))).doesNotThrowAnyException();
    }

    @Test
    void rejectsTamperedBundlesAndWrongPolicies() throws Exception {
        Path bundle = sign(pki.leaf(tmp.resolve("id"), "signer", EMAIL, now));
        String good = Files.readString(bundle);
        var opts = options(StringMatcher.string(EMAIL), TestPki.ISSUER);

        assertThatThrownBy(() -> verifier.verify(artifact, Bundle.from(bundle, StandardCharsets.UTF_8),
                options(StringMatcher.string("someone@example.test"), TestPki.ISSUER))).isInstanceOf(KeylessVerificationException.class);
        assertThatThrownBy(() -> verifier.verify(artifact, Bundle.from(bundle, StandardCharsets.UTF_8),
                options(StringMatcher.string(EMAIL), "https://other-issuer.test"))).isInstanceOf(KeylessVerificationException.class);

        ObjectNode b = (ObjectNode) Json.mapper().readTree(good);
        ((ObjectNode) b.path("messageSignature")).put("signature",
                CertificateSigningTest.flip(b.at("/messageSignature/signature").asText(), 5));
        Files.writeString(bundle, Json.pretty(b));
        assertThatThrownBy(() -> verifier.verify(artifact, Bundle.from(bundle, StandardCharsets.UTF_8), opts))
                .isInstanceOf(KeylessVerificationException.class);

        b = (ObjectNode) Json.mapper().readTree(good);
        var hashes = (com.fasterxml.jackson.databind.node.ArrayNode) b.at("/verificationMaterial/tlogEntries/0/inclusionProof/hashes");
        hashes.set(0, CertificateSigningTest.flip(hashes.get(0).asText(), 1));
        Files.writeString(bundle, Json.pretty(b));
        assertThatThrownBy(() -> verifier.verify(artifact, Bundle.from(bundle, StandardCharsets.UTF_8), opts))
                .isInstanceOf(KeylessVerificationException.class).hasMessageContaining("Transparency log entry could not be verified");

        Files.writeString(bundle, good);
        Files.writeString(artifact, "the artifact byteS");
        assertThatThrownBy(() -> verifier.verify(artifact, Bundle.from(bundle, StandardCharsets.UTF_8), opts))
                .isInstanceOf(KeylessVerificationException.class).hasMessageContaining("digest");
    }

    @Test
    void aCertificateExpiredAtTheLoggedTimeIsRefusedByOurCheck() throws Exception {
        // sigstore-java 2.0.0 checks the chain at the certificate's notBefore and does not compare the entry's
        // integrated time with the certificate's validity; our verifier does (certificate.expired)
        TestPki.Leaf old = pki.leaf(tmp.resolve("id"), "old", EMAIL, TestPki.ISSUER, TestPki.IssuerOid.V2, now.minus(Duration.ofHours(3)),
                now.minus(Duration.ofHours(2)));
        Path bundle = sign(old);
        assertThatCode(() -> verifier.verify(artifact, Bundle.from(bundle, StandardCharsets.UTF_8),
                options(StringMatcher.string(EMAIL), TestPki.ISSUER))).doesNotThrowAnyException();
        assertThatThrownBy(() -> CertificateVerifier.verifyFile(artifact, Optional.empty(), Optional.empty(), Optional.empty(),
                CertificateVerifier.Policy.exact(EMAIL, TestPki.ISSUER), TrustRoot.load(trustedRoot), now))
                .isInstanceOf(SignatureCheckFailed.class).hasMessageStartingWith("certificate.expired: ");
        assertThat(Base64.getDecoder().decode(Json.mapper().readTree(bundle.toFile()).at("/verificationMaterial/certificate/rawBytes").asText()))
                .isEqualTo(old.certificate().getEncoded());
    }
}

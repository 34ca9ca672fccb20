package io.releasegate.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateSigningTest {

    static final String EMAIL = "release-bot@example.test";
    static final String URI = "https://ci.example.test/jobs/app/main";

    @TempDir
    Path tmp;

    Instant now = Instant.now();
    TestPki pki;
    TransparencyLog log;
    Path trustedRoot;
    Path artifact;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create(now);
        log = TransparencyLog.create(tmp.resolve("tlog"), "tlog.release-gate.test");
        trustedRoot = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.of(log));
        artifact = Files.writeString(tmp.resolve("app.jar"), "the artifact bytes");
    }

    CertificateSigner.Written sign(Path file, TestPki.Leaf leaf, Optional<TransparencyLog> tlog, Instant at) {
        return new CertificateSigner(KeySigner.fromPem(leaf.key()), leaf.certificate(), pki.chain(), tlog).signFiles(List.of(file), at)
                .get(0);
    }

    CertificateVerifier.Verified verify(CertificateVerifier.Policy policy) {
        return CertificateVerifier.verifyFile(artifact, Optional.empty(), Optional.empty(), Optional.empty(), policy,
                TrustRoot.load(trustedRoot), now);
    }

    static CertificateVerifier.Policy email() {
        return CertificateVerifier.Policy.exact(EMAIL, TestPki.ISSUER);
    }

    void assertRefused(String check, String messagePart) {
        assertThatThrownBy(() -> verify(email())).isInstanceOf(SignatureCheckFailed.class)
                .satisfies(e -> assertThat(((SignatureCheckFailed) e).check()).isEqualTo(check)).hasMessageContaining(messagePart);
    }

    @Test
    void writesSigPemAndBundleAndVerifiesThemWithTheLogEntry() throws Exception {
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "signer", EMAIL, now);
        CertificateSigner.Written w = sign(artifact, leaf, Optional.of(log), now);
        assertThat(w.signature()).hasFileName("app.jar.sig");
        assertThat(w.certificate()).hasFileName("app.jar.pem");
        assertThat(w.bundle()).hasFileName("app.jar.bundle");
        assertThat(w.logIndex()).contains(0L);
        assertThat(Files.readString(w.certificate())).isEqualTo(SigningCertificates.pem(leaf.certificate()));

        JsonNode b = Json.mapper().readTree(w.bundle().toFile());
        assertThat(b.path("mediaType").asText()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(b.at("/verificationMaterial/certificate/rawBytes").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(leaf.certificate().getEncoded()));
        assertThat(b.at("/messageSignature/messageDigest/algorithm").asText()).isEqualTo("SHA2_256");
        assertThat(b.at("/messageSignature/messageDigest/digest").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(CertificateSigner.sha256(artifact)));
        assertThat(b.at("/messageSignature/signature").asText()).isEqualTo(Files.readString(w.signature()));
        JsonNode e = b.at("/verificationMaterial/tlogEntries/0");
        assertThat(e.path("logIndex").asText()).isEqualTo("0");
        assertThat(e.at("/kindVersion/kind").asText()).isEqualTo("hashedrekord");
        assertThat(e.at("/kindVersion/version").asText()).isEqualTo("0.0.1");
        assertThat(Base64.getDecoder().decode(e.at("/logId/keyId").asText())).isEqualTo(log.logId());
        assertThat(e.path("integratedTime").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(e.at("/inclusionPromise/signedEntryTimestamp").asText()).isNotEmpty();
        assertThat(e.at("/inclusionProof/checkpoint/envelope").asText()).startsWith("tlog.release-gate.test\n1\n")
                .contains("\n\n\u2014 tlog.release-gate.test ");
        String body = new String(Base64.getDecoder().decode(e.path("canonicalizedBody").asText()), StandardCharsets.UTF_8);
        assertThat(body).startsWith("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"sha256\",\"value\":\""
                + HexFormat.of().formatHex(CertificateSigner.sha256(artifact)) + "\"}},\"signature\":{\"content\":\"");

        // the .sig is a plain ECDSA P-256 signature over the artifact, as with a key
        assertThat(KeySigner.verify(leaf.certificate().getPublicKey(), Files.readAllBytes(artifact),
                Base64.getDecoder().decode(Files.readString(w.signature())))).isTrue();

        CertificateVerifier.Verified v = verify(email());
        assertThat(v.identity()).isEqualTo(EMAIL);
        assertThat(v.issuer()).isEqualTo(TestPki.ISSUER);
        assertThat(v.timeFromLog()).isTrue();
        assertThat(v.signingTime()).isEqualTo(Instant.ofEpochSecond(now.getEpochSecond()));
        assertThat(v.logIndexes()).containsExactly(0L);
        assertThat(verify(CertificateVerifier.Policy.regexp("release-bot@.*\\.test", TestPki.ISSUER)).identity()).isEqualTo(EMAIL);
    }

    @Test
    void uriIdentitiesLegacyIssuerOidAndTheSigAndPemAloneVerify() throws Exception {
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "ci", URI, TestPki.ISSUER, TestPki.IssuerOid.LEGACY,
                now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofMinutes(10)));
        CertificateSigner.Written w = sign(artifact, leaf, Optional.empty(), now);
        assertThat(verify(CertificateVerifier.Policy.exact(URI, TestPki.ISSUER)).identity()).isEqualTo(URI);
        assertThat(verify(CertificateVerifier.Policy.regexp("https://ci\\.example\\.test/jobs/.*", TestPki.ISSUER)).timeFromLog()).isFalse();
        Files.delete(w.bundle());
        CertificateVerifier.Verified v = verify(CertificateVerifier.Policy.exact(URI, TestPki.ISSUER));
        assertThat(v.signingTime()).isEqualTo(now);
        // a PEM bundle of CA certificates is a trust root too (private PKI, offline)
        Path cas = pki.caBundle(tmp.resolve("cas.pem"));
        assertThat(CertificateVerifier.verifyFile(artifact, Optional.empty(), Optional.empty(), Optional.empty(),
                CertificateVerifier.Policy.exact(URI, TestPki.ISSUER), TrustRoot.load(cas), now).authority()).contains("test root");
    }

    @Test
    void aPrivateCaMadeWithOpensslSignsAndOpensslChecksWhatWeWrote() throws Exception {
        // a private PKI made with openssl: CA, leaf with SAN email and the Fulcio issuer extension (DER UTF8String)
        Files.writeString(tmp.resolve("leaf.ext"), String.join("\n", "basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=codeSigning", "subjectAltName=critical,email:builder@corp.test",
                "1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:https://sso.corp.test", ""));
        assertThat(SigningTest.openssl(tmp, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/O=Corp/CN=Corp CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")).startsWith("0:");
        assertThat(SigningTest.openssl(tmp, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "leaf.key"))
                .startsWith("0:");
        assertThat(SigningTest.openssl(tmp, "req", "-new", "-key", "leaf.key", "-subj", "/CN=builder", "-out", "leaf.csr")).startsWith("0:");
        assertThat(SigningTest.openssl(tmp, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", "leaf.ext", "-out", "leaf.pem")).startsWith("0:");

        CertificateSigner.Written w = new CertificateSigner(KeySigner.fromPem(tmp.resolve("leaf.key")),
                SigningCertificates.read(tmp.resolve("leaf.pem")).get(0), SigningCertificates.read(tmp.resolve("ca.pem")), Optional.empty())
                .signFiles(List.of(artifact), Instant.now()).get(0);
        // openssl's notBefore is the second it signed; verify (no log: at the time of verification) after it
        CertificateVerifier.Verified v = CertificateVerifier.verifyFile(artifact, Optional.empty(), Optional.empty(), Optional.empty(),
                CertificateVerifier.Policy.exact("builder@corp.test", "https://sso.corp.test"), TrustRoot.load(tmp.resolve("ca.pem")),
                Instant.now());
        assertThat(v.authority()).contains("Corp CA");
        assertThat(v.issuer()).isEqualTo("https://sso.corp.test");

        // openssl: the written certificate chains to the CA, and the .sig verifies with its key
        assertThat(SigningTest.openssl(tmp, "verify", "-CAfile", "ca.pem", w.certificate().getFileName().toString())).isEqualTo("0:app.jar.pem: OK");
        assertThat(SigningTest.openssl(tmp, "x509", "-in", "app.jar.pem", "-pubkey", "-noout", "-out", "leaf.pub")).startsWith("0:");
        Files.write(tmp.resolve("sig.der"), Base64.getDecoder().decode(Files.readString(w.signature()).trim()));
        assertThat(SigningTest.openssl(tmp, "dgst", "-sha256", "-verify", "leaf.pub", "-signature", "sig.der", "app.jar"))
                .isEqualTo("0:Verified OK");
    }

    @Test
    void signingRefusesAKeyThatIsNotTheCertificatesAndWritesNothing() {
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "signer", EMAIL, now);
        TestPki.Leaf other = pki.leaf(tmp.resolve("id"), "other", EMAIL, now);
        assertThatThrownBy(() -> new CertificateSigner(KeySigner.fromPem(other.key()), leaf.certificate(), pki.chain(), Optional.of(log)))
                .isInstanceOf(InputException.class).hasMessageContaining("does not belong to the certificate");
        TestPki foreign = TestPki.other(now);
        assertThatThrownBy(() -> new CertificateSigner(KeySigner.fromPem(leaf.key()), leaf.certificate(), foreign.chain(), Optional.empty()))
                .isInstanceOf(InputException.class).hasMessageContaining("not issued by the chain");
        // a missing file: nothing written for the files before it either
        Path missing = tmp.resolve("missing.jar");
        assertThatThrownBy(() -> new CertificateSigner(KeySigner.fromPem(leaf.key()), leaf.certificate(), List.of(), Optional.of(log))
                .signFiles(List.of(artifact, missing), now)).isInstanceOf(InputException.class).hasMessageContaining("file not found");
        assertThat(tmp.resolve("app.jar.sig")).doesNotExist();
        assertThat(tmp.resolve("app.jar.bundle")).doesNotExist();
        assertThat(tmp.resolve("app.jar.pem")).doesNotExist();
    }

    void signedByEmail() {
        sign(artifact, pki.leaf(tmp.resolve("id"), "signer", EMAIL, now), Optional.of(log), now);
    }

    void editBundle(Consumer<ObjectNode> edit) throws Exception {
        Path bundle = tmp.resolve("app.jar.bundle");
        ObjectNode b = (ObjectNode) Json.mapper().readTree(bundle.toFile());
        edit.accept(b);
        Files.writeString(bundle, Json.pretty(b));
    }

    static String flip(String base64, int fromEnd) {
        byte[] b = Base64.getDecoder().decode(base64);
        b[b.length - fromEnd] ^= 1;
        return Base64.getEncoder().encodeToString(b);
    }

    @Test
    void aFlippedByteInTheArtifactIsRefused() throws Exception {
        signedByEmail();
        Files.writeString(artifact, "the artifact byteS");
        assertRefused("bundle.digest", "the bundle is for sha256:");
    }

    @Test
    void aFlippedByteInTheSignatureIsRefused() throws Exception {
        signedByEmail();
        editBundle(b -> ((ObjectNode) b.path("messageSignature")).put("signature", flip(b.at("/messageSignature/signature").asText(), 5)));
        assertRefused("signature.mismatch", "does not verify");
    }

    @Test
    void aValidSignatureByAnotherKeyIsRefused() throws Exception {
        signedByEmail();
        KeySigner otherKey = KeySigner.fromPem(pki.leaf(tmp.resolve("id"), "other", EMAIL, now).key());
        byte[] sig = otherKey.signDigest(CertificateSigner.sha256(artifact));
        editBundle(b -> ((ObjectNode) b.path("messageSignature")).put("signature", Base64.getEncoder().encodeToString(sig)));
        assertRefused("signature.mismatch", "with the certificate's key");
    }

    @Test
    void aFlippedByteInTheCertificateIsRefused() throws Exception {
        // without a log entry, so that the certificate check itself is reached
        sign(artifact, pki.leaf(tmp.resolve("id"), "signer", EMAIL, now), Optional.empty(), now);
        editBundle(b -> ((ObjectNode) b.at("/verificationMaterial/certificate")).put("rawBytes",
                flip(b.at("/verificationMaterial/certificate/rawBytes").asText(), 3)));
        assertRefused("certificate.untrusted", "does not chain to a CA");
        // with a log entry, the entry no longer matches the certificate
        signedByEmail();
        editBundle(b -> ((ObjectNode) b.at("/verificationMaterial/certificate")).put("rawBytes",
                flip(b.at("/verificationMaterial/certificate/rawBytes").asText(), 3)));
        assertRefused("tlog.body", "another certificate");
    }

    @Test
    void aFlippedByteInTheBundleDigestIsRefused() throws Exception {
        signedByEmail();
        editBundle(b -> ((ObjectNode) b.at("/messageSignature/messageDigest")).put("digest",
                flip(b.at("/messageSignature/messageDigest/digest").asText(), 1)));
        assertRefused("bundle.digest", "the artifact is sha256:");
    }

    @Test
    void aBundleForAnotherArtifactIsRefused() throws Exception {
        Path other = Files.writeString(tmp.resolve("other.jar"), "another artifact");
        sign(other, pki.leaf(tmp.resolve("id"), "signer", EMAIL, now), Optional.of(log), now);
        Files.move(tmp.resolve("other.jar.bundle"), tmp.resolve("app.jar.bundle"));
        assertRefused("bundle.digest", "the bundle is for sha256:" + HexFormat.of().formatHex(CertificateSigner.sha256(other)));
    }

    @Test
    void wrongIdentityOrIssuerIsRefused() {
        signedByEmail();
        assertThatThrownBy(() -> verify(CertificateVerifier.Policy.exact("someone@example.test", TestPki.ISSUER)))
                .isInstanceOf(SignatureCheckFailed.class).hasMessageStartingWith("certificate.identity: ")
                .hasMessageContaining("[" + EMAIL + "] do not match 'someone@example.test'");
        assertThatThrownBy(() -> verify(CertificateVerifier.Policy.regexp(".*@other\\.test", TestPki.ISSUER)))
                .hasMessageStartingWith("certificate.identity: ");
        // a regexp must match the whole identity
        assertThatThrownBy(() -> verify(CertificateVerifier.Policy.regexp("release-bot", TestPki.ISSUER)))
                .hasMessageStartingWith("certificate.identity: ");
        assertThatThrownBy(() -> verify(CertificateVerifier.Policy.exact(EMAIL, "https://other-issuer.test")))
                .isInstanceOf(SignatureCheckFailed.class)
                .hasMessage("certificate.issuer: the certificate's OIDC issuer is '" + TestPki.ISSUER + "', not 'https://other-issuer.test'");
    }

    @Test
    void aCertificateWithoutIssuerExtensionIsRefused() {
        sign(artifact, pki.leaf(tmp.resolve("id"), "s", EMAIL, TestPki.ISSUER, TestPki.IssuerOid.NONE, now.minusSeconds(60),
                now.plusSeconds(600)), Optional.of(log), now);
        assertRefused("certificate.issuer", "has no OIDC issuer extension");
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRefusedAtTheLoggedSigningTime() {
        // valid now, but the log says it signed two hours ago: before the certificate's validity
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "late", EMAIL, TestPki.ISSUER, TestPki.IssuerOid.V2, now.minusSeconds(60),
                now.plusSeconds(600));
        sign(artifact, leaf, Optional.of(log), now.minus(Duration.ofHours(2)));
        assertRefused("certificate.not-yet-valid", "(integrated time of the log entry)");
        // expired when it signed
        TestPki.Leaf old = pki.leaf(tmp.resolve("id"), "old", EMAIL, TestPki.ISSUER, TestPki.IssuerOid.V2, now.minus(Duration.ofHours(3)),
                now.minus(Duration.ofHours(2)));
        sign(artifact, old, Optional.of(log), now.minus(Duration.ofMinutes(30)));
        assertRefused("certificate.expired", "before the signing time");
        // without a log entry the signing time is now: an expired certificate is refused
        sign(artifact, old, Optional.empty(), now);
        assertRefused("certificate.expired", "(now: no log entry gives a signing time)");
        // while a log entry inside the validity makes an expired certificate's signature good
        sign(artifact, old, Optional.of(log), now.minus(Duration.ofMinutes(150)));
        assertThat(verify(email()).signingTime()).isEqualTo(Instant.ofEpochSecond(now.minus(Duration.ofMinutes(150)).getEpochSecond()));
    }

    @Test
    void aCertificateFromAnUntrustedCaIsRefused() {
        TestPki foreign = TestPki.other(now);
        TestPki.Leaf leaf = foreign.leaf(tmp.resolve("id"), "foreign", EMAIL, now);
        new CertificateSigner(KeySigner.fromPem(leaf.key()), leaf.certificate(), foreign.chain(), Optional.of(log)).signFiles(List.of(artifact), now);
        assertRefused("certificate.untrusted", "does not chain to a CA of");
    }

    @Test
    void tamperedLogEntriesAreRefused() throws Exception {
        signedByEmail();
        // two more entries so that the proof of entry 2 has hashes
        Path b = Files.writeString(tmp.resolve("b.jar"), "b");
        sign(b, pki.leaf(tmp.resolve("id"), "b", EMAIL, now), Optional.of(log), now);
        sign(artifact, pki.leaf(tmp.resolve("id"), "c", EMAIL, now), Optional.of(log), now);
        assertThat(verify(email()).logIndexes()).containsExactly(2L);
        String good = Files.readString(tmp.resolve("app.jar.bundle"));

        editBundle(x -> {
            ObjectNode p = (ObjectNode) x.at("/verificationMaterial/tlogEntries/0/inclusionProof");
            var hashes = (com.fasterxml.jackson.databind.node.ArrayNode) p.path("hashes");
            hashes.set(0, flip(hashes.get(0).asText(), 1));
        });
        assertRefused("tlog.inclusion-proof", "does not recompute to the root");

        Files.writeString(tmp.resolve("app.jar.bundle"), good);
        editBundle(x -> {
            ObjectNode c = (ObjectNode) x.at("/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint");
            c.put("envelope", c.path("envelope").asText().replaceFirst("\n3\n", "\n4\n"));
        });
        assertRefused("tlog.checkpoint", "the checkpoint is for a tree of 4, the proof for 3");

        Files.writeString(tmp.resolve("app.jar.bundle"), good);
        editBundle(x -> {
            ObjectNode c = (ObjectNode) x.at("/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint");
            String env = c.path("envelope").asText();
            int at = env.lastIndexOf(' ') + 1;
            c.put("envelope", env.substring(0, at) + flip(env.substring(at).trim(), 2) + "\n");
        });
        assertRefused("tlog.checkpoint", "no signature of the checkpoint by log tlog.release-gate.test verifies");

        Files.writeString(tmp.resolve("app.jar.bundle"), good);
        editBundle(x -> ((ObjectNode) x.at("/verificationMaterial/tlogEntries/0")).put("integratedTime", now.getEpochSecond() - 1));
        assertRefused("tlog.set", "signed entry timestamp of entry 2 does not verify");

        Files.writeString(tmp.resolve("app.jar.bundle"), good);
        editBundle(x -> ((ObjectNode) x.at("/verificationMaterial/tlogEntries/0")).put("canonicalizedBody",
                Base64.getEncoder().encodeToString(SigstoreBundle.hashedRekordBody(new byte[32], pki.leaf(tmp.resolve("id"), "d", EMAIL, now)
                        .certificate(), new byte[8]))));
        assertRefused("tlog.body", "not the artifact's sha256:");

        // a log the trust root does not know
        Files.writeString(tmp.resolve("app.jar.bundle"), good);
        pki.trustedRoot(trustedRoot, Optional.empty());
        assertRefused("tlog.unknown-log", "is not in the trust root");
    }

    @Test
    void missingAndMalformedInputs() throws Exception {
        assertRefused("signature.missing", "app.jar.bundle nor");
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "signer", EMAIL, now);
        CertificateSigner.Written w = sign(artifact, leaf, Optional.empty(), now);
        Files.delete(w.bundle());
        Files.delete(w.certificate());
        assertRefused("certificate.missing", "app.jar.pem does not exist");
        assertThatThrownBy(() -> CertificateVerifier.verifyFile(artifact, Optional.empty(), Optional.empty(),
                Optional.of(tmp.resolve("nope.bundle")), email(), TrustRoot.load(trustedRoot), now))
                .isInstanceOf(SignatureCheckFailed.class).hasMessageStartingWith("bundle.missing: ");

        signedByEmail();
        String good = Files.readString(tmp.resolve("app.jar.bundle"));
        Files.writeString(tmp.resolve("app.jar.bundle"), good.substring(0, good.length() / 2));
        // a bundle that does not parse is a failed check (it was damaged or forged), not an input error
        assertThatThrownBy(() -> verify(email())).isInstanceOf(SignatureCheckFailed.class)
                .hasMessageStartingWith("bundle.malformed: ").hasMessageContaining("is not valid JSON (line ");
        Files.writeString(tmp.resolve("app.jar.bundle"), good.replace("bundle.v0.3", "bundle.v0.9"));
        assertThatThrownBy(() -> verify(email())).isInstanceOf(SignatureCheckFailed.class).hasMessageContaining("is not a Sigstore bundle v0.3");
        // v0.3 also appears under the older media type form
        Files.writeString(tmp.resolve("app.jar.bundle"), good.replace(SigstoreBundle.MEDIA_TYPE, SigstoreBundle.MEDIA_TYPE_ALT));
        assertThat(verify(email()).identity()).isEqualTo(EMAIL);
        Files.writeString(tmp.resolve("app.jar.bundle"), good.replace(SigstoreBundle.MEDIA_TYPE, "application/vnd.dev.sigstore.bundle+json;version=0.1"));
        assertThatThrownBy(() -> verify(email())).isInstanceOf(SignatureCheckFailed.class).hasMessageContaining("bundle.malformed")
                .hasMessageContaining("is not a Sigstore bundle v0.3");
        Files.writeString(tmp.resolve("app.jar.bundle"), good);

        String root = Files.readString(trustedRoot);
        Files.writeString(trustedRoot, root.substring(0, 40));
        assertThatThrownBy(() -> TrustRoot.load(trustedRoot)).isInstanceOf(InputException.class).hasMessageContaining("is not valid JSON");
        Path pem = Files.writeString(tmp.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getEncoder().encodeToString("not a certificate".getBytes(StandardCharsets.US_ASCII)) + "\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TrustRoot.load(pem)).isInstanceOf(InputException.class).hasMessageContaining("is not an X.509 certificate");
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "nothing here");
        assertThatThrownBy(() -> TrustRoot.load(empty)).isInstanceOf(InputException.class).hasMessageContaining("holds no PEM certificate");
        assertThatThrownBy(() -> CertificateVerifier.Policy.regexp("([", TestPki.ISSUER)).isInstanceOf(InputException.class);
    }

    @Test
    void aReleaseBundleIsStoredAsAReferrerReadBackByDigestAndEveryVerificationRecorded() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "app");
        io.releasegate.ledger.Ledger ledger = io.releasegate.testing.TestLedgers.embedded(tmp.resolve("state"));
        io.releasegate.store.OciLayoutStore store = io.releasegate.store.OciLayoutStore.open(tmp.resolve("state/store"));
        var built = new io.releasegate.build.BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws)
                .outputs(List.of("app.jar")).actor("ci").call();
        java.time.Clock clock = java.time.Clock.systemUTC();
        TrustRoot root = TrustRoot.load(trustedRoot);
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "signer", EMAIL, now);
        var signed = ReleaseSignatures.signWithCertificate(store, ledger, "payments", "1.0.0",
                new CertificateSigner(KeySigner.fromPem(leaf.key()), leaf.certificate(), pki.chain(), Optional.of(log)), "ci", clock);
        String reference = signed.payload().path("reference").asText();
        var referrer = Json.mapper().readTree(store.fetchManifest("payments", reference.substring(reference.indexOf('@') + 1))
                .orElseThrow().bytes());
        assertThat(referrer.path("artifactType").asText()).isEqualTo(SigstoreBundle.MEDIA_TYPE);
        assertThat(referrer.at("/subject/digest").asText()).isEqualTo(built.digest().toString());
        assertThat(signed.payload().path("certificate").asText()).isEqualTo(SigningCertificates.pem(leaf.certificate()));
        assertThat(signed.payload().path("identity").asText()).isEqualTo(EMAIL);
        assertThat(signed.payload().path("issuer").asText()).isEqualTo(TestPki.ISSUER);

        var ok = ReleaseSignatures.verifyWithCertificate(store, ledger, "payments", "1.0.0", email(), root, "ci", clock);
        assertThat(ok.type()).isEqualTo("signature-verified");
        assertThat(ok.payload().path("identity").asText()).isEqualTo(EMAIL);
        assertThat(ok.payload().path("signingTimeSource").asText()).isEqualTo("tlog");
        assertThatThrownBy(() -> ReleaseSignatures.verifyWithCertificate(store, ledger, "payments", "1.0.0",
                CertificateVerifier.Policy.exact(EMAIL, "https://other.test"), root, "ci", clock))
                .isInstanceOf(io.releasegate.error.RefusedException.class).hasMessageContaining("certificate.issuer");

        // one flipped byte in the stored bundle is caught by its digest
        Digest layer = Digest.parse(referrer.at("/layers/0/digest").asText());
        Path blob = tmp.resolve("state/store/blobs/sha256/" + layer.hex());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        blob.toFile().setWritable(true);
        Files.write(blob, bytes);
        assertThatThrownBy(() -> ReleaseSignatures.verifyWithCertificate(store, ledger, "payments", "1.0.0", email(), root, "ci", clock))
                .isInstanceOf(io.releasegate.error.RefusedException.class).hasMessageContaining("store.digest-mismatch")
                .hasMessageContaining(blob.toString());
        assertThat(ledger.events("payments@1.0.0")).extracting(e -> e.type())
                .containsExactly("built", "signed", "signature-verified", "signature-failed", "signature-failed");
        assertThat(ledger.events("payments@1.0.0").get(4).payload().path("reason").asText()).startsWith("store.digest-mismatch: " + blob);
        ledger.close();
    }

    @Test
    void anEntryNeedsAProofOrAPromiseAndOnlyAPromiseDatesTheSignature() throws Exception {
        sign(artifact, pki.leaf(tmp.resolve("id"), "signer", EMAIL, now), Optional.of(log), now.minusSeconds(30));
        String good = Files.readString(tmp.resolve("app.jar.bundle"));
        editBundle(x -> ((ObjectNode) x.at("/verificationMaterial/tlogEntries/0")).remove("inclusionProof"));
        CertificateVerifier.Verified promiseOnly = verify(email());
        assertThat(promiseOnly.timeFromLog()).isTrue();
        assertThat(promiseOnly.signingTime()).isEqualTo(Instant.ofEpochSecond(now.minusSeconds(30).getEpochSecond()));
        Files.writeString(tmp.resolve("app.jar.bundle"), good);
        editBundle(x -> ((ObjectNode) x.at("/verificationMaterial/tlogEntries/0")).remove("inclusionPromise"));
        CertificateVerifier.Verified proofOnly = verify(email());
        assertThat(proofOnly.timeFromLog()).isFalse();
        assertThat(proofOnly.signingTime()).isEqualTo(now);
        editBundle(x -> ((ObjectNode) x.at("/verificationMaterial/tlogEntries/0")).remove("inclusionProof"));
        assertRefused("tlog.inclusion-missing", "neither an inclusion proof nor a signed entry timestamp");
    }

    @Test
    void theLogKeepsItsEntriesAcrossOpeningsAndRefusesBadSetUps() throws Exception {
        byte[] root1 = Base64.getDecoder().decode(log.append("{\"a\":1}".getBytes(StandardCharsets.UTF_8), now)
                .at("/inclusionProof/rootHash").asText());
        JsonNode second = TransparencyLog.open(tmp.resolve("tlog")).append("{\"b\":2}".getBytes(StandardCharsets.UTF_8), now);
        assertThat(second.path("logIndex").asText()).isEqualTo("1");
        assertThat(second.at("/inclusionProof/treeSize").asText()).isEqualTo("2");
        assertThat(Base64.getDecoder().decode(second.at("/inclusionProof/hashes/0").asText())).isEqualTo(root1);
        assertThat(Files.readAllLines(tmp.resolve("tlog/entries.jsonl"))).hasSize(2);
        assertThatThrownBy(() -> TransparencyLog.create(tmp.resolve("tlog"), "tlog.release-gate.test"))
                .isInstanceOf(InputException.class).hasMessageContaining("already holds a transparency log");
        assertThatThrownBy(() -> TransparencyLog.create(tmp.resolve("other"), "not a host/name"))
                .isInstanceOf(InputException.class).hasMessageContaining("must be a host name");
        assertThatThrownBy(() -> TransparencyLog.open(tmp.resolve("nowhere"))).isInstanceOf(InputException.class)
                .hasMessageContaining("holds no transparency log").hasMessageContaining("release-gate tlog-init");
        // a corrupt log refuses to append and stays as it was
        Files.writeString(tmp.resolve("tlog/entries.jsonl"), "{\"body\":\"!!\"}\n", java.nio.file.StandardOpenOption.APPEND);
        String before = Files.readString(tmp.resolve("tlog/entries.jsonl"));
        assertThatThrownBy(() -> log.append("{}".getBytes(StandardCharsets.UTF_8), now)).isInstanceOf(InputException.class)
                .hasMessageContaining("is corrupt");
        assertThat(Files.readString(tmp.resolve("tlog/entries.jsonl"))).isEqualTo(before);
    }

    @Test
    void merkleInclusionProofsVerifyForEveryLeafOfTreesUpTo17() {
        for (int n = 1; n <= 17; n++) {
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                leaves.add(MerkleTree.leafHash(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
            }
            byte[] root = MerkleTree.root(leaves);
            for (int i = 0; i < n; i++) {
                List<byte[]> proof = MerkleTree.inclusionProof(i, leaves);
                assertThat(MerkleTree.verifyInclusion(i, n, leaves.get(i), proof, root)).as("leaf %d of %d", i, n).isTrue();
                if (n > 1) {
                    assertThat(MerkleTree.verifyInclusion((i + 1) % n, n, leaves.get(i), proof, root)).isFalse();
                }
            }
        }
        // RFC 6962: the root of two leaves is H(0x01 || H(0x00 || a) || H(0x00 || b))
        byte[] a = MerkleTree.leafHash(new byte[] {'a'});
        byte[] b = MerkleTree.leafHash(new byte[] {'b'});
        assertThat(MerkleTree.root(List.of(a, b))).isEqualTo(MerkleTree.nodeHash(a, b));
        // the empty tree is the hash of the empty string
        assertThat(HexFormat.of().formatHex(MerkleTree.root(List.of())))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}

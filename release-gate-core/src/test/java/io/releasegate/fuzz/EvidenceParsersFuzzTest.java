package io.releasegate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.releasegate.commits.ConventionalCommits;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.json.Json;
import io.releasegate.promotion.EmergencyChange;
import io.releasegate.sbom.ApkCataloger;
import io.releasegate.sbom.CargoCataloger;
import io.releasegate.sbom.Catalog;
import io.releasegate.sbom.DpkgCataloger;
import io.releasegate.sbom.GoModCataloger;
import io.releasegate.sbom.JvmCataloger;
import io.releasegate.sbom.Limits;
import io.releasegate.sbom.NpmCataloger;
import io.releasegate.sbom.OciCataloger;
import io.releasegate.sbom.PythonCataloger;
import io.releasegate.signing.Dsse;
import io.releasegate.signing.KeyFiles;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.OpenPgpKeys;
import io.releasegate.signing.OpenPgpVerifier;
import io.releasegate.signing.SignatureCheckFailed;
import io.releasegate.signing.SigstoreBundle;
import io.releasegate.signing.TrustRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Date;
import java.util.Optional;

/**
 * The evidence parsers of outside input, fuzzed: emergency change records; the lockfiles and package databases the
 * SBOM catalogs (npm, Cargo, Go, Python, dpkg, apk); jar/zip archives and OCI image tars (their manifests and indexes
 * too); Sigstore bundles, DSSE envelopes, public keys, trusted roots and certificate bundles, OpenPGP signatures;
 * Conventional Commit messages. Each ends in a result or in one of our own errors: an input error, a refusal, a
 * failed signature check; anything else is a bug (see {@link ScopeParsersFuzzTest} for how these run).
 */
class EvidenceParsersFuzzTest {

    /** Small limits: a fuzzed archive must stop at them, not exhaust the fuzzer's memory. */
    static final Limits LIMITS = new Limits(4, 8L << 20, 2_000, 64 << 10, 100);

    private interface Parse {
        void run() throws Exception;
    }

    /** Runs {@code parse}: it may end in one of our errors, never in another exception. */
    private static void ours(Parse parse) throws Exception {
        try {
            parse.run();
        } catch (ReleaseGateException | SignatureCheckFailed expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private static void valid(Catalog c) {
        assertThat(c.packages()).isNotNull();
        assertThat(c.warnings()).isNotNull();
    }

    private static Path file(byte[] data, String name) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-evidence");
        return Files.write(dir.resolve(name), data);
    }

    private static void delete(Path f) throws IOException {
        Files.deleteIfExists(f);
        Files.deleteIfExists(f.getParent());
    }

    @FuzzTest(maxDuration = "10s")
    void emergencyRecord(byte[] data) throws Exception {
        Path f = file(data, "emergency.json");
        try {
            ours(() -> assertThat(EmergencyChange.read(f).followUps()).isNotNull());
        } finally {
            delete(f);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void npmLockfile(byte[] data) throws Exception {
        ours(() -> valid(NpmCataloger.catalog("package-lock.json", new ByteArrayInputStream(data), LIMITS)));
    }

    @FuzzTest(maxDuration = "10s")
    void cargoLockfile(byte[] data) throws Exception {
        ours(() -> valid(CargoCataloger.catalog("Cargo.lock", new ByteArrayInputStream(data), LIMITS)));
    }

    @FuzzTest(maxDuration = "10s")
    void goModAndSum(FuzzedDataProvider in) throws Exception {
        String goSum = in.consumeString(4096);
        byte[] goMod = in.consumeRemainingAsBytes();
        ours(() -> valid(GoModCataloger.catalog("go.mod", new ByteArrayInputStream(goMod), Optional.of(goSum), LIMITS)));
    }

    @FuzzTest(maxDuration = "10s")
    void pythonMetadata(FuzzedDataProvider in) throws Exception {
        String record = in.consumeString(4096);
        byte[] metadata = in.consumeRemainingAsBytes();
        ours(() -> valid(PythonCataloger.catalog("x.dist-info/METADATA", new ByteArrayInputStream(metadata),
                Optional.of(record), LIMITS)));
    }

    @FuzzTest(maxDuration = "10s")
    void dpkgStatus(byte[] data) throws Exception {
        ours(() -> valid(DpkgCataloger.catalog("var/lib/dpkg/status", new ByteArrayInputStream(data), "debian", LIMITS)));
    }

    @FuzzTest(maxDuration = "10s")
    void apkInstalled(byte[] data) throws Exception {
        ours(() -> valid(ApkCataloger.catalog("lib/apk/db/installed", new ByteArrayInputStream(data), "alpine", LIMITS)));
    }

    @FuzzTest(maxDuration = "10s")
    void jarArchive(byte[] data) throws Exception {
        ours(() -> valid(JvmCataloger.catalog("app.jar", new ByteArrayInputStream(data), LIMITS)));
    }

    @FuzzTest(maxDuration = "10s")
    void ociImageTar(byte[] data) throws Exception {
        ours(() -> assertThat(OciCataloger.catalogTar("image.tar", new ByteArrayInputStream(data), Optional.empty(), LIMITS))
                .isNotNull());
    }

    @FuzzTest(maxDuration = "10s")
    void sigstoreBundle(byte[] data) throws Exception {
        ours(() -> assertThat(SigstoreBundle.parse(data, "f.bundle")).isNotNull());
    }

    static final PublicKey DSSE_KEY = KeyFiles.parsePublic(KeySigner.generatePem()[1], "fuzz key");

    /** No envelope a fuzzer writes is signed by a key made for the run: it is refused, never its payload returned. */
    @FuzzTest(maxDuration = "10s")
    void dsseEnvelope(byte[] data) throws Exception {
        com.fasterxml.jackson.databind.JsonNode envelope;
        try {
            envelope = Json.mapper().readTree(data);
        } catch (IOException notJson) {
            return;
        }
        if (envelope == null) {
            return;
        }
        boolean refused = false;
        try {
            Dsse.verify(envelope, Dsse.IN_TOTO, DSSE_KEY);
        } catch (ReleaseGateException | SignatureCheckFailed expected) {
            refused = true;
        }
        assertThat(refused).as("an envelope not signed by the key is refused").isTrue();
    }

    @FuzzTest(maxDuration = "10s")
    void publicKey(byte[] data) throws Exception {
        ours(() -> assertThat(KeyFiles.parsePublic(new String(data, StandardCharsets.UTF_8), "key.pub")).isNotNull());
    }

    @FuzzTest(maxDuration = "10s")
    void trustedRootJson(byte[] data) throws Exception {
        trustRoot(data, "trusted_root.json");
    }

    @FuzzTest(maxDuration = "10s")
    void certificateBundlePem(byte[] data) throws Exception {
        trustRoot(data, "ca.pem");
    }

    /** A trust root read from a file named {@code name} (its name tells a Sigstore trusted root from a PEM bundle). */
    private static void trustRoot(byte[] data, String name) throws Exception {
        Path f = file(data, name);
        try {
            ours(() -> assertThat(TrustRoot.load(f)).isNotNull());
        } finally {
            delete(f);
        }
    }

    static final OpenPgpVerifier PGP = pgp();

    private static OpenPgpVerifier pgp() {
        try {
            String[] key = OpenPgpKeys.generateEd25519Armored("Fuzz <fuzz@release-gate.test>", new Date());
            Path f = file(key[1].getBytes(StandardCharsets.UTF_8), "keyring.asc");
            try {
                return new OpenPgpVerifier(OpenPgpVerifier.readKeyring(f));
            } finally {
                delete(f);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A signature a fuzzer writes is not one of the run's key over the payload: refused, never verified. */
    @FuzzTest(maxDuration = "10s")
    void openPgpSignature(FuzzedDataProvider in) throws Exception {
        byte[] payload = in.consumeBytes(256);
        byte[] signature = in.consumeRemainingAsBytes();
        boolean refused = false;
        try {
            PGP.verify(payload, signature);
        } catch (ReleaseGateException | SignatureCheckFailed expected) {
            refused = true;
        }
        assertThat(refused).as("a signature not made by the keyring's key is refused").isTrue();
    }

    /** A repository with one commit and an allowed-signers file of a key made for the run: the tags below point to it. */
    static final class SshTags {
        static final Path DIR;
        static final org.eclipse.jgit.lib.Repository REPO;
        static final org.eclipse.jgit.lib.ObjectId COMMIT;
        static final io.releasegate.signing.TagVerifier VERIFIER;

        static {
            try {
                DIR = Files.createTempDirectory("fuzz-ssh-tags");
                Path key = io.releasegate.testing.TestTrust.sshKey(DIR, "alice");
                Path allowed = Files.writeString(DIR.resolve("allowed_signers"), "alice@example.com namespaces=\"git\" "
                        + Files.readString(key.resolveSibling(key.getFileName() + ".pub")).trim() + "\n");
                REPO = org.eclipse.jgit.storage.file.FileRepositoryBuilder.create(DIR.resolve("repo.git").toFile());
                REPO.create(true);
                try (org.eclipse.jgit.lib.ObjectInserter ins = REPO.newObjectInserter()) {
                    org.eclipse.jgit.lib.CommitBuilder c = new org.eclipse.jgit.lib.CommitBuilder();
                    org.eclipse.jgit.lib.PersonIdent who = new org.eclipse.jgit.lib.PersonIdent("Alice", "alice@example.com",
                            java.time.Instant.parse("2026-12-01T10:00:00Z"), java.time.ZoneOffset.UTC);
                    c.setTreeId(ins.insert(new org.eclipse.jgit.lib.TreeFormatter()));
                    c.setAuthor(who);
                    c.setCommitter(who);
                    c.setMessage("feat: a release\n");
                    COMMIT = ins.insert(c);
                    ins.flush();
                }
                VERIFIER = io.releasegate.signing.TagVerifier.of(Optional.empty(), Optional.of(allowed));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A release tag whose SSH signature a fuzzer wrote: refused (never verified), whatever the bytes. */
    @FuzzTest(maxDuration = "10s")
    void sshTagSignature(FuzzedDataProvider in) throws Exception {
        boolean armoured = in.consumeBoolean();
        byte[] body = in.consumeRemainingAsBytes();
        java.io.ByteArrayOutputStream tag = new java.io.ByteArrayOutputStream();
        tag.write(("object " + SshTags.COMMIT.name() + "\ntype commit\ntag v1.0.0\ntagger Alice <alice@example.com> 1764583200 +0000\n\n"
                + "Release 1.0.0\n").getBytes(StandardCharsets.UTF_8));
        tag.write(armoured ? "-----BEGIN SSH SIGNATURE-----\n".getBytes(StandardCharsets.UTF_8) : new byte[0]);
        tag.write(body);
        tag.write(armoured ? "\n-----END SSH SIGNATURE-----\n".getBytes(StandardCharsets.UTF_8) : new byte[0]);
        org.eclipse.jgit.lib.ObjectId id;
        try (org.eclipse.jgit.lib.ObjectInserter ins = SshTags.REPO.newObjectInserter()) {
            id = ins.insert(org.eclipse.jgit.lib.Constants.OBJ_TAG, tag.toByteArray());
            ins.flush();
        }
        org.eclipse.jgit.lib.RefUpdate ru = SshTags.REPO.updateRef("refs/tags/v1.0.0");
        ru.setNewObjectId(id);
        ru.setForceUpdate(true);
        ru.update();
        boolean refused = false;
        try {
            SshTags.VERIFIER.verify(SshTags.REPO, "v1.0.0");
        } catch (ReleaseGateException | SignatureCheckFailed expected) {
            refused = true;
        }
        assertThat(refused).as("a signature the fuzzer wrote is refused").isTrue();
    }

    @FuzzTest(maxDuration = "10s")
    void conventionalCommit(byte[] data) {
        ConventionalCommits.Parsed p = ConventionalCommits.parse(new String(data, StandardCharsets.UTF_8));
        assertThat(p).isNotNull();
    }
}

package io.releasegate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.provenance.Provenance;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.signing.KeySigner;
import io.releasegate.testing.Evidence;
import io.releasegate.testing.LocalRegistry;
import io.releasegate.testing.LocalRegistryExtension;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import io.releasegate.verify.VerifyProduction;
import io.releasegate.verify.VerifyRelease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An insider who can write the store (the layout directory, or the registry's storage) changes bytes under the
 * evidence of a release that has every approval. Nothing of it may promote to production, pass the release's
 * verification or pass verify-production: each attempt is a refusal naming the rule, the digest asked for and
 * where the bytes came from, and nothing is promoted.
 */
@ExtendWith(LocalRegistryExtension.class)
class StoreContentBypassTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final Set<String> AUTHORS = Set.of("Alice Author", "alice@example.com");
    static final AtomicInteger NAMESPACES = new AtomicInteger();

    @TempDir
    Path tmp;

    /** Where a store keeps a blob's bytes, for the insider to edit. */
    interface BlobFiles {
        Path blob(Digest d);
    }

    /** A release with real evidence (signature, SBOMs, signed provenance, gates), in staging, approved for production. */
    static final class Release implements AutoCloseable {
        final ArtifactStore store;
        final BlobFiles files;
        final Ledger ledger;
        final Policy policy;
        final RoleDirectory roles;
        final Digest digest;
        final KeySigner signer;
        final PublicKey publicKey;

        Release(Path dir, ArtifactStore store, BlobFiles files) throws Exception {
            this.store = store;
            this.files = files;
            TestRepo repo = TestRepo.init(dir.resolve("repo"));
            // every release its own bytes: a registry keeps one copy of a blob for all its repositories
            Files.writeString(repo.dir().resolve("build-id.txt"), java.util.UUID.randomUUID().toString());
            repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
            Files.createDirectories(repo.dir().resolve(".release"));
            Path policyFile = Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                    approvals:
                      members:
                        maintainer:
                          people: [mia]
                        domain-reviewer:
                          people: [dora]
                    """);
            policy = PolicyLoader.load(Optional.of(policyFile));
            roles = RoleDirectory.resolve(policy, repo.dir());
            ledger = TestLedgers.embedded(dir.resolve("state"));
            digest = new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(repo.dir())
                    .outputs(List.of("*.txt")).actor("ci").clock(MONDAY).call().digest();
            Evidence.Keys keys = Evidence.record(store, ledger, "payments", "1.0.0", dir.resolve("keys"), MONDAY);
            signer = keys.signer();
            publicKey = keys.publicKey();
            promote("dev").call();
            promote("staging").call();
            approve("mia", "maintainer");
            approve("dora", "domain-reviewer");
        }

        void approve(String who, String role) {
            new ApproveProduction(policy, ledger, roles).release("payments", "1.0.0").digest(digest).approver(who).role(role)
                    .rationale("tests green; rollback plan reviewed").authors(AUTHORS).clock(MONDAY).call();
        }

        PromoteDigest promote(String env) {
            return new PromoteDigest(policy, store, ledger).release("payments", "1.0.0").digest(digest).to(env).actor("ci")
                    .clock(MONDAY);
        }

        /** What {@code verify --release} and the pipeline's verifySignatures run. */
        Object verifyRelease() {
            return new VerifyRelease(store, ledger).release("payments", "1.0.0").key(publicKey).actor("ci").clock(MONDAY).call();
        }

        VerifyProduction.Result verifyProduction() {
            return new VerifyProduction(store, ledger).release("payments", "1.0.0").actor("ci").clock(MONDAY).call();
        }

        Event latest(String type) {
            return ledger.events("payments@1.0.0").stream().filter(e -> e.type().equals(type)).reduce((a, b) -> b).orElseThrow();
        }

        /** The artifact's first layer (a file of the build). */
        Digest layer() {
            try {
                JsonNode m = Json.mapper().readTree(store.fetchManifest("payments", digest.toString()).orElseThrow().bytes());
                return Digest.parse(m.path("layers").get(0).path("digest").asText());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Digest sbom() {
            return Digest.parse(latest(GenerateSbom.EVENT_TYPE).text("sbomDigest").orElseThrow());
        }

        Digest sbomReferrer() {
            String ref = latest(GenerateSbom.EVENT_TYPE).text("reference").orElseThrow();
            return Digest.parse(ref.substring(ref.indexOf('@') + 1));
        }

        Digest provenance() {
            return Digest.parse(latest("provenance-generated").text("attestationDigest").orElseThrow());
        }

        boolean inProduction() {
            return ledger.events("payments@1.0.0").stream().anyMatch(e -> e.type().equals(PromoteDigest.PROMOTED)
                    && e.text("environment").orElse("").equals("production"))
                    || store.fetchManifest("payments/production", "1.0.0").isPresent();
        }

        @Override
        public void close() {
            ledger.close();
            store.close();
        }
    }

    /** An attack: what the insider does to a release, and the rule that must refuse it. */
    record Attack(String name, Tamper tamper, String rule, Function<Release, List<String>> named) {
    }

    interface Tamper {
        void apply(Release r) throws Exception;
    }

    static void flipByte(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x01;
        Files.write(file, b);
    }

    /**
     * Changes one byte of a manifest so that it is still a valid manifest (a registry serves it; one that is no longer
     * JSON it refuses to serve itself): the first layer's title.
     */
    static void editManifest(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        String text = new String(b, StandardCharsets.UTF_8);
        String key = "\"" + MediaTypes.ANNOTATION_TITLE + "\":\"";
        int at = text.indexOf(key);
        assertThat(at).as("a layer title in " + file).isPositive();
        b[at + key.length()] ^= 0x01;
        Files.write(file, b);
    }

    Release layoutRelease() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "layout");
        OciLayoutStore store = OciLayoutStore.open(dir.resolve("store"));
        return new Release(dir, store, store::blobPath);
    }

    Release registryRelease(LocalRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "registry");
        RegistryStore store = RegistryStore.open(registry.uri("bypass" + NAMESPACES.incrementAndGet()), Optional.empty());
        return new Release(dir, store, registry::blobFile);
    }

    /** The insider rewrites the statement inside the envelope and keeps its signature, in place of the stored document. */
    static byte[] rewrittenUnderOldSignature(byte[] envelope) throws IOException {
        ObjectNode env = (ObjectNode) Json.mapper().readTree(envelope);
        ObjectNode statement = (ObjectNode) Json.mapper().readTree(Base64.getDecoder().decode(env.path("payload").asText()));
        ((ObjectNode) statement.path("predicate").path("buildDefinition").path("externalParameters").path("library"))
                .put("version", "v9.9.9");
        env.put("payload", Base64.getEncoder().encodeToString(Json.bytes(statement)));
        return Json.pretty(env).getBytes(StandardCharsets.UTF_8);
    }

    List<Attack> attacks() {
        return List.of(
                new Attack("a flipped byte in a layer blob", r -> flipByte(r.files.blob(r.layer())), "store.digest-mismatch",
                        r -> names(r, r.layer())),
                new Attack("a flipped byte in the stored SBOM", r -> flipByte(r.files.blob(r.sbom())), "store.digest-mismatch",
                        r -> names(r, r.sbom())),
                new Attack("a flipped byte in the provenance envelope", r -> flipByte(r.files.blob(r.provenance())),
                        "store.digest-mismatch", r -> names(r, r.provenance())),
                new Attack("the provenance payload rewritten under its old signature, in place", r -> {
                    Path f = r.files.blob(r.provenance());
                    Files.write(f, rewrittenUnderOldSignature(Files.readAllBytes(f)));
                }, "store.digest-mismatch", r -> names(r, r.provenance())),
                new Attack("the artifact manifest stored under the wrong digest", r -> editManifest(r.files.blob(r.digest)),
                        "store.digest-mismatch", r -> names(r, r.digest)),
                new Attack("an SBOM referrer whose content does not match its digest", r -> editManifest(r.files.blob(r.sbomReferrer())),
                        "store.digest-mismatch", r -> names(r, r.sbomReferrer())));
    }

    /** The refusal names the digest asked for and where the bytes were read. */
    static List<String> names(Release r, Digest asked) {
        // a registry's URL: http://HOST:PORT/v2/NAMESPACE/payments/{blobs,manifests}/DIGEST
        return List.of(asked.toString(), r.store instanceof OciLayoutStore l ? l.blobPath(asked).toString()
                : r.store.location().replace("oci://", "http://").replaceFirst("(:\\d+)/", "$1/v2/") + "/payments");
    }

    void assertRefused(String attack, Throwable thrown, Attack a, Release r) {
        assertThat(thrown).as(attack + " must be refused").isInstanceOf(RefusedException.class);
        List<Refusal> refusals = ((RefusedException) thrown).refusals();
        assertThat(refusals).extracting(Refusal::rule).as(attack).contains(a.rule());
        Refusal refusal = refusals.stream().filter(x -> x.rule().equals(a.rule())).findFirst().orElseThrow();
        for (String named : a.named().apply(r)) {
            assertThat(refusal.evidence()).as(attack + ": the refusal names " + named).contains(named);
        }
    }

    void everyAttackIsRefused(java.util.concurrent.Callable<Release> release) throws Exception {
        for (Attack a : attacks()) {
            try (Release r = release.call()) {
                List<String> named = a.named().apply(r);
                a.tamper().apply(r);
                Attack fixed = new Attack(a.name(), a.tamper(), a.rule(), x -> named);
                int events = r.ledger.events().size();
                assertRefused(a.name() + " (production)", catchThrowable(() -> r.promote("production").call()), fixed, r);
                assertThat(r.inProduction()).as(a.name() + ": nothing promoted").isFalse();
                assertThat(r.ledger.events()).as(a.name() + ": nothing recorded by the refused promotion").hasSize(events);
                assertRefused(a.name() + " (verify --release)", catchThrowable(r::verifyRelease), fixed, r);
            }
        }
    }

    @Test
    void nothingTamperedInALayoutStorePromotesOrVerifies() throws Exception {
        everyAttackIsRefused(this::layoutRelease);
    }

    @Test
    void nothingTamperedInARegistryPromotesOrVerifies(LocalRegistry registry) throws Exception {
        everyAttackIsRefused(() -> registryRelease(registry));
    }

    @Test
    void verifyProductionFailsWhenWhatRunsInProductionWasChangedInTheStore(LocalRegistry registry) throws Exception {
        for (var release : List.<java.util.concurrent.Callable<Release>>of(this::layoutRelease, () -> registryRelease(registry))) {
            for (Attack a : attacks()) {
                try (Release r = release.call()) {
                    r.promote("production").call();
                    assertThat(r.verifyProduction().ok()).as(a.name() + ": untouched, production verifies").isTrue();
                    List<String> named = a.named().apply(r);
                    a.tamper().apply(r);
                    VerifyProduction.Result result = r.verifyProduction();
                    assertThat(result.ok()).as(a.name() + " must fail verify-production").isFalse();
                    assertThat(String.join("\n", result.problems())).as(a.name()).contains(a.rule()).contains(named);
                    Event recorded = r.latest(VerifyProduction.EVENT_TYPE);
                    assertThat(recorded.text("result")).contains("fail");
                }
            }
        }
    }

    @Test
    void aProvenanceRewrittenUnderItsOldSignatureIsRefusedByItsSignature() throws Exception {
        // the pipeline itself was handed a rewritten envelope and stored it: the digests agree, the signature does not
        try (Release r = layoutRelease()) {
            byte[] rewritten;
            try (InputStream in = r.store.openBlob("payments", r.provenance())) {
                rewritten = rewrittenUnderOldSignature(in.readAllBytes());
            }
            StoredManifest subject = r.store.fetchManifest("payments", r.digest.toString()).orElseThrow();
            Referrers.Stored stored = Referrers.push(r.store, "payments", subject, Provenance.DSSE_ARTIFACT_TYPE,
                    "provenance.intoto.dsse.json", rewritten);
            r.ledger.append(Event.draft("provenance-generated", "payments@1.0.0", Optional.of(r.digest), "ci", MONDAY.instant(),
                    Json.object().put("predicateType", Provenance.PREDICATE).put("attestationDigest", stored.document().toString())
                            .put("reference", stored.reference()).put("libraryName", "golden").put("libraryVersion", "v1.4.0")));
            Attack a = new Attack("rewritten provenance", x -> { }, "dsse.signature", x -> List.of(stored.reference()));
            assertRefused("promotion", catchThrowable(() -> r.promote("production").call()), a, r);
            assertThat(r.inProduction()).isFalse();
            assertRefused("verify --release", catchThrowable(r::verifyRelease), a, r);
        }
    }

    @Test
    void aReferrerForAnotherArtifactIsRefused() throws Exception {
        // an SBOM event names a referrer whose subject is another manifest: the document is not evidence of this artifact
        try (Release r = layoutRelease()) {
            byte[] other = "{\"other\":true}".getBytes(StandardCharsets.UTF_8);
            Digest otherDigest = Digester.of(other);
            r.store.pushBlob("payments", otherDigest, other);
            ArtifactManifest otherArtifact = new ArtifactManifest(MediaTypes.RELEASE_GATE_ARTIFACT,
                    List.of(new ArtifactManifest.Layer("other.json", "application/json", otherDigest, other.length)), java.util.Map.of());
            r.store.pushBlob("payments", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
            r.store.pushManifest("payments", Optional.empty(), otherArtifact.mediaType(), otherArtifact.bytes());
            StoredManifest otherManifest = r.store.fetchManifest("payments", otherArtifact.digest().toString()).orElseThrow();
            byte[] sbom;
            try (InputStream in = r.store.openBlob("payments", r.sbom())) {
                sbom = in.readAllBytes();
            }
            Referrers.Stored stored = Referrers.push(r.store, "payments", otherManifest, GenerateSbom.CYCLONEDX_MEDIA_TYPE,
                    "sbom.cdx.json", sbom);
            r.ledger.append(Event.draft(GenerateSbom.EVENT_TYPE, "payments@1.0.0", Optional.of(r.digest), "ci", MONDAY.instant(),
                    Json.object().put("format", "cyclonedx").put("specVersion", "1.6").put("sbomDigest", stored.document().toString())
                            .put("reference", stored.reference()).put("components", 0)));
            Attack a = new Attack("referrer of another artifact", x -> { }, "store.referrer-subject",
                    x -> List.of(stored.reference(), otherArtifact.digest().toString()));
            assertRefused("promotion", catchThrowable(() -> r.promote("production").call()), a, r);
            assertThat(r.inProduction()).isFalse();
            assertRefused("verify --release", catchThrowable(r::verifyRelease), a, r);
        }
    }
    // ------------------------------------------------------------------------------------ every read of a store

    static Refusal refusal(Throwable thrown) {
        assertThat(thrown).isInstanceOf(RefusedException.class);
        return ((RefusedException) thrown).refusals().get(0);
    }

    @Test
    void aLayoutBlobWithAFlippedByteIsRefusedBeforeAnyOfItIsHandedOver() throws Exception {
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("layout"));
        byte[] content = "the bytes that were built".getBytes(StandardCharsets.UTF_8);
        Digest d = Digester.of(content);
        store.pushBlob("app", d, content);
        flipByte(store.blobPath(d));
        Refusal r = refusal(catchThrowable(() -> store.openBlob("app", d)));
        assertThat(r.rule()).isEqualTo(ContentVerifier.DIGEST_MISMATCH);
        assertThat(r.evidence()).contains(store.blobPath(d).toString()).contains("asked for " + d)
                .contains("got content with digest " + Digester.of(Files.readAllBytes(store.blobPath(d))));
    }

    @Test
    void aDamagedLayoutBlobIsReplacedWhenTheRightBytesArePushedAgain() throws Exception {
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("layout"));
        byte[] content = "the bytes that were built".getBytes(StandardCharsets.UTF_8);
        Digest d = Digester.of(content);
        store.pushBlob("app", d, content);
        flipByte(store.blobPath(d));
        store.pushBlob("app", d, content);
        try (InputStream in = store.openBlob("app", d)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void aLayoutManifestChangedUnderItsTagOrDigestIsRefused() throws Exception {
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("layout"));
        byte[] content = "jar".getBytes(StandardCharsets.UTF_8);
        store.pushBlob("app", Digester.of(content), content);
        store.pushBlob("app", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        ArtifactManifest m = new ArtifactManifest(MediaTypes.RELEASE_GATE_ARTIFACT,
                List.of(new ArtifactManifest.Layer("app.jar", "application/java-archive", Digester.of(content), content.length)),
                java.util.Map.of());
        store.pushManifest("app", Optional.of("1.0.0"), m.mediaType(), m.bytes());
        Referrers.Stored untagged = Referrers.push(store, "app", store.fetchManifest("app", "1.0.0").orElseThrow(),
                "application/example", "doc.json", "{}".getBytes(StandardCharsets.UTF_8));
        editManifest(store.blobPath(m.digest()));
        editManifest(store.blobPath(untagged.manifest()));
        for (String reference : List.of("1.0.0", m.digest().toString())) {
            Refusal r = refusal(catchThrowable(() -> store.fetchManifest("app", reference)));
            assertThat(r.rule()).isEqualTo(ContentVerifier.DIGEST_MISMATCH);
            assertThat(r.evidence()).contains(store.blobPath(m.digest()).toString()).contains("asked for " + m.digest());
        }
        Refusal r = refusal(catchThrowable(() -> store.fetchManifest("app", untagged.manifest().toString())));
        assertThat(r.evidence()).contains(store.blobPath(untagged.manifest()).toString()).contains("asked for " + untagged.manifest());
    }

    @Test
    void aRegistryBlobWithAFlippedByteIsRefusedAtTheEndOfTheStreamOrWhenClosedEarly(LocalRegistry registry) throws Exception {
        RegistryStore store = RegistryStore.open(registry.uri("reads"), Optional.empty());
        byte[] content = ("the bytes that were built " + java.util.UUID.randomUUID()).repeat(1000).getBytes(StandardCharsets.UTF_8);
        Digest d = Digester.of(content);
        store.pushBlob("app", d, content);
        flipByte(registry.blobFile(d));
        String url = registry.httpBase() + "/v2/reads/app/blobs/" + d;
        Refusal atEnd = refusal(catchThrowable(() -> {
            try (InputStream in = store.openBlob("app", d)) {
                in.readAllBytes();
            }
        }));
        assertThat(atEnd.rule()).isEqualTo(ContentVerifier.DIGEST_MISMATCH);
        assertThat(atEnd.evidence()).contains(url).contains("asked for " + d);
        // a reader that stops early still learns, when it closes, that the bytes were not those asked for
        Refusal early = refusal(catchThrowable(() -> {
            try (InputStream in = store.openBlob("app", d)) {
                assertThat(in.read()).isNotNegative();
            }
        }));
        assertThat(early.evidence()).contains(url).contains("asked for " + d);
    }

    @Test
    void aRegistryManifestChangedInItsStorageIsRefusedByTagAndByDigest(LocalRegistry registry) throws Exception {
        RegistryStore store = RegistryStore.open(registry.uri("manifests"), Optional.empty());
        byte[] content = java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        store.pushBlob("app", Digester.of(content), content);
        store.pushBlob("app", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        ArtifactManifest m = new ArtifactManifest(MediaTypes.RELEASE_GATE_ARTIFACT,
                List.of(new ArtifactManifest.Layer("app.jar", "application/java-archive", Digester.of(content), content.length)),
                java.util.Map.of());
        store.pushManifest("app", Optional.of("1.0.0"), m.mediaType(), m.bytes());
        editManifest(registry.blobFile(m.digest()));
        Refusal byTag = refusal(catchThrowable(() -> store.fetchManifest("app", "1.0.0")));
        assertThat(byTag.rule()).isEqualTo(ContentVerifier.DIGEST_MISMATCH);
        assertThat(byTag.evidence()).contains("Docker-Content-Digest").contains("asked for " + m.digest())
                .contains(registry.httpBase() + "/v2/manifests/app/manifests/1.0.0");
        Refusal byDigest = refusal(catchThrowable(() -> store.fetchManifest("app", m.digest().toString())));
        assertThat(byDigest.evidence()).contains("asked for " + m.digest())
                .contains(registry.httpBase() + "/v2/manifests/app/manifests/" + m.digest());
    }
}

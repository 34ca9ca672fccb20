package io.releasegate.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.MediaTypes;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.store.Referrers;
import io.releasegate.store.RegistryStore;
import io.releasegate.store.StoredManifest;
import io.releasegate.testing.LocalRegistry;
import io.releasegate.testing.LocalRegistryExtension;
import io.releasegate.testing.TestLedgers;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion copies whatever buildOnce published, whatever the shape of its manifest, into the environment's
 * repository of a real registry (where every repository holds its own blobs and manifests, so anything left
 * behind shows): files as an artifact manifest, an image manifest, an index of images, an artifact manifest
 * with a subject, and an artifact with referrers.
 */
@ExtendWith(LocalRegistryExtension.class)
class PromotionShapesTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    Path ws;
    Policy policy;
    Ledger ledger;
    ArtifactStore store;

    @BeforeEach
    void setUp(LocalRegistry registry) throws Exception {
        ws = Files.createDirectories(tmp.resolve("ws"));
        policy = PolicyLoader.load(Optional.empty());
        ledger = TestLedgers.embedded(tmp.resolve("state"));
        store = RegistryStore.open(registry.uri("shapes-" + UUID.randomUUID().toString().substring(0, 8)), Optional.empty());
    }

    @AfterEach
    void close() {
        ledger.close();
        store.close();
    }

    BuildResult build(ArtifactStore s, String version, String output) {
        return new BuildOnce(s, ledger).name("payments").version(version).workspace(ws).outputs(List.of(output))
                .actor("ci").clock(MONDAY).call();
    }

    PromoteDigest.Result toDev(ArtifactStore s, BuildResult b) {
        return new PromoteDigest(policy, s, ledger).release("payments", b.version()).digest(b.digest()).to("dev")
                .actor("ci").clock(MONDAY).call();
    }

    /** The manifest is in payments/dev under the version, byte for byte, and so is everything it refers to. */
    void assertComplete(ArtifactStore s, BuildResult b) throws Exception {
        StoredManifest source = s.fetchManifest("payments", b.digest().toString()).orElseThrow();
        StoredManifest promoted = s.fetchManifest("payments/dev", b.version()).orElseThrow();
        assertThat(promoted.digest()).isEqualTo(b.digest());
        assertThat(promoted.bytes()).isEqualTo(source.bytes());
        assertReachable(s, promoted);
    }

    void assertReachable(ArtifactStore s, StoredManifest m) throws Exception {
        var doc = Json.mapper().readTree(m.bytes());
        for (var child : doc.path("manifests")) {
            StoredManifest c = s.fetchManifest("payments/dev", child.path("digest").asText()).orElseThrow(() ->
                    new AssertionError("child manifest " + child.path("digest").asText() + " was not copied"));
            assertReachable(s, c);
        }
        List<com.fasterxml.jackson.databind.JsonNode> blobs = new java.util.ArrayList<>();
        if (doc.has("config")) {
            blobs.add(doc.get("config"));
        }
        doc.path("layers").forEach(blobs::add);
        for (var b : blobs) {
            Digest d = Digest.parse(b.path("digest").asText());
            assertThat(s.hasBlob("payments/dev", d)).as("blob " + d + " in payments/dev").isTrue();
            try (InputStream in = s.openBlob("payments/dev", d)) {
                assertThat(Digester.of(in.readAllBytes())).isEqualTo(d);
            }
        }
    }

    @Test
    void filesPublishedAsAnArtifactManifest() throws Exception {
        Files.writeString(ws.resolve("app.jar"), "app");
        Files.writeString(ws.resolve("README.txt"), "readme");
        BuildResult b = build(store, "1.0.0", "*");
        toDev(store, b);
        assertComplete(store, b);
    }

    @Test
    void anImageManifest() throws Exception {
        Layout l = new Layout(ws.resolve("image"));
        l.top(l.image("linux", "amd64", "layer one", "layer two"), MediaTypes.OCI_MANIFEST);
        BuildResult b = build(store, "1.0.0", "image");
        toDev(store, b);
        assertComplete(store, b);
    }

    @Test
    void anIndexOfImagesIsCopiedWithEveryChildManifest() throws Exception {
        Layout l = new Layout(ws.resolve("multi"));
        ObjectNode index = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        for (String arch : List.of("amd64", "arm64")) {
            byte[] image = l.image("linux", arch, "layer for " + arch);
            index.withArray("manifests").addObject().put("mediaType", MediaTypes.OCI_MANIFEST)
                    .put("digest", Digester.of(image).toString()).put("size", image.length)
                    .putObject("platform").put("os", "linux").put("architecture", arch);
        }
        l.top(Json.bytes(index), MediaTypes.OCI_INDEX);
        BuildResult b = build(store, "1.0.0", "multi");
        toDev(store, b);
        assertComplete(store, b);
        // and again, from a layout store too
        try (OciLayoutStore local = OciLayoutStore.open(tmp.resolve("local"))) {
            BuildResult lb = build(local, "2.0.0", "multi");
            toDev(local, lb);
            assertComplete(local, lb);
        }
    }

    @Test
    void anArtifactManifestWithASubjectTakesItsSubjectAlong() throws Exception {
        Layout base = new Layout(ws.resolve("base"));
        byte[] image = base.image("linux", "amd64", "the base image");
        base.top(image, MediaTypes.OCI_MANIFEST);
        build(store, "0.9.0", "base");

        Layout l = new Layout(ws.resolve("attached"));
        byte[] doc = "{\"signed\":\"off\"}".getBytes(StandardCharsets.UTF_8);
        Digest docDigest = l.blob(doc);
        byte[] empty = MediaTypes.EMPTY_JSON;
        l.blob(empty);
        ObjectNode m = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("artifactType", "application/vnd.example.release-note+json");
        m.putObject("config").put("mediaType", MediaTypes.OCI_EMPTY).put("digest", Digester.of(empty).toString()).put("size", 2);
        m.putArray("layers").addObject().put("mediaType", "application/json").put("digest", docDigest.toString())
                .put("size", doc.length);
        m.putObject("subject").put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", Digester.of(image).toString())
                .put("size", image.length);
        l.top(Json.bytes(m), MediaTypes.OCI_MANIFEST);
        BuildResult b = build(store, "1.0.0", "attached");
        toDev(store, b);
        assertComplete(store, b);
        StoredManifest subject = store.fetchManifest("payments/dev", Digester.of(image).toString()).orElseThrow(() ->
                new AssertionError("the subject was not copied"));
        assertReachable(store, subject);
    }

    @Test
    void anArtifactWithReferrersIsPromotedByItsOwnDigest() throws Exception {
        Files.writeString(ws.resolve("app.jar"), "app");
        BuildResult b = build(store, "1.0.0", "app.jar");
        StoredManifest built = store.fetchManifest("payments", b.digest().toString()).orElseThrow();
        Referrers.push(store, "payments", built, "application/vnd.cyclonedx+json", "sbom.cdx.json",
                "{\"bomFormat\":\"CycloneDX\"}".getBytes(StandardCharsets.UTF_8));
        PromoteDigest.Result r = toDev(store, b);
        assertThat(r.reference()).isEqualTo("payments/dev:1.0.0");
        assertComplete(store, b);
    }

    /** An OCI image layout being written. */
    static final class Layout {
        final Path dir;
        final Path blobs;

        Layout(Path dir) throws Exception {
            this.dir = dir;
            this.blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        }

        Digest blob(byte[] content) throws Exception {
            Digest d = Digester.of(content);
            Files.write(blobs.resolve(d.hex()), content);
            return d;
        }

        /** An image manifest (stored as a blob) with a config and one layer per text; its bytes. */
        byte[] image(String os, String arch, String... layers) throws Exception {
            byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"" + os + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                    .getBytes(StandardCharsets.UTF_8);
            ObjectNode m = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
            m.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                    .put("digest", blob(config).toString()).put("size", config.length);
            for (String layer : layers) {
                byte[] bytes = layer.getBytes(StandardCharsets.UTF_8);
                m.withArray("layers").addObject().put("mediaType", MediaTypes.OCI_LAYER_TAR).put("digest", blob(bytes).toString())
                        .put("size", bytes.length);
            }
            byte[] out = Json.bytes(m);
            blob(out);
            return out;
        }

        void top(byte[] manifest, String mediaType) throws Exception {
            Digest d = blob(manifest);
            ObjectNode index = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
            index.putArray("manifests").addObject().put("mediaType", mediaType).put("digest", d.toString())
                    .put("size", manifest.length);
            Files.write(dir.resolve("index.json"), Json.bytes(index));
        }
    }
}

package io.releasegate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.progress.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutStoreTest {

    @TempDir
    Path dir;

    private ArtifactManifest manifestWith(OciLayoutStore store, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Digest d = Digester.of(bytes);
        store.pushBlob("app", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        store.pushBlob("app", d, bytes);
        return new ArtifactManifest(MediaTypes.RELEASE_GATE_ARTIFACT,
                List.of(new ArtifactManifest.Layer("app.jar", "application/java-archive", d, bytes.length)),
                Map.of(MediaTypes.ANNOTATION_VERSION, "1.0.0"));
    }

    @Test
    void createsAValidImageLayoutAndRoundTripsATaggedManifest() throws Exception {
        OciLayoutStore store = OciLayoutStore.open(dir.resolve("store"));
        ArtifactManifest m = manifestWith(store, "jar bytes");
        TagResult r = store.pushManifest("app", Optional.of("1.0.0"), m.mediaType(), m.bytes());
        assertThat(r).isEqualTo(new TagResult.Created(m.digest()));

        StoredManifest got = store.fetchManifest("app", "1.0.0").orElseThrow();
        assertThat(got.digest()).isEqualTo(m.digest());
        assertThat(got.bytes()).isEqualTo(m.bytes());
        assertThat(store.fetchManifest("app", m.digest().toString())).contains(got);
        assertThat(store.fetchManifest("app", "2.0.0")).isEmpty();
        assertThat(store.fetchManifest("other", "1.0.0")).isEmpty();
        assertThat(store.tags("app")).containsExactly("1.0.0");

        // the layout follows image-spec: oci-layout, index.json with ref.name, blobs named by digest
        Path root = dir.resolve("store");
        assertThat(Json.mapper().readTree(root.resolve("oci-layout").toFile()).path("imageLayoutVersion").asText())
                .isEqualTo("1.0.0");
        JsonNode index = Json.mapper().readTree(root.resolve("index.json").toFile());
        assertThat(index.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(index.path("manifests").get(0).path("annotations").path(MediaTypes.ANNOTATION_REF_NAME).asText())
                .isEqualTo("app:1.0.0");
        for (Path blob : Files.list(root.resolve("blobs/sha256")).toList()) {
            assertThat(Digester.of(Files.readAllBytes(blob)).hex()).isEqualTo(blob.getFileName().toString());
        }
        try (var in = store.openBlob("app", Digester.of("jar bytes".getBytes(StandardCharsets.UTF_8)))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("jar bytes");
        }
    }

    @Test
    void tagsAreNeverOverwritten() {
        OciLayoutStore store = OciLayoutStore.open(dir);
        ArtifactManifest first = manifestWith(store, "first");
        ArtifactManifest second = manifestWith(store, "second");
        assertThat(store.pushManifest("app", Optional.of("1.0.0"), first.mediaType(), first.bytes()))
                .isInstanceOf(TagResult.Created.class);
        assertThat(store.pushManifest("app", Optional.of("1.0.0"), first.mediaType(), first.bytes()))
                .isEqualTo(new TagResult.Unchanged(first.digest()));
        assertThat(store.pushManifest("app", Optional.of("1.0.0"), second.mediaType(), second.bytes()))
                .isEqualTo(new TagResult.Conflict(second.digest(), first.digest()));
        assertThat(store.fetchManifest("app", "1.0.0").orElseThrow().digest()).isEqualTo(first.digest());
    }

    @Test
    void aManifestWhoseBlobsAreMissingIsNotTagged() {
        OciLayoutStore store = OciLayoutStore.open(dir);
        Digest absent = Digester.of("never uploaded".getBytes(StandardCharsets.UTF_8));
        store.pushBlob("app", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        ArtifactManifest m = new ArtifactManifest(MediaTypes.RELEASE_GATE_ARTIFACT,
                List.of(new ArtifactManifest.Layer("x", MediaTypes.OCTET_STREAM, absent, 14)), Map.of());
        assertThatThrownBy(() -> store.pushManifest("app", Optional.of("1.0.0"), m.mediaType(), m.bytes()))
                .isInstanceOf(InputException.class).hasMessageContaining(absent.toString());
        assertThat(store.tags("app")).isEmpty();
    }

    @Test
    void aBlobWhoseContentDoesNotMatchItsDigestIsNotStored() throws Exception {
        OciLayoutStore store = OciLayoutStore.open(dir.resolve("s"));
        Path f = Files.writeString(dir.resolve("f"), "actual");
        Digest claimed = Digester.of("claimed".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.pushBlob("app", claimed, 6, f, Progress.NONE))
                .isInstanceOf(InputException.class).hasMessageContaining("nothing was stored");
        assertThat(store.hasBlob("app", claimed)).isFalse();
        try (var files = Files.list(dir.resolve("s/blobs/sha256"))) {
            assertThat(files.toList()).as("no temporary file left behind").isEmpty();
        }
    }

    @Test
    void concurrentWritersOfOneTagAgreeOnASingleWinner() throws Exception {
        OciLayoutStore store = OciLayoutStore.open(dir);
        List<ArtifactManifest> candidates = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            candidates.add(manifestWith(store, "candidate " + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<TagResult>> tasks = new ArrayList<>();
            for (ArtifactManifest m : candidates) {
                // each writer opens its own store instance, as separate processes would
                tasks.add(() -> OciLayoutStore.open(dir).pushManifest("app", Optional.of("1.0.0"), m.mediaType(), m.bytes()));
            }
            List<TagResult> results = new ArrayList<>();
            for (Future<TagResult> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            assertThat(results).filteredOn(r -> r instanceof TagResult.Created).hasSize(1);
            Digest winner = results.stream().filter(r -> r instanceof TagResult.Created).findFirst().orElseThrow().digest();
            assertThat(results).filteredOn(r -> r instanceof TagResult.Conflict)
                    .hasSize(7)
                    .allSatisfy(r -> assertThat(((TagResult.Conflict) r).existing()).isEqualTo(winner));
            assertThat(store.fetchManifest("app", "1.0.0").orElseThrow().digest()).isEqualTo(winner);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A process killed while it made the layout (before {@code oci-layout}, written last): the next open completes it. */
    @Test
    void aLayoutWhoseMakingWasInterruptedIsCompletedNotRefused() throws Exception {
        Path half = Files.createDirectories(dir.resolve("half/blobs/sha256")).getParent().getParent();
        Files.writeString(half.resolve(".index.json12345.tmp"), "{\"schemaVer");
        try (OciLayoutStore store = OciLayoutStore.open(half)) {
            assertThat(store.tags("payments")).isEmpty();
        }
        assertThat(half.resolve("oci-layout")).isRegularFile();
        Files.delete(half.resolve("oci-layout"));
        try (OciLayoutStore store = OciLayoutStore.open(half)) {
            assertThat(half.resolve("oci-layout")).isRegularFile();
        }
        // but a directory holding a blob, or an index that lists something, is someone else's: refused
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.createDirectories(other.resolve("blobs/sha256"));
        Files.writeString(other.resolve("blobs/sha256/" + "a".repeat(64)), "data");
        assertThatThrownBy(() -> OciLayoutStore.open(other)).isInstanceOf(InputException.class)
                .hasMessageContaining("not an OCI image layout");
        Path listed = Files.createDirectories(dir.resolve("listed"));
        Files.writeString(listed.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:"
                + "b".repeat(64) + "\"}]}");
        assertThatThrownBy(() -> OciLayoutStore.open(listed)).isInstanceOf(InputException.class)
                .hasMessageContaining("not an OCI image layout");
    }

    @Test
    void refusesADirectoryThatIsNotALayout() throws Exception {
        Files.writeString(dir.resolve("README"), "not a store");
        assertThatThrownBy(() -> OciLayoutStore.open(dir)).isInstanceOf(InputException.class)
                .hasMessageContaining("not an OCI image layout");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> OciLayoutStore.open(file)).isInstanceOf(InputException.class)
                .hasMessageContaining("not a directory");
    }

    @Test
    void tagsForVersionsFollowOciRules() {
        assertThat(OciNames.tagForVersion("1.2.3+build.7")).isEqualTo("1.2.3_build.7");
        assertThat(OciNames.tagForVersion("1.2.3-rc.1")).isEqualTo("1.2.3-rc.1");
        assertThatThrownBy(() -> OciNames.repository("Payments")).isInstanceOf(InputException.class)
                .hasMessageContaining("invalid artifact name");
        assertThat(OciNames.repository("team/payments-api")).isEqualTo("team/payments-api");
    }
}

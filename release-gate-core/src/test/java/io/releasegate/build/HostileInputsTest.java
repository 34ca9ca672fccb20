package io.releasegate.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.HostileFiles;
import io.releasegate.testing.TestLedgers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs and sizes through {@link BuildOnce}: each is published or refused with an {@link InputException}
 * naming the input, never another exception or an {@link OutOfMemoryError}; a refusal leaves nothing recorded and
 * nothing half-written (no ledger event, no tag, no blob, no temporary file in the store). These tests run in a JVM of
 * their own with a small heap (surefire execution {@code hostile-archives}, {@code -Xmx128m}).
 */
class HostileInputsTest {

    /** SHA-256 of 4 GiB + 4 KiB of zeros (sha256sum of a file made by truncate -s 4294971392). */
    static final String ZEROS_4G_4K = "5bc8222d078b1d6dab4a1d75403860f91afffe8a6944d469e496f553d296be3d";

    @TempDir
    Path tmp;
    Path ws;
    Path storeDir;
    OciLayoutStore store;
    Ledger ledger;

    @BeforeAll
    static void temporaryDirectory() throws IOException {
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @BeforeEach
    void setUp() throws IOException {
        ws = Files.createDirectories(tmp.resolve("ws"));
        storeDir = tmp.resolve("state/store");
        store = OciLayoutStore.open(storeDir);
        ledger = TestLedgers.embedded(tmp.resolve("state"));
    }

    @AfterEach
    void tearDown() {
        ledger.close();
    }

    BuildOnce build(String... outputs) {
        return new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws).outputs(List.of(outputs)).actor("ci")
                .clock(Clock.fixed(Instant.parse("2026-11-02T10:00:00Z"), ZoneOffset.UTC));
    }

    /** The build is refused with an input error whose message contains {@code message}, and nothing is left behind. */
    void refused(BuildOnce build, String message) throws IOException {
        assertThatThrownBy(build::call).isInstanceOf(InputException.class).hasMessageContaining(message);
        assertThat(ledger.events("payments@1.0.0")).isEmpty();
        assertThat(store.tags("payments")).isEmpty();
        try (Stream<Path> s = Files.walk(storeDir.resolve("blobs"))) {
            assertThat(s.filter(Files::isRegularFile).toList()).as("blobs or temporary files in the store").isEmpty();
        }
    }

    @Test
    void aSparseFileAboveFourGibibytesIsPublishedWithAStreamedDigestAndStoredSparse() throws IOException {
        HostileFiles.sparse(ws.resolve("disk.img"), (4L << 30) + 4096);
        long start = System.nanoTime();

        BuildResult r = build("disk.img").call();

        assertThat(r.subjects()).singleElement().satisfies(s -> assertThat(s.digest().hex()).isEqualTo(ZEROS_4G_4K));
        assertThat(ledger.events("payments@1.0.0")).hasSize(1);
        Path blob = storeDir.resolve("blobs/sha256/" + ZEROS_4G_4K);
        assertThat(Files.size(blob)).isEqualTo((4L << 30) + 4096);
        // and stored sparse: its zeros are holes, not 4 GiB of disk (du -k: the KiB allocated)
        Process du = new ProcessBuilder("du", "-k", blob.toString()).redirectErrorStream(true).start();
        String allocated = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\s+")[0];
        assertThat(Long.parseLong(allocated)).as("KiB allocated").isLessThan(1024);
        System.out.printf("4 GiB + 4 KiB sparse file published in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    @Test
    void aDirectoryWithASymbolicLinkToOutsideTheWorkspaceIsRefused() throws IOException {
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "not a build output");
        Files.createDirectories(ws.resolve("target/lib"));
        Files.writeString(ws.resolve("target/app.jar"), "app");
        Files.createSymbolicLink(ws.resolve("target/lib/secret.jar"), outside);
        refused(build("target"), "target/lib/secret.jar is a symbolic link pointing outside the workspace");
        refused(build("target/**/*.jar"), "target/lib/secret.jar is a symbolic link pointing outside the workspace");

        // a link to a directory outside, and a loop: never followed into
        Files.delete(ws.resolve("target/lib/secret.jar"));
        Files.createSymbolicLink(ws.resolve("target/lib/etc"), tmp);
        refused(build("target"), "target/lib/etc is a symbolic link pointing outside the workspace");
        Files.delete(ws.resolve("target/lib/etc"));
        Files.createSymbolicLink(ws.resolve("target/lib/loop"), ws.resolve("target/lib/loop"));
        refused(build("target"), "target/lib/loop");
    }

    /** A minimal OCI image layout in {@code dir}: one manifest with one layer (the given bytes); returns the layer blob. */
    static Path layout(Path dir, byte[] layer) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Digest layerDigest = blob(dir, layer);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = blob(dir, config);
        ObjectNode manifest = Json.object().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", configDigest.toString())
                .put("size", config.length);
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                .put("digest", layerDigest.toString()).put("size", layer.length);
        byte[] m = Json.bytes(manifest);
        index(dir, "application/vnd.oci.image.manifest.v1+json", blob(dir, m), m.length);
        return dir.resolve("blobs/sha256/" + layerDigest.hex());
    }

    static Digest blob(Path dir, byte[] content) throws IOException {
        Digest d = Digester.of(content);
        Files.write(dir.resolve("blobs/sha256/" + d.hex()), content);
        return d;
    }

    static void index(Path dir, String mediaType, Digest digest, long size) throws IOException {
        ObjectNode index = Json.object().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", mediaType).put("digest", digest.toString()).put("size", size);
        Files.write(dir.resolve("index.json"), Json.bytes(index));
    }

    @Test
    void anImageLayoutWhoseBlobOrIndexIsASymbolicLinkToOutsideIsRefused() throws IOException {
        byte[] secret = "a file outside the workspace".getBytes(StandardCharsets.UTF_8);
        Path outside = Files.write(tmp.resolve("secret"), secret);
        Path layer = layout(ws.resolve("image"), secret);
        Files.delete(layer);
        Files.createSymbolicLink(layer, outside);
        refused(build("image"), "is a symbolic link");

        Path index = ws.resolve("image/index.json");
        Files.move(index, tmp.resolve("index.json"));
        Files.createSymbolicLink(index, tmp.resolve("index.json"));
        refused(build("image"), "is a symbolic link");
    }

    @Test
    void anImageLayoutWhoseIndexOrManifestIsHugeIsRefusedWithoutReadingItIntoMemory() throws IOException {
        Path dir = ws.resolve("image");
        layout(dir, "layer".getBytes(StandardCharsets.UTF_8));
        // the manifest index.json names is a sparse 4 GiB + 4 KiB file (the name needs no valid digest: it is never read whole)
        Path huge = HostileFiles.sparse(dir.resolve("blobs/sha256/" + ZEROS_4G_4K), (4L << 30) + 4096);
        index(dir, "application/vnd.oci.image.manifest.v1+json", Digest.parse("sha256:" + ZEROS_4G_4K), Files.size(huge));
        refused(build("image"), "larger than");

        Files.delete(huge);
        HostileFiles.sparse(dir.resolve("index.json"), 1L << 30);
        refused(build("image"), "index.json is larger than");
    }

    @Test
    void anImageIndexThatNamesTheSameIndexesOverAndOverIsWalkedOncePerBlob() throws IOException {
        Path dir = ws.resolve("image");
        layout(dir, "layer".getBytes(StandardCharsets.UTF_8));
        String manifestDigest = Json.mapper().readTree(dir.resolve("index.json").toFile()).path("manifests").get(0).path("digest").asText();
        long manifestSize = Json.mapper().readTree(dir.resolve("index.json").toFile()).path("manifests").get(0).path("size").asLong();
        // eight levels of indexes, each naming the one below ten times: 10^8 paths to one manifest
        String mediaType = "application/vnd.oci.image.manifest.v1+json";
        Digest below = Digest.parse(manifestDigest);
        long size = manifestSize;
        for (int level = 0; level < 8; level++) {
            ObjectNode index = Json.object().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
            ArrayNode ms = index.putArray("manifests");
            for (int k = 0; k < 10; k++) {
                ms.addObject().put("mediaType", mediaType).put("digest", below.toString()).put("size", size)
                        .putObject("annotations").put("copy", Integer.toString(k));
            }
            byte[] b = Json.bytes(index);
            below = blob(dir, b);
            size = b.length;
            mediaType = "application/vnd.oci.image.index.v1+json";
        }
        index(dir, mediaType, below, size);
        Digest top = below;

        BuildResult r = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> build("image").call());

        assertThat(r.digest()).isEqualTo(top);
        assertThat(store.fetchManifest("payments", top.toString())).isPresent();
    }

    @Test
    void twentyLevelsOfDirectoriesAreWalked() throws IOException {
        Path deep = ws.resolve("target");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            deep = deep.resolve("d" + i);
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("app.jar"), "deep");
        names.add(ws.relativize(deep.resolve("app.jar")).toString());
        assertThat(build("target").call().subjects()).extracting(s -> s.name()).isEqualTo(names);
    }
}

package io.releasegate.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.MediaTypes;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.FaultyStore;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestLedgers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildOnceTest {

    @TempDir
    Path tmp;
    Path ws;
    OciLayoutStore store;
    Ledger ledger;
    final Clock clock = Clock.fixed(Instant.parse("2026-11-02T10:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void setUp() throws IOException {
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(ws.resolve("target/lib"));
        Files.writeString(ws.resolve("target/app.jar"), "application bytes");
        Files.writeString(ws.resolve("target/lib/dep.jar"), "dependency bytes");
        Files.writeString(ws.resolve("target/notes.txt"), "notes");
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        ledger = TestLedgers.embedded(tmp.resolve("state"));
    }

    @AfterEach
    void tearDown() {
        ledger.close();
    }

    BuildOnce build(String version, String... outputs) {
        return new BuildOnce(store, ledger).name("payments").version(version).workspace(ws)
                .outputs(List.of(outputs)).actor("ci").clock(clock);
    }

    @Test
    void publishesOneArtifactWhoseManifestDigestIsTheArtifactDigest() throws Exception {
        Git.run(ws, "init", "-q");
        Git.run(ws, "add", "-A");
        Git.run(ws, "commit", "-q", "-m", "feat: first");
        String head = Git.run(ws, "rev-parse", "HEAD").trim();

        BuildResult r = build("1.4.0", "target/*.jar", "target/lib").call();

        assertThat(r.outcome()).isEqualTo(BuildResult.Outcome.PUBLISHED);
        assertThat(r.reference()).isEqualTo("payments:1.4.0");
        assertThat(r.commit()).contains(head);
        // target/*.jar does not cross directories; target/lib adds the dependency; duplicates collapse
        assertThat(r.subjects()).extracting(s -> s.name()).containsExactly("target/app.jar", "target/lib/dep.jar");
        assertThat(r.subjects().get(0).digest()).isEqualTo(sha256sum(ws.resolve("target/app.jar")));

        var stored = store.fetchManifest("payments", "1.4.0").orElseThrow();
        assertThat(stored.digest()).isEqualTo(r.digest());
        JsonNode m = Json.mapper().readTree(stored.bytes());
        assertThat(m.path("artifactType").asText()).isEqualTo(MediaTypes.RELEASE_GATE_ARTIFACT);
        assertThat(m.path("layers")).hasSize(2);
        assertThat(m.path("layers").get(0).path("annotations").path(MediaTypes.ANNOTATION_TITLE).asText())
                .isEqualTo("target/app.jar");
        assertThat(m.path("annotations").path(MediaTypes.ANNOTATION_VERSION).asText()).isEqualTo("1.4.0");
        try (var in = store.openBlob("payments", r.subjects().get(1).digest())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("dependency bytes");
        }

        List<Event> events = ledger.events("payments@1.4.0");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("built");
            assertThat(e.id()).isEqualTo(r.eventId());
            assertThat(e.digest()).contains(r.digest());
            assertThat(e.actor()).isEqualTo("ci");
            assertThat(e.time()).isEqualTo(clock.instant());
            assertThat(e.text("commit")).contains(head);
            assertThat(e.payload().path("subjects")).hasSize(2);
        });
    }

    @Test
    void sameContentAgainIsANoOpAndOtherContentIsRefusedNamingBothDigests() throws Exception {
        BuildResult first = build("1.4.0", "target/app.jar").call();
        BuildResult again = build("1.4.0", "target/app.jar").call();
        assertThat(again.outcome()).isEqualTo(BuildResult.Outcome.ALREADY_PUBLISHED);
        assertThat(again.digest()).isEqualTo(first.digest());
        assertThat(again.eventId()).isEqualTo(first.eventId());
        assertThat(ledger.events()).hasSize(1);

        Files.writeString(ws.resolve("target/app.jar"), "rebuilt, different bytes");
        assertThatThrownBy(() -> build("1.4.0", "target/app.jar").call())
                .isInstanceOf(RefusedException.class)
                .hasMessageContaining(first.digest().toString())
                .satisfies(e -> {
                    RefusedException r = (RefusedException) e;
                    assertThat(r.refusals().get(0).rule()).isEqualTo("build.immutable-version");
                    assertThat(r.refusals().get(0).remedy()).contains("new version");
                    assertThat(r.exitCode()).isEqualTo(1);
                });
        assertThat(store.fetchManifest("payments", "1.4.0").orElseThrow().digest()).isEqualTo(first.digest());
        assertThat(ledger.events()).hasSize(1);
        // a new version is fine
        assertThat(build("1.4.1", "target/app.jar").call().outcome()).isEqualTo(BuildResult.Outcome.PUBLISHED);
    }

    @Test
    void aTagAlreadyInTheStoreWithOtherContentIsRefusedEvenWithAnEmptyLedger() throws Exception {
        BuildResult first = build("2.0.0", "target/app.jar").call();
        Ledger other = TestLedgers.embedded(tmp.resolve("other-state"));
        try {
            Files.writeString(ws.resolve("target/app.jar"), "different");
            BuildOnce cmd = new BuildOnce(store, other).name("payments").version("2.0.0").workspace(ws)
                    .outputs(List.of("target/app.jar")).actor("ci");
            assertThatThrownBy(cmd::call).isInstanceOf(RefusedException.class)
                    .hasMessageContaining("store.immutable-version")
                    .hasMessageContaining(first.digest().toString());
            assertThat(other.events()).isEmpty();
        } finally {
            other.close();
        }
    }

    @Test
    void badInputPublishesAndRecordsNothing() throws Exception {
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "outside the workspace");
        Files.createSymbolicLink(ws.resolve("target/link.jar"), outside);
        Files.createSymbolicLink(ws.resolve("target/dangling.jar"), tmp.resolve("gone"));
        Files.createDirectories(ws.resolve("empty"));
        Process mkfifo = new ProcessBuilder("mkfifo", ws.resolve("target/pipe").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        record Case(String version, List<String> outputs, String message) {
        }
        List<Case> cases = List.of(
                new Case("1.0.0", List.of("target/missing.jar"), "no such file or directory: target/missing.jar"),
                new Case("1.0.0", List.of("build/*.war"), "glob 'build/*.war' matched no files"),
                new Case("1.0.0", List.of("target/link.jar"), "symbolic link pointing outside the workspace"),
                new Case("1.0.0", List.of("target/dangling.jar"), "symbolic link to a missing file"),
                new Case("1.0.0", List.of("../secret.txt"), "outside the workspace"),
                new Case("1.0.0", List.of(outside.toString()), "outside the workspace"),
                new Case("1.0.0", List.of("empty"), "contains no files"),
                new Case("1.0.0", List.of("target/pipe"), "not a regular file"),
                new Case("1.0.0", List.of(), "no build outputs given"),
                new Case("v1.0.0", List.of("target/app.jar"), "without the leading 'v'"),
                new Case("1.0", List.of("target/app.jar"), "not a SemVer 2.0 version"));
        for (Case c : cases) {
            assertThatThrownBy(() -> build(c.version(), c.outputs().toArray(String[]::new)).call())
                    .as("%s %s", c.version(), c.outputs())
                    .isInstanceOf(InputException.class)
                    .hasMessageContaining(c.message())
                    .satisfies(e -> assertThat(((InputException) e).exitCode()).isEqualTo(2));
        }
        assertThatThrownBy(() -> new BuildOnce(store, ledger).name("Payments!").version("1.0.0").workspace(ws)
                .outputs(List.of("target/app.jar")).actor("ci").call())
                .isInstanceOf(InputException.class).hasMessageContaining("invalid artifact name");
        assertThat(store.tags("payments")).isEmpty();
        assertThat(blobs()).isEmpty();
        assertThat(ledger.events()).isEmpty();
    }

    @Test
    void anUploadFailureLeavesNoTagAndNoEventAndARetrySucceeds() throws Exception {
        FaultyStore faulty = new FaultyStore(store, 2);
        BuildOnce cmd = new BuildOnce(faulty, ledger).name("payments").version("1.0.0").workspace(ws)
                .outputs(List.of("target")).actor("ci");
        assertThatThrownBy(cmd::call).isInstanceOf(InputException.class).hasMessageContaining("connection reset");
        assertThat(store.tags("payments")).isEmpty();
        assertThat(ledger.events()).isEmpty();

        BuildResult retry = build("1.0.0", "target").call();
        assertThat(retry.outcome()).isEqualTo(BuildResult.Outcome.PUBLISHED);
        assertThat(retry.subjects()).hasSize(3);
    }

    @Test
    void aCrashBetweenTagAndEventIsRepairedByRunningTheSameBuildAgain() {
        Ledger failing = new io.releasegate.testing.FailingLedger(ledger);
        BuildOnce cmd = new BuildOnce(store, failing).name("payments").version("1.0.0").workspace(ws)
                .outputs(List.of("target/app.jar")).actor("ci");
        assertThatThrownBy(cmd::call).isInstanceOf(InputException.class);
        assertThat(store.tags("payments")).containsExactly("1.0.0");
        assertThat(ledger.events()).isEmpty();

        BuildResult again = build("1.0.0", "target/app.jar").call();
        assertThat(again.outcome()).isEqualTo(BuildResult.Outcome.ALREADY_PUBLISHED);
        assertThat(ledger.events()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo(again.eventId()));
    }

    @Test
    void publishesAnOciImageLayoutByItsOwnManifestDigest() throws Exception {
        Path layout = Files.createDirectories(ws.resolve("build/image"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        byte[] layer = "pretend this is a tar layer".getBytes(StandardCharsets.UTF_8);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        Digest layerDigest = write(blobs, layer);
        Digest configDigest = write(blobs, config);
        ObjectNode manifest = Json.object();
        manifest.put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest.toString()).put("size", config.length);
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                .put("digest", layerDigest.toString()).put("size", layer.length);
        byte[] manifestBytes = Json.bytes(manifest);
        Digest manifestDigest = write(blobs, manifestBytes);
        ObjectNode index = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        index.putArray("manifests").addObject().put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("digest", manifestDigest.toString()).put("size", manifestBytes.length);
        Files.write(layout.resolve("index.json"), Json.bytes(index));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");

        BuildResult r = build("3.0.0", "build/image").call();
        assertThat(r.digest()).isEqualTo(manifestDigest);
        assertThat(r.subjects()).singleElement().satisfies(s -> assertThat(s.digest()).isEqualTo(manifestDigest));
        assertThat(store.fetchManifest("payments", "3.0.0").orElseThrow().bytes()).isEqualTo(manifestBytes);
        assertThat(store.hasBlob("payments", layerDigest)).isTrue();
        assertThat(store.hasBlob("payments", configDigest)).isTrue();

        // a corrupt layout (a blob that does not match its name) is refused before anything is written
        Files.write(blobs.resolve(layerDigest.hex()), "tampered".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> build("3.0.1", "build/image").call()).isInstanceOf(InputException.class)
                .hasMessageContaining("corrupt");
        assertThat(store.tags("payments")).containsExactly("3.0.0");
        // mixing a layout with other files is refused
        assertThatThrownBy(() -> build("3.0.2", "build/image", "target/app.jar").call())
                .isInstanceOf(InputException.class).hasMessageContaining("on its own");
    }

    private static Digest write(Path blobs, byte[] content) throws IOException {
        Digest d = Digester.of(content);
        Files.write(blobs.resolve(d.hex()), content);
        return d;
    }

    private List<Path> blobs() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("state/store/blobs/sha256"))) {
            return s.toList();
        }
    }

    private static Digest sha256sum(Path f) throws Exception {
        Process p = new ProcessBuilder("sha256sum", f.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return Digest.parse("sha256:" + out.substring(0, 64));
    }
}

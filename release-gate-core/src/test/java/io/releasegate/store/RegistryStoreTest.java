package io.releasegate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Ledger;
import io.releasegate.progress.Progress;
import io.releasegate.testing.LocalRegistry;
import io.releasegate.testing.TestLedgers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryStoreTest {

    static LocalRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry() {
        registry = LocalRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private static ArtifactManifest pushArtifact(RegistryStore store, String repo, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Digest d = Digester.of(bytes);
        store.pushBlob(repo, ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        store.pushBlob(repo, d, bytes);
        return new ArtifactManifest(MediaTypes.RELEASE_GATE_ARTIFACT,
                List.of(new ArtifactManifest.Layer("app.jar", "application/java-archive", d, bytes.length)),
                Map.of(MediaTypes.ANNOTATION_VERSION, "1.0.0"));
    }

    @Test
    void roundTripsAnOci11ArtifactAndIndependentClientsSeeTheSameBytes() throws Exception {
        RegistryStore store = RegistryStore.open(registry.uri("team"), Optional.empty());
        ArtifactManifest m = pushArtifact(store, "payments", "jar bytes");
        assertThat(store.pushManifest("payments", Optional.of("1.0.0"), m.mediaType(), m.bytes()))
                .isEqualTo(new TagResult.Created(m.digest()));

        StoredManifest byTag = store.fetchManifest("payments", "1.0.0").orElseThrow();
        assertThat(byTag.digest()).isEqualTo(m.digest());
        assertThat(byTag.bytes()).isEqualTo(m.bytes());
        assertThat(byTag.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(store.fetchManifest("payments", m.digest().toString()).orElseThrow().bytes()).isEqualTo(m.bytes());
        assertThat(store.fetchManifest("payments", "9.9.9")).isEmpty();
        assertThat(store.tags("payments")).containsExactly("1.0.0");
        assertThat(store.tags("unknown")).isEmpty();

        // a plain HTTP client, with nothing of ours in between
        HttpResponse<byte[]> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(registry.httpBase() + "/v2/team/payments/manifests/1.0.0"))
                .header("Accept", MediaTypes.OCI_MANIFEST).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(raw.body()).isEqualTo(m.bytes());
        assertThat(raw.headers().firstValue("Docker-Content-Digest")).contains(m.digest().toString());
        // skopeo, an independent OCI implementation
        Process p = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", "--raw",
                "docker://127.0.0.1:" + registry.port() + "/team/payments:1.0.0").redirectErrorStream(true).start();
        byte[] skopeo = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(new String(skopeo, StandardCharsets.UTF_8)).isZero();
        assertThat(skopeo).isEqualTo(m.bytes());
    }

    @Test
    void tagsAreNeverOverwritten() {
        RegistryStore store = RegistryStore.open(registry.uri("immutable"), Optional.empty());
        ArtifactManifest first = pushArtifact(store, "svc", "first");
        ArtifactManifest second = pushArtifact(store, "svc", "second");
        assertThat(store.pushManifest("svc", Optional.of("2.0.0"), first.mediaType(), first.bytes()))
                .isInstanceOf(TagResult.Created.class);
        assertThat(store.pushManifest("svc", Optional.of("2.0.0"), first.mediaType(), first.bytes()))
                .isEqualTo(new TagResult.Unchanged(first.digest()));
        assertThat(store.pushManifest("svc", Optional.of("2.0.0"), second.mediaType(), second.bytes()))
                .isEqualTo(new TagResult.Conflict(second.digest(), first.digest()));
        assertThat(store.fetchManifest("svc", "2.0.0").orElseThrow().digest()).isEqualTo(first.digest());
    }

    @Test
    void streamsALargeBlobFromAFileWithProgressAndVerifiesItOnTheWayBack() throws Exception {
        byte[] data = new byte[21 * 1024 * 1024 + 13];
        new Random(1).nextBytes(data);
        Path f = Files.write(tmp.resolve("big.bin"), data);
        Digest d = Digester.of(data);
        RegistryStore store = RegistryStore.open(registry.uri("large"), Optional.empty());
        AtomicLong seen = new AtomicLong();
        store.pushBlob("blob", d, data.length, f, new Progress() {
            public void start(String task, long total) {
            }

            public void advance(long bytes) {
                seen.addAndGet(bytes);
            }

            public void finish() {
            }
        });
        assertThat(seen.get()).isEqualTo(data.length);
        assertThat(store.hasBlob("blob", d)).isTrue();
        try (var in = store.openBlob("blob", d)) {
            assertThat(Digester.of(in)).isEqualTo(d);
        }
    }

    @Test
    void aBlobWhoseContentDoesNotMatchTheClaimedDigestIsRejected() throws Exception {
        Path f = Files.writeString(tmp.resolve("f"), "actual content");
        Digest claimed = Digester.of("something else".getBytes(StandardCharsets.UTF_8));
        RegistryStore store = RegistryStore.open(registry.uri("mismatch"), Optional.empty());
        assertThatThrownBy(() -> store.pushBlob("svc", claimed, 14, f, Progress.NONE))
                .isInstanceOf(InputException.class).hasMessageContaining("upload blob " + claimed)
                .hasMessageContaining("DIGEST_INVALID");
        assertThat(store.hasBlob("svc", claimed)).isFalse();
    }

    @Test
    void anUnreachableRegistryIsAnInputErrorNamingIt() {
        RegistryStore store = RegistryStore.open("oci://127.0.0.1:1/team", Optional.empty());
        assertThatThrownBy(() -> store.fetchManifest("svc", "1.0.0")).isInstanceOf(InputException.class)
                .hasMessageContaining("oci://127.0.0.1:1/team").hasMessageContaining("unreachable");
    }

    @Test
    void badUrisAreInputErrors() {
        assertThatThrownBy(() -> RegistryStore.open("oci:///team", Optional.empty())).isInstanceOf(InputException.class)
                .hasMessageContaining("no host");
        assertThatThrownBy(() -> RegistryStore.open("oci://host:5000/Team", Optional.empty()))
                .isInstanceOf(InputException.class).hasMessageContaining("invalid artifact name");
        assertThatThrownBy(() -> RegistryStore.open("https://host/team", Optional.empty()))
                .isInstanceOf(InputException.class).hasMessageContaining("oci://");
        assertThat(RegistryStore.open("oci://localhost:5000/a/b", Optional.empty()).location()).isEqualTo("oci://localhost:5000/a/b");
    }

    @Test
    void basicAuthenticationIsAnsweredAndMissingOrWrongCredentialsAreClearErrors() throws Exception {
        Process p = new ProcessBuilder("htpasswd", "-nbB", "ci", "test-only-password").start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("htpasswd (apache2-utils) is needed; .ci/run installs it").isZero();
        try (LocalRegistry secured = LocalRegistry.start(line)) {
            RegistryStore anonymous = RegistryStore.open(secured.uri("team"), Optional.empty());
            assertThatThrownBy(() -> anonymous.tags("svc")).isInstanceOf(InputException.class)
                    .hasMessageContaining("requires authentication");
            RegistryStore wrong = RegistryStore.open(secured.uri("team"), Optional.of(new RegistryCredentials("ci", "nope")));
            assertThatThrownBy(() -> wrong.tags("svc")).isInstanceOf(InputException.class)
                    .hasMessageContaining("401").hasMessageNotContaining("nope");
            RegistryStore good = RegistryStore.open(secured.uri("team"),
                    Optional.of(new RegistryCredentials("ci", "test-only-password")));
            ArtifactManifest m = pushArtifact(good, "svc", "authenticated");
            assertThat(good.pushManifest("svc", Optional.of("1.0.0"), m.mediaType(), m.bytes()))
                    .isInstanceOf(TagResult.Created.class);
            assertThat(good.tags("svc")).containsExactly("1.0.0");
            assertThat(new RegistryCredentials("ci", "test-only-password").toString()).doesNotContain("test-only-password");
        }
    }

    @Test
    void buildOncePublishesToTheRegistryAndRefusesOtherContentUnderTheSameVersion() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("app.jar"), "v1");
        RegistryStore store = RegistryStore.open(registry.uri("builds"), Optional.empty());
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            BuildResult r = new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws)
                    .outputs(List.of("app.jar")).actor("ci").call();
            assertThat(store.fetchManifest("payments", "1.0.0").orElseThrow().digest()).isEqualTo(r.digest());
            assertThat(new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws)
                    .outputs(List.of("app.jar")).actor("ci").call().outcome()).isEqualTo(BuildResult.Outcome.ALREADY_PUBLISHED);
            Files.writeString(ws.resolve("app.jar"), "v2");
            assertThatThrownBy(() -> new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws)
                    .outputs(List.of("app.jar")).actor("ci").call()).isInstanceOf(RefusedException.class)
                    .hasMessageContaining(r.digest().toString());
            assertThat(ledger.events()).hasSize(1);
        }
    }
}

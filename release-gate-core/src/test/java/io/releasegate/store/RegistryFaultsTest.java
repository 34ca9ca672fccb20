package io.releasegate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.ledger.Ledger;
import io.releasegate.testing.FaultProxy;
import io.releasegate.testing.FaultProxy.Fault;
import io.releasegate.testing.LocalRegistry;
import io.releasegate.testing.LocalRegistryExtension;
import io.releasegate.testing.TestLedgers;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry store through a fault-injecting proxy in front of the real registry: every fault ends in a retry that
 * succeeds or in a clear error with nothing recorded (no ledger event, no tag in the registry), and a registry that
 * serves other bytes than a digest names is refused, never trusted. Timeouts and retry waits are shortened for the
 * test ({@link RegistryStore.Timeouts}); the behaviour is the default's.
 */
@ExtendWith(LocalRegistryExtension.class)
class RegistryFaultsTest {

    static final RegistryStore.Timeouts QUICK = new RegistryStore.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(1),
            Duration.ofSeconds(10), 4, Duration.ofMillis(50), Duration.ofSeconds(3));

    static LocalRegistry registry;

    @TempDir
    Path tmp;

    FaultProxy proxy;
    String namespace;
    Path ws;
    byte[] jar;

    @BeforeAll
    static void sharedRegistry(LocalRegistry shared) {
        registry = shared;
    }

    @BeforeEach
    void proxyAndWorkspace() throws Exception {
        proxy = FaultProxy.start(registry.httpBase());
        namespace = "faults" + Long.toHexString(new Random().nextLong() & 0xffffffffL);
        ws = Files.createDirectories(tmp.resolve("ws"));
        jar = new byte[256 * 1024];
        new Random(7).nextBytes(jar);
        Files.write(ws.resolve("app.jar"), jar);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
    }

    private RegistryStore throughProxy() {
        return RegistryStore.open("oci+http://127.0.0.1:" + proxy.port() + "/" + namespace, Optional.empty(), QUICK);
    }

    /** The registry itself, not through the proxy: what was really stored. */
    private RegistryStore direct() {
        return RegistryStore.open(registry.uri(namespace), Optional.empty());
    }

    private BuildResult build(RegistryStore store, Ledger ledger) {
        return new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws).outputs(List.of("app.jar"))
                .actor("ci").call();
    }

    private void assertNothingRecorded(Ledger ledger) {
        assertThat(ledger.events()).as("no ledger event").isEmpty();
        assertThat(direct().fetchManifest("payments", "1.0.0")).as("no tag in the registry").isEmpty();
    }

    private static byte[] readAll(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    // ------------------------------------------------------------------------------ retried, then succeeds

    @Test
    void a503WithRetryAfterIsWaitedForAndTheBuildIsPublishedOnce() throws Exception {
        proxy.inject(Fault.status("PUT", "/manifests/", 2, 503, "1"));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            long t0 = System.nanoTime();
            BuildResult r = build(throughProxy(), ledger);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(proxy.applied(FaultProxy.Kind.STATUS)).isEqualTo(2);
            assertThat(took).as("Retry-After: 1, twice, was honoured").isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            assertThat(ledger.events()).hasSize(1);
            assertThat(direct().fetchManifest("payments", "1.0.0").orElseThrow().digest()).isEqualTo(r.digest());
        }
    }

    @Test
    void a429IsRetriedAfterTheWaitItAsksFor() throws Exception {
        proxy.inject(Fault.status("HEAD", "/blobs/", 1, 429, "1"));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            BuildResult r = build(throughProxy(), ledger);
            assertThat(proxy.applied(FaultProxy.Kind.STATUS)).isEqualTo(1);
            assertThat(direct().fetchManifest("payments", "1.0.0").orElseThrow().digest()).isEqualTo(r.digest());
        }
    }

    @Test
    void aConnectionResetBeforeTheUploadReachesTheRegistryIsRetried() throws Exception {
        proxy.inject(Fault.drop("PUT", "/blobs/uploads/", 1));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            BuildResult r = build(throughProxy(), ledger);
            assertThat(proxy.applied(FaultProxy.Kind.DROP)).isEqualTo(1);
            assertThat(ledger.events()).hasSize(1);
            assertThat(readAll(direct().openBlob("payments", layer(r.digest())))).isEqualTo(jar);
        }
    }

    /** An upload made again sends its bytes again; the progress a terminal shows counts each byte once. */
    @Test
    void anUploadMadeAgainShowsEachByteOnce() throws Exception {
        proxy.inject(Fault.drop("PUT", "/blobs/uploads/", 2));
        long[] shown = new long[1];
        io.releasegate.progress.Progress counting = new io.releasegate.progress.Progress() {
            @Override
            public void start(String task, long totalBytes) {
            }

            @Override
            public void advance(long bytes) {
                shown[0] += bytes;
            }

            @Override
            public void finish() {
            }
        };
        Path file = ws.resolve("app.jar");
        throughProxy().pushBlob("payments", Digester.of(jar), jar.length, file, counting);
        assertThat(proxy.applied(FaultProxy.Kind.DROP)).isEqualTo(2);
        assertThat(shown[0]).isEqualTo(jar.length);
        assertThat(readAll(direct().openBlob("payments", Digester.of(jar)))).isEqualTo(jar);
    }

    @Test
    void anUploadTheRegistryTookButWhoseAnswerWasLostIsNotPublishedTwice() throws Exception {
        proxy.inject(Fault.acceptThenDrop("PUT", "/blobs/uploads/", 1)).inject(Fault.acceptThenDrop("PUT", "/manifests/1.0.0", 1));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            BuildResult r = build(throughProxy(), ledger);
            assertThat(proxy.applied(FaultProxy.Kind.ACCEPT_THEN_DROP)).isEqualTo(2);
            assertThat(ledger.events()).hasSize(1);
            assertThat(direct().fetchManifest("payments", "1.0.0").orElseThrow().digest()).isEqualTo(r.digest());
        }
    }

    @Test
    void aConnectionResetMidBlobIsReadOnFromWhereItBroke() throws Exception {
        Digest layer;
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            layer = layer(build(throughProxy(), ledger).digest());
        }
        proxy.inject(Fault.reset("GET", "/blobs/sha256", 2));
        assertThat(readAll(throughProxy().openBlob("payments", layer))).isEqualTo(jar);
        assertThat(proxy.applied(FaultProxy.Kind.RESET_MID_BODY)).isEqualTo(2);
    }

    @Test
    void aBlobCutShortOfItsLengthIsReadAgain() throws Exception {
        Digest layer;
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            layer = layer(build(throughProxy(), ledger).digest());
        }
        proxy.inject(Fault.truncate("GET", "/blobs/sha256", 1));
        assertThat(readAll(throughProxy().openBlob("payments", layer))).isEqualTo(jar);
        assertThat(proxy.applied(FaultProxy.Kind.TRUNCATE)).isEqualTo(1);
    }

    @Test
    void aSlowAnswerPastTheTimeoutIsAskedAgain() throws Exception {
        proxy.inject(Fault.delay("GET", "/manifests/1.0.0", 1, 2_500));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            BuildResult r = build(throughProxy(), ledger);
            assertThat(proxy.applied(FaultProxy.Kind.DELAY)).isEqualTo(1);
            assertThat(direct().fetchManifest("payments", "1.0.0").orElseThrow().digest()).isEqualTo(r.digest());
        }
    }

    // -------------------------------------------------------------------- a clear error, nothing recorded

    @Test
    void aRegistryThatKeepsFailingIsAClearErrorAndNothingIsRecorded() throws Exception {
        proxy.inject(Fault.status("PUT", "/manifests/", 1_000, 500, null));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            assertThatThrownBy(() -> build(throughProxy(), ledger)).isInstanceOf(InputException.class)
                    .hasMessageContaining("registry oci+http://127.0.0.1:" + proxy.port())
                    .hasMessageContaining("write manifest").hasMessageContaining("HTTP 500").hasMessageContaining("4 attempts");
            assertThat(proxy.applied(FaultProxy.Kind.STATUS)).isEqualTo(4);
            assertNothingRecorded(ledger);
        }
    }

    @Test
    void aRetryAfterLongerThanTheClientWaitsEndsAtOnceWithTheWaitNamed() throws Exception {
        proxy.inject(Fault.status("*", "/v2/", 1_000, 503, "3600"));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> build(throughProxy(), ledger)).isInstanceOf(InputException.class)
                    .hasMessageContaining("HTTP 503").hasMessageContaining("retry after 3600 s");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(proxy.applied(FaultProxy.Kind.STATUS)).isEqualTo(1);
            assertNothingRecorded(ledger);
        }
    }

    @Test
    void aRegistryThatNeverAnswersInTimeIsAClearErrorAndNothingIsRecorded() throws Exception {
        proxy.inject(Fault.delay("*", "/v2/", 1_000, 3_000));
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            assertThatThrownBy(() -> build(throughProxy(), ledger)).isInstanceOf(InputException.class)
                    .hasMessageContaining("no answer in time");
            assertNothingRecorded(ledger);
        }
    }

    @Test
    void aBlobThatKeepsBreakingIsAnErrorNeverShortData() throws Exception {
        Digest layer;
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            layer = layer(build(throughProxy(), ledger).digest());
        }
        proxy.inject(Fault.truncate("GET", "/blobs/sha256", 1_000));
        assertThatThrownBy(() -> readAll(throughProxy().openBlob("payments", layer)))
                .satisfies(e -> assertThat(e).isInstanceOfAny(InputException.class, java.io.IOException.class))
                .hasMessageContaining("registry oci+http://127.0.0.1:" + proxy.port()).hasMessageContaining(layer.toString());
    }

    // -------------------------------------------------------------------------- other bytes: refused

    @Test
    void aManifestServedWithAnotherDigestIsRefused() throws Exception {
        Digest published;
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            published = build(throughProxy(), ledger).digest();
            // the same JSON with one more space: a different manifest, under the digest header of the real one
            proxy.inject(Fault.alter("GET", "/manifests/", 1_000, RegistryFaultsTest::reformatted));
            assertThatThrownBy(() -> throughProxy().fetchManifest("payments", "1.0.0")).isInstanceOf(ReleaseGateException.class)
                    .hasMessageContaining(published.toString());
            assertThatThrownBy(() -> throughProxy().fetchManifest("payments", published.toString()))
                    .isInstanceOf(ReleaseGateException.class).hasMessageContaining(published.toString());
            // without the header: by tag it reads as another artifact than the one built, which build-once refuses
            proxy.clear();
            proxy.inject(Fault.alter("GET", "/manifests/", 1_000, RegistryFaultsTest::reformatted, "Docker-Content-Digest"));
            assertThatThrownBy(() -> build(throughProxy(), ledger)).isInstanceOf(RefusedException.class)
                    .hasMessageContaining(published.toString());
            assertThat(ledger.events()).hasSize(1);
        }
    }

    @Test
    void aRedirectToAnotherHostIsFollowedAndWhatItServesIsCheckedByDigest() throws Exception {
        Digest layer;
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            layer = layer(build(throughProxy(), ledger).digest());
        }
        try (FaultProxy other = FaultProxy.start(registry.httpBase())) {
            String elsewhere = "http://localhost:" + other.port();
            proxy.inject(Fault.redirect("GET", "/blobs/sha256", 1, elsewhere));
            assertThat(readAll(throughProxy().openBlob("payments", layer))).isEqualTo(jar);
            assertThat(other.log()).anyMatch(l -> l.startsWith("GET /v2/" + namespace + "/payments/blobs/" + layer));

            other.inject(Fault.alter("GET", "/blobs/", 1_000, b -> {
                byte[] c = b.clone();
                c[c.length / 2] ^= 1;
                return c;
            }));
            proxy.inject(Fault.redirect("GET", "/blobs/sha256", 1_000, elsewhere));
            assertThatThrownBy(() -> readAll(throughProxy().openBlob("payments", layer)))
                    .hasMessageContaining(layer.toString());
        }
    }

    @Test
    void aRetryAfterIsSecondsOrAnHttpDateAndAnythingElseIsNone() {
        assertThat(RegistryStore.retryAfter(Optional.of("120"))).contains(Duration.ofSeconds(120));
        assertThat(RegistryStore.retryAfter(Optional.of(" 0 "))).contains(Duration.ZERO);
        assertThat(RegistryStore.retryAfter(Optional.of("Wed, 21 Oct 2015 07:28:00 GMT"))).as("a date past").contains(Duration.ZERO);
        String inAMinute = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(90));
        assertThat(RegistryStore.retryAfter(Optional.of(inAMinute)).orElseThrow()).isBetween(Duration.ofSeconds(60),
                Duration.ofSeconds(91));
        assertThat(RegistryStore.retryAfter(Optional.of("99999999999999999999"))).as("huge, not an overflow").isPresent();
        assertThat(RegistryStore.retryAfter(Optional.of("soon"))).isEmpty();
        assertThat(RegistryStore.retryAfter(Optional.of("-5"))).isEmpty();
        assertThat(RegistryStore.retryAfter(Optional.empty())).isEmpty();
    }

    private static byte[] reformatted(byte[] manifest) {
        String s = new String(manifest, StandardCharsets.UTF_8);
        return (s.replaceFirst("\\{", "{ ")).getBytes(StandardCharsets.UTF_8);
    }

    /** The digest of the artifact's one layer (the jar). */
    private Digest layer(Digest manifest) {
        Digest d = Digester.of(jar);
        assertThat(new String(direct().fetchManifest("payments", manifest.toString()).orElseThrow().bytes(), StandardCharsets.UTF_8))
                .contains(d.toString());
        return d;
    }
}

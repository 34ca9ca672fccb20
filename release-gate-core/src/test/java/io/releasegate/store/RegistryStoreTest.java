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
import io.releasegate.testing.LocalRegistryExtension;
import io.releasegate.testing.TokenServer;
import io.releasegate.testing.TestLedgers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalRegistryExtension.class)
class RegistryStoreTest {

    static LocalRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void sharedRegistry(LocalRegistry shared) {
        registry = shared;
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

    /** Eight requests of a store that has not authenticated yet, released at once, all answered. */
    private static void assertConcurrentFirstRequestsSucceed(RegistryStore store, String repo) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> racing = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                racing.add(pool.submit(() -> {
                    go.await();
                    return store.hasBlob(repo, ArtifactManifest.emptyConfigDigest());
                }));
            }
            go.countDown();
            for (Future<Boolean> f : racing) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
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

            // requests racing to answer the first challenge all get through
            RegistryStore fresh = RegistryStore.open(secured.uri("team"),
                    Optional.of(new RegistryCredentials("ci", "test-only-password")));
            assertConcurrentFirstRequestsSucceed(fresh, "svc");

            // the same credentials serve every repository, streamed uploads included
            Path f = Files.write(tmp.resolve("other.bin"), new byte[3 * 1024 * 1024 + 1]);
            Digest d = Digester.of(Files.readAllBytes(f));
            good.pushBlob("other", d, Files.size(f), f, Progress.NONE);
            assertThat(good.hasBlob("other", d)).isTrue();
        }
    }

    // ------------------------------------------------------------------------------ Bearer tokens

    @Test
    void bearerTokensAreFetchedWithTheCredentialsCachedAndUnderstoodByIndependentClients() throws Exception {
        try (TokenServer tokens = TokenServer.start("ci", "token-test-password");
                LocalRegistry secured = LocalRegistry.startWithTokenAuth(tokens)) {
            RegistryStore store = RegistryStore.open(secured.uri("team"),
                    Optional.of(new RegistryCredentials("ci", "token-test-password")));
            ArtifactManifest m = pushArtifact(store, "svc", "behind a token service");
            byte[] big = new byte[2 * 1024 * 1024];
            new Random(7).nextBytes(big);
            Path f = Files.write(tmp.resolve("big"), big);
            store.pushBlob("svc", Digester.of(big), big.length, f, Progress.NONE);
            assertThat(store.pushManifest("svc", Optional.of("1.0.0"), m.mediaType(), m.bytes())).as(secured::log)
                    .isEqualTo(new TagResult.Created(m.digest()));
            assertThat(store.fetchManifest("svc", "1.0.0").orElseThrow().bytes()).isEqualTo(m.bytes());
            assertThat(store.tags("svc")).containsExactly("1.0.0");
            try (var in = store.openBlob("svc", Digester.of(big))) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }

            List<TokenServer.Request> asked = tokens.requests();
            assertThat(asked).allSatisfy(r -> assertThat(r.user()).contains("ci"));
            assertThat(asked).flatExtracting(TokenServer.Request::scopes).allMatch(sc -> sc.startsWith("repository:team/svc:"));
            assertThat(asked).as("tokens are cached, not fetched per request").hasSizeLessThanOrEqualTo(3);
            // a second repository gets its own token
            store.pushBlob("other", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
            assertThat(tokens.requests().subList(asked.size(), tokens.requests().size()))
                    .flatExtracting(TokenServer.Request::scopes).allMatch(sc -> sc.startsWith("repository:team/other:"));

            // a fresh store's first requests, racing for a token, all get through
            assertConcurrentFirstRequestsSucceed(RegistryStore.open(secured.uri("team"),
                    Optional.of(new RegistryCredentials("ci", "token-test-password"))), "svc");

            // skopeo reads what we wrote through the same token service
            Process p = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", "--raw", "--creds",
                    "ci:token-test-password", "docker://127.0.0.1:" + secured.port() + "/team/svc:1.0.0")
                    .redirectErrorStream(true).start();
            byte[] skopeo = p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).as(new String(skopeo, StandardCharsets.UTF_8)).isZero();
            assertThat(skopeo).isEqualTo(m.bytes());
        }
    }

    @Test
    void aTokenTheRegistryRejectsIsReplacedNotReused() {
        try (TokenServer tokens = TokenServer.start("ci", "token-test-password");
                LocalRegistry secured = LocalRegistry.startWithTokenAuth(tokens)) {
            RegistryStore store = RegistryStore.open(secured.uri("team"),
                    Optional.of(new RegistryCredentials("ci", "token-test-password")));
            // the token service hands out a token the registry refuses (as it refuses an expired or revoked one)
            tokens.expireNextToken();
            assertThatThrownBy(() -> store.tags("svc")).isInstanceOf(InputException.class).hasMessageContaining("401");
            // the refused token is not kept: the next operation asks for a fresh one and works
            store.pushBlob("svc", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
            assertThat(store.hasBlob("svc", ArtifactManifest.emptyConfigDigest())).isTrue();
            assertThat(store.tags("svc")).isEmpty();
        }
    }

    @Test
    void refusedTokensAndPullOnlyTokensAreClearErrorsWithoutTheSecret() {
        try (TokenServer tokens = TokenServer.start("ci", "token-test-password");
                LocalRegistry secured = LocalRegistry.startWithTokenAuth(tokens)) {
            RegistryStore wrong = RegistryStore.open(secured.uri("team"),
                    Optional.of(new RegistryCredentials("ci", "not-the-password")));
            assertThatThrownBy(() -> wrong.tags("svc")).isInstanceOf(InputException.class)
                    .hasMessageContaining(secured.uri("team")).hasMessageContaining("refused a token")
                    .hasMessageContaining("401").hasMessageNotContaining("not-the-password");

            RegistryStore anonymous = RegistryStore.open(secured.uri("team"), Optional.empty());
            assertThat(anonymous.tags("svc")).isEmpty();
            assertThatThrownBy(() -> anonymous.pushBlob("svc", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON))
                    .isInstanceOf(InputException.class).hasMessageContaining("upload blob")
                    .hasMessageContaining("401").hasMessageContaining("credentials");
            assertThat(tokens.requests()).anySatisfy(r -> assertThat(r.user()).isEmpty());
        }
    }

    // ---------------------------------------------------------------- redirects and lying registries

    @Test
    void blobRedirectsToAnotherHostCarryNoCredentialsAndAreVerified() throws Exception {
        byte[] blob = "content served from object storage".getBytes(StandardCharsets.UTF_8);
        Digest d = Digester.of(blob);
        try (FakeServer storage = new FakeServer(); FakeServer front = new FakeServer()) {
            storage.handle(x -> {
                if (x.getRequestHeaders().containsKey("Authorization")) {
                    // what object stores do when a presigned URL also carries a registry token
                    return FakeServer.reply(400, "Only one auth mechanism allowed");
                }
                return x.getRequestURI().getPath().equals("/bucket/good") ? FakeServer.reply(200, blob)
                        : FakeServer.reply(200, "tampered".getBytes(StandardCharsets.UTF_8));
            });
            front.handle(x -> {
                String auth = x.getRequestHeaders().getFirst("Authorization");
                if (!("Basic " + java.util.Base64.getEncoder().encodeToString("ci:pw".getBytes(StandardCharsets.UTF_8)))
                        .equals(auth)) {
                    return FakeServer.reply(401, "").header("WWW-Authenticate", "Basic realm=\"fake\"");
                }
                String object = x.getRequestURI().getPath().endsWith(d.toString()) ? "good" : "bad";
                // another origin: a different host name and port
                return FakeServer.reply(307, "").header("Location",
                        "http://localhost:" + storage.port() + "/bucket/" + object + "?X-Signature=abc");
            });
            RegistryStore store = RegistryStore.open("oci://127.0.0.1:" + front.port() + "/team",
                    Optional.of(new RegistryCredentials("ci", "pw")));
            try (var in = store.openBlob("svc", d)) {
                assertThat(in.readAllBytes()).isEqualTo(blob);
            }
            Digest other = Digester.of("something".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> {
                try (var in = store.openBlob("svc", other)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(io.releasegate.error.RefusedException.class).hasMessageContaining("store.digest-mismatch")
                    .hasMessageContaining("asked for " + other);
        }
    }

    @Test
    void aManifestWhoseBytesDoNotMatchTheAskedDigestIsRefused() throws Exception {
        byte[] served = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                .getBytes(StandardCharsets.UTF_8);
        Digest asked = Digester.of("another manifest".getBytes(StandardCharsets.UTF_8));
        try (FakeServer fake = new FakeServer()) {
            fake.handle(x -> FakeServer.reply(200, served).header("Content-Type", MediaTypes.OCI_MANIFEST));
            RegistryStore store = RegistryStore.open("oci://127.0.0.1:" + fake.port() + "/team", Optional.empty());
            assertThatThrownBy(() -> store.fetchManifest("svc", asked.toString()))
                    .isInstanceOf(io.releasegate.error.RefusedException.class).hasMessageContaining("store.digest-mismatch")
                    .hasMessageContaining("asked for " + asked).hasMessageContaining("got content with digest " + Digester.of(served))
                    .hasMessageContaining("/v2/team/svc/manifests/" + asked);
            // by tag without a Docker-Content-Digest there is nothing to compare with: the digest is that of the bytes
            assertThat(store.fetchManifest("svc", "1.0.0").orElseThrow().digest()).isEqualTo(Digester.of(served));
        }
    }

    @Test
    void aManifestServedByTagUnderAnotherDigestThanItsOwnIsRefused() throws Exception {
        byte[] served = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                .getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digester.of("the manifest that was tagged".getBytes(StandardCharsets.UTF_8));
        try (FakeServer fake = new FakeServer()) {
            fake.handle(x -> FakeServer.reply(200, served).header("Content-Type", MediaTypes.OCI_MANIFEST)
                    .header("Docker-Content-Digest", claimed.toString()));
            RegistryStore store = RegistryStore.open("oci://127.0.0.1:" + fake.port() + "/team", Optional.empty());
            assertThatThrownBy(() -> store.fetchManifest("svc", "1.0.0"))
                    .isInstanceOf(io.releasegate.error.RefusedException.class).hasMessageContaining("store.digest-mismatch")
                    .hasMessageContaining("Docker-Content-Digest").hasMessageContaining("asked for " + claimed)
                    .hasMessageContaining("got content with digest " + Digester.of(served))
                    .hasMessageContaining("/v2/team/svc/manifests/1.0.0");
        }
    }

    @Test
    void anOversizedManifestIsRefusedWithoutReadingItAll() throws Exception {
        byte[] huge = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        try (FakeServer fake = new FakeServer()) {
            fake.handle(x -> FakeServer.reply(200, huge).header("Content-Type", MediaTypes.OCI_MANIFEST));
            RegistryStore store = RegistryStore.open("oci://127.0.0.1:" + fake.port() + "/team", Optional.empty());
            assertThatThrownBy(() -> store.fetchManifest("svc", "1.0.0")).isInstanceOf(InputException.class)
                    .hasMessageContaining("larger than");
        }
    }

    // ------------------------------------------------------------------------------ failures

    @Test
    void unknownHostsAndTlsFailuresAreInputErrorsSayingWhatWentWrong() {
        RegistryStore nowhere = RegistryStore.open("oci://registry.invalid/team", Optional.empty());
        assertThatThrownBy(() -> nowhere.tags("svc")).isInstanceOf(InputException.class)
                .hasMessageContaining("oci://registry.invalid/team").hasMessageContaining("https://registry.invalid/v2/")
                .hasMessageContaining("unknown host registry.invalid").hasMessageContaining("list tags");
        // HTTPS asked of a plain-HTTP registry
        RegistryStore tls = RegistryStore.open("oci+https://127.0.0.1:" + registry.port() + "/team", Optional.empty());
        assertThatThrownBy(() -> tls.tags("svc")).isInstanceOf(InputException.class)
                .hasMessageContaining("TLS").hasMessageContaining("https://127.0.0.1:" + registry.port());
    }

    @Test
    void explicitAndLoopbackSchemesReachThePlainHttpRegistry() {
        for (String uri : List.of("oci+http://127.0.0.1:" + registry.port() + "/schemes",
                "oci://localhost:" + registry.port() + "/schemes")) {
            RegistryStore store = RegistryStore.open(uri, Optional.empty());
            store.pushBlob("svc", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
            assertThat(store.hasBlob("svc", ArtifactManifest.emptyConfigDigest())).as(uri).isTrue();
        }
        RegistryStore root = RegistryStore.open("oci://127.0.0.1:" + registry.port(), Optional.empty());
        root.pushBlob("top", ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        assertThat(RegistryStore.open("oci://127.0.0.1:" + registry.port() + "/", Optional.empty())
                .hasBlob("top", ArtifactManifest.emptyConfigDigest())).isTrue();
    }

    @Test
    void credentialsInTheUriAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> RegistryStore.open("oci://ci:hunter2@registry.example/team", Optional.empty()))
                .isInstanceOf(InputException.class).hasMessageContaining("credentials")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RegistryStore.open("oci://registry.example/team?x=1", Optional.empty()))
                .isInstanceOf(InputException.class).hasMessageContaining("oci://");
        assertThatThrownBy(() -> RegistryStore.open("oci://registry.example:http/team", Optional.empty()))
                .isInstanceOf(InputException.class).hasMessageContaining("registry.example:http");
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

    /** A scripted HTTP server on 127.0.0.1 standing in for a registry or an object store, to script what real ones do. */
    static final class FakeServer implements AutoCloseable {

        record Reply(int status, byte[] body, Map<String, String> headers) {
            Reply header(String name, String value) {
                Map<String, String> h = new java.util.HashMap<>(headers);
                h.put(name, value);
                return new Reply(status, body, h);
            }
        }

        interface Handler {
            Reply handle(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException;
        }

        private final com.sun.net.httpserver.HttpServer server;

        FakeServer() throws java.io.IOException {
            server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.start();
        }

        static Reply reply(int status, String body) {
            return reply(status, body.getBytes(StandardCharsets.UTF_8));
        }

        static Reply reply(int status, byte[] body) {
            return new Reply(status, body, Map.of());
        }

        int port() {
            return server.getAddress().getPort();
        }

        void handle(Handler handler) {
            server.createContext("/", x -> {
                try (x) {
                    Reply r = handler.handle(x);
                    r.headers().forEach((k, v) -> x.getResponseHeaders().set(k, v));
                    boolean head = x.getRequestMethod().equals("HEAD");
                    x.sendResponseHeaders(r.status(), head || r.body().length == 0 ? -1 : r.body().length);
                    if (!head && r.body().length > 0) {
                        x.getResponseBody().write(r.body());
                    }
                }
            });
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}

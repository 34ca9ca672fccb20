package io.releasegate.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.releasegate.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A token service for the registry's Bearer challenge (the Docker token authentication protocol):
 * it answers {@code GET /token?service=...&scope=...} with an ES256 JWT whose {@code x5c} header
 * carries a self-signed certificate that {@link LocalRegistry#startWithTokenAuth(TokenServer)}
 * trusts. One user may push and pull; anonymous callers may only pull; wrong credentials get 401.
 * Every request is recorded so that tests can see what a client asked for and sent.
 */
public final class TokenServer implements AutoCloseable {

    public static final String SERVICE = "release-gate-test-registry";
    public static final String ISSUER = "release-gate-test-token-issuer";

    /** What a client sent: the user it authenticated as (empty when anonymous or rejected) and the scopes. */
    public record Request(Optional<String> user, boolean rejected, List<String> scopes) {
    }

    private final Path dir;
    private final HttpServer server;
    private final String username;
    private final String password;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicBoolean expireNext = new AtomicBoolean();

    private TokenServer(Path dir, String username, String password, PrivateKey key, X509Certificate certificate)
            throws IOException {
        this.dir = dir;
        this.username = username;
        this.password = password;
        this.key = key;
        this.certificate = certificate;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    /** Starts a token service on a free 127.0.0.1 port that accepts {@code username}/{@code password}. */
    public static TokenServer start(String username, String password) {
        try {
            Path dir = Files.createTempDirectory("release-gate-token-");
            Path store = dir.resolve("signer.p12");
            char[] pass = "test-only".toCharArray();
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "signer", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-sigalg", "SHA256withECDSA", "-dname", "CN=release-gate test token signer", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(pass),
                    "-keypass", new String(pass)).redirectErrorStream(true).start();
            String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new AssertionError("keytool could not create the token signing key: " + out);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, pass);
            }
            X509Certificate cert = (X509Certificate) ks.getCertificate("signer");
            Files.writeString(dir.resolve("signer.pem"), "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            return new TokenServer(dir, username, password, (PrivateKey) ks.getKey("signer", pass), cert);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new AssertionError("cannot start the token service: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The realm a registry names in its challenge. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The PEM certificate the registry trusts for tokens. */
    public Path rootCertificate() {
        return dir.resolve("signer.pem");
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The next token handed out is already expired, as a token cached past its lifetime would be. */
    public void expireNextToken() {
        expireNext.set(true);
    }

    private void token(HttpExchange x) throws IOException {
        try (x) {
            List<String> scopes = new ArrayList<>();
            String service = "";
            String query = Optional.ofNullable(x.getRequestURI().getRawQuery()).orElse("");
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (name.equals("scope")) {
                    scopes.addAll(List.of(value.split(" ")));
                } else if (name.equals("service")) {
                    service = value;
                }
            }
            Optional<String> user = Optional.empty();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                String decoded = auth.startsWith("Basic ")
                        ? new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8) : "";
                if (!decoded.equals(username + ":" + password)) {
                    requests.add(new Request(Optional.empty(), true, scopes));
                    reply(x, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                    return;
                }
                user = Optional.of(username);
            }
            requests.add(new Request(user, false, scopes));
            if (!service.equals(SERVICE)) {
                reply(x, 400, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"unknown service\"}]}");
                return;
            }
            ArrayNode access = Json.mapper().createArrayNode();
            for (String scope : scopes) {
                String[] parts = scope.split(":");
                if (parts.length != 3 || !parts[0].equals("repository")) {
                    continue;
                }
                ObjectNode a = access.addObject().put("type", "repository").put("name", parts[1]);
                ArrayNode actions = a.putArray("actions");
                for (String action : parts[2].split(",")) {
                    if (action.equals("pull") || user.isPresent()) {
                        actions.add(action);
                    }
                }
            }
            long now = Instant.now().getEpochSecond();
            long exp = expireNext.getAndSet(false) ? now - 3600 : now + 300;
            ObjectNode header = Json.mapper().createObjectNode().put("typ", "JWT").put("alg", "ES256");
            header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
            ObjectNode claims = Json.mapper().createObjectNode().put("iss", ISSUER).put("sub", user.orElse(""))
                    .put("aud", SERVICE).put("exp", exp).put("nbf", Math.min(now, exp) - 10).put("iat", now)
                    .put("jti", UUID.randomUUID().toString());
            claims.set("access", access);
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(Json.mapper().writeValueAsBytes(header)) + "."
                    + b64.encodeToString(Json.mapper().writeValueAsBytes(claims));
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            String jwt = signingInput + "." + b64.encodeToString(s.sign());
            reply(x, 200, Json.mapper().createObjectNode().put("token", jwt).put("access_token", jwt)
                    .put("expires_in", 300).toString());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static void reply(HttpExchange x, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary directory; best effort
        }
    }
}

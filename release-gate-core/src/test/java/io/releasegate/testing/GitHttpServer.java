package io.releasegate.testing;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * A git smart-HTTP server for tests: {@code git http-backend} (the git project's own CGI) behind the JDK's HTTP
 * server on 127.0.0.1 and a free port, serving the bare repositories under a directory to one user with basic
 * authentication. Pushes are accepted only from that authenticated user.
 */
public final class GitHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final Path root;
    private final java.util.concurrent.atomic.AtomicInteger lostAnswers = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, java.util.concurrent.atomic.AtomicLong> requests = new java.util.concurrent.ConcurrentHashMap<>();

    private GitHttpServer(HttpServer server, Path root) {
        this.server = server;
        this.root = root;
    }

    /** Serves {@code root}'s bare repositories to {@code user} with {@code password}. */
    public static GitHttpServer start(Path root, String user, String password) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        GitHttpServer git = new GitHttpServer(server, root);
        server.createContext("/", git::handle).setAuthenticator(new BasicAuthenticator("git") {
            @Override
            public boolean checkCredentials(String u, String p) {
                return user.equals(u) && password.equals(p);
            }
        });
        // as a git host serves many clients at once: each request runs its own git http-backend
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        return git;
    }

    /** The URL of the repository {@code name} (a directory under the root). */
    public String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    /**
     * The next {@code n} pushes are carried out by the backend, but their answer is lost: the client gets a 504, as
     * from a proxy that gave up waiting while the host was accepting the push.
     */
    public void loseNextPushAnswers(int n) {
        lostAnswers.set(n);
    }

    /** How many requests the git backend answered so far, by method and service (fetch: upload-pack; push: receive-pack). */
    public Map<String, Long> requests() {
        Map<String, Long> out = new java.util.TreeMap<>();
        requests.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String service = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(exchange.getRequestURI().getPath());
        requests.computeIfAbsent(exchange.getRequestMethod() + " " + service.substring(service.lastIndexOf('/') + 1)
                .replace("service=", ""), k -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            ProcessBuilder pb = new ProcessBuilder("git", "http-backend").redirectError(ProcessBuilder.Redirect.DISCARD);
            Map<String, String> env = pb.environment();
            env.put("GIT_CONFIG_GLOBAL", "/dev/null");
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("REQUEST_METHOD", exchange.getRequestMethod());
            env.put("PATH_INFO", exchange.getRequestURI().getPath());
            env.put("QUERY_STRING", Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""));
            env.put("CONTENT_LENGTH", Integer.toString(body.length));
            env.put("REMOTE_USER", exchange.getPrincipal().getUsername());
            env.put("REMOTE_ADDR", "127.0.0.1");
            Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).ifPresent(v -> env.put("CONTENT_TYPE", v));
            Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    .ifPresent(v -> env.put("HTTP_CONTENT_ENCODING", v));
            Optional.ofNullable(exchange.getRequestHeaders().getFirst("Git-Protocol")).ifPresent(v -> env.put("GIT_PROTOCOL", v));
            Process p = pb.start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(body);
            }
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor();
            if (exchange.getRequestMethod().equals("POST") && exchange.getRequestURI().getPath().endsWith("/git-receive-pack")
                    && lostAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.sendResponseHeaders(504, -1);
                return;
            }
            respond(exchange, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Turns the CGI output (headers, blank line, body) into the HTTP response. */
    private static void respond(HttpExchange exchange, byte[] cgi) throws IOException {
        int split = -1;
        int skip = 0;
        for (int i = 0; i + 1 < cgi.length; i++) {
            if (cgi[i] == '\n' && cgi[i + 1] == '\n') {
                split = i;
                skip = 2;
                break;
            }
            if (i + 3 < cgi.length && cgi[i] == '\r' && cgi[i + 1] == '\n' && cgi[i + 2] == '\r' && cgi[i + 3] == '\n') {
                split = i;
                skip = 4;
                break;
            }
        }
        if (split < 0) {
            exchange.sendResponseHeaders(500, -1);
            return;
        }
        int status = 200;
        for (String line : new String(cgi, 0, split, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(cgi, split + skip, cgi.length - split - skip);
        exchange.sendResponseHeaders(status, body.size() == 0 ? -1 : body.size());
        if (body.size() > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                body.writeTo(os);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}

package io.releasegate.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real OCI distribution registry for tests: Debian's {@code docker-registry} (distribution v2)
 * on a free 127.0.0.1 port with storage in a temporary directory, stopped and deleted by
 * {@link #close()}.
 */
public final class LocalRegistry implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Path dir;
    private final int port;
    private final Process process;

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts an anonymous registry. */
    public static LocalRegistry start() {
        return start(dir -> "");
    }

    /** Starts a registry that requires HTTP Basic authentication against one htpasswd (bcrypt) line. */
    public static LocalRegistry start(String htpasswdLine) {
        return start(dir -> {
            Files.writeString(dir.resolve("htpasswd"), htpasswdLine + "\n");
            return "auth:\n  htpasswd:\n    realm: test\n    path: " + dir.resolve("htpasswd") + "\n";
        });
    }

    /** Starts a registry that answers with a Bearer challenge naming {@code tokens} and trusts its tokens only. */
    public static LocalRegistry startWithTokenAuth(TokenServer tokens) {
        return start(dir -> "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + TokenServer.SERVICE
                + "\n    issuer: " + TokenServer.ISSUER + "\n    rootcertbundle: " + tokens.rootCertificate() + "\n");
    }

    private interface AuthConfig {
        String yaml(Path dir) throws IOException;
    }

    private static LocalRegistry start(AuthConfig authConfig) {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing: install it with `apt-get install -y docker-registry` "
                    + "(.ci/run does this)");
        }
        try {
            Path dir = Files.createTempDirectory("release-gate-registry-");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            String auth = authConfig.yaml(dir);
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("config.yml"), "version: 0.1\n"
                    + "log:\n  level: info\n"
                    + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n  delete:\n    enabled: true\n"
                    + "http:\n  addr: 127.0.0.1:" + port + "\n"
                    + auth);
            Process p = new ProcessBuilder(BINARY.toString(), "serve", dir.resolve("config.yml").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
            LocalRegistry r = new LocalRegistry(dir, port, p);
            r.awaitReady();
            return r;
        } catch (IOException e) {
            throw new AssertionError("cannot start docker-registry: " + e.getMessage(), e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v2/").toURL().openConnection();
                c.setConnectTimeout(200);
                int code = c.getResponseCode();
                c.disconnect();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // keep waiting
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        close();
        throw new AssertionError("docker-registry did not start within 20s");
    }

    public int port() {
        return port;
    }

    /** {@code oci://127.0.0.1:PORT/NAMESPACE}. */
    public String uri(String namespace) {
        return "oci://127.0.0.1:" + port + "/" + namespace;
    }

    /** Where the registry keeps everything it stores, on its file system. */
    public Path storage() {
        return dir.resolve("data");
    }

    public String httpBase() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Where the registry keeps the bytes of a blob (or manifest) on its file system, as its host (or anyone who can
     * write its storage) would find them: {@code docker/registry/v2/blobs/sha256/XX/HEX/data}.
     */
    public Path blobFile(io.releasegate.digest.Digest digest) {
        return dir.resolve("data/docker/registry/v2/blobs").resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()).resolve("data");
    }

    /** What the registry logged so far, for failure messages. */
    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary directory; best effort
        }
    }
}

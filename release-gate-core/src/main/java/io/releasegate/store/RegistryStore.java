package io.releasegate.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.progress.Progress;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OCI distribution registry (distribution-spec 1.1) as a store, over the JDK HTTP client.
 * Location {@code oci://HOST[:PORT]/NAMESPACE}: plain HTTP on loopback hosts, HTTPS elsewhere;
 * {@code oci+http://} and {@code oci+https://} choose explicitly. Repositories are
 * {@code NAMESPACE/NAME}. Blobs are streamed from files; tags are never overwritten (checked before
 * writing and re-read after). Basic authentication and the Bearer token challenge are supported.
 * Every failure is an {@link InputException} naming the registry, the operation and the status.
 */
public final class RegistryStore implements ArtifactStore {

    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final URI base;
    private final String namespace;
    private final String location;
    private final Optional<RegistryCredentials> credentials;
    private final HttpClient http;
    private final Map<String, String> tokens = new java.util.concurrent.ConcurrentHashMap<>();

    private RegistryStore(URI base, String namespace, String location, Optional<RegistryCredentials> credentials) {
        this.base = base;
        this.namespace = namespace;
        this.location = location;
        this.credentials = credentials;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public static boolean handles(String uri) {
        return uri.startsWith("oci://") || uri.startsWith("oci+http://") || uri.startsWith("oci+https://");
    }

    /** Opens {@code oci://HOST[:PORT]/NAMESPACE}. Nothing is contacted until the first operation. */
    public static RegistryStore open(String uri, Optional<RegistryCredentials> credentials) {
        String scheme;
        String rest;
        if (uri.startsWith("oci+http://")) {
            scheme = "http";
            rest = uri.substring("oci+http://".length());
        } else if (uri.startsWith("oci+https://")) {
            scheme = "https";
            rest = uri.substring("oci+https://".length());
        } else if (uri.startsWith("oci://")) {
            scheme = null;
            rest = uri.substring("oci://".length());
        } else {
            throw new InputException("not a registry store URI: '" + uri + "' (expected oci://HOST[:PORT]/NAMESPACE)");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String namespace = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        if (authority.isEmpty()) {
            throw new InputException("registry store URI '" + uri + "' has no host");
        }
        if (!namespace.isEmpty()) {
            OciNames.repository(namespace);
        }
        try {
            URI probe = new URI("http://" + authority + "/");
            if (probe.getHost() == null) {
                throw new InputException("registry store URI '" + uri + "' has an invalid host");
            }
            if (scheme == null) {
                String host = probe.getHost();
                boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                        || host.equals("::1");
                scheme = loopback ? "http" : "https";
            }
            URI base = new URI(scheme + "://" + authority + "/");
            return new RegistryStore(base, namespace, uri, credentials);
        } catch (URISyntaxException e) {
            throw new InputException("invalid registry store URI '" + uri + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String location() {
        return location;
    }

    private String path(String repository) {
        return namespace.isEmpty() ? repository : namespace + "/" + repository;
    }

    @Override
    public boolean hasBlob(String repository, Digest digest) {
        HttpResponse<Void> r = send("check blob " + digest, repository,
                request("/v2/" + path(repository) + "/blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw failure("check blob " + digest, r.statusCode(), "");
    }

    @Override
    public void pushBlob(String repository, Digest digest, long size, Path file, Progress progress) {
        if (hasBlob(repository, digest)) {
            progress.advance(size);
            return;
        }
        if (!Files.isReadable(file)) {
            throw new InputException("file not readable: " + file);
        }
        upload(repository, digest, Optional.of(file), size, new byte[0], progress);
    }

    @Override
    public void pushBlob(String repository, Digest digest, byte[] content) {
        if (hasBlob(repository, digest)) {
            return;
        }
        upload(repository, digest, Optional.empty(), content.length, content, Progress.NONE);
    }

    /** POST to open an upload session, then one monolithic PUT with the digest (distribution-spec "push a blob"). */
    private void upload(String repository, Digest digest, Optional<Path> file, long size, byte[] content, Progress progress) {
        String op = "upload blob " + digest;
        HttpResponse<String> start = send(op, repository,
                request("/v2/" + path(repository) + "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofString());
        if (start.statusCode() != 202) {
            throw failure(op, start.statusCode(), start.body());
        }
        String loc = start.headers().firstValue("Location")
                .orElseThrow(() -> new InputException("registry " + location + " did not say where to upload " + digest));
        URI target = base.resolve(loc);
        String sep = target.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(target + sep + "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
        int status;
        String body;
        Optional<String> echoed;
        if (file.isPresent()) {
            // HttpURLConnection in fixed-length streaming mode: large writes straight from the file,
            // several times faster for big blobs than the JDK HttpClient's request publishers
            try {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) put.toURL().openConnection();
                c.setRequestMethod("PUT");
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(size);
                c.setConnectTimeout(10_000);
                c.setReadTimeout(30 * 60_000);
                c.setRequestProperty("Content-Type", "application/octet-stream");
                String auth = tokens.get(scope(repository));
                if (auth != null && !auth.isEmpty()) {
                    c.setRequestProperty("Authorization", auth);
                }
                try (InputStream in = Files.newInputStream(file.get()); var out = c.getOutputStream()) {
                    byte[] buf = new byte[1 << 20];
                    long sent = 0;
                    for (int n; (n = in.read(buf)) >= 0 && sent < size; ) {
                        out.write(buf, 0, n);
                        sent += n;
                        progress.advance(n);
                    }
                    if (sent != size) {
                        throw new InputException(file.get() + " changed while publishing: expected " + size
                                + " bytes, read " + sent + "; nothing was tagged");
                    }
                }
                status = c.getResponseCode();
                try (InputStream err = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                    body = err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8);
                }
                echoed = Optional.ofNullable(c.getHeaderField("Docker-Content-Digest"));
            } catch (IOException e) {
                throw new InputException("registry " + location + " is unreachable (" + op + "): " + describe(e), e);
            }
        } else {
            HttpResponse<String> done = send(op, repository, authorised(HttpRequest.newBuilder(put), repository)
                    .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(content)),
                    HttpResponse.BodyHandlers.ofString());
            status = done.statusCode();
            body = done.body();
            echoed = done.headers().firstValue("Docker-Content-Digest");
        }
        if (status != 201) {
            throw failure(op, status, body);
        }
        if (echoed.isPresent() && !echoed.get().equals(digest.toString())) {
            throw new InputException("registry " + location + " stored " + echoed.get() + " for blob " + digest);
        }
    }

    @Override
    public InputStream openBlob(String repository, Digest digest) {
        HttpResponse<InputStream> r = send("read blob " + digest, repository,
                request("/v2/" + path(repository) + "/blobs/" + digest).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            try (InputStream ignored = r.body()) {
                throw failure("read blob " + digest, r.statusCode(), "");
            } catch (IOException e) {
                throw failure("read blob " + digest, r.statusCode(), "");
            }
        }
        return verifying(r.body(), digest);
    }

    @Override
    public Optional<StoredManifest> fetchManifest(String repository, String reference) {
        String op = "read manifest " + path(repository) + ":" + reference;
        HttpResponse<byte[]> r = send(op, repository, request("/v2/" + path(repository) + "/manifests/" + reference)
                .header("Accept", MediaTypes.MANIFEST_ACCEPT).GET(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw failure(op, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        }
        byte[] bytes = r.body();
        Digest actual = Digester.of(bytes);
        if (reference.startsWith("sha256:") && !actual.toString().equals(reference)) {
            throw new InputException("registry " + location + " returned content with digest " + actual + " for "
                    + reference);
        }
        String mediaType = r.headers().firstValue("Content-Type").map(v -> v.split(";")[0].trim()).orElse("");
        if (!MediaTypes.isManifest(mediaType)) {
            try {
                mediaType = Json.mapper().readTree(bytes).path("mediaType").asText(MediaTypes.OCI_MANIFEST);
            } catch (IOException e) {
                throw new InputException("registry " + location + " returned a manifest that is not JSON for " + reference);
            }
        }
        return Optional.of(new StoredManifest(mediaType, actual, bytes));
    }

    @Override
    public TagResult pushManifest(String repository, Optional<String> tag, String mediaType, byte[] manifest) {
        Digest digest = Digester.of(manifest);
        if (tag.isPresent()) {
            Optional<StoredManifest> existing = fetchManifest(repository, tag.get());
            if (existing.isPresent()) {
                return existing.get().digest().equals(digest) ? new TagResult.Unchanged(digest)
                        : new TagResult.Conflict(digest, existing.get().digest());
            }
        }
        put(repository, digest.toString(), mediaType, manifest, digest);
        if (tag.isEmpty()) {
            return new TagResult.Created(digest);
        }
        put(repository, tag.get(), mediaType, manifest, digest);
        Digest now = fetchManifest(repository, tag.get()).map(StoredManifest::digest).orElse(digest);
        return now.equals(digest) ? new TagResult.Created(digest) : new TagResult.Conflict(digest, now);
    }

    private void put(String repository, String reference, String mediaType, byte[] manifest, Digest digest) {
        String op = "write manifest " + path(repository) + ":" + reference;
        HttpResponse<String> r = send(op, repository, request("/v2/" + path(repository) + "/manifests/" + reference)
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw failure(op, r.statusCode(), r.body());
        }
        Optional<String> echoed = r.headers().firstValue("Docker-Content-Digest");
        if (echoed.isPresent() && !echoed.get().equals(digest.toString())) {
            throw new InputException("registry " + location + " stored manifest " + echoed.get() + " instead of " + digest);
        }
    }

    @Override
    public List<String> tags(String repository) {
        TreeSet<String> tags = new TreeSet<>();
        String next = "/v2/" + path(repository) + "/tags/list";
        while (next != null) {
            HttpResponse<String> r = send("list tags", repository, request(next).GET(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404) {
                return List.of();
            }
            if (r.statusCode() != 200) {
                throw failure("list tags of " + path(repository), r.statusCode(), r.body());
            }
            try {
                Json.mapper().readTree(r.body()).path("tags").forEach(t -> tags.add(t.asText()));
            } catch (IOException e) {
                throw new InputException("registry " + location + " returned an invalid tag list");
            }
            next = r.headers().firstValue("Link").map(RegistryStore::nextLink).orElse(null);
        }
        return new ArrayList<>(tags);
    }

    private static String nextLink(String link) {
        Matcher m = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?").matcher(link);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void close() {
        // the JDK client releases its connections when unreachable
    }

    // ------------------------------------------------------------------------------------------ HTTP

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofMinutes(30));
    }

    private HttpRequest.Builder authorised(HttpRequest.Builder b, String repository) {
        String token = tokens.get(scope(repository));
        if (token != null) {
            b.setHeader("Authorization", token);
        } else if (credentials.isPresent() && tokens.containsKey("basic")) {
            b.setHeader("Authorization", tokens.get("basic"));
        }
        return b;
    }

    private <T> HttpResponse<T> send(String op, String repository, HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler) {
        try {
            HttpRequest req = authorised(builder.copy(), repository).build();
            HttpResponse<T> r = http.send(req, handler);
            // a registry under concurrent writes of the same tag can answer 5xx for a moment: retry briefly
            for (int attempt = 1; r.statusCode() >= 500 && attempt <= 4; attempt++) {
                closeQuietly(r);
                Thread.sleep(100L * attempt);
                r = http.send(authorised(builder.copy(), repository).build(), handler);
            }
            if (r.statusCode() == 401 && authenticate(op, repository, r.headers().firstValue("WWW-Authenticate"))) {
                closeQuietly(r);
                r = http.send(authorised(builder.copy(), repository).build(), handler);
            }
            return r;
        } catch (IOException e) {
            throw new InputException("registry " + location + " is unreachable (" + op + "): " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("interrupted while talking to registry " + location, e);
        }
    }

    private static void closeQuietly(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** Answers a 401 challenge: Basic with the credentials, or Bearer by fetching a token from the realm. */
    private boolean authenticate(String op, String repository, Optional<String> challenge) throws IOException, InterruptedException {
        if (challenge.isEmpty()) {
            return false;
        }
        String c = challenge.get();
        if (c.regionMatches(true, 0, "Basic", 0, 5)) {
            if (credentials.isEmpty() || tokens.containsKey("basic")) {
                throw new InputException("registry " + location + " requires authentication (" + op + "): set "
                        + "RELEASE_GATE_REGISTRY_USERNAME and RELEASE_GATE_REGISTRY_PASSWORD, or check them");
            }
            tokens.put("basic", basic(credentials.get()));
            tokens.put(scope(repository), basic(credentials.get()));
            return true;
        }
        if (!c.regionMatches(true, 0, "Bearer", 0, 6) || tokens.containsKey("tried:" + scope(repository))) {
            return false;
        }
        tokens.put("tried:" + scope(repository), "");
        Map<String, String> params = new HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(c);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            return false;
        }
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (params.containsKey("service")) {
            url.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
        }
        url.append("scope=").append(URLEncoder.encode(scope(repository), StandardCharsets.UTF_8));
        HttpRequest.Builder tr = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30)).GET();
        credentials.ifPresent(cr -> tr.header("Authorization", basic(cr)));
        HttpResponse<String> r = http.send(tr.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new InputException("registry " + location + " refused a token for " + scope(repository) + " (HTTP "
                    + r.statusCode() + "); check the registry credentials");
        }
        JsonNode t = Json.mapper().readTree(r.body());
        String token = t.path("token").asText(t.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new InputException("registry " + location + " token service returned no token");
        }
        tokens.put(scope(repository), "Bearer " + token);
        return true;
    }

    private String scope(String repository) {
        return "repository:" + path(repository) + ":pull,push";
    }

    private static String basic(RegistryCredentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
    }

    private InputException failure(String op, int status, String body) {
        StringBuilder sb = new StringBuilder("registry ").append(location).append(": ").append(op)
                .append(" failed with HTTP ").append(status);
        try {
            JsonNode errors = body == null || body.isBlank() ? null : Json.mapper().readTree(body).path("errors");
            if (errors != null && errors.isArray()) {
                for (JsonNode e : errors) {
                    sb.append(" [").append(e.path("code").asText()).append(": ").append(e.path("message").asText()).append(']');
                }
            }
        } catch (IOException ignored) {
            // not an OCI error body
        }
        if (status == 401 || status == 403) {
            sb.append("; check the registry credentials and permissions");
        }
        return new InputException(sb.toString());
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException || m == null) {
            return "connection refused" + (m == null ? "" : " (" + m + ")");
        }
        return m;
    }

    /** Verifies the digest of a blob while it is read; a mismatch fails at the end of the stream. */
    private InputStream verifying(InputStream in, Digest expected) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new FilterInputStream(in) {
            private boolean checked;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    md.update(b, off, n);
                } else if (n < 0 && !checked) {
                    checked = true;
                    String actual = HexFormat.of().formatHex(md.digest());
                    if (!actual.equals(expected.hex())) {
                        throw new IOException("registry " + location + " returned content with digest sha256:" + actual
                                + " for blob " + expected);
                    }
                }
                return n;
            }
        };
    }
}

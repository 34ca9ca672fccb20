package io.releasegate.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * An OCI distribution registry (distribution-spec 1.1) as a store, over the JDK HTTP client.
 * Location {@code oci://HOST[:PORT]/NAMESPACE}: plain HTTP on loopback hosts, HTTPS elsewhere;
 * {@code oci+http://} and {@code oci+https://} choose explicitly. Repositories are
 * {@code NAMESPACE/NAME}. Blobs are streamed from files; tags are never overwritten (checked before
 * writing and re-read after). Basic authentication and the Bearer token challenge are supported;
 * credentials and tokens go to the registry's own origin (and credentials to its token service)
 * only, never along a redirect to another host such as an object store. Manifests and blobs are
 * checked against their digests as they are read. Every failure is an {@link InputException}
 * naming the registry, the operation and the HTTP status or OCI error code.
 */
public final class RegistryStore implements ArtifactStore {

    /**
     * How long to wait and how often to try. {@code connect}: for a connection; {@code request}: for a registry to start
     * answering a request (its headers, not a blob's body); {@code transfer}: for one blob upload, body included.
     * A request that fails on the wire (reset, timed out, cut short) or is answered 429 or 5xx is sent again, up to
     * {@code attempts} times in all, after {@code backoff}, doubled each time, or after the {@code Retry-After} the
     * registry asks for; a registry that asks for more than {@code maxRetryAfter} is an error at once.
     */
    record Timeouts(Duration connect, Duration request, Duration transfer, int attempts, Duration backoff, Duration maxRetryAfter) {

        static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofMinutes(30), 4,
                Duration.ofMillis(200), Duration.ofSeconds(60));

        Timeouts {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1");
            }
        }

        Duration backoff(int attempt) {
            return backoff.multipliedBy(1L << Math.min(attempt - 1, 10));
        }
    }

    /** The distribution reference implementation's manifest limit; a larger answer is not a manifest we wrote. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BYTES = 64 * 1024;
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final URI base;
    private final String namespace;
    private final String location;
    private final Optional<RegistryCredentials> credentials;
    private final HttpClient http;
    private final Timeouts timeouts;
    /** Bearer tokens by repository path, as the registry's token service handed them out. */
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    /** Set once the registry asked for Basic authentication: from then on its requests carry the credentials. */
    private volatile boolean basic;

    private RegistryStore(URI base, String namespace, String location, Optional<RegistryCredentials> credentials,
                          Timeouts timeouts) {
        this.base = base;
        this.namespace = namespace;
        this.location = location;
        this.credentials = credentials;
        this.timeouts = timeouts;
        // redirects are followed here, not by the client, which would forward credentials to any host
        this.http = HttpClient.newBuilder().connectTimeout(timeouts.connect())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public static boolean handles(String uri) {
        return uri.startsWith("oci://") || uri.startsWith("oci+http://") || uri.startsWith("oci+https://");
    }

    /**
     * Opens {@code oci://HOST[:PORT]/NAMESPACE} (or {@code oci+http://}, {@code oci+https://}).
     * Nothing is contacted until the first operation. Credentials never belong in the URI.
     */
    public static RegistryStore open(String uri, Optional<RegistryCredentials> credentials) {
        return open(uri, credentials, Timeouts.DEFAULT);
    }

    /** As {@link #open(String, Optional)}, waiting and retrying as {@code timeouts} says. */
    static RegistryStore open(String uri, Optional<RegistryCredentials> credentials, Timeouts timeouts) {
        String scheme;
        String prefix;
        if (uri.startsWith("oci+http://")) {
            scheme = "http";
            prefix = "oci+http://";
        } else if (uri.startsWith("oci+https://")) {
            scheme = "https";
            prefix = "oci+https://";
        } else if (uri.startsWith("oci://")) {
            scheme = null;
            prefix = "oci://";
        } else {
            throw new InputException("not a registry store URI: '" + uri + "' (expected oci://HOST[:PORT]/NAMESPACE)");
        }
        String rest = uri.substring(prefix.length());
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.contains("@")) {
            throw new InputException("registry store URI '" + prefix + "****@" + authority.substring(authority.lastIndexOf('@') + 1)
                    + "/...' carries credentials: pass them as registry credentials (RELEASE_GATE_REGISTRY_USERNAME and "
                    + "RELEASE_GATE_REGISTRY_PASSWORD), never in the URI");
        }
        if (rest.contains("?") || rest.contains("#")) {
            throw new InputException("registry store URI '" + uri + "' has a query or fragment (expected "
                    + "oci://HOST[:PORT]/NAMESPACE)");
        }
        String namespace = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        if (authority.isEmpty()) {
            throw new InputException("registry store URI '" + uri + "' has no host");
        }
        if (!namespace.isEmpty()) {
            OciNames.repository(namespace);
        }
        try {
            URI probe = new URI("http://" + authority + "/");
            if (probe.getHost() == null || probe.getPort() > 65535 || authority.endsWith(":")) {
                throw new InputException("registry store URI '" + uri + "' has an invalid host or port");
            }
            if (scheme == null) {
                String host = probe.getHost();
                boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                        || host.equals("::1");
                scheme = loopback ? "http" : "https";
            }
            return new RegistryStore(new URI(scheme + "://" + authority + "/"), namespace, uri, credentials, timeouts);
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

    // ------------------------------------------------------------------------------------------ blobs

    @Override
    public boolean hasBlob(String repository, Digest digest) {
        String op = "check blob " + digest;
        HttpResponse<Void> r = send(op, repository,
                request("/v2/" + path(repository) + "/blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw failure(op, r.statusCode(), "");
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

    /**
     * Uploads a blob, again from the start (a new session) when the upload breaks off or the registry answers it 429 or
     * 5xx, as {@link Timeouts} allows; a registry that has the blob after a failed attempt (it took the upload, its answer
     * was lost) has it: that is success.
     */
    private void upload(String repository, Digest digest, Optional<Path> file, long size, byte[] content, Progress progress) {
        // an attempt made again sends the bytes again: the progress shown counts each byte once
        long[] shown = new long[1];
        long[] sent = new long[1];
        Progress once = new Progress() {
            @Override
            public void start(String task, long totalBytes) {
                progress.start(task, totalBytes);
            }

            @Override
            public void advance(long bytes) {
                sent[0] += bytes;
                if (sent[0] > shown[0]) {
                    progress.advance(sent[0] - shown[0]);
                    shown[0] = sent[0];
                }
            }

            @Override
            public void finish() {
                progress.finish();
            }
        };
        for (int attempt = 1; ; attempt++) {
            sent[0] = 0;
            try {
                uploadOnce(repository, digest, file, size, content, once);
                return;
            } catch (UploadFailed e) {
                if (hasBlob(repository, digest)) {
                    once.advance(size - sent[0]);
                    return;
                }
                if (attempt >= timeouts.attempts()) {
                    throw new InputException(e.getMessage() + "; the upload was made " + attempt + " times", e.getCause());
                }
                try {
                    Thread.sleep(timeouts.backoff(attempt).toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InputException("interrupted while uploading blob " + digest + " to registry " + location, ie);
                }
            }
        }
    }

    /** An upload that may succeed when made again. */
    private static final class UploadFailed extends RuntimeException {
        UploadFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** POST to open an upload session, then one monolithic PUT with the digest (distribution-spec "push a blob"). */
    private void uploadOnce(String repository, Digest digest, Optional<Path> file, long size, byte[] content, Progress progress) {
        String op = "upload blob " + digest;
        HttpResponse<String> start = send(op, repository,
                request("/v2/" + path(repository) + "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofString());
        if (start.statusCode() != 202) {
            throw failure(op, start.statusCode(), start.body());
        }
        String loc = start.headers().firstValue("Location")
                .orElseThrow(() -> new InputException("registry " + location + " did not say where to upload " + digest));
        URI put;
        try {
            URI target = start.request().uri().resolve(loc);
            String sep = target.getRawQuery() == null ? "?" : "&";
            put = URI.create(target + sep + "digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new InputException("registry " + location + " gave an invalid upload location for " + digest + ": " + loc, e);
        }
        int status;
        String body;
        Optional<String> echoed;
        if (file.isPresent()) {
            // HttpURLConnection in fixed-length streaming mode: large writes straight from the file,
            // several times faster for big blobs than the JDK HttpClient's request publishers
            try {
                HttpURLConnection c = (HttpURLConnection) put.toURL().openConnection();
                c.setRequestMethod("PUT");
                c.setInstanceFollowRedirects(false);
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(size);
                c.setConnectTimeout((int) timeouts.connect().toMillis());
                c.setReadTimeout((int) timeouts.transfer().toMillis());
                c.setRequestProperty("Content-Type", MediaTypes.OCTET_STREAM);
                authorization(put, repository).ifPresent(a -> c.setRequestProperty("Authorization", a));
                try (InputStream in = Files.newInputStream(file.get()); OutputStream out = c.getOutputStream()) {
                    byte[] buf = new byte[1 << 20];
                    long sent = 0;
                    for (int n; sent < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - sent))) >= 0; ) {
                        out.write(buf, 0, n);
                        sent += n;
                        progress.advance(n);
                    }
                    if (sent != size || in.read() >= 0) {
                        throw new InputException(file.get() + " changed while publishing: expected " + size
                                + " bytes; nothing was tagged");
                    }
                }
                status = c.getResponseCode();
                try (InputStream answer = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                    body = answer == null ? "" : new String(answer.readNBytes(MAX_ERROR_BYTES), StandardCharsets.UTF_8);
                }
                echoed = Optional.ofNullable(c.getHeaderField("Docker-Content-Digest"));
            } catch (IOException e) {
                InputException error = unreachable(op, "PUT", put, e);
                throw new UploadFailed(error.getMessage(), e);
            }
        } else {
            HttpResponse<String> done;
            try {
                done = send(op, repository, HttpRequest.newBuilder(put).timeout(timeouts.transfer())
                        .header("Content-Type", MediaTypes.OCTET_STREAM).PUT(HttpRequest.BodyPublishers.ofByteArray(content)),
                        HttpResponse.BodyHandlers.ofString());
            } catch (InputException e) {
                throw new UploadFailed(e.getMessage(), e);
            }
            status = done.statusCode();
            body = done.body();
            echoed = done.headers().firstValue("Docker-Content-Digest");
        }
        if (status != 201) {
            InputException error = failure(op, status, body);
            if (retryable(status) || status == 404) {
                // 404: the session is gone (the registry took an earlier PUT of it whose answer was lost)
                throw new UploadFailed(error.getMessage(), error);
            }
            throw error;
        }
        if (echoed.isPresent() && !echoed.get().equals(digest.toString())) {
            throw new InputException("registry " + location + " stored " + echoed.get() + " for blob " + digest);
        }
    }

    /**
     * The blob's bytes, following redirects (to an object store, say); the digest is checked at the end of the stream.
     * A body that breaks off (a reset, a timeout, fewer bytes than its length) is read on from where it broke, with a
     * range request (or, where the server ignores ranges, from the start, skipping what was read), as often as
     * {@link Timeouts} allows; the digest covers the whole.
     */
    @Override
    public InputStream openBlob(String repository, Digest digest) {
        ResumingBlob blob = new ResumingBlob(repository, digest);
        return ContentVerifier.verifying(blob, digest, "registry " + location + " (GET " + withoutQuery(blob.uri) + ")");
    }

    /** A blob's body that, when it breaks off, is asked for again from the first byte not yet read. */
    private final class ResumingBlob extends InputStream {
        private final String repository;
        private final Digest digest;
        private final String op;
        private InputStream in;
        private URI uri;
        private long read;
        private long length = -1;
        private int breaks;

        ResumingBlob(String repository, Digest digest) {
            this.repository = repository;
            this.digest = digest;
            this.op = "read blob " + digest;
            open();
        }

        private void open() {
            HttpRequest.Builder b = request("/v2/" + path(repository) + "/blobs/" + digest).GET();
            if (read > 0) {
                b.header("Range", "bytes=" + read + "-");
            }
            HttpResponse<InputStream> r = send(op, repository, b, HttpResponse.BodyHandlers.ofInputStream());
            uri = r.request().uri();
            int status = r.statusCode();
            if (status == 206 && read > 0) {
                String range = r.headers().firstValue("Content-Range").orElse("");
                if (!range.startsWith("bytes " + read + "-")) {
                    closeQuietly(r);
                    throw new InputException("registry " + location + ": " + op + " was asked for the bytes from " + read
                            + " on and answered with the range '" + range + "'");
                }
                in = r.body();
                return;
            }
            if (status != 200) {
                throw failure(op, status, drain(r.body()));
            }
            in = r.body();
            if (length < 0) {
                length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            }
            try {
                // the server sent it all again: skip what was read already
                for (long skip = read; skip > 0; ) {
                    long n = in.skip(skip);
                    if (n <= 0) {
                        if (in.read() < 0) {
                            throw new IOException("the body ended before the " + read + " bytes already read");
                        }
                        n = 1;
                    }
                    skip -= n;
                }
            } catch (IOException e) {
                closeQuietly(in);
                throw unreachable(op, "GET", uri, e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                try {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        read += n;
                        return n;
                    }
                    if (n < 0 && length >= 0 && read < length) {
                        throw new IOException("the body ended after " + read + " of its " + length + " bytes");
                    }
                    return n;
                } catch (IOException e) {
                    closeQuietly(in);
                    if (++breaks >= timeouts.attempts()) {
                        throw new IOException("registry " + location + ": " + op + " broke off after " + read + " bytes, "
                                + breaks + " times (" + describe(e, uri) + ")", e);
                    }
                    try {
                        Thread.sleep(timeouts.backoff(breaks).toMillis());
                        open();
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while reading blob " + digest);
                    } catch (InputException again) {
                        throw new IOException(again.getMessage(), again);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    // -------------------------------------------------------------------------------------- manifests

    @Override
    public Optional<StoredManifest> fetchManifest(String repository, String reference) {
        String op = "read manifest " + path(repository) + ":" + reference;
        Optional<Digest> asked = Optional.empty();
        if (reference.contains(":")) {
            try {
                asked = Optional.of(Digest.parse(reference));
            } catch (IllegalArgumentException e) {
                throw new InputException(e.getMessage(), e);
            }
        }
        HttpResponse<InputStream> r = send(op, repository, request("/v2/" + path(repository) + "/manifests/" + reference)
                .header("Accept", MediaTypes.MANIFEST_ACCEPT).GET(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] bytes;
        try (InputStream in = r.body()) {
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                throw failure(op, r.statusCode(), new String(in.readNBytes(MAX_ERROR_BYTES), StandardCharsets.UTF_8));
            }
            long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            bytes = declared > MAX_MANIFEST_BYTES ? null : in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes == null || bytes.length > MAX_MANIFEST_BYTES) {
                throw new InputException("registry " + location + " returned a manifest larger than "
                        + MAX_MANIFEST_BYTES / (1024 * 1024) + " MiB for " + path(repository) + ":" + reference);
            }
        } catch (IOException e) {
            throw unreachable(op, "GET", r.request().uri(), e);
        }
        Digest actual = Digester.of(bytes);
        String where = "registry " + location + " (GET " + withoutQuery(r.request().uri()) + ")";
        if (asked.isPresent()) {
            ContentVerifier.check(where, asked.get(), bytes);
        }
        // by tag, the digest the registry says it serves must be that of the bytes it served
        Optional<String> reported = r.headers().firstValue("Docker-Content-Digest").map(String::trim);
        if (reported.isPresent()) {
            Digest claimed;
            try {
                claimed = Digest.parse(reported.get());
            } catch (IllegalArgumentException e) {
                throw new InputException("registry " + location + " reported an invalid Docker-Content-Digest '" + reported.get()
                        + "' for " + path(repository) + ":" + reference, e);
            }
            ContentVerifier.check(where + ", Docker-Content-Digest", claimed, bytes);
        }
        String mediaType = r.headers().firstValue("Content-Type").map(v -> (v.indexOf(';') < 0 ? v : v.substring(0, v.indexOf(';'))).trim()).orElse("");
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
        // a registry cannot refuse to move a tag: whoever wrote it last won, and the loser must know
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

    // ------------------------------------------------------------------------------------------- tags

    @Override
    public List<String> tags(String repository) {
        String op = "list tags of " + path(repository);
        TreeSet<String> tags = new TreeSet<>();
        Set<String> pages = new HashSet<>();
        String next = "/v2/" + path(repository) + "/tags/list";
        while (next != null && pages.add(next)) {
            HttpResponse<String> r = send(op, repository, request(next).GET(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404) {
                return List.of();
            }
            if (r.statusCode() != 200) {
                throw failure(op, r.statusCode(), r.body());
            }
            try {
                Json.mapper().readTree(r.body()).path("tags").forEach(t -> tags.add(t.asText()));
            } catch (IOException e) {
                throw new InputException("registry " + location + " returned an invalid tag list for " + path(repository));
            }
            next = r.headers().firstValue("Link").map(RegistryStore::nextLink).orElse(null);
        }
        return new ArrayList<>(tags);
    }

    private static String nextLink(String link) {
        Matcher m = NEXT_LINK.matcher(link);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void close() {
        // the JDK 17 client has nothing to close; it releases its connections when unreachable
    }

    // ------------------------------------------------------------------------------------------ HTTP

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeouts.request());
    }

    /**
     * Sends a request to the registry: with the credentials it asked for, answering one 401
     * challenge, retrying a 5xx briefly and following redirects of GET and HEAD (credentials only
     * to the registry's own origin). Whatever status comes back is the caller's to judge.
     */
    private <T> HttpResponse<T> send(String op, String repository, HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler) {
        HttpRequest first = builder.copy().build();
        try {
            HttpResponse<T> r = exchange(op, repository, builder, first, handler);
            if (r.statusCode() == 401 && authenticate(op, repository, r.headers().firstValue("WWW-Authenticate"),
                    r.request().headers().firstValue("Authorization"))) {
                closeQuietly(r);
                r = exchange(op, repository, builder, first, handler);
            }
            return r;
        } catch (Unreachable e) {
            throw new InputException("registry " + location + " is unreachable (" + op + "): " + e.getMessage(), e.getCause());
        } catch (IOException e) {
            throw unreachable(op, first.method(), first.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("interrupted while talking to registry " + location + " (" + op + ")", e);
        }
    }

    private <T> HttpResponse<T> exchange(String op, String repository, HttpRequest.Builder builder, HttpRequest first,
            HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        boolean followable = first.method().equals("GET") || first.method().equals("HEAD");
        URI uri = first.uri();
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = builder.copy().uri(uri);
            authorization(uri, repository).ifPresent(a -> b.setHeader("Authorization", a));
            HttpRequest req = b.build();
            HttpResponse<T> r;
            try {
                r = retrying(op, req, handler);
            } catch (IOException e) {
                throw new Unreachable(describe(e, uri) + " (" + req.method() + " " + withoutQuery(uri) + ", "
                        + timeouts.attempts() + " attempts)", e);
            }
            int status = r.statusCode();
            Optional<String> target = r.headers().firstValue("Location");
            if (!followable || !isRedirect(status) || target.isEmpty()) {
                return r;
            }
            closeQuietly(r);
            if (hop == MAX_REDIRECTS) {
                throw new InputException("registry " + location + ": " + op + " was redirected more than " + MAX_REDIRECTS
                        + " times (last to " + withoutQuery(uri.resolve(target.get())) + ")");
            }
            URI next;
            try {
                next = uri.resolve(target.get());
            } catch (IllegalArgumentException e) {
                throw new InputException("registry " + location + ": " + op + " was redirected to an invalid location", e);
            }
            if (uri.getScheme().equals("https") && !"https".equalsIgnoreCase(next.getScheme())) {
                throw new InputException("registry " + location + ": " + op + " was redirected from HTTPS to "
                        + withoutQuery(next) + "; refusing to downgrade");
            }
            uri = next;
        }
    }

    /**
     * Sends {@code req}, again when it fails on the wire or is answered 429 or 5xx (a registry under load, restarting, or
     * under concurrent writes of one tag), as {@link Timeouts} says. Sending again is safe for every request this store
     * makes: reads, and writes of content named by its digest (a blob, a manifest, a tag to the manifest it names), and
     * the POST that opens an upload session (a session never used is dropped by the registry). The last answer is the
     * caller's to judge; the last wire failure is thrown.
     */
    private <T> HttpResponse<T> retrying(String op, HttpRequest req, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<T> r;
            try {
                r = http.send(req, handler);
            } catch (IOException e) {
                if (attempt >= timeouts.attempts()) {
                    throw e;
                }
                Thread.sleep(timeouts.backoff(attempt).toMillis());
                continue;
            }
            if (!retryable(r.statusCode()) || attempt >= timeouts.attempts()) {
                return r;
            }
            Optional<Duration> asked = retryAfter(r.headers().firstValue("Retry-After"));
            if (asked.isPresent() && asked.get().compareTo(timeouts.maxRetryAfter()) > 0) {
                closeQuietly(r);
                throw new InputException("registry " + location + ": " + op + " failed with HTTP " + r.statusCode()
                        + "; it asks to retry after " + asked.get().toSeconds() + " s, longer than this client waits ("
                        + timeouts.maxRetryAfter().toSeconds() + " s): try again later");
            }
            closeQuietly(r);
            Thread.sleep(asked.orElse(timeouts.backoff(attempt)).toMillis());
        }
    }

    private static boolean retryable(int status) {
        return status == 429 || status >= 500;
    }

    /** A {@code Retry-After}: seconds, or an HTTP date (RFC 9110 §10.2.3); absent or unreadable: none. */
    static Optional<Duration> retryAfter(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String v = header.get().trim();
        try {
            if (v.chars().allMatch(Character::isDigit) && !v.isEmpty()) {
                return Optional.of(Duration.ofSeconds(Math.min(Long.parseLong(v.length() > 9 ? "999999999" : v), 999_999_999L)));
            }
            java.time.ZonedDateTime at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** What to send as {@code Authorization} to {@code target}: nothing unless it is the registry itself. */
    private Optional<String> authorization(URI target, String repository) {
        if (!sameOrigin(target, base)) {
            return Optional.empty();
        }
        String token = tokens.get(path(repository));
        if (token != null) {
            return Optional.of("Bearer " + token);
        }
        if (basic && credentials.isPresent()) {
            return Optional.of(basic(credentials.get()));
        }
        return Optional.empty();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a broken connection
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

    /**
     * Answers a 401 challenge: Basic with the credentials, or Bearer by fetching a token for the
     * scope the challenge names. Called at most once per request, so a token the registry stops
     * accepting (expired, revoked) is replaced by the next request instead of failing for good.
     */
    private boolean authenticate(String op, String repository, Optional<String> challenge, Optional<String> sent)
            throws IOException, InterruptedException {
        if (challenge.isEmpty()) {
            return false;
        }
        String c = challenge.get().trim();
        if (c.regionMatches(true, 0, "Basic", 0, 5)) {
            if (credentials.isEmpty()) {
                throw new InputException("registry " + location + " requires authentication (" + op + "): set "
                        + "RELEASE_GATE_REGISTRY_USERNAME and RELEASE_GATE_REGISTRY_PASSWORD");
            }
            if (sent.filter(a -> a.startsWith("Basic ")).isPresent()) {
                return false; // sent and refused
            }
            basic = true;
            return true;
        }
        if (!c.regionMatches(true, 0, "Bearer", 0, 6)) {
            return false;
        }
        Map<String, String> params = new HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(c);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null || realm.isBlank()) {
            return false;
        }
        String scope = params.getOrDefault("scope", "repository:" + path(repository) + ":pull,push");
        tokens.put(path(repository), token(op, realm, Optional.ofNullable(params.get("service")), scope));
        return true;
    }

    /** A token from the token service named by the challenge, for the credentials (or anonymously). */
    private String token(String op, String realm, Optional<String> service, String scope)
            throws IOException, InterruptedException {
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        service.ifPresent(s -> url.append("service=").append(URLEncoder.encode(s, StandardCharsets.UTF_8)).append('&'));
        for (String one : scope.trim().split("\\s+")) {
            url.append("scope=").append(URLEncoder.encode(one, StandardCharsets.UTF_8)).append('&');
        }
        url.setLength(url.length() - 1);
        URI uri;
        try {
            uri = URI.create(url.toString());
        } catch (IllegalArgumentException e) {
            throw new InputException("registry " + location + " named an invalid token service: " + realm, e);
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new InputException("registry " + location + " named a token service that is not HTTP(S): " + realm);
        }
        HttpRequest.Builder tr = HttpRequest.newBuilder(uri).timeout(timeouts.request()).GET();
        if (credentials.isPresent()) {
            if (base.getScheme().equals("https") && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new InputException("registry " + location + " sends its clients to a plain-HTTP token service ("
                        + withoutQuery(uri) + "); refusing to send the registry credentials there");
            }
            tr.header("Authorization", basic(credentials.get()));
        }
        HttpResponse<String> r;
        try {
            r = http.send(tr.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unreachable("its token service " + withoutQuery(uri) + ": " + describe(e, uri), e);
        }
        if (r.statusCode() != 200) {
            if (credentials.isEmpty()) {
                throw new InputException("registry " + location + " requires authentication (" + op + "): its token "
                        + "service refused anonymous access (HTTP " + r.statusCode() + "); set "
                        + "RELEASE_GATE_REGISTRY_USERNAME and RELEASE_GATE_REGISTRY_PASSWORD");
            }
            throw new InputException("registry " + location + " refused a token for " + scope + " (" + op + "): HTTP "
                    + r.statusCode() + errorCodes(r.body()) + "; check the registry credentials");
        }
        String token;
        try {
            JsonNode t = Json.mapper().readTree(r.body());
            token = t.path("token").asText("");
            if (token.isEmpty()) {
                token = t.path("access_token").asText("");
            }
        } catch (IOException e) {
            throw new InputException("registry " + location + " token service answered something that is not JSON");
        }
        if (token.isEmpty()) {
            throw new InputException("registry " + location + " token service returned no token");
        }
        return token;
    }

    private static String basic(RegistryCredentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------- errors

    private InputException failure(String op, int status, String body) {
        StringBuilder sb = new StringBuilder("registry ").append(location).append(": ").append(op)
                .append(" failed with HTTP ").append(status).append(errorCodes(body));
        if (retryable(status)) {
            sb.append(" (").append(timeouts.attempts()).append(" attempts); the registry kept failing: try again later");
        }
        if (status == 401 || status == 403) {
            sb.append("; check the registry credentials and permissions");
        }
        return new InputException(sb.toString());
    }

    /** The OCI error codes and messages of a {@code {"errors":[{"code","message"}]}} body, if it is one. */
    private static String errorCodes(String body) {
        StringBuilder sb = new StringBuilder();
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
        return sb.toString();
    }

    private InputException unreachable(String op, String method, URI uri, IOException e) {
        return new InputException("registry " + location + " is unreachable (" + op + "): " + describe(e, uri) + " ("
                + method + " " + withoutQuery(uri) + ")", e);
    }

    /** A failure on the wire, already described in words. */
    private static final class Unreachable extends IOException {
        Unreachable(String description, IOException cause) {
            super(description, cause);
        }
    }

    /** What went wrong on the wire, in words: unknown host, refused, timed out, TLS. */
    private String describe(IOException e, URI uri) {
        // the JDK client wraps the telling cause in ConnectExceptions without a message: look at the whole chain
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host " + uri.getHost();
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "no connection within " + timeouts.connect().toSeconds() + "s";
            }
            if (t instanceof HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
                return "no answer in time";
            }
            if (t instanceof SSLException) {
                return "TLS failure (" + t.getMessage() + ")" + ("https".equals(uri.getScheme())
                        ? "; if the registry serves plain HTTP, use oci+http://" : "");
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return t.getMessage() == null ? "connection refused" : "cannot connect (" + t.getMessage() + ")";
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A URL for messages: query strings of redirects and uploads may hold signatures. */
    private static String withoutQuery(URI uri) {
        String s = uri.toString();
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readNBytes(MAX_ERROR_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}

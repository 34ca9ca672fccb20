package io.releasegate.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * An OCI image layout directory (image-spec 1.1 {@code image-layout.md}) used as a store: blobs
 * under {@code blobs/sha256/}, manifests listed in {@code index.json} with the annotation
 * {@code org.opencontainers.image.ref.name} = {@code repository:tag}. Blobs are written to a
 * temporary file, verified, then moved into place; {@code index.json} is rewritten atomically under
 * an exclusive file lock, so concurrent writers (threads or processes) never lose a tag and a tag
 * never points at a manifest whose blobs are missing.
 */
public final class OciLayoutStore implements ArtifactStore {

    private static final String LAYOUT_FILE = "oci-layout";
    private static final String INDEX_FILE = "index.json";
    private static final String LOCK_FILE = ".release-gate.lock";

    private static final byte[] ZEROS = new byte[1 << 20];

    private final Path root;

    private OciLayoutStore(Path root) {
        this.root = root;
    }

    /** Opens the layout at {@code root}, creating an empty one when the directory is missing or empty. */
    /** Nothing but hidden files, empty {@code blobs/} directories and an empty index: what {@link #open} writes first. */
    private static boolean emptyOrHalfInitialised(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (name.equals("blobs") && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (var tree = Files.walk(p)) {
                        if (tree.anyMatch(f -> !Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                            return false;
                        }
                    }
                    continue;
                }
                if (name.equals(INDEX_FILE) && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && Files.size(p) <= 4096) {
                    try {
                        JsonNode index = Json.mapper().readTree(Files.readAllBytes(p));
                        if (index != null && index.path("manifests").isArray() && index.path("manifests").isEmpty()) {
                            continue;
                        }
                    } catch (IOException notJson) {
                        return false;
                    }
                }
                return false;
            }
        }
        return true;
    }

    public static OciLayoutStore open(Path root) {
        Path dir = root.toAbsolutePath().normalize();
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new InputException("store " + dir + " is not a directory");
            }
            Files.createDirectories(dir);
            Path layout = dir.resolve(LAYOUT_FILE);
            if (!Files.exists(layout)) {
                // oci-layout is written last: without it, a directory holds nothing, or what an initialisation that was
                // interrupted (a process killed) left, which is completed; anything else is not ours to write into
                if (!emptyOrHalfInitialised(dir)) {
                    throw new InputException("store " + dir + " exists but is not an OCI image layout (no "
                            + LAYOUT_FILE + " file); choose an empty or missing directory");
                }
                Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
                writeAtomically(dir.resolve(INDEX_FILE), emptyIndex());
                writeAtomically(layout, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } else {
                JsonNode l = Json.mapper().readTree(Files.readAllBytes(layout));
                if (!"1.0.0".equals(l.path("imageLayoutVersion").asText())) {
                    throw new InputException("store " + dir + ": unsupported imageLayoutVersion "
                            + l.path("imageLayoutVersion") + " (expected 1.0.0)");
                }
                Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
            }
        } catch (IOException e) {
            throw new InputException("cannot open store " + dir + ": " + e.getMessage(), e);
        }
        return new OciLayoutStore(dir);
    }

    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public boolean hasBlob(String repository, Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    @Override
    public void pushBlob(String repository, Digest digest, long size, Path file, Progress progress) {
        if (hasIntactBlob(digest)) {
            progress.advance(size);
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            writeBlob(digest, in, progress);
        } catch (NoSuchFileException e) {
            throw new InputException("file not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void pushBlob(String repository, Digest digest, byte[] content) {
        if (hasIntactBlob(digest)) {
            return;
        }
        try (InputStream in = new java.io.ByteArrayInputStream(content)) {
            writeBlob(digest, in, Progress.NONE);
        } catch (IOException e) {
            throw new InputException("cannot write blob " + digest + " to " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The blob's bytes, checked against its digest before they are handed over (a changed file is a refusal naming it,
     * with nothing read by the caller) and again as they are read, so that a file changed meanwhile fails at the end.
     */
    @Override
    public InputStream openBlob(String repository, Digest digest) {
        Path file = blobPath(digest);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            MessageDigest md = ContentVerifier.hash(digest.algorithm());
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
            String got = digest.algorithm() + ":" + java.util.HexFormat.of().formatHex(md.digest());
            if (!got.equals(digest.toString())) {
                throw ContentVerifier.mismatch(file.toString(), digest, got);
            }
            ch.position(0);
            InputStream in = ContentVerifier.verifying(java.nio.channels.Channels.newInputStream(ch), digest, file.toString());
            ch = null;
            return in;
        } catch (NoSuchFileException e) {
            throw new InputException("store " + root + " has no blob " + digest, e);
        } catch (IOException e) {
            throw new InputException("cannot read blob " + digest + " from " + root + ": " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the read already failed or was refused
                }
            }
        }
    }

    @Override
    public Optional<StoredManifest> fetchManifest(String repository, String reference) {
        try {
            Optional<ObjectNode> descriptor;
            if (reference.startsWith("sha256:")) {
                Digest d = Digest.parse(reference);
                descriptor = Files.isRegularFile(blobPath(d)) ? findByDigest(readIndex(), d) : Optional.empty();
                if (descriptor.isEmpty() && Files.isRegularFile(blobPath(d))) {
                    byte[] bytes = Files.readAllBytes(blobPath(d));
                    ContentVerifier.check(blobPath(d).toString(), d, bytes);
                    JsonNode parsed = Json.mapper().readTree(bytes);
                    String mt = parsed.path("mediaType").asText(MediaTypes.OCI_MANIFEST);
                    return MediaTypes.isManifest(mt) ? Optional.of(new StoredManifest(mt, d, bytes)) : Optional.empty();
                }
            } else {
                descriptor = findByRef(readIndex(), repository + ":" + reference);
            }
            if (descriptor.isEmpty()) {
                return Optional.empty();
            }
            Digest d = Digest.parse(descriptor.get().path("digest").asText());
            byte[] bytes = Files.readAllBytes(blobPath(d));
            // by tag or by digest, the bytes must be those of the digest index.json lists
            ContentVerifier.check(blobPath(d).toString(), d, bytes);
            return Optional.of(new StoredManifest(descriptor.get().path("mediaType").asText(), d, bytes));
        } catch (NoSuchFileException e) {
            throw new InputException("store " + root + " is corrupt: a manifest listed in index.json is missing: "
                    + e.getFile(), e);
        } catch (IOException e) {
            throw new InputException("cannot read store " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public TagResult pushManifest(String repository, Optional<String> tag, String mediaType, byte[] manifest) {
        Digest digest = Digester.of(manifest);
        try {
            checkBlobsPresent(manifest);
            pushBlob(repository, digest, manifest);
            try (FileChannel ch = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lock(ch)) {
                ObjectNode index = readIndex();
                ArrayNode manifests = (ArrayNode) index.withArray("manifests");
                String ref = tag.map(t -> repository + ":" + t).orElse(null);
                if (ref != null) {
                    Optional<ObjectNode> existing = findByRef(index, ref);
                    if (existing.isPresent()) {
                        Digest existingDigest = Digest.parse(existing.get().path("digest").asText());
                        return existingDigest.equals(digest) ? new TagResult.Unchanged(digest)
                                : new TagResult.Conflict(digest, existingDigest);
                    }
                } else if (findByDigest(index, digest).isPresent()) {
                    return new TagResult.Unchanged(digest);
                }
                ObjectNode entry = manifests.addObject();
                entry.put("mediaType", mediaType);
                entry.put("digest", digest.toString());
                entry.put("size", manifest.length);
                ObjectNode annotations = entry.putObject("annotations");
                annotations.put(MediaTypes.ANNOTATION_NAME, repository);
                if (ref != null) {
                    annotations.put(MediaTypes.ANNOTATION_REF_NAME, ref);
                }
                writeAtomically(root.resolve(INDEX_FILE), Json.pretty(index).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return new TagResult.Created(digest);
            }
        } catch (IOException e) {
            throw new InputException("cannot write manifest to store " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> tags(String repository) {
        TreeSet<String> tags = new TreeSet<>();
        String prefix = repository + ":";
        for (JsonNode m : readIndex().path("manifests")) {
            String ref = m.path("annotations").path(MediaTypes.ANNOTATION_REF_NAME).asText("");
            if (ref.startsWith(prefix)) {
                tags.add(ref.substring(prefix.length()));
            }
        }
        return new ArrayList<>(tags);
    }

    @Override
    public void close() {
        // nothing held open between calls
    }

    /** The blob is there with the bytes of its digest; a damaged copy is replaced by the next push of the right bytes. */
    private boolean hasIntactBlob(Digest digest) {
        if (!Files.isRegularFile(blobPath(digest))) {
            return false;
        }
        try {
            // opening checks the whole file against its digest
            openBlob("", digest).close();
            return true;
        } catch (io.releasegate.error.RefusedException e) {
            return false;
        } catch (IOException e) {
            throw new InputException("cannot read blob " + digest + " from " + root + ": " + e.getMessage(), e);
        }
    }

    Path blobPath(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    private void checkBlobsPresent(byte[] manifest) throws IOException {
        JsonNode m = Json.mapper().readTree(manifest);
        List<JsonNode> refs = new ArrayList<>();
        if (m.has("config")) {
            refs.add(m.get("config"));
        }
        m.path("layers").forEach(refs::add);
        m.path("manifests").forEach(refs::add);
        for (JsonNode ref : refs) {
            Digest d = Digest.parse(ref.path("digest").asText());
            if (!hasBlob("", d)) {
                throw new InputException("manifest refers to blob " + d + " which is not in store " + root
                        + "; push blobs before the manifest");
            }
        }
    }

    private void writeBlob(Digest expected, InputStream in, Progress progress) throws IOException {
        Path dir = blobPath(expected).getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        try {
            MessageDigest md = MessageDigest.getInstance(expected.algorithm().equals("sha512") ? "SHA-512" : "SHA-256");
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // a MiB of zeros is left as a hole: a sparse output (a disk image, a preallocated file) costs the store
                // what it holds, not its size, and is read back as the same bytes
                byte[] buf = new byte[ZEROS.length];
                long at = 0;
                boolean hole = false;
                for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                    md.update(buf, 0, n);
                    hole = java.util.Arrays.mismatch(buf, 0, n, ZEROS, 0, n) < 0;
                    if (!hole) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf, 0, n);
                        while (b.hasRemaining()) {
                            out.write(b, at + b.position());
                        }
                    }
                    at += n;
                    progress.advance(n);
                }
                if (hole) {
                    out.write(java.nio.ByteBuffer.wrap(new byte[1]), at - 1); // ends in a hole: the file still has its length
                }
                String actual = java.util.HexFormat.of().formatHex(md.digest());
                if (!actual.equals(expected.hex())) {
                    throw new InputException("content changed while publishing: expected " + expected + " but read "
                            + expected.algorithm() + ":" + actual + "; nothing was stored");
                }
                out.force(true);
            }
            move(tmp, blobPath(expected));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private ObjectNode readIndex() {
        Path index = root.resolve(INDEX_FILE);
        try {
            JsonNode n = Json.mapper().readTree(Files.readAllBytes(index));
            if (!(n instanceof ObjectNode o) || !n.path("manifests").isArray()) {
                throw new InputException("store " + root + ": index.json is not an OCI image index");
            }
            return o;
        } catch (IOException e) {
            throw new InputException("cannot read " + index + ": " + e.getMessage(), e);
        }
    }

    private static Optional<ObjectNode> findByRef(ObjectNode index, String ref) {
        for (Iterator<JsonNode> it = index.path("manifests").elements(); it.hasNext(); ) {
            JsonNode m = it.next();
            if (ref.equals(m.path("annotations").path(MediaTypes.ANNOTATION_REF_NAME).asText(null))) {
                return Optional.of((ObjectNode) m);
            }
        }
        return Optional.empty();
    }

    private static Optional<ObjectNode> findByDigest(ObjectNode index, Digest digest) {
        for (JsonNode m : index.path("manifests")) {
            if (digest.toString().equals(m.path("digest").asText())) {
                return Optional.of((ObjectNode) m);
            }
        }
        return Optional.empty();
    }

    private static FileLock lock(FileChannel ch) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                FileLock lock = ch.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException e) {
                // held by another thread of this process: wait as for another process
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after 60s waiting for the store lock");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the store lock", e);
            }
        }
    }

    private static byte[] emptyIndex() {
        ObjectNode index = Json.object();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.putArray("manifests");
        return Json.pretty(index).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(tmp, content, StandardOpenOption.CREATE_NEW);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically", e);
        }
    }
}

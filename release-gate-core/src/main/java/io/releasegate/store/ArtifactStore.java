package io.releasegate.store;

import io.releasegate.digest.Digest;
import io.releasegate.progress.Progress;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A content-addressed OCI store: an OCI image layout directory or an OCI distribution registry.
 * Blobs and manifests are addressed by digest; a tag names one manifest and, for us, never moves.
 * Failures to reach or read the store are {@link io.releasegate.error.InputException}s. What is read is checked
 * against the digest it was asked for (see {@link ContentVerifier}): bytes that are not those of the digest are a
 * {@link io.releasegate.error.RefusedException} ({@value ContentVerifier#DIGEST_MISMATCH}) naming the digest asked
 * for, the digest got and the file or URL they came from.
 */
public interface ArtifactStore extends AutoCloseable {

    /** Where the store is, for humans and records (a path or {@code oci://host:port/namespace}). */
    String location();

    boolean hasBlob(String repository, Digest digest);

    /** Uploads a blob from a file, streaming; verifies the digest of what was sent. */
    void pushBlob(String repository, Digest digest, long size, Path file, Progress progress);

    /** Uploads a small blob held in memory (configs, manifests' companions). */
    void pushBlob(String repository, Digest digest, byte[] content);

    /**
     * Opens a blob for reading; the caller closes the stream. Bytes that do not hash to {@code digest} are refused
     * before the stream is handed over (a layout) or at the latest at its end or its close (a registry), before the
     * caller has read all of them.
     */
    InputStream openBlob(String repository, Digest digest);

    /**
     * A manifest by tag or by digest, if the store has it; its bytes are those of the digest asked for, or (by tag) of
     * the digest the store lists or reports for the tag.
     */
    Optional<StoredManifest> fetchManifest(String repository, String reference);

    /**
     * Stores a manifest whose blobs are already present and, when {@code tag} is given, points the
     * tag at it unless the tag already names another manifest: tags are never overwritten.
     */
    TagResult pushManifest(String repository, Optional<String> tag, String mediaType, byte[] manifest);

    /** Tags of a repository, sorted. Empty when the repository does not exist. */
    List<String> tags(String repository);

    @Override
    void close();
}

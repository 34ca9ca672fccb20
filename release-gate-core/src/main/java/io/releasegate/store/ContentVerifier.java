package io.releasegate.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The store's content checked against the digests that name it, so that bytes changed in a layout directory or in
 * a registry's storage are never taken for what they replaced. Every read of both stores goes through here (a blob's
 * stream, a manifest's bytes), and what promotion and verification rely on is re-read in full: an artifact's every
 * blob against its manifest (size and digest), a referrer against the artifact it must refer to and the document
 * digest recorded for it. A mismatch is a refusal ({@value #DIGEST_MISMATCH}, {@value #SIZE_MISMATCH},
 * {@value #BLOB_MISSING}, {@value #MANIFEST_MISSING}, {@value #REFERRER_SUBJECT}, {@value #REFERRER_DOCUMENT}) naming
 * the digest asked for, the digest got and where the bytes were read.
 */
public final class ContentVerifier {

    /** Bytes read for a digest hash to another digest. */
    public static final String DIGEST_MISMATCH = "store.digest-mismatch";
    /** A blob's length is not the size its manifest declares. */
    public static final String SIZE_MISMATCH = "store.size-mismatch";
    /** A blob a manifest names is not in the store. */
    public static final String BLOB_MISSING = "store.blob-missing";
    /** A manifest (an artifact, a referrer) recorded in the ledger is not in the store. */
    public static final String MANIFEST_MISSING = "store.manifest-missing";
    /** A referrer names another subject than the artifact whose evidence it is recorded as. */
    public static final String REFERRER_SUBJECT = "store.referrer-subject";
    /** A referrer's document is not the one recorded for it. */
    public static final String REFERRER_DOCUMENT = "store.referrer-document";

    static final String REMEDY = "the store's copy was changed or damaged after it was written: restore it from a trusted copy, "
            + "or build and release a new version";

    /** Index nesting followed when checking an artifact; build-once reads no deeper. */
    private static final int MAX_DEPTH = 8;

    private ContentVerifier() {
    }

    /** The refusal for bytes read from {@code where} for {@code asked} that hash to {@code got}. */
    public static RefusedException mismatch(String where, Digest asked, String got) {
        return new RefusedException(new Refusal(DIGEST_MISMATCH, where + ": asked for " + asked + ", got content with digest "
                + got, REMEDY));
    }

    /** The digest of {@code bytes} in {@code algorithm} ({@code sha256} or {@code sha512}), as {@code algorithm:hex}. */
    public static String digestOf(String algorithm, byte[] bytes) {
        return algorithm + ":" + HexFormat.of().formatHex(hash(algorithm).digest(bytes));
    }

    /** Refuses unless {@code bytes}, read from {@code where}, have the digest {@code asked}. */
    public static void check(String where, Digest asked, byte[] bytes) {
        String got = digestOf(asked.algorithm(), bytes);
        if (!got.equals(asked.toString())) {
            throw mismatch(where, asked, got);
        }
    }

    static MessageDigest hash(String algorithm) {
        try {
            return MessageDigest.getInstance(switch (algorithm) {
                case "sha256" -> "SHA-256";
                case "sha512" -> "SHA-512";
                default -> throw new InputException("unsupported digest algorithm " + algorithm);
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code in}, hashed as it is read: at its end, and at {@link InputStream#close()} if the reader stopped before it
     * (the rest is read and hashed then), bytes that do not hash to {@code expected} are a {@link RefusedException}
     * ({@value #DIGEST_MISMATCH}) naming {@code where}. A reader thus cannot finish with changed bytes without the refusal.
     */
    public static InputStream verifying(InputStream in, Digest expected, String where) {
        MessageDigest md = hash(expected.algorithm());
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
                } else if (n < 0) {
                    verify();
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // skipped bytes are hashed too
                byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
                long skipped = 0;
                while (skipped < n) {
                    int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                    if (r < 0) {
                        break;
                    }
                    skipped += r;
                }
                return skipped;
            }

            @Override
            public boolean markSupported() {
                return false;
            }

            @Override
            public void close() throws IOException {
                try {
                    if (!checked) {
                        byte[] buf = new byte[64 * 1024];
                        while (read(buf, 0, buf.length) >= 0) {
                            // hashing the rest
                        }
                    }
                } finally {
                    super.close();
                }
            }

            private void verify() {
                if (checked) {
                    return;
                }
                checked = true;
                String got = expected.algorithm() + ":" + HexFormat.of().formatHex(md.digest());
                if (!got.equals(expected.toString())) {
                    throw mismatch(where, expected, got);
                }
            }
        };
    }

    /**
     * Re-reads the artifact {@code digest} of {@code repository} in full: its manifest, and every blob the manifest
     * names (config, layers; for an index, every manifest it lists, recursively) against the descriptor's size and
     * digest. Empty when all of it is intact; otherwise the refusals, one per damaged or missing part. An unreachable
     * store is an {@link InputException}, not a refusal.
     */
    public static List<Refusal> artifact(ArtifactStore store, String repository, Digest digest) {
        List<Refusal> refusals = new ArrayList<>();
        manifest(store, repository, digest, refusals, 0);
        return refusals;
    }

    private static void manifest(ArtifactStore store, String repository, Digest digest, List<Refusal> refusals, int depth) {
        StoredManifest m;
        try {
            m = store.fetchManifest(repository, digest.toString()).orElse(null);
        } catch (RefusedException e) {
            refusals.addAll(e.refusals());
            return;
        }
        if (m == null) {
            refusals.add(new Refusal(MANIFEST_MISSING, "store " + store.location() + " has no manifest " + digest + " in "
                    + repository, REMEDY));
            return;
        }
        JsonNode doc = parse(m, store, repository);
        List<JsonNode> blobs = new ArrayList<>();
        if (doc.has("config")) {
            blobs.add(doc.get("config"));
        }
        doc.path("layers").forEach(blobs::add);
        for (JsonNode b : blobs) {
            blob(store, repository, digest, b, refusals);
        }
        for (JsonNode child : doc.path("manifests")) {
            if (depth >= MAX_DEPTH) {
                refusals.add(new Refusal(MANIFEST_MISSING, "manifest " + digest + " nests indexes deeper than " + MAX_DEPTH, REMEDY));
                return;
            }
            manifest(store, repository, descriptorDigest(child, digest), refusals, depth + 1);
        }
    }

    private static void blob(ArtifactStore store, String repository, Digest manifest, JsonNode descriptor, List<Refusal> refusals) {
        Digest d = descriptorDigest(descriptor, manifest);
        long declared = descriptor.path("size").asLong(-1);
        if (!store.hasBlob(repository, d)) {
            refusals.add(new Refusal(BLOB_MISSING, "store " + store.location() + " has no blob " + d + " of manifest " + manifest
                    + " in " + repository, REMEDY));
            return;
        }
        long size = 0;
        try (InputStream in = store.openBlob(repository, d)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        } catch (RefusedException e) {
            refusals.addAll(e.refusals());
            return;
        } catch (IOException e) {
            throw new InputException("cannot read blob " + d + " from store " + store.location() + ": " + e.getMessage(), e);
        }
        if (size != declared) {
            refusals.add(new Refusal(SIZE_MISMATCH, "blob " + d + " of manifest " + manifest + " in store " + store.location()
                    + " is " + size + " bytes, the manifest says " + declared, REMEDY));
        }
    }

    private static Digest descriptorDigest(JsonNode descriptor, Digest manifest) {
        try {
            return Digest.parse(descriptor.path("digest").asText());
        } catch (IllegalArgumentException e) {
            throw new RefusedException(new Refusal(DIGEST_MISMATCH, "manifest " + manifest + " names an invalid digest: "
                    + e.getMessage(), REMEDY));
        }
    }

    private static JsonNode parse(StoredManifest m, ArtifactStore store, String repository) {
        try {
            return Json.mapper().readTree(m.bytes());
        } catch (IOException e) {
            throw new InputException("manifest " + m.digest() + " in " + repository + " of store " + store.location()
                    + " is not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The document of the referrer {@code reference} ({@code REPOSITORY@DIGEST}, as the ledger records it), re-read from
     * the store: the referrer's manifest must be there under its digest, refer to {@code subject}, and hold exactly one
     * document, {@code document}, whose bytes are read and checked against that digest. At most {@code maxBytes} are read.
     * Anything else is a refusal naming the reference.
     */
    public static byte[] referrerDocument(ArtifactStore store, String reference, Digest subject, Digest document, int maxBytes) {
        int at = reference.indexOf('@');
        Digest referrer;
        try {
            referrer = Digest.parse(reference.substring(at + 1));
        } catch (IllegalArgumentException e) {
            throw new RefusedException(new Refusal(MANIFEST_MISSING, "the recorded referrer '" + reference + "' names no digest",
                    REMEDY));
        }
        String repository = at > 0 ? reference.substring(0, at) : "";
        if (repository.isEmpty()) {
            throw new RefusedException(new Refusal(MANIFEST_MISSING, "the recorded referrer '" + reference + "' names no repository",
                    REMEDY));
        }
        StoredManifest m = store.fetchManifest(repository, referrer.toString()).orElseThrow(() -> new RefusedException(
                new Refusal(MANIFEST_MISSING, "the referrer " + reference + " is not in store " + store.location(), REMEDY)));
        JsonNode doc = parse(m, store, repository);
        String named = doc.path("subject").path("digest").asText("");
        if (!named.equals(subject.toString())) {
            throw new RefusedException(new Refusal(REFERRER_SUBJECT, "the referrer " + reference + " refers to "
                    + (named.isEmpty() ? "no subject" : named) + ", not to " + subject, REMEDY));
        }
        JsonNode layers = doc.path("layers");
        String held = layers.path(0).path("digest").asText("");
        if (layers.size() != 1 || !held.equals(document.toString())) {
            throw new RefusedException(new Refusal(REFERRER_DOCUMENT, "the referrer " + reference + " holds "
                    + (layers.size() == 1 ? held : layers.size() + " documents") + ", not the recorded " + document, REMEDY));
        }
        long declared = layers.path(0).path("size").asLong(-1);
        byte[] bytes;
        try (InputStream in = store.openBlob(repository, document)) {
            bytes = in.readNBytes(maxBytes);
            if (in.read() >= 0) {
                throw new RefusedException(new Refusal(SIZE_MISMATCH, "the document " + document + " of " + reference
                        + " is larger than " + maxBytes + " bytes", REMEDY));
            }
        } catch (IOException e) {
            throw new InputException("cannot read " + document + " of " + reference + " from store " + store.location() + ": "
                    + e.getMessage(), e);
        }
        if (bytes.length != declared) {
            throw new RefusedException(new Refusal(SIZE_MISMATCH, "the document " + document + " of " + reference + " is "
                    + bytes.length + " bytes, its referrer says " + declared, REMEDY));
        }
        return bytes;
    }
}

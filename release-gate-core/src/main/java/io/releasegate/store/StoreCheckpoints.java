package io.releasegate.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.CheckpointStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ledger checkpoints kept in the OCI store, in repository {@value #REPOSITORY}: one artifact per checkpoint,
 * tagged {@code checkpoint-<size, 12 digits>} (tags never move, so a checkpoint once published stays), holding
 * the signed commit object as its one layer. Every read checks the layer's bytes against its digest and size.
 */
public final class StoreCheckpoints implements CheckpointStore {

    public static final String REPOSITORY = "release-gate/ledger";
    public static final String ARTIFACT_TYPE = "application/vnd.release-gate.ledger-checkpoint.v1";
    public static final String LAYER_TYPE = "application/vnd.release-gate.ledger-checkpoint.commit.v1";
    private static final String TITLE = "checkpoint.commit";
    private static final Pattern TAG = Pattern.compile("checkpoint-(\\d{12})");
    /** A signed commit object with a short message: far below this. */
    private static final long MAX_SIZE = 64 * 1024;

    private final ArtifactStore store;

    public StoreCheckpoints(ArtifactStore store) {
        this.store = store;
    }

    static String tag(long size) {
        return String.format("checkpoint-%012d", size);
    }

    @Override
    public String location() {
        return store.location() + " (" + REPOSITORY + ")";
    }

    @Override
    public Optional<Published> publish(long size, byte[] signedCommit) {
        Digest d = Digester.of(signedCommit);
        store.pushBlob(REPOSITORY, ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON);
        store.pushBlob(REPOSITORY, d, signedCommit);
        ArtifactManifest m = new ArtifactManifest(ARTIFACT_TYPE,
                List.of(new ArtifactManifest.Layer(TITLE, LAYER_TYPE, d, signedCommit.length)),
                Map.of("io.release-gate.ledger.size", Long.toString(size)));
        TagResult r = store.pushManifest(REPOSITORY, Optional.of(tag(size)), m.mediaType(), m.bytes());
        if (r instanceof TagResult.Conflict) {
            return read(size);
        }
        return Optional.empty();
    }

    @Override
    public Optional<Published> newest() {
        List<Long> sizes = sizes();
        return sizes.isEmpty() ? Optional.empty() : read(sizes.get(sizes.size() - 1));
    }

    @Override
    public List<Published> all() {
        List<Published> out = new ArrayList<>();
        for (long s : sizes()) {
            read(s).ifPresent(out::add);
        }
        return out;
    }

    private List<Long> sizes() {
        List<Long> out = new ArrayList<>();
        for (String t : store.tags(REPOSITORY)) {
            Matcher m = TAG.matcher(t);
            if (m.matches()) {
                out.add(Long.parseLong(m.group(1)));
            }
        }
        out.sort(null);
        return out;
    }

    private Optional<Published> read(long size) {
        String where = store.location() + "/" + REPOSITORY + ":" + tag(size);
        Optional<StoredManifest> manifest = store.fetchManifest(REPOSITORY, tag(size));
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        JsonNode layer;
        try {
            JsonNode m = Json.mapper().readTree(manifest.get().bytes());
            layer = m.path("layers").path(0);
            if (!ARTIFACT_TYPE.equals(m.path("artifactType").asText()) || !LAYER_TYPE.equals(layer.path("mediaType").asText())
                    || m.path("layers").size() != 1) {
                throw new InputException("ledger checkpoint " + where + " is not a Release Gate checkpoint artifact");
            }
        } catch (IOException e) {
            throw new InputException("ledger checkpoint " + where + " has a manifest that is not JSON: " + e.getMessage(), e);
        }
        Digest digest;
        try {
            digest = Digest.parse(layer.path("digest").asText());
        } catch (RuntimeException e) {
            throw new InputException("ledger checkpoint " + where + " names no valid layer digest", e);
        }
        long declared = layer.path("size").asLong(-1);
        if (declared < 0 || declared > MAX_SIZE) {
            throw new InputException("ledger checkpoint " + where + " declares a layer of " + declared + " bytes");
        }
        byte[] bytes;
        try (InputStream in = store.openBlob(REPOSITORY, digest)) {
            bytes = in.readNBytes((int) MAX_SIZE + 1);
        } catch (IOException e) {
            throw new InputException("cannot read ledger checkpoint " + where + ": " + e.getMessage(), e);
        }
        Digest got = Digester.of(bytes);
        if (bytes.length != declared || !got.equals(digest)) {
            throw new RefusedException(new Refusal("ledger.checkpoint", "ledger checkpoint " + where + " is altered: its "
                    + "layer should be " + digest + " (" + declared + " bytes) but the store holds " + got + " ("
                    + bytes.length + " bytes)", "restore the checkpoint from the store's backup; investigate who wrote it"));
        }
        return Optional.of(new Published(size, bytes, where));
    }
}

package io.releasegate.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An OCI 1.1 artifact manifest: empty config, one layer per file (titled by its name), an
 * {@code artifactType}, annotations. Its bytes are canonical (layers sorted by title, compact JSON),
 * so the same files under the same name and version always give the same manifest digest.
 */
public final class ArtifactManifest {

    /** A file in the artifact. */
    public record Layer(String title, String mediaType, Digest digest, long size) {
        public Layer {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(mediaType, "mediaType");
            Objects.requireNonNull(digest, "digest");
        }
    }

    private final String artifactType;
    private final List<Layer> layers;
    private final Map<String, String> annotations;
    private final byte[] bytes;
    private final Digest digest;

    public ArtifactManifest(String artifactType, List<Layer> layers, Map<String, String> annotations) {
        this.artifactType = Objects.requireNonNull(artifactType, "artifactType");
        List<Layer> sorted = new ArrayList<>(layers);
        sorted.sort(Comparator.comparing(Layer::title));
        this.layers = List.copyOf(sorted);
        this.annotations = new TreeMap<>(annotations);
        this.bytes = render();
        this.digest = Digester.of(bytes);
    }

    public static Digest emptyConfigDigest() {
        return Digester.of(MediaTypes.EMPTY_JSON);
    }

    public List<Layer> layers() {
        return layers;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public Digest digest() {
        return digest;
    }

    public String mediaType() {
        return MediaTypes.OCI_MANIFEST;
    }

    private byte[] render() {
        ObjectNode m = Json.object();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.put("artifactType", artifactType);
        ObjectNode config = m.putObject("config");
        config.put("mediaType", MediaTypes.OCI_EMPTY);
        config.put("digest", emptyConfigDigest().toString());
        config.put("size", MediaTypes.EMPTY_JSON.length);
        config.put("data", "e30=");
        ArrayNode ls = m.putArray("layers");
        for (Layer l : layers) {
            ObjectNode n = ls.addObject();
            n.put("mediaType", l.mediaType());
            n.put("digest", l.digest().toString());
            n.put("size", l.size());
            n.putObject("annotations").put(MediaTypes.ANNOTATION_TITLE, l.title());
        }
        if (!annotations.isEmpty()) {
            ObjectNode a = m.putObject("annotations");
            annotations.forEach(a::put);
        }
        return Json.compact(m).getBytes(StandardCharsets.UTF_8);
    }
}

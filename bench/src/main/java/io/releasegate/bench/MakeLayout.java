package io.releasegate.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import io.releasegate.progress.Progress;
import io.releasegate.store.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a one-layer OCI image layout around a file (hard-linked, not copied) for the skopeo peer run. */
final class MakeLayout {

    private MakeLayout() {
    }

    static void run(Path file, Path dir) throws Exception {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        Digest layer = Digester.withParallelism(1).digest(file, Progress.NONE);
        Path layerBlob = blobs.resolve(layer.hex());
        if (!Files.exists(layerBlob)) {
            Files.createLink(layerBlob, file);
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + layer + "\"]}}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digester.of(config);
        Files.write(blobs.resolve(configDigest.hex()), config);
        ObjectNode m = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
        m.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest.toString()).put("size", config.length);
        m.putArray("layers").addObject().put("mediaType", MediaTypes.OCI_LAYER_TAR).put("digest", layer.toString())
                .put("size", Files.size(file));
        byte[] manifest = Json.bytes(m);
        Digest manifestDigest = Digester.of(manifest);
        Files.write(blobs.resolve(manifestDigest.hex()), manifest);
        ObjectNode index = Json.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        index.putArray("manifests").addObject().put("mediaType", MediaTypes.OCI_MANIFEST)
                .put("digest", manifestDigest.toString()).put("size", manifest.length)
                .putObject("annotations").put(MediaTypes.ANNOTATION_REF_NAME, "bench");
        Files.write(dir.resolve("index.json"), Json.bytes(index));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        System.out.println("layout=" + dir + " manifest=" + manifestDigest + " layer=" + layer);
    }
}

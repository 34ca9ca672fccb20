package io.releasegate.store;

/** Media types of the OCI image and distribution specifications (1.1), and ours. */
public final class MediaTypes {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCTET_STREAM = "application/octet-stream";

    /** artifactType of a Release Gate build output published by buildOnce. */
    public static final String RELEASE_GATE_ARTIFACT = "application/vnd.releasegate.artifact.v1";

    /** artifactType of a release manifest: several services' releases, version-pinned, promoted as one set. */
    public static final String RELEASE_MANIFEST = "application/vnd.releasegate.release-manifest.v1+json";

    /** The OCI empty descriptor's content, {@code {}}. */
    public static final byte[] EMPTY_JSON = {'{', '}'};

    /** Annotation holding a layer's file name (the convention ORAS and others follow). */
    public static final String ANNOTATION_TITLE = "org.opencontainers.image.title";
    public static final String ANNOTATION_VERSION = "org.opencontainers.image.version";
    public static final String ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";
    public static final String ANNOTATION_REVISION = "org.opencontainers.image.revision";
    public static final String ANNOTATION_NAME = "io.releasegate.name";

    /** Accept header value covering every manifest kind we read. */
    public static final String MANIFEST_ACCEPT = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST,
            DOCKER_MANIFEST_LIST);

    private MediaTypes() {
    }

    public static boolean isManifest(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType)
                || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    /** A media type for a build output by its file name; octet-stream when nothing more precise fits. */
    public static String forFileName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".jar") || lower.endsWith(".war") || lower.endsWith(".ear") || lower.endsWith(".hpi")
                || lower.endsWith(".jpi")) {
            return "application/java-archive";
        }
        if (lower.endsWith(".tar")) {
            return "application/x-tar";
        }
        if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
            return "application/gzip";
        }
        if (lower.endsWith(".zip")) {
            return "application/zip";
        }
        if (lower.endsWith(".json")) {
            return "application/json";
        }
        return OCTET_STREAM;
    }
}

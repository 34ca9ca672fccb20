package io.releasegate.sbom;

import io.releasegate.digest.Digest;
import java.time.Instant;
import java.util.Optional;

/**
 * What an SBOM describes: a published artifact (its manifest digest) or a file (its SHA-256), with the
 * timestamp every format writes ({@code SOURCE_DATE_EPOCH} or the build's time, never "now").
 */
public record SbomSubject(String name, Optional<String> version, Digest digest, String purl, Instant timestamp) {

    /** A release in the store: {@code pkg:oci/NAME@sha256%3A...}. */
    public static SbomSubject release(String name, String version, Digest manifest, Instant timestamp) {
        return new SbomSubject(name, Optional.of(version), manifest,
                "pkg:oci/" + name.substring(name.lastIndexOf('/') + 1) + "@" + manifest.toString().replace(":", "%3A"), timestamp);
    }
}

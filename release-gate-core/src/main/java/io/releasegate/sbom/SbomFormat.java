package io.releasegate.sbom;

import io.releasegate.error.InputException;
import java.util.List;
import java.util.Locale;

/** The SBOM formats Release Gate writes, each with its media type (the OCI artifactType) and file name. */
public enum SbomFormat {

    CYCLONEDX("cyclonedx", "1.6", "CycloneDX 1.6", CycloneDxWriter.MEDIA_TYPE, "sbom.cdx.json"),
    SPDX("spdx", "2.3", "SPDX 2.3", SpdxWriter.MEDIA_TYPE, "sbom.spdx.json");

    /** The {@code format} option's values, as documented. */
    public static final String CHOICES = "cyclonedx, spdx or both";

    private final String id;
    private final String specVersion;
    private final String title;
    private final String mediaType;
    private final String fileName;

    SbomFormat(String id, String specVersion, String title, String mediaType, String fileName) {
        this.id = id;
        this.specVersion = specVersion;
        this.title = title;
        this.mediaType = mediaType;
        this.fileName = fileName;
    }

    /** {@code cyclonedx}, {@code spdx}: the name in options and ledger payloads. */
    public String id() {
        return id;
    }

    public String specVersion() {
        return specVersion;
    }

    /** {@code CycloneDX 1.6}, {@code SPDX 2.3}: for people. */
    public String title() {
        return title;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The file name of a document of this format ({@code sbom.cdx.json}, {@code sbom.spdx.json}). */
    public String fileName() {
        return fileName;
    }

    /** The document of a catalog in this format. */
    public byte[] write(SbomSubject subject, Catalog catalog) {
        return switch (this) {
            case CYCLONEDX -> CycloneDxWriter.write(subject, catalog);
            case SPDX -> SpdxWriter.write(subject, catalog);
        };
    }

    /** {@code cyclonedx}, {@code spdx} or {@code both} (case-insensitive); anything else is an input error. */
    public static List<SbomFormat> parse(String option) {
        return switch (option.trim().toLowerCase(Locale.ROOT)) {
            case "cyclonedx" -> List.of(CYCLONEDX);
            case "spdx" -> List.of(SPDX);
            case "both" -> List.of(CYCLONEDX, SPDX);
            default -> throw new InputException("unknown SBOM format '" + option + "': use " + CHOICES);
        };
    }
}

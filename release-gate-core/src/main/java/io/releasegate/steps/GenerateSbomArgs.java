package io.releasegate.steps;

import io.releasegate.error.InputException;
import io.releasegate.sbom.SbomFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#generateSbom}.
 *
 * @param formats   the documents to write (CycloneDX first)
 * @param out       the workspace file for the CycloneDX document (only when it is one of the formats)
 * @param spdxOut   the workspace file for the SPDX document (only when it is one of the formats)
 * @param mavenRepo a Maven repository directory where jars without Maven metadata are identified by their bytes
 */
public record GenerateSbomArgs(String name, String version, String store, String ledger, List<SbomFormat> formats,
                               Optional<String> out, Optional<String> spdxOut, Optional<String> mavenRepo) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger", "format", "out", "spdxOut", "mavenRepo");

    public GenerateSbomArgs {
        formats = List.copyOf(formats);
    }

    /** From a pipeline's map: {@code format} is {@code cyclonedx}, {@code spdx} or {@code both} (the default). */
    public static GenerateSbomArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("generateSbom", map, KEYS);
        String format = a.text("format", "both");
        List<SbomFormat> formats = SbomFormat.parse(format);
        Optional<String> out = a.optional("out");
        Optional<String> spdxOut = a.optional("spdxOut");
        written("out", out, SbomFormat.CYCLONEDX, formats, format);
        written("spdxOut", spdxOut, SbomFormat.SPDX, formats, format);
        return new GenerateSbomArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""), formats,
                out, spdxOut, a.optional("mavenRepo"));
    }

    /** A file named for a format that is not written is an input error. */
    private static void written(String key, Optional<String> file, SbomFormat format, List<SbomFormat> formats, String given) {
        if (file.isPresent() && !formats.contains(format)) {
            throw new InputException("generateSbom: '" + key + "' names the " + format.title() + " file, but format '" + given
                    + "' does not write it");
        }
    }
}

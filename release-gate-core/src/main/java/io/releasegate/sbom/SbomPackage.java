package io.releasegate.sbom;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One package a cataloger found, in the form both SBOM writers (CycloneDX and SPDX) need.
 *
 * @param ref       unique within one SBOM: the CycloneDX bom-ref and the source of the SPDX id
 * @param type      {@code library}, {@code application}, {@code framework} or {@code operating-system}
 * @param ecosystem {@code maven}, {@code npm}, {@code cargo}, {@code golang}, {@code pypi}, {@code deb}, {@code apk}
 * @param foundIn   where the package was found: an archive path ({@code app.war!/WEB-INF/lib/x.jar}) or a file
 * @param hashes    algorithm ({@code SHA-1}, {@code SHA-256}, {@code SHA-512}) to lower-case hex; empty when unknown
 * @param licenses  declared licenses as written by the source (SPDX ids or names)
 * @param parent    the package that contains this one (a jar inside a war), if any
 * @param dependsOn refs of the packages this one depends on, where the source states it
 * @param properties facts the source states that have no field of their own (name to value, sorted), such as a
 *                   Go module's {@code h1:} dirhash or an Alpine package's control checksum; names are
 *                   {@code releasegate:<ecosystem>:<fact>}
 */
public record SbomPackage(String ref, String type, String ecosystem, String name, Optional<String> group, Optional<String> version,
                          Optional<String> purl, String foundIn, Map<String, String> hashes, List<String> licenses,
                          Optional<String> parent, List<String> dependsOn, Map<String, String> properties) {

    public SbomPackage {
        hashes = java.util.Collections.unmodifiableMap(new TreeMap<>(hashes));
        licenses = List.copyOf(licenses);
        dependsOn = List.copyOf(dependsOn.stream().distinct().sorted().toList());
        properties = java.util.Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** A package without properties (the form before properties existed). */
    public SbomPackage(String ref, String type, String ecosystem, String name, Optional<String> group, Optional<String> version,
                       Optional<String> purl, String foundIn, Map<String, String> hashes, List<String> licenses,
                       Optional<String> parent, List<String> dependsOn) {
        this(ref, type, ecosystem, name, group, version, purl, foundIn, hashes, licenses, parent, dependsOn, Map.of());
    }

    /** This package with other dependency refs. */
    public SbomPackage withDependsOn(List<String> refs) {
        return new SbomPackage(ref, type, ecosystem, name, group, version, purl, foundIn, hashes, licenses, parent, refs, properties);
    }

    /** This package identified as the Maven artifact {@code group:name@version} with the given purl. */
    public SbomPackage withMavenCoordinates(String mavenGroup, String artifact, String mavenVersion, String mavenPurl) {
        return new SbomPackage(ref, type, ecosystem, artifact, Optional.of(mavenGroup), Optional.of(mavenVersion), Optional.of(mavenPurl),
                foundIn, hashes, licenses, parent, dependsOn, properties);
    }

    public Optional<String> hash(String algorithm) {
        return Optional.ofNullable(hashes.get(algorithm));
    }
}

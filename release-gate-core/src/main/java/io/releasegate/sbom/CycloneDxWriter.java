package io.releasegate.sbom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.parsers.JsonParser;

/**
 * Writes a catalog as CycloneDX 1.6 JSON bound to its subject ({@code metadata.component} with the
 * subject's SHA-256), deterministic (sorted components, serial number derived from the content),
 * and validated against the official schema before it is returned.
 */
public final class CycloneDxWriter {

    public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";
    public static final String SUBJECT_REF = "subject";

    private CycloneDxWriter() {
    }

    public static byte[] write(SbomSubject subject, Catalog catalog) {
        Bom bom = new Bom();
        Metadata md = new Metadata();
        md.setTimestamp(Date.from(subject.timestamp()));
        Component root = new Component();
        root.setType(Component.Type.APPLICATION);
        root.setBomRef(SUBJECT_REF);
        root.setName(subject.name());
        subject.version().ifPresent(root::setVersion);
        root.setPurl(subject.purl());
        root.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, subject.digest().hex())));
        md.setComponent(root);
        bom.setMetadata(md);

        List<SbomPackage> packages = catalog.sorted();
        Set<String> refs = packages.stream().map(SbomPackage::ref).collect(Collectors.toSet());
        Map<String, List<String>> graph = new LinkedHashMap<>();
        for (SbomPackage p : packages) {
            bom.addComponent(component(p));
            graph.put(p.ref(), new ArrayList<>(p.dependsOn().stream().filter(refs::contains).toList()));
        }
        for (SbomPackage p : packages) {
            p.parent().filter(graph::containsKey).ifPresent(parent -> graph.get(parent).add(p.ref()));
        }
        Dependency rootDep = new Dependency(SUBJECT_REF);
        catalog.roots().stream().filter(refs::contains).distinct().sorted().forEach(r -> rootDep.addDependency(new Dependency(r)));
        bom.addDependency(rootDep);
        graph.forEach((ref, on) -> {
            Dependency d = new Dependency(ref);
            on.stream().distinct().sorted().forEach(o -> d.addDependency(new Dependency(o)));
            bom.addDependency(d);
        });

        StringBuilder identity = new StringBuilder(subject.digest().toString());
        packages.forEach(p -> identity.append('\n').append(p.ref()).append(' ').append(p.hashes()).append(' ').append(p.purl().orElse("")));
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(identity.toString().getBytes(StandardCharsets.UTF_8)));
        try {
            byte[] json = BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString().getBytes(StandardCharsets.UTF_8);
            List<ParseException> errors = new JsonParser().validate(json, Version.VERSION_16);
            if (!errors.isEmpty()) {
                throw new IllegalStateException("internal error: the CycloneDX SBOM does not validate: " + errors);
            }
            return json;
        } catch (org.cyclonedx.exception.GeneratorException | IOException e) {
            throw new IllegalStateException("cannot write the CycloneDX SBOM: " + e.getMessage(), e);
        }
    }

    private static Component component(SbomPackage p) {
        Component c = new Component();
        c.setType(switch (p.type()) {
            case "application" -> Component.Type.APPLICATION;
            case "framework" -> Component.Type.FRAMEWORK;
            case "operating-system" -> Component.Type.OPERATING_SYSTEM;
            default -> Component.Type.LIBRARY;
        });
        c.setBomRef(p.ref());
        c.setName(p.name());
        p.group().ifPresent(c::setGroup);
        p.version().ifPresent(c::setVersion);
        p.purl().ifPresent(c::setPurl);
        List<Hash> hashes = new ArrayList<>();
        p.hash("SHA-1").ifPresent(h -> hashes.add(new Hash(Hash.Algorithm.SHA1, h)));
        p.hash("SHA-256").ifPresent(h -> hashes.add(new Hash(Hash.Algorithm.SHA_256, h)));
        p.hash("SHA-512").ifPresent(h -> hashes.add(new Hash(Hash.Algorithm.SHA_512, h)));
        if (!hashes.isEmpty()) {
            c.setHashes(hashes);
        }
        if (!p.licenses().isEmpty()) {
            LicenseChoice lc = new LicenseChoice();
            for (String l : p.licenses()) {
                License license = new License();
                String id = Licenses.spdxId(l);
                if (id == null && !l.trim().contains(" ") && SpdxWriter.listedExpression(l.trim())) {
                    id = l.trim(); // already an SPDX id (npm's "license": "ISC"): an id, so that the license rule sees it
                }
                if (id != null) {
                    license.setId(id);
                } else {
                    license.setName(l);
                }
                lc.addLicense(license);
            }
            c.setLicenses(lc);
        }
        p.properties().forEach((name, value) -> {
            org.cyclonedx.model.Property property = new org.cyclonedx.model.Property();
            property.setName(name);
            property.setValue(value);
            c.addProperty(property);
        });
        return c;
    }
}

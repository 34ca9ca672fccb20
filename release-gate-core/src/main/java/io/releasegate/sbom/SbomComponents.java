package io.releasegate.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The components of an SBOM document, CycloneDX JSON or SPDX JSON, each with the key that identifies one dependency
 * across versions (its package URL without version, qualifiers and subpath; else its group and name), its version and
 * its license expression. The document's own subject (CycloneDX {@code metadata.component}, the SPDX packages the
 * document describes), and any cataloged package of the same name, is not a component.
 */
public final class SbomComponents {

    /** Nested CycloneDX components deeper than this are a hostile document, not an SBOM. */
    private static final int MAX_DEPTH = 64;

    /**
     * One component. {@code id} is how the license gate names it (the purl, else {@code name@version}).
     */
    public record Component(String key, String name, String version, Optional<String> purl, String license, String id) {
    }

    /** What was read, and from which format. */
    public record Document(String label, String format, List<Component> components) {
        public Document {
            components = List.copyOf(components);
        }
    }

    private SbomComponents() {
    }

    /** Reads {@code bytes} named {@code label} (for messages); neither CycloneDX nor SPDX JSON is an input error naming it. */
    public static Document read(byte[] bytes, String label) {
        JsonNode doc;
        try {
            doc = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new InputException(label + " is not a JSON SBOM (CycloneDX or SPDX JSON): " + e.getMessage(), e);
        }
        if (doc == null || !doc.isObject()) {
            throw new InputException(label + " is not a JSON SBOM: its top level is not an object");
        }
        return read(doc, label);
    }

    public static Document read(JsonNode doc, String label) {
        List<Component> out = new ArrayList<>();
        if ("CycloneDX".equals(doc.path("bomFormat").asText())) {
            cyclonedx(doc.path("components"), out, 0, label);
            String subject = doc.path("metadata").path("component").path("name").asText("");
            return new Document(label, "cyclonedx", withoutSubject(out, Set.of(subject)));
        }
        if (doc.has("spdxVersion")) {
            Set<String> described = new HashSet<>();
            Set<String> subjects = new HashSet<>();
            doc.path("documentDescribes").forEach(d -> described.add(d.asText()));
            for (JsonNode r : doc.path("relationships")) {
                if ("DESCRIBES".equals(r.path("relationshipType").asText())
                        && doc.path("SPDXID").asText("SPDXRef-DOCUMENT").equals(r.path("spdxElementId").asText())) {
                    described.add(r.path("relatedSpdxElement").asText());
                }
            }
            for (JsonNode p : doc.path("packages")) {
                if (described.contains(p.path("SPDXID").asText())) {
                    subjects.add(p.path("name").asText());
                    continue;
                }
                Optional<String> purl = Optional.empty();
                for (JsonNode ref : p.path("externalRefs")) {
                    if ("purl".equals(ref.path("referenceType").asText())) {
                        purl = Optional.of(ref.path("referenceLocator").asText());
                    }
                }
                String name = p.path("name").asText();
                String version = p.path("versionInfo").asText("");
                String concluded = p.path("licenseConcluded").asText("NOASSERTION");
                String license = concluded.equals("NOASSERTION") ? p.path("licenseDeclared").asText("NOASSERTION") : concluded;
                out.add(new Component(key(purl, "", name), name, version, purl, license, name + "@" + version));
            }
            return new Document(label, "spdx", withoutSubject(out, subjects));
        }
        throw new InputException(label + " is neither a CycloneDX nor an SPDX JSON document (no bomFormat: CycloneDX, no spdxVersion)");
    }

    /**
     * The components that are not the release itself: a cataloged project (a lockfile's root package, a jar's own
     * pom.properties) named as the document's subject is what the SBOM describes, not one of its dependencies.
     */
    private static List<Component> withoutSubject(List<Component> components, Set<String> subjects) {
        return components.stream().filter(c -> c.name().isEmpty() || !subjects.contains(c.name())).toList();
    }

    private static void cyclonedx(JsonNode components, List<Component> out, int depth, String label) {
        if (depth > MAX_DEPTH) {
            throw new InputException(label + ": components nested more than " + MAX_DEPTH + " deep");
        }
        for (JsonNode c : components) {
            Optional<String> purl = c.hasNonNull("purl") ? Optional.of(c.path("purl").asText()) : Optional.empty();
            String name = c.path("name").asText();
            String version = c.path("version").asText("");
            out.add(new Component(key(purl, c.path("group").asText(""), name), name, version, purl, cyclonedxLicense(c),
                    purl.orElse(name + "@" + version)));
            cyclonedx(c.path("components"), out, depth + 1, label);
        }
    }

    /**
     * The licenses of a CycloneDX component as one SPDX expression ({@code NOASSERTION} when it declares none); a license
     * given by a name that is a listed SPDX id or expression counts as that id or expression.
     */
    public static String cyclonedxLicense(JsonNode component) {
        List<String> ids = new ArrayList<>();
        for (JsonNode l : component.path("licenses")) {
            if (l.has("expression")) {
                ids.add(l.path("expression").asText());
            } else if (l.path("license").has("id")) {
                ids.add(l.path("license").path("id").asText());
            } else if (l.path("license").has("name")) {
                // a name that is an SPDX expression of listed ids is that expression: "GPL-3.0-only" given as a name
                // must meet the license rule as GPL-3.0-only, not slip past it as a LicenseRef
                String name = l.path("license").path("name").asText().trim();
                ids.add(SpdxWriter.listedExpression(name) ? (name.contains(" ") ? "(" + name + ")" : name)
                        : "LicenseRef-" + name.replaceAll("[^A-Za-z0-9.-]", "-"));
            }
        }
        return ids.isEmpty() ? "NOASSERTION" : String.join(" AND ", ids);
    }

    /** {@code pkg:type/namespace/name} of a purl (no version, qualifiers or subpath); else group/name. */
    static String key(Optional<String> purl, String group, String name) {
        if (purl.isPresent() && purl.get().startsWith("pkg:")) {
            String p = purl.get();
            int cut = p.length();
            for (char ch : new char[] {'#', '?', '@'}) {
                int at = ch == '@' ? p.lastIndexOf('@', cut - 1) : p.indexOf(ch);
                if (at > 0 && at < cut && (ch != '@' || at > p.lastIndexOf('/'))) {
                    cut = at;
                }
            }
            return p.substring(0, cut);
        }
        return group.isEmpty() ? name : group + "/" + name;
    }
}

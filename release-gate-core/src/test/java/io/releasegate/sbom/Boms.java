package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;

/** Test helpers: fixtures from the test resources, and catalogs written through the CycloneDX writer. */
final class Boms {

    private Boms() {
    }

    static Path resource(String path) {
        try {
            return Path.of(Boms.class.getResource("/sbom/" + path).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no test resource sbom/" + path, e);
        }
    }

    static Catalog catalog(String resourcePath, String asPath) {
        try (InputStream in = Files.newInputStream(resource(resourcePath))) {
            return Catalogers.catalog(asPath, in, Limits.defaults());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The catalog written as CycloneDX 1.6 (validated by the writer, and again here), parsed back. */
    static JsonNode cyclonedx(String subjectName, Catalog catalog) {
        SbomSubject subject = new SbomSubject(subjectName, Optional.of("1.0.0"),
                Digester.of(subjectName.getBytes(StandardCharsets.UTF_8)), "pkg:generic/" + subjectName + "@1.0.0",
                Instant.parse("2026-11-02T10:00:00Z"));
        byte[] json = CycloneDxWriter.write(subject, catalog);
        try {
            assertThat(new JsonParser().validate(json, Version.VERSION_16)).isEmpty();
            assertThat(CycloneDxWriter.write(subject, catalog)).as("deterministic").isEqualTo(json);
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode component(JsonNode bom, String ref) {
        for (JsonNode c : bom.path("components")) {
            if (c.path("bom-ref").asText().equals(ref)) {
                return c;
            }
        }
        throw new AssertionError("no component " + ref + " in " + refs(bom));
    }

    static List<String> refs(JsonNode bom) {
        List<String> out = new ArrayList<>();
        bom.path("components").forEach(c -> out.add(c.path("bom-ref").asText()));
        return out;
    }

    static List<String> purls(JsonNode bom) {
        List<String> out = new ArrayList<>();
        bom.path("components").forEach(c -> out.add(c.path("purl").asText()));
        return out;
    }

    static List<String> dependsOn(JsonNode bom, String ref) {
        for (JsonNode d : bom.path("dependencies")) {
            if (d.path("ref").asText().equals(ref)) {
                List<String> out = new ArrayList<>();
                d.path("dependsOn").forEach(x -> out.add(x.asText()));
                return out;
            }
        }
        throw new AssertionError("no dependency entry for " + ref);
    }

    static String hash(JsonNode component, String alg) {
        for (JsonNode h : component.path("hashes")) {
            if (h.path("alg").asText().equals(alg)) {
                return h.path("content").asText();
            }
        }
        return "";
    }

    static String property(JsonNode component, String name) {
        for (JsonNode p : component.path("properties")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("value").asText();
            }
        }
        return "";
    }
}

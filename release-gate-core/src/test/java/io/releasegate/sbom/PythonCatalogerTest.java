package io.releasegate.sbom;

import static io.releasegate.sbom.Boms.component;
import static io.releasegate.sbom.Boms.dependsOn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonCatalogerTest {

    private static final String SITE = "usr/lib/python3/site-packages";

    @TempDir
    Path tmp;

    @Test
    void installedDistributionsGiveNormalizedPurlsLicensesAndEdgesAmongWhatIsInstalled() {
        Catalog catalog = Catalogers.catalogDirectory(Boms.resource("python"), Limits.defaults());
        assertThat(catalog.warnings()).isEmpty();
        assertThat(catalog.packages()).hasSize(5);
        JsonNode bom = Boms.cyclonedx("site", catalog);
        assertThat(Boms.purls(bom)).containsExactlyInAnyOrder("pkg:pypi/requests@2.34.2", "pkg:pypi/charset-normalizer@3.5.2",
                "pkg:pypi/idna@3.20", "pkg:pypi/urllib3@2.8.0", "pkg:pypi/certifi@2026.7.22");
        // Requires-Dist without extras, to the installed distributions (charset_normalizer normalized)
        assertThat(dependsOn(bom, SITE + "#pypi/requests")).containsExactlyInAnyOrder(SITE + "#pypi/charset-normalizer",
                SITE + "#pypi/idna", SITE + "#pypi/urllib3", SITE + "#pypi/certifi");
        assertThat(dependsOn(bom, SITE + "#pypi/urllib3")).isEmpty(); // all its requirements need an extra
        JsonNode requests = component(bom, SITE + "#pypi/requests");
        assertThat(requests.path("version").asText()).isEqualTo("2.34.2");
        assertThat(requests.path("licenses").get(0).path("license").path("id").asText()).isEqualTo("Apache-2.0");
        assertThat(component(bom, SITE + "#pypi/idna").path("licenses").get(0).path("license").path("id").asText()).isEqualTo("BSD-3-Clause");
        // no archive hash is claimed for an installed tree; the METADATA file's own hash matched its RECORD
        assertThat(requests.has("hashes")).isFalse();
        assertThat(Boms.property(requests, "releasegate:pypi:metadata-sha256"))
                .isEqualTo("78d34f1382b6e2cddbeda4edfc32f510fd9f260be8637537dc0729d2fd13e1fa");
    }

    @Test
    void metadataEditedAfterInstallationDoesNotMatchRecord() throws Exception {
        Path dist = Files.createDirectories(tmp.resolve("lib/site-packages/Flask_Login-0.6.3.dist-info"));
        Files.writeString(dist.resolve("METADATA"), """
                Metadata-Version: 2.1
                Name: Flask_Login
                Version: 0.6.3
                License: UNKNOWN
                Classifier: License :: OSI Approved :: MIT License
                Requires-Dist: Flask (>=1.0.4)
                Requires-Dist: Werkzeug>=1.0.1
                Requires-Dist: pytest; extra == "test"

                Flask-Login provides user session management for Flask.
                """);
        Files.writeString(dist.resolve("RECORD"), "Flask_Login-0.6.3.dist-info/METADATA,sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,120\n");
        Catalog c = Catalogers.catalogDirectory(tmp, Limits.defaults());
        assertThat(c.warnings()).singleElement().asString().contains("does not match the SHA-256 its RECORD lists");
        SbomPackage p = c.packages().get(0);
        assertThat(p.purl()).contains("pkg:pypi/flask-login@0.6.3");
        assertThat(p.licenses()).containsExactly("MIT License");
        assertThat(p.dependsOn()).isEmpty(); // Flask and Werkzeug are not installed here
        JsonNode bom = Boms.cyclonedx("flask-login", c);
        assertThat(component(bom, "lib/site-packages#pypi/flask-login").path("licenses").get(0).path("license").path("id").asText())
                .isEqualTo("MIT");
    }

    @Test
    void headersFollowRfc822ContinuationAndStopAtTheBody() {
        var h = Manifests.headers("Name: a\nLicense: line one\n        line two\nRequires-Dist: b\nRequires-Dist: c\n\nName: body\n");
        assertThat(h.get("name")).containsExactly("a");
        assertThat(h.get("license")).containsExactly("line one\nline two");
        assertThat(h.get("requires-dist")).containsExactly("b", "c");
        Catalog noName = PythonCataloger.catalog("x.dist-info/METADATA", new ByteArrayInputStream("Version: 1\n".getBytes(StandardCharsets.UTF_8)),
                Optional.empty(), Limits.defaults());
        assertThat(noName.packages()).isEmpty();
        assertThat(noName.warnings()).hasSize(1);
        assertThat(PythonCataloger.normalize("Foo.Bar__baz")).isEqualTo("foo-bar-baz");
    }
}

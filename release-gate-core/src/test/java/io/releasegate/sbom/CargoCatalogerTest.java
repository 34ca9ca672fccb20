package io.releasegate.sbom;

import static io.releasegate.sbom.Boms.component;
import static io.releasegate.sbom.Boms.dependsOn;
import static io.releasegate.sbom.Boms.hash;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CargoCatalogerTest {

    private static final String L = "Cargo.lock";

    @Test
    void aWorkspaceLockfileGivesCratesWithChecksumsAndEdgesDisambiguatedByVersion() {
        Catalog catalog = Catalogers.catalogDirectory(Boms.resource("cargo"), Limits.defaults());
        assertThat(catalog.warnings()).isEmpty();
        assertThat(catalog.packages()).hasSize(6);
        assertThat(catalog.roots()).containsExactlyInAnyOrder(L + "#ledger-cli@0.3.0", L + "#ledger-core@0.3.0");
        JsonNode bom = Boms.cyclonedx("ledger", catalog);
        assertThat(bom.path("components")).hasSize(6);
        assertThat(Boms.purls(bom)).contains("pkg:cargo/itoa@0.4.8", "pkg:cargo/itoa@1.0.15", "pkg:cargo/hex@0.4.3",
                "pkg:cargo/cfg-if@1.0.0");
        assertThat(hash(component(bom, L + "#itoa@1.0.15"), "SHA-256"))
                .isEqualTo("4a5f13b858c8d314ee3e8f639011f7ccefe71f97f96e50151fb991f267928e2c");
        assertThat(hash(component(bom, L + "#itoa@0.4.8"), "SHA-256"))
                .isEqualTo("b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4");
        // "itoa 0.4.8" and "itoa 1.0.15" name different locked packages
        assertThat(dependsOn(bom, L + "#ledger-cli@0.3.0")).containsExactlyInAnyOrder(L + "#hex@0.4.3", L + "#itoa@0.4.8",
                L + "#ledger-core@0.3.0");
        assertThat(dependsOn(bom, L + "#ledger-core@0.3.0")).containsExactlyInAnyOrder(L + "#cfg-if@1.0.0", L + "#itoa@1.0.15");
        // workspace crates are local: no purl, no hash
        JsonNode core = component(bom, L + "#ledger-core@0.3.0");
        assertThat(core.has("purl")).isFalse();
        assertThat(core.path("type").asText()).isEqualTo("application");
        assertThat(dependsOn(bom, "subject")).containsExactlyInAnyOrder(L + "#ledger-cli@0.3.0", L + "#ledger-core@0.3.0");
    }

    @Test
    void formatOneKeepsChecksumsInMetadataAndGitSourcesGetAVcsUrl() {
        String lock = """
                [[package]]
                name = "app"
                version = "0.1.0"
                dependencies = [
                 "itoa 0.4.8 (sparse+https://cargo.example.internal/index/)",
                 "tool 0.2.0 (git+https://example.com/tool.git#0123abc)",
                 "nowhere 9.9.9 (sparse+https://cargo.example.internal/index/)",
                ]

                [[package]]
                name = "itoa"
                version = "0.4.8"
                source = "sparse+https://cargo.example.internal/index/"

                [[package]]
                name = "tool"
                version = "0.2.0"
                source = "git+https://example.com/tool.git#0123abc"

                [metadata]
                "checksum itoa 0.4.8 (sparse+https://cargo.example.internal/index/)" = "b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4"
                """;
        Catalog c = CargoCataloger.catalog(L, new ByteArrayInputStream(lock.getBytes(StandardCharsets.UTF_8)), Limits.defaults());
        SbomPackage itoa = c.packages().stream().filter(p -> p.name().equals("itoa")).findFirst().orElseThrow();
        assertThat(itoa.hash("SHA-256")).contains("b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4");
        SbomPackage tool = c.packages().stream().filter(p -> p.name().equals("tool")).findFirst().orElseThrow();
        assertThat(tool.purl()).contains("pkg:cargo/tool@0.2.0?vcs_url=https%3A%2F%2Fexample.com%2Ftool.git%230123abc");
        assertThat(tool.hashes()).isEmpty();
        SbomPackage app = c.packages().stream().filter(p -> p.name().equals("app")).findFirst().orElseThrow();
        assertThat(app.dependsOn()).containsExactlyInAnyOrder(L + "#itoa@0.4.8", L + "#tool@0.2.0");
        assertThat(c.warnings()).singleElement().asString().contains("nowhere 9.9.9");
        Boms.cyclonedx("app", c);
    }

    @Test
    void notTomlIsAWarning() {
        Catalog c = CargoCataloger.catalog(L, new ByteArrayInputStream("[[package]\nname=".getBytes(StandardCharsets.UTF_8)),
                Limits.defaults());
        assertThat(c.packages()).isEmpty();
        assertThat(c.warnings()).singleElement().asString().contains("not valid TOML");
    }
}

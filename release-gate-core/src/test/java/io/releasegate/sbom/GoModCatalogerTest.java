package io.releasegate.sbom;

import static io.releasegate.sbom.Boms.component;
import static io.releasegate.sbom.Boms.dependsOn;
import static io.releasegate.sbom.Boms.property;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GoModCatalogerTest {

    private static final String M = "go.mod";

    @Test
    void goModAndGoSumGiveModulesWithH1SumsAsPropertiesAndReplacementsApplied() {
        Catalog catalog = Catalogers.catalogDirectory(Boms.resource("golang"), Limits.defaults());
        assertThat(catalog.warnings()).isEmpty();
        // 7 requirements + the main module, and the local module ./money's own go.mod
        assertThat(catalog.packages()).hasSize(9);
        assertThat(catalog.roots()).containsExactlyInAnyOrder(M, "money/go.mod");
        JsonNode bom = Boms.cyclonedx("ledger", catalog);
        assertThat(bom.path("components")).hasSize(9);
        assertThat(Boms.purls(bom)).contains("pkg:golang/github.com/google/uuid@v1.6.0", "pkg:golang/github.com/gorilla/mux@v1.8.0",
                "pkg:golang/golang.org/x/crypto@v0.39.0", "pkg:golang/github.com/inconshreveable/mousetrap@v1.1.0",
                "pkg:golang/example.com/payments/ledger");
        JsonNode uuid = component(bom, M + "#github.com/google/uuid@v1.6.0");
        assertThat(uuid.path("name").asText()).isEqualTo("github.com/google/uuid");
        assertThat(uuid.path("version").asText()).isEqualTo("v1.6.0");
        // h1: is a dirhash, never presented as the SHA-256 of a file
        assertThat(uuid.has("hashes")).isFalse();
        assertThat(property(uuid, "releasegate:golang:h1")).isEqualTo("h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=");
        assertThat(property(uuid, "releasegate:golang:go.mod-h1")).isEqualTo("h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=");
        // replace old => new: the module actually built is the replacement
        JsonNode mousetrap = component(bom, M + "#github.com/inconshreveable/mousetrap@v1.0.0");
        assertThat(mousetrap.path("version").asText()).isEqualTo("v1.1.0");
        assertThat(property(mousetrap, "releasegate:golang:replaces")).isEqualTo("github.com/inconshreveable/mousetrap@v1.0.0");
        assertThat(property(mousetrap, "releasegate:golang:h1")).isEqualTo("h1:wN+x4NVGpMsO7ErUn/mUI3vEoE6Jt13X2s0bqwp9tc8=");
        assertThat(property(mousetrap, "releasegate:golang:indirect")).isEqualTo("true");
        // replace => ./dir: local, no purl
        JsonNode money = component(bom, M + "#example.com/payments/money@v0.0.0-00010101000000-000000000000");
        assertThat(money.has("purl")).isFalse();
        assertThat(property(money, "releasegate:golang:replaced-by")).isEqualTo("./money");
        // the main module depends on its direct requirements only
        assertThat(dependsOn(bom, M)).containsExactlyInAnyOrder(M + "#example.com/payments/money@v0.0.0-00010101000000-000000000000",
                M + "#github.com/google/uuid@v1.6.0", M + "#github.com/gorilla/mux@v1.8.0", M + "#github.com/shopspring/decimal@v1.4.0",
                M + "#github.com/google/go-querystring@v1.1.0");
        assertThat(property(component(bom, M), "releasegate:golang:go")).isEqualTo("1.22");
    }

    @Test
    void withoutGoSumOrWithAMissingLineTheGapIsAWarning() {
        String mod = "module example.com/x\n\ngo 1.21\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\t\"github.com/gorilla/mux\" v1.8.0 // indirect\n)\n"
                + "require broken\n";
        Catalog noSum = GoModCataloger.catalog(M, new ByteArrayInputStream(mod.getBytes(StandardCharsets.UTF_8)), Optional.empty(),
                Limits.defaults());
        assertThat(noSum.packages()).hasSize(3);
        assertThat(noSum.warnings()).anySatisfy(w -> assertThat(w).contains("no go.sum"))
                .anySatisfy(w -> assertThat(w).contains("go.mod:9: malformed require"));
        Catalog partial = GoModCataloger.catalog(M, new ByteArrayInputStream(mod.getBytes(StandardCharsets.UTF_8)),
                Optional.of("github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n"), Limits.defaults());
        assertThat(partial.warnings()).anySatisfy(w -> assertThat(w).contains("no h1: line for github.com/gorilla/mux v1.8.0"));
        Boms.cyclonedx("x", partial);
        Catalog notMod = GoModCataloger.catalog(M, new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), Optional.empty(),
                Limits.defaults());
        assertThat(notMod.packages()).isEmpty();
        assertThat(notMod.warnings()).singleElement().asString().contains("no module directive");
    }
}

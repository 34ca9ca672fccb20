package io.releasegate.sbom;

import static io.releasegate.sbom.Boms.component;
import static io.releasegate.sbom.Boms.dependsOn;
import static io.releasegate.sbom.Boms.hash;
import static io.releasegate.sbom.Boms.property;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NpmCatalogerTest {

    private static final String L = "web/package-lock.json";

    @ParameterizedTest
    @ValueSource(strings = {"v2", "v3"})
    void lockfilesWrittenByNpmGiveEveryInstalledPackageWithHashesAndNodeResolution(String version) {
        Catalog catalog = Boms.catalog("npm/" + version + "/package-lock.json", L);
        assertThat(catalog.warnings()).isEmpty();
        assertThat(catalog.packages()).hasSize(10);
        assertThat(catalog.roots()).containsExactly(L);
        JsonNode bom = Boms.cyclonedx("payments-web", catalog);
        assertThat(bom.path("components")).hasSize(10);
        assertThat(Boms.purls(bom)).contains("pkg:npm/payments-web@1.4.0", "pkg:npm/%40tootallnate/once@2.0.0",
                "pkg:npm/debug@2.6.9", "pkg:npm/ms@2.0.0", "pkg:npm/ms@2.1.3", "pkg:npm/is-number@7.0.0",
                "pkg:npm/is-number@6.0.0", "pkg:npm/is-odd@3.0.1", "pkg:npm/once@1.4.0", "pkg:npm/wrappy@1.0.2");
        JsonNode debug = component(bom, L + "#node_modules/debug");
        assertThat(debug.path("version").asText()).isEqualTo("2.6.9");
        // the integrity string's sha512 as hex (decoded independently)
        assertThat(hash(debug, "SHA-512")).isEqualTo("6c2ec496b7496899cf6c03fed44a2d62fa99b1bdde725e708ba05f8ba0494d47"
                + "0da30a7a72fb298348d7ce74532838e6fc4ec076014155e00f54c35c286b0730");
        assertThat(debug.path("licenses").get(0).path("license").path("id").asText()).isEqualTo("MIT");
        // nearest node_modules: debug gets its own nested ms 2.0.0, the project gets the top-level ms 2.1.3
        assertThat(dependsOn(bom, L + "#node_modules/debug")).containsExactly(L + "#node_modules/debug/node_modules/ms");
        assertThat(dependsOn(bom, L + "#node_modules/is-odd")).containsExactly(L + "#node_modules/is-odd/node_modules/is-number");
        assertThat(dependsOn(bom, L + "#node_modules/once")).containsExactly(L + "#node_modules/wrappy");
        assertThat(dependsOn(bom, L)).containsExactlyInAnyOrder(L + "#node_modules/@tootallnate/once", L + "#node_modules/debug",
                L + "#node_modules/ms", L + "#node_modules/once", L + "#node_modules/is-number", L + "#node_modules/is-odd");
        assertThat(dependsOn(bom, "subject")).containsExactly(L);
        assertThat(property(component(bom, L + "#node_modules/is-odd"), "releasegate:npm:dev")).isEqualTo("true");
        assertThat(property(component(bom, L + "#node_modules/is-number"), "releasegate:npm:optional")).isEqualTo("true");
        assertThat(component(bom, L).path("type").asText()).isEqualTo("application");
    }

    @Test
    void workspaceLinksPeersAndAliasesResolveToWhatIsInstalled() {
        String lock = """
                {"name": "mono", "version": "0.0.0", "lockfileVersion": 3, "packages": {
                  "": {"name": "mono", "version": "0.0.0", "workspaces": ["packages/*"]},
                  "node_modules/@acme/ui": {"resolved": "packages/ui", "link": true},
                  "packages/ui": {"name": "@acme/ui", "version": "2.0.0", "dependencies": {"react": "^18"}, "peerDependencies": {"react-dom": "^18"}},
                  "packages/ui/node_modules/react": {"version": "18.3.1", "integrity": "sha1-2jmOD7s1pY2sd0TcTVFiaw1LqGY="},
                  "node_modules/react": {"version": "17.0.2"},
                  "node_modules/react-dom": {"version": "18.3.1", "peer": true, "dependencies": {"scheduler": "^0.23", "react": "*"}},
                  "node_modules/legacy-react": {"name": "react", "version": "16.14.0"},
                  "node_modules/app": {"version": "1.0.0", "dependencies": {"@acme/ui": "*", "missing-one": "1"}}
                }}""";
        Catalog c = NpmCataloger.catalog(L, new ByteArrayInputStream(lock.getBytes(StandardCharsets.UTF_8)), Limits.defaults());
        assertThat(c.roots()).containsExactlyInAnyOrder(L, L + "#packages/ui");
        SbomPackage ui = c.packages().stream().filter(p -> p.ref().equals(L + "#packages/ui")).findFirst().orElseThrow();
        assertThat(ui.purl()).contains("pkg:npm/%40acme/ui@2.0.0");
        // the member's own nested react 18, and the peer from the root's node_modules
        assertThat(ui.dependsOn()).containsExactly(L + "#node_modules/react-dom", L + "#packages/ui/node_modules/react");
        SbomPackage nested = c.packages().stream().filter(p -> p.ref().equals(L + "#packages/ui/node_modules/react")).findFirst().orElseThrow();
        assertThat(nested.hash("SHA-1")).contains("da398e0fbb35a58dac7744dc4d51626b0d4ba866");
        // a link to a workspace member resolves to the member
        SbomPackage app = c.packages().stream().filter(p -> p.ref().equals(L + "#node_modules/app")).findFirst().orElseThrow();
        assertThat(app.dependsOn()).containsExactly(L + "#packages/ui");
        assertThat(c.warnings()).containsExactly(L + ": node_modules/app depends on missing-one, which is not in the lockfile");
        // an alias (installed as legacy-react) is the package it really is
        SbomPackage alias = c.packages().stream().filter(p -> p.ref().equals(L + "#node_modules/legacy-react")).findFirst().orElseThrow();
        assertThat(alias.purl()).contains("pkg:npm/react@16.14.0");
        assertThat(c.packages()).noneMatch(p -> p.ref().equals(L + "#node_modules/@acme/ui"));
        Boms.cyclonedx("mono", c);
    }

    @Test
    void version1LockfilesAreReadFromTheirTreeWithAWarningAboutTheRoot() {
        String lock = """
                {"name": "old", "version": "1.0.0", "lockfileVersion": 1, "requires": true, "dependencies": {
                  "debug": {"version": "2.6.9", "integrity": "sha512-bC7ElrdJaJnPbAP+1EotYvqZsb3ecl5wi6Bfi6BJTUcNowp6cvspg0jXznRTKDjm/E7AdgFBVeAPVMNcKGsHMA==",
                            "requires": {"ms": "2.0.0"}, "dependencies": {"ms": {"version": "2.0.0"}}},
                  "ms": {"version": "2.1.3", "dev": true}
                }}""";
        Catalog c = NpmCataloger.catalog(L, new ByteArrayInputStream(lock.getBytes(StandardCharsets.UTF_8)), Limits.defaults());
        assertThat(c.packages()).extracting(SbomPackage::ref).containsExactlyInAnyOrder(L, L + "#node_modules/debug",
                L + "#node_modules/debug/node_modules/ms", L + "#node_modules/ms");
        assertThat(c.warnings()).singleElement().asString().contains("lockfile version 1");
        SbomPackage debug = c.packages().stream().filter(p -> p.name().equals("debug")).findFirst().orElseThrow();
        assertThat(debug.dependsOn()).containsExactly(L + "#node_modules/debug/node_modules/ms");
        JsonNode bom = Boms.cyclonedx("old", c);
        assertThat(dependsOn(bom, L)).contains(L + "#node_modules/debug");
    }

    @Test
    void brokenInputIsAWarningNotACrash() {
        for (String bad : new String[] {"{not json", "{\"lockfileVersion\": 3}", "[]"}) {
            Catalog c = NpmCataloger.catalog(L, new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8)), Limits.defaults());
            assertThat(c.packages()).isEmpty();
            assertThat(c.warnings()).hasSize(1);
        }
    }
}

package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.json.Json;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generateSbom over a release whose files are an image layout tar and a lockfile: every cataloger through the real flow. */
class GenerateSbomCatalogersTest {

    @TempDir
    Path tmp;

    @Test
    void aReleasedImageTarAndLockfileAreCatalogedIntoTheStoredSbom() throws Exception {
        Path layoutDir = tmp.resolve("layout");
        OciCatalogerTest.layout(layoutDir, "api:2.0.0", List.of(OciCatalogerTest.tar(List.of(
                OciCatalogerTest.E.file("lib/apk/db/installed", OciCatalogerTest.res("alpine/lib/apk/db/installed"))))), List.of(true));
        List<OciCatalogerTest.E> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(layoutDir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                entries.add(OciCatalogerTest.E.file(layoutDir.relativize(f).toString(), Files.readAllBytes(f)));
            }
        }
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.write(ws.resolve("api-image.tar"), OciCatalogerTest.tar(entries));
        Files.copy(Boms.resource("npm/v3/package-lock.json"), ws.resolve("package-lock.json"));
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("state/store"));
        new BuildOnce(store, ledger).name("api").version("2.0.0").workspace(ws).outputs(List.of("api-image.tar", "package-lock.json"))
                .actor("ci").clock(Clock.fixed(Instant.parse("2026-11-02T10:00:00Z"), java.time.ZoneOffset.UTC)).call();

        GenerateSbom.Result r = GenerateSbom.call(store, ledger, "api", "2.0.0", Optional.empty(), Limits.defaults(), "ci", Clock.systemUTC());
        assertThat(r.warnings()).isEmpty();
        assertThat(r.components()).isEqualTo(9 + 10);
        JsonNode bom = Json.mapper().readTree(r.document(SbomFormat.CYCLONEDX).orElseThrow().document().bytes());
        assertThat(Boms.purls(bom)).contains("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64", "pkg:npm/%40tootallnate/once@2.0.0");
        String db = "api-image.tar!/lib/apk/db/installed";
        assertThat(Boms.dependsOn(bom, db + "#busybox")).containsExactly(db + "#musl");
        assertThat(Boms.dependsOn(bom, "subject")).contains("package-lock.json", db + "#musl");
        assertThat(Boms.component(bom, db + "#musl").path("purl").asText()).isEqualTo("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64");
        ledger.close();
    }
}

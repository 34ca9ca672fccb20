package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbomTest {

    @TempDir
    Path tmp;

    /** A jar with the given entries (name -> bytes). */
    static byte[] jar(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            z.setLevel(Deflater.BEST_COMPRESSION);
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setTime(0);
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    static byte[] mavenJar(String g, String a, String v, String license, Map<String, byte[]> more) throws IOException {
        Map<String, byte[]> m = new java.util.HashMap<>(more);
        m.put("META-INF/maven/" + g + "/" + a + "/pom.properties",
                ("groupId=" + g + "\nartifactId=" + a + "\nversion=" + v + "\n").getBytes(StandardCharsets.UTF_8));
        m.put("META-INF/maven/" + g + "/" + a + "/pom.xml", ("<project><licenses><license><name>" + license
                + "</name></license></licenses></project>").getBytes(StandardCharsets.UTF_8));
        m.put("com/example/" + a + "/A.class", new byte[] {(byte) 0xCA, (byte) 0xFE});
        return jar(m);
    }

    BuildResult publish(Path ws, Ledger ledger, OciLayoutStore store) {
        return new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(ws).outputs(List.of("app.jar"))
                .actor("ci").clock(Clock.fixed(Instant.parse("2026-11-02T10:00:00Z"), java.time.ZoneOffset.UTC)).call();
    }

    @Test
    void aFatJarWithNestedJarsGivesAValidDeterministicCycloneDxBoundToTheArtifact() throws Exception {
        byte[] deep = mavenJar("org.deep", "deep", "0.1", "MIT", Map.of());
        byte[] lib = mavenJar("org.example", "lib-a", "1.2.3", "The Apache Software License, Version 2.0",
                Map.of("lib/deep-0.1.jar", deep));
        byte[] other = jar(Map.of("x.txt", "no maven metadata".getBytes(StandardCharsets.UTF_8)));
        byte[] app = mavenJar("com.example", "payments", "1.0.0", "Proprietary", Map.of(
                "BOOT-INF/lib/lib-a-1.2.3.jar", lib, "BOOT-INF/lib/plain-4.5.jar", other));
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.write(ws.resolve("app.jar"), app);
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("state/store"));
        BuildResult built = publish(ws, ledger, store);

        GenerateSbom.Result r = GenerateSbom.call(store, ledger, "payments", "1.0.0", Optional.empty(),
                Limits.defaults(), "ci", Clock.systemUTC());
        assertThat(new JsonParser().validate(cyclonedx(r), Version.VERSION_16)).isEmpty();
        JsonNode bom = Json.mapper().readTree(cyclonedx(r));
        assertThat(bom.path("specVersion").asText()).isEqualTo("1.6");
        assertThat(bom.path("metadata").path("component").path("hashes").get(0).path("content").asText())
                .isEqualTo(built.digest().hex());
        assertThat(bom.path("metadata").path("timestamp").asText()).startsWith("2026-11-02T10:00:00");
        assertThat(bom.path("components").findValuesAsText("purl")).contains("pkg:maven/com.example/payments@1.0.0",
                "pkg:maven/org.example/lib-a@1.2.3", "pkg:maven/org.deep/deep@0.1");
        JsonNode libA = find(bom, "lib-a");
        assertThat(libA.path("licenses").get(0).path("license").path("id").asText()).isEqualTo("Apache-2.0");
        assertThat(libA.path("hashes").findValuesAsText("content")).contains(Digester.of(lib).hex());
        JsonNode plain = find(bom, "plain");
        assertThat(plain.path("version").asText()).isEqualTo("4.5");
        // dependency relationships follow the nesting
        JsonNode appDeps = dependsOn(bom, "app.jar");
        assertThat(appDeps.toString()).contains("app.jar!/BOOT-INF/lib/lib-a-1.2.3.jar");
        assertThat(dependsOn(bom, "app.jar!/BOOT-INF/lib/lib-a-1.2.3.jar").toString()).contains("deep-0.1.jar");
        assertThat(ledger.events("payments@1.0.0")).extracting(e -> e.type()).contains("sbom-generated");
        // stored as an OCI artifact whose subject is the release manifest
        JsonNode referrer = Json.mapper().readTree(store.fetchManifest("payments",
                r.document(SbomFormat.CYCLONEDX).orElseThrow().referrer().toString()).orElseThrow().bytes());
        assertThat(referrer.path("subject").path("digest").asText()).isEqualTo(built.digest().toString());
        assertThat(referrer.path("artifactType").asText()).isEqualTo("application/vnd.cyclonedx+json");

        // deterministic: the same input gives the same bytes
        GenerateSbom.Result again = GenerateSbom.call(store, ledger, "payments", "1.0.0", Optional.empty(),
                Limits.defaults(), "ci", Clock.systemUTC());
        assertThat(cyclonedx(again)).isEqualTo(cyclonedx(r));
        GenerateSbom.Result epoch = GenerateSbom.call(store, ledger, "payments", "1.0.0",
                Optional.of(Instant.ofEpochSecond(1_700_000_000L)), Limits.defaults(), "ci", Clock.systemUTC());
        assertThat(Json.mapper().readTree(cyclonedx(epoch)).path("metadata").path("timestamp").asText()).startsWith("2023-11-14");
        ledger.close();
    }

    @Test
    void hostileArchivesAreWarningsNotCrashes() throws Exception {
        // a zip bomb: 64 MiB of zeros compresses to ~64 KiB
        byte[] zeros = new byte[64 << 20];
        byte[] bomb = jar(Map.of("zeros.bin", zeros));
        Catalog r = JvmCataloger.catalog("bomb.jar", new java.io.ByteArrayInputStream(bomb), Limits.defaults());
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("compression ratio"));
        // absurd nesting
        byte[] nested = mavenJar("g", "leaf", "1", "MIT", Map.of());
        for (int i = 0; i < 12; i++) {
            nested = jar(Map.of("lib/n" + i + ".jar", nested));
        }
        Catalog deep = JvmCataloger.catalog("deep.jar", new java.io.ByteArrayInputStream(nested), Limits.defaults());
        assertThat(deep.warnings()).anySatisfy(w -> assertThat(w).contains("nested deeper than 8"));
        // truncated
        byte[] good = mavenJar("g", "a", "1", "MIT", Map.of("big.bin", new byte[100_000]));
        byte[] cut = java.util.Arrays.copyOf(good, good.length / 3);
        Catalog truncated = JvmCataloger.catalog("cut.jar", new java.io.ByteArrayInputStream(cut), Limits.defaults());
        assertThat(truncated.warnings()).anySatisfy(w -> assertThat(w).contains("truncated or corrupt"));
        // traversing names
        byte[] slip = jar(Map.of("../../evil.sh", "x".getBytes(StandardCharsets.UTF_8)));
        assertThat(JvmCataloger.catalog("slip.jar", new java.io.ByteArrayInputStream(slip), Limits.defaults()).warnings())
                .anySatisfy(w -> assertThat(w).contains("zip-slip"));
    }

    static byte[] cyclonedx(GenerateSbom.Result r) {
        return r.document(SbomFormat.CYCLONEDX).orElseThrow().document().bytes();
    }

    static JsonNode find(JsonNode bom, String name) {
        for (JsonNode c : bom.path("components")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no component " + name);
    }

    static JsonNode dependsOn(JsonNode bom, String ref) {
        for (JsonNode d : bom.path("dependencies")) {
            if (d.path("ref").asText().equals(ref)) {
                return d.path("dependsOn");
            }
        }
        throw new AssertionError("no dependency entry for " + ref);
    }
}

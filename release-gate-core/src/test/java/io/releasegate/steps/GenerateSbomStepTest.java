package io.releasegate.steps;

import static io.releasegate.steps.MapSteps.buildOnce;
import static io.releasegate.steps.MapSteps.generateSbom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateSbomStepTest {

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void formatOutAndSpdxOut() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path state = tmp.resolve("state");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(ws.resolve("app.jar")))) {
            z.putNextEntry(new ZipEntry("META-INF/maven/g/app/pom.properties"));
            z.write("groupId=g\nartifactId=app\nversion=1.0.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            z.closeEntry();
        }
        buildOnce(Map.of("name", "app", "version", "1.0.0", "artifacts", "app.jar"), StepEnvironment.of(ws, state, "ci"));

        // the old form still works: out is the CycloneDX file; the default format writes both documents
        Map<String, Object> both = generateSbom(Map.of("name", "app", "version", "1.0.0", "out", "target/sbom.cdx.json",
                "spdxOut", "target/sbom.spdx.json"), StepEnvironment.of(ws, state, "jenkins"));
        List<Map<String, Object>> documents = (List<Map<String, Object>>) both.get("documents");
        assertThat(documents).extracting(d -> d.get("format")).containsExactly("cyclonedx", "spdx");
        assertThat(both.get("digest")).isEqualTo(documents.get(0).get("digest"));
        assertThat(Json.mapper().readTree(ws.resolve("target/sbom.cdx.json").toFile()).path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(Json.mapper().readTree(ws.resolve("target/sbom.spdx.json").toFile()).path("spdxVersion").asText()).isEqualTo("SPDX-2.3");

        Map<String, Object> spdx = generateSbom(Map.of("name", "app", "version", "1.0.0", "format", "spdx",
                "spdxOut", "only.spdx.json"), StepEnvironment.of(ws, state, "jenkins"));
        assertThat((List<Map<String, Object>>) spdx.get("documents")).extracting(d -> d.get("format")).containsExactly("spdx");
        assertThat(spdx.get("digest")).isEqualTo(documents.get(1).get("digest"));
        assertThat(ws.resolve("only.spdx.json")).exists();

        assertThatThrownBy(() -> generateSbom(Map.of("name", "app", "version", "1.0.0", "format", "spdx",
                "out", "x.json"), StepEnvironment.of(ws, state, "jenkins"))).isInstanceOf(InputException.class)
                        .hasMessageContaining("'out' names the CycloneDX");
        assertThatThrownBy(() -> generateSbom(Map.of("name", "app", "version", "1.0.0", "format", "xml"),
                StepEnvironment.of(ws, state, "jenkins"))).isInstanceOf(InputException.class)
                .hasMessageContaining("unknown SBOM format 'xml'");
        assertThatThrownBy(() -> generateSbom(Map.of("name", "app", "version", "1.0.0", "formats", "spdx"),
                StepEnvironment.of(ws, state, "jenkins"))).isInstanceOf(InputException.class).hasMessageContaining("formats");
        assertThat(ws.resolve("x.json")).doesNotExist();
    }
}

package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogersTest {

    @TempDir
    Path tmp;

    @Test
    void filesAreDispatchedByNameAndByTheDirectoryTheyAreIn() {
        assertThat(List.of("package-lock.json", "web/package-lock.json", "node_modules/.package-lock.json", "Cargo.lock", "svc/go.mod",
                "usr/lib/python3.12/site-packages/Flask-3.0.0.dist-info/METADATA", "var/lib/dpkg/status", "var/lib/dpkg/status.d/base",
                "lib/apk/db/installed", "image.tar", "app.jar", "x/app.war")).allMatch(Catalogers::supports);
        assertThat(List.of("README.md", "status", "etc/status", "installed", "db/installed", "METADATA", "pkg/METADATA", "go.sum",
                "Cargo.toml", "package.json", "var/lib/dpkg/status.d/base.md5sums")).noneMatch(Catalogers::supports);
        assertThatThrownBy(() -> Catalogers.catalog("README.md", new ByteArrayInputStream(new byte[0]), Limits.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no cataloger reads README.md");
        assertThatThrownBy(() -> Catalogers.catalogDirectory(tmp.resolve("nope"), Limits.defaults()))
                .isInstanceOf(InputException.class).hasMessageContaining("is not a directory");
    }

    @Test
    void aSourceCheckoutWithSeveralEcosystemsIsOneDeterministicCatalog() throws Exception {
        Path web = Files.createDirectories(tmp.resolve("web/node_modules/debug"));
        Files.copy(Boms.resource("npm/v3/package-lock.json"), tmp.resolve("web/package-lock.json"));
        Files.copy(Boms.resource("npm/v2/package-lock.json"), tmp.resolve("web/node_modules/.package-lock.json")); // skipped
        Files.writeString(web.resolve("package.json"), "{\"name\":\"debug\",\"version\":\"2.6.9\"}");
        Files.createDirectories(tmp.resolve("svc"));
        Files.copy(Boms.resource("golang/go.mod"), tmp.resolve("svc/go.mod"));
        Files.copy(Boms.resource("golang/go.sum"), tmp.resolve("svc/go.sum"));
        Files.createDirectories(tmp.resolve("rust"));
        Files.copy(Boms.resource("cargo/Cargo.lock"), tmp.resolve("rust/Cargo.lock"));
        Files.createDirectories(tmp.resolve("build/libs"));
        byte[] jar = SbomTest.mavenJar("com.example", "app", "1.0", "MIT", Map.of());
        Files.write(tmp.resolve("build/libs/app-1.0.jar"), jar);
        Files.createDirectories(tmp.resolve(".git/objects"));
        Files.write(tmp.resolve(".git/objects/cached.jar"), jar); // skipped
        Files.createSymbolicLink(tmp.resolve("link.jar"), tmp.resolve("build/libs/app-1.0.jar")); // not followed

        Catalog c = Catalogers.catalogDirectory(tmp, Limits.defaults());
        // svc/go.sum has no line for ./money (local), so no warning; the replaced local module has no go.mod here
        assertThat(c.warnings()).isEmpty();
        assertThat(c.packages()).hasSize(10 + 8 + 6 + 1);
        assertThat(c.packages()).extracting(SbomPackage::ref).doesNotHaveDuplicates()
                .noneMatch(r -> r.startsWith(".git") || r.startsWith("link.jar") || r.contains("node_modules/.package-lock.json"));
        assertThat(c.roots()).containsExactly("build/libs/app-1.0.jar", "rust/Cargo.lock#ledger-cli@0.3.0",
                "rust/Cargo.lock#ledger-core@0.3.0", "svc/go.mod", "web/package-lock.json");
        assertThat(c.packages().stream().map(SbomPackage::ecosystem).distinct()).containsExactly("maven", "cargo", "golang", "npm");
        assertThat(Catalogers.catalogDirectory(tmp, Limits.defaults())).isEqualTo(c);

        Catalog capped = Catalogers.catalogDirectory(tmp, new Limits(8, 1L << 30, 2, 1 << 20, 200));
        // the walk stops after two files, and each cataloger applies the same limit to what it reads
        assertThat(capped.warnings()).containsExactly("more than 2 files to catalog; the rest was not cataloged",
                "build/libs/app-1.0.jar: more than 2 entries in total; the rest was not cataloged",
                "rust/Cargo.lock: more than 2 packages; not cataloged");
        assertThat(capped.packages()).extracting(SbomPackage::foundIn).containsExactly("build/libs/app-1.0.jar");

        JsonNode bom = Boms.cyclonedx("monorepo", c);
        assertThat(bom.path("components")).hasSize(25);
        assertThat(Boms.dependsOn(bom, "subject")).hasSize(5);
        assertThat(Boms.purls(bom)).contains("pkg:maven/com.example/app@1.0", "pkg:cargo/hex@0.4.3",
                "pkg:golang/github.com/google/uuid@v1.6.0", "pkg:npm/wrappy@1.0.2");
    }

    @Test
    void mergingKeepsTheFirstOfARefAndDropsEdgesToPackagesThatAreNotThere() {
        SbomPackage a = new SbomPackage("a", "library", "npm", "a", Optional.empty(), Optional.of("1"), Optional.empty(), "f",
                Map.of(), List.of(), Optional.empty(), List.of("b", "ghost"));
        SbomPackage b = new SbomPackage("b", "library", "npm", "b", Optional.empty(), Optional.of("1"), Optional.empty(), "f",
                Map.of(), List.of(), Optional.empty(), List.of());
        SbomPackage b2 = new SbomPackage("b", "library", "npm", "b", Optional.empty(), Optional.of("2"), Optional.empty(), "g",
                Map.of(), List.of(), Optional.empty(), List.of());
        Catalog merged = Catalogers.merge(List.of(new Catalog(List.of(a, b), List.of("a", "ghost"), List.of("w1")),
                new Catalog(List.of(b2), List.of("b"), List.of("w1", "w2"))), List.of());
        assertThat(merged.packages()).hasSize(2);
        assertThat(merged.packages().get(0).dependsOn()).containsExactly("b");
        assertThat(merged.packages().get(1).version()).contains("1");
        assertThat(merged.roots()).containsExactly("a", "b");
        assertThat(merged.warnings()).containsExactly("w1", "w2", "b: found twice; the first is kept");
        // the form without properties still builds a package
        assertThat(a.properties()).isEmpty();
    }
}

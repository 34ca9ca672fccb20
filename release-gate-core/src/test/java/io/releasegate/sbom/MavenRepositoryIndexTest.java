package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MavenRepositoryIndexTest {

    @TempDir
    Path tmp;

    static byte[] plainJar(String marker) throws Exception {
        return SbomTest.jar(Map.of(
                "META-INF/MANIFEST.MF", ("Manifest-Version: 1.0\nImplementation-Title: Some Prose Title\n"
                        + "Implementation-Version: 9.9\n\n").getBytes(StandardCharsets.UTF_8),
                "x/" + marker + ".class", new byte[] {1, 2, 3}));
    }

    @Test
    void anArchiveWithoutMavenMetadataIsIdentifiedOnlyByItsExactBytesInTheRepository() throws Exception {
        byte[] known = plainJar("known");
        byte[] lookalike = plainJar("lookalike"); // same file name elsewhere, other bytes
        byte[] classified = plainJar("classified");
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("io/micrometer/micrometer-observation/1.15.5"));
        Files.write(repo.resolve("io/micrometer/micrometer-observation/1.15.5/micrometer-observation-1.15.5.jar"), known);
        Files.createDirectories(repo.resolve("org/example/netty-native/4.1.0"));
        Files.write(repo.resolve("org/example/netty-native/4.1.0/netty-native-4.1.0-linux-x86_64.jar"), classified);
        byte[] war = SbomTest.jar(Map.of(
                "WEB-INF/lib/micrometer-observation-1.15.5.jar", known,
                "WEB-INF/lib/other/micrometer-observation-1.15.5.jar", lookalike,
                "WEB-INF/lib/netty-native-4.1.0-linux-x86_64.jar", classified,
                "WEB-INF/lib/unversioned.jar", plainJar("u"),
                "WEB-INF/lib/lib-a-1.0.jar", SbomTest.mavenJar("org.example", "lib-a", "1.0", "MIT", Map.of())));

        Catalog raw = JvmCataloger.catalog("app.war", new ByteArrayInputStream(war), Limits.defaults());
        // without the repository: name and version from the file name (not the manifest's prose title), no purl
        SbomPackage unidentified = pkg(raw, "app.war!/WEB-INF/lib/micrometer-observation-1.15.5.jar");
        assertThat(unidentified.name()).isEqualTo("micrometer-observation");
        assertThat(unidentified.version()).contains("1.15.5");
        assertThat(unidentified.purl()).isEmpty();
        assertThat(pkg(raw, "app.war!/WEB-INF/lib/unversioned.jar").name()).isEqualTo("Some Prose Title");
        assertThat(pkg(raw, "app.war!/WEB-INF/lib/unversioned.jar").version()).contains("9.9");

        Catalog identified = MavenRepositoryIndex.of(repo).identify(raw);
        SbomPackage p = pkg(identified, "app.war!/WEB-INF/lib/micrometer-observation-1.15.5.jar");
        assertThat(p.purl()).contains("pkg:maven/io.micrometer/micrometer-observation@1.15.5");
        assertThat(p.group()).contains("io.micrometer");
        assertThat(p.hashes()).isEqualTo(unidentified.hashes());
        assertThat(pkg(identified, "app.war!/WEB-INF/lib/netty-native-4.1.0-linux-x86_64.jar").purl())
                .contains("pkg:maven/org.example/netty-native@4.1.0?classifier=linux-x86_64");
        // same name, other bytes: not identified; a jar with its own metadata keeps it; nothing is guessed
        assertThat(pkg(identified, "app.war!/WEB-INF/lib/other/micrometer-observation-1.15.5.jar").purl()).isEmpty();
        assertThat(pkg(identified, "app.war!/WEB-INF/lib/lib-a-1.0.jar").purl()).contains("pkg:maven/org.example/lib-a@1.0");
        assertThat(pkg(identified, "app.war!/WEB-INF/lib/unversioned.jar").purl()).isEmpty();
        assertThat(identified.packages()).hasSameSizeAs(raw.packages());
        // the identified catalog still writes a valid CycloneDX document
        assertThat(new String(CycloneDxWriter.write(SbomSubject.release("app", "1.0.0",
                io.releasegate.digest.Digest.parse("sha256:" + "a".repeat(64)), java.time.Instant.EPOCH), identified), StandardCharsets.UTF_8))
                .contains("pkg:maven/io.micrometer/micrometer-observation@1.15.5");
    }

    @Test
    void aRepositoryThatIsNotADirectoryIsAnInputError() {
        assertThatThrownBy(() -> MavenRepositoryIndex.of(tmp.resolve("missing")))
                .isInstanceOf(InputException.class).hasMessageContaining("not a directory");
    }

    static SbomPackage pkg(Catalog c, String ref) {
        return c.packages().stream().filter(p -> p.ref().equals(ref)).findFirst().orElseThrow(() -> new AssertionError(ref));
    }
}

package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nested archives are read through their central directory; what that path finds must equal what streaming finds. */
class JvmCatalogerTest {

    static Catalog catalog(String name, byte[] bytes) {
        return JvmCataloger.catalog(name, new ByteArrayInputStream(bytes), Limits.defaults());
    }

    @Test
    void aNestedArchiveIsIdentifiedExactlyAsTheSameArchiveReadOnItsOwn() throws Exception {
        byte[] inner = SbomTest.mavenJar("org.example", "inner", "2.0", "Apache-2.0", Map.of());
        byte[] lib = SbomTest.mavenJar("org.example", "lib", "1.0", "MIT", Map.of("lib/inner-2.0.jar", inner,
                "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nBundle-License: MIT\n\n".getBytes(StandardCharsets.UTF_8)));
        Catalog alone = catalog("lib-1.0.jar", lib);
        Catalog nested = catalog("app.war", SbomTest.jar(Map.of("WEB-INF/lib/lib-1.0.jar", lib)));
        for (SbomPackage p : alone.packages()) {
            SbomPackage q = MavenRepositoryIndexTest.pkg(nested, "app.war!/WEB-INF/lib/" + p.ref());
            assertThat(q.name()).isEqualTo(p.name());
            assertThat(q.group()).isEqualTo(p.group());
            assertThat(q.version()).isEqualTo(p.version());
            assertThat(q.purl()).isEqualTo(p.purl());
            assertThat(q.hashes()).isEqualTo(p.hashes());
            assertThat(q.licenses()).isEqualTo(p.licenses());
        }
        assertThat(MavenRepositoryIndexTest.pkg(nested, "app.war!/WEB-INF/lib/lib-1.0.jar!/lib/inner-2.0.jar").parent())
                .contains("app.war!/WEB-INF/lib/lib-1.0.jar");
        assertThat(nested.warnings()).isEmpty();
    }

    @Test
    void aTruncatedNestedArchiveIsAWarningAndTheRestIsCataloged() throws Exception {
        byte[] good = SbomTest.mavenJar("g", "good", "1", "MIT", Map.of("pad.bin", new byte[50_000]));
        byte[] cut = Arrays.copyOf(good, good.length / 2);
        Catalog c = catalog("app.war", SbomTest.jar(Map.of("WEB-INF/lib/cut-1.jar", cut,
                "WEB-INF/lib/ok-1.jar", SbomTest.mavenJar("g", "ok", "1", "MIT", Map.of()))));
        assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("cut-1.jar").contains("truncated or corrupt"));
        assertThat(MavenRepositoryIndexTest.pkg(c, "app.war!/WEB-INF/lib/ok-1.jar").purl()).contains("pkg:maven/g/ok@1");
    }

    @Test
    void aNestedArchiveWhoseEntriesPointOutsideItIsAWarning() throws Exception {
        byte[] lib = SbomTest.mavenJar("g", "lib", "1", "MIT", Map.of());
        // corrupt the local header signature of the first entry: the directory still points there
        byte[] bad = lib.clone();
        bad[0] = 'X';
        Catalog c = catalog("app.war", SbomTest.jar(Map.of("WEB-INF/lib/bad-1.jar", bad)));
        assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("bad-1.jar").contains("truncated or corrupt"));
    }

    @Test
    void aBombInsideANestedArchiveIsNeverInflated() throws Exception {
        byte[] bomb = SbomTest.mavenJar("g", "bomb", "1", "MIT", Map.of("zeros.bin", new byte[64 << 20]));
        Catalog c = catalog("app.war", SbomTest.jar(Map.of("WEB-INF/lib/bomb-1.jar", bomb)));
        assertThat(MavenRepositoryIndexTest.pkg(c, "app.war!/WEB-INF/lib/bomb-1.jar").purl()).contains("pkg:maven/g/bomb@1");
        assertThat(c.warnings()).isEmpty(); // had it been inflated, the ratio limit would have reported it
        // the same entry streamed at the top level is inflated under the limits and reported
        assertThat(catalog("bomb-1.jar", bomb).warnings()).anySatisfy(w -> assertThat(w).contains("compression ratio"));
    }
}

package io.releasegate.sbom;

import static io.releasegate.sbom.Boms.component;
import static io.releasegate.sbom.Boms.dependsOn;
import static io.releasegate.sbom.Boms.property;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OsPackagesCatalogerTest {

    private static final String DPKG = "var/lib/dpkg/status";
    private static final String APK = "lib/apk/db/installed";

    @TempDir
    Path tmp;

    @Test
    void dpkgStatusGivesTheInstalledPackagesDpkgItselfReports() throws Exception {
        Catalog catalog = Catalogers.catalogDirectory(Boms.resource("debian"), Limits.defaults());
        assertThat(catalog.warnings()).isEmpty();
        // independent check: what dpkg-query reads from the same database
        Process p = new ProcessBuilder("dpkg-query", "--admindir=" + Boms.resource("debian/var/lib/dpkg"), "-W",
                "-f", "${db:Status-Status} ${Package} ${Version} ${Architecture}\\n").redirectErrorStream(false).start();
        List<String> expected = new ArrayList<>();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("installed ")) {
                expected.add(line.substring("installed ".length()));
            }
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(expected).hasSize(12);
        assertThat(catalog.packages()).extracting(x -> x.name() + " " + x.version().orElse("") + " "
                + x.purl().orElseThrow().replaceAll(".*arch=([a-z0-9]+).*", "$1")).containsExactlyInAnyOrderElementsOf(expected);

        JsonNode bom = Boms.cyclonedx("debian", catalog);
        assertThat(bom.path("components")).hasSize(12);
        assertThat(Boms.purls(bom)).contains("pkg:deb/debian/openssl@3.0.19-1~deb12u2?arch=amd64",
                "pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&upstream=openssl",
                "pkg:deb/debian/libcrypt1@1%3A4.4.33-2?arch=amd64&upstream=libxcrypt",
                "pkg:deb/debian/ca-certificates@20230311%2Bdeb12u1?arch=all");
        assertThat(dependsOn(bom, DPKG + "#openssl:amd64")).containsExactlyInAnyOrder(DPKG + "#libc6:amd64", DPKG + "#libssl3:amd64");
        // alternatives: "debconf (>= 0.5) | debconf-2.0" is the first one installed
        assertThat(dependsOn(bom, DPKG + "#ca-certificates:all")).containsExactlyInAnyOrder(DPKG + "#openssl:amd64", DPKG + "#debconf:all");
        // Pre-Depends count; packages that are not installed are not invented
        assertThat(dependsOn(bom, DPKG + "#perl-base:amd64")).containsExactlyInAnyOrder(DPKG + "#libc6:amd64", DPKG + "#libcrypt1:amd64",
                DPKG + "#dpkg:amd64");
        assertThat(dependsOn(bom, DPKG + "#dpkg:amd64")).containsExactlyInAnyOrder(DPKG + "#tar:amd64", DPKG + "#libc6:amd64",
                DPKG + "#zlib1g:amd64");
        assertThat(Boms.refs(bom)).noneMatch(r -> r.contains("libpopt0"));
        assertThat(property(component(bom, DPKG + "#libc6:amd64"), "releasegate:deb:source")).isEqualTo("glibc");
    }

    @Test
    void virtualPackagesResolveToTheirProviderAndTheDistroComesFromOsRelease() throws Exception {
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc/os-release"), "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"24.04\"\n");
        Files.createDirectories(tmp.resolve("var/lib/dpkg"));
        Files.writeString(tmp.resolve(DPKG), """
                Package: mawk
                Status: install ok installed
                Architecture: amd64
                Version: 1.3.4.20240123-1build1
                Provides: awk
                Depends: libc6 (>= 2.38)

                Package: base-files
                Status: install ok installed
                Architecture: amd64
                Version: 13ubuntu10
                Pre-Depends: awk

                Package: gone
                Status: purge ok not-installed
                Architecture: amd64
                """);
        Catalog c = Catalogers.catalogDirectory(tmp, Limits.defaults());
        assertThat(c.packages()).extracting(SbomPackage::name).containsExactlyInAnyOrder("mawk", "base-files");
        SbomPackage base = c.packages().stream().filter(p -> p.name().equals("base-files")).findFirst().orElseThrow();
        assertThat(base.dependsOn()).containsExactly(DPKG + "#mawk:amd64");
        assertThat(base.purl()).contains("pkg:deb/ubuntu/base-files@13ubuntu10?arch=amd64");
        Boms.cyclonedx("ubuntu", c);
    }

    @Test
    void distrolessStatusDirectoriesAreOneDatabase() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("var/lib/dpkg/status.d"));
        Files.writeString(d.resolve("libc6"), "Package: libc6\nVersion: 2.36-9+deb12u14\nArchitecture: amd64\nSource: glibc\n");
        Files.writeString(d.resolve("libc6.md5sums"), "d41d8cd98f00b204e9800998ecf8427e  lib/x86_64-linux-gnu/libc.so.6\n");
        Files.writeString(d.resolve("libssl3"), "Package: libssl3\nVersion: 3.0.19-1~deb12u2\nArchitecture: amd64\nSource: openssl\n"
                + "Depends: libc6 (>= 2.34)\n");
        Catalog c = Catalogers.catalogDirectory(tmp, Limits.defaults());
        assertThat(c.warnings()).isEmpty();
        String db = "var/lib/dpkg/status.d";
        assertThat(c.packages()).extracting(SbomPackage::ref).containsExactlyInAnyOrder(db + "#libc6:amd64", db + "#libssl3:amd64");
        JsonNode bom = Boms.cyclonedx("distroless", c);
        assertThat(dependsOn(bom, db + "#libssl3:amd64")).containsExactly(db + "#libc6:amd64");
        assertThat(Boms.purls(bom)).contains("pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&upstream=openssl");
    }

    @Test
    void apkDatabaseGivesPackagesLicensesProvidersAndTheControlChecksumAsAProperty() {
        Catalog catalog = Catalogers.catalogDirectory(Boms.resource("alpine"), Limits.defaults());
        assertThat(catalog.warnings()).isEmpty();
        assertThat(catalog.packages()).hasSize(9);
        JsonNode bom = Boms.cyclonedx("alpine", catalog);
        assertThat(bom.path("components")).hasSize(9);
        assertThat(Boms.purls(bom)).contains("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64",
                "pkg:apk/alpine/libcrypto3@3.3.1-r3?arch=x86_64&upstream=openssl", "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64");
        JsonNode musl = component(bom, APK + "#musl");
        assertThat(musl.path("licenses").get(0).path("license").path("id").asText()).isEqualTo("MIT");
        // C:Q1... is base64 SHA-1 of the control segment, decoded here independently of the cataloger's decoder
        assertThat(property(musl, "releasegate:apk:control-sha1")).isEqualTo("6ec7e8156e1d3a48401185690dda4cb0e585528f");
        assertThat(musl.has("hashes")).isFalse();
        // so:, cmd: and /bin/sh dependencies resolve to the package that provides them; !conflicts are not edges
        assertThat(dependsOn(bom, APK + "#busybox")).containsExactly(APK + "#musl");
        assertThat(dependsOn(bom, APK + "#alpine-baselayout")).containsExactlyInAnyOrder(APK + "#alpine-baselayout-data", APK + "#busybox");
        assertThat(dependsOn(bom, APK + "#apk-tools")).containsExactlyInAnyOrder(APK + "#musl", APK + "#ca-certificates-bundle",
                APK + "#libcrypto3", APK + "#libssl3", APK + "#zlib");
        assertThat(component(bom, APK + "#ca-certificates-bundle").path("licenses").get(0).path("license").path("name").asText())
                .isEqualTo("MPL-2.0 AND MIT");
    }

    @Test
    void malformedDatabasesAreWarnings() {
        Catalog apk = ApkCataloger.catalog(APK, new ByteArrayInputStream("V:1.0\nA:x86_64\n\nC:Q1!!notbase64\nP:x\nV:1\n".getBytes(
                StandardCharsets.UTF_8)), "alpine", Limits.defaults());
        assertThat(apk.packages()).extracting(SbomPackage::name).containsExactly("x");
        assertThat(apk.warnings()).hasSize(2);
        Catalog dpkg = DpkgCataloger.catalog(DPKG, new ByteArrayInputStream("Status: install ok installed\nVersion: 1\n".getBytes(
                StandardCharsets.UTF_8)), "debian", Limits.defaults());
        assertThat(dpkg.packages()).isEmpty();
        assertThat(dpkg.warnings()).singleElement().asString().contains("without Package");
    }

    /** Fields that are nothing but separators (found by fuzzing): passed over, never an internal error. */
    @Test
    void fieldsOfSeparatorsOnlyArePassedOver() {
        Catalog apk = ApkCataloger.catalog(APK, new ByteArrayInputStream("P:x\nV:1\nD:= ~ lib\np:= so:libz.so.1\n\nP:lib\nV:2\n"
                .getBytes(StandardCharsets.UTF_8)), "alpine", Limits.defaults());
        assertThat(apk.packages()).extracting(SbomPackage::name).containsExactly("x", "lib");
        Catalog dpkg = DpkgCataloger.catalog(DPKG, new ByteArrayInputStream(("Package: x\nStatus: install ok installed\nVersion: 1\n"
                + "Provides: (, :\nDepends: (, :, <\nSource:  \n").getBytes(StandardCharsets.UTF_8)), "debian", Limits.defaults());
        assertThat(dpkg.packages()).extracting(SbomPackage::name).containsExactly("x");
    }
}

package io.releasegate.sbom;

import static io.releasegate.sbom.Boms.dependsOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciCatalogerTest {

    @TempDir
    Path tmp;

    /** One tar entry: a file (content), a directory (null content), or a link. */
    record E(String name, byte[] content, byte type, String link) {
        static E file(String name, byte[] content) {
            return new E(name, content, TarArchiveEntry.LF_NORMAL, "");
        }

        static E file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        static E dir(String name) {
            return new E(name, null, TarArchiveEntry.LF_DIR, "");
        }

        static E symlink(String name, String target) {
            return new E(name, null, TarArchiveEntry.LF_SYMLINK, target);
        }

        static E hardlink(String name, String target) {
            return new E(name, null, TarArchiveEntry.LF_LINK, target);
        }
    }

    static byte[] tar(List<E> entries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (E e : entries) {
                TarArchiveEntry te = new TarArchiveEntry(e.name(), e.type(), true);
                te.setModTime(0);
                if (e.type() == TarArchiveEntry.LF_SYMLINK || e.type() == TarArchiveEntry.LF_LINK) {
                    te.setLinkName(e.link());
                }
                if (e.content() != null) {
                    te.setSize(e.content().length);
                }
                t.putArchiveEntry(te);
                if (e.content() != null) {
                    t.write(e.content());
                }
                t.closeArchiveEntry();
            }
        }
        return bos.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
            g.write(b);
        }
        return bos.toByteArray();
    }

    static Digest blob(Path layout, byte[] content) throws IOException {
        Digest d = Digester.of(content);
        Path p = layout.resolve("blobs/sha256/" + d.hex());
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return d;
    }

    /** A layout holding one image with these layers (gzip when the flag says so), tagged {@code ref}. */
    static Digest layout(Path layout, String ref, List<byte[]> layers, List<Boolean> gzipped) throws IOException {
        Files.createDirectories(layout);
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ObjectNode config = Json.object().put("architecture", "amd64").put("os", "linux");
        ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        ObjectNode manifest = Json.object().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        ArrayNode ls = manifest.putArray("layers");
        for (int i = 0; i < layers.size(); i++) {
            byte[] raw = layers.get(i);
            byte[] stored = gzipped.get(i) ? gzip(raw) : raw;
            diffIds.add(Digester.of(raw).toString());
            Digest d = blob(layout, stored);
            ls.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar" + (gzipped.get(i) ? "+gzip" : ""))
                    .put("digest", d.toString()).put("size", stored.length);
        }
        byte[] configBytes = Json.bytes(config);
        Digest configDigest = blob(layout, configBytes);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest.toString()).put("size", configBytes.length);
        // key order as written: schemaVersion, mediaType, layers, config
        byte[] manifestBytes = Json.bytes(manifest);
        Digest md = blob(layout, manifestBytes);
        ObjectNode index = Json.object().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", md.toString()).put("size", manifestBytes.length)
                .putObject("annotations").put(OciCataloger.REF_NAME, ref);
        Files.write(layout.resolve("index.json"), Json.bytes(index));
        return md;
    }

    static byte[] res(String path) throws IOException {
        return Files.readAllBytes(Boms.resource(path));
    }

    @Test
    void anImageLayoutIsCatalogedFromItsFinalFilesystemWithWhiteoutsApplied() throws Exception {
        String site = "usr/lib/python3/site-packages/";
        byte[] appJar = SbomTest.mavenJar("com.example", "payments", "1.0.0", "Apache-2.0", Map.of());
        byte[] oldJar = SbomTest.mavenJar("org.old", "old", "0.1", "MIT", Map.of());
        byte[] hidden = SbomTest.mavenJar("org.hidden", "hidden", "0.2", "MIT", Map.of());
        byte[] base = tar(List.of(E.dir("etc/"), E.file("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"),
                E.dir("var/"), E.dir("var/lib/"), E.dir("var/lib/dpkg/"), E.file("var/lib/dpkg/status", res("debian/var/lib/dpkg/status")),
                E.file(site + "requests-2.34.2.dist-info/METADATA", res("python/" + site + "requests-2.34.2.dist-info/METADATA")),
                E.file(site + "requests-2.34.2.dist-info/RECORD", res("python/" + site + "requests-2.34.2.dist-info/RECORD")),
                E.file(site + "idna-3.20.dist-info/METADATA", res("python/" + site + "idna-3.20.dist-info/METADATA")),
                E.file(site + "certifi-2026.7.22.dist-info/METADATA", res("python/" + site + "certifi-2026.7.22.dist-info/METADATA")),
                E.file("app/lib/old-0.1.jar", oldJar), E.file("opt/tool/package-lock.json", res("npm/v2/package-lock.json")),
                E.file("srv/data/hidden-0.2.jar", hidden)));
        byte[] app = tar(List.of(E.file("app/package-lock.json", res("npm/v3/package-lock.json")), E.file("app/lib/.wh.old-0.1.jar", ""),
                E.file("app/payments.jar", appJar), E.file("opt/.wh.tool", ""), E.dir("srv/data/"), E.file("srv/data/.wh..wh..opq", ""),
                E.file(site + ".wh.certifi-2026.7.22.dist-info", ""), E.symlink("etc/alternatives/awk", "/usr/bin/mawk")));
        Path layoutDir = tmp.resolve("layout");
        Digest manifest = layout(layoutDir, "payments:1.0.0", List.of(base, app), List.of(true, false));

        // an independent reader agrees on what the layout holds
        Process p = new ProcessBuilder("skopeo", "inspect", "--raw", "oci:" + layoutDir + ":payments:1.0.0").start();
        byte[] raw = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(Digester.of(raw)).isEqualTo(manifest);
        assertThat(Json.mapper().readTree(raw).path("layers")).hasSize(2);

        OciCataloger.Image image = OciCataloger.catalog(layoutDir, Optional.of("payments:1.0.0"), Limits.defaults());
        assertThat(image.manifest()).isEqualTo(manifest);
        assertThat(image.refName()).contains("payments:1.0.0");
        Catalog c = image.catalog();
        assertThat(c.warnings()).isEmpty();
        List<String> ecosystems = c.packages().stream().map(SbomPackage::ecosystem).toList();
        assertThat(ecosystems.stream().filter("deb"::equals)).hasSize(12);
        assertThat(ecosystems.stream().filter("npm"::equals)).hasSize(10);
        assertThat(ecosystems.stream().filter("pypi"::equals)).hasSize(2); // certifi whited out
        assertThat(ecosystems.stream().filter("maven"::equals)).hasSize(1); // old.jar whited out, hidden.jar under an opaque dir
        assertThat(c.packages()).extracting(SbomPackage::foundIn).doesNotContain("opt/tool/package-lock.json", "app/lib/old-0.1.jar",
                "srv/data/hidden-0.2.jar");

        SbomSubject subject = SbomSubject.release("registry.example/payments", "1.0.0", image.manifest(), Instant.parse("2026-11-02T10:00:00Z"));
        JsonNode bom = Json.mapper().readTree(CycloneDxWriter.write(subject, c));
        assertThat(bom.path("metadata").path("component").path("hashes").get(0).path("content").asText()).isEqualTo(manifest.hex());
        assertThat(bom.path("components")).hasSize(25);
        assertThat(Boms.purls(bom)).contains("pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&upstream=glibc",
                "pkg:pypi/requests@2.34.2", "pkg:pypi/idna@3.20", "pkg:npm/debug@2.6.9", "pkg:maven/com.example/payments@1.0.0");
        assertThat(dependsOn(bom, site.substring(0, site.length() - 1) + "#pypi/requests"))
                .containsExactly(site.substring(0, site.length() - 1) + "#pypi/idna");
        assertThat(dependsOn(bom, "app/package-lock.json#node_modules/debug")).containsExactly("app/package-lock.json#node_modules/debug/node_modules/ms");
        assertThat(Boms.hash(Boms.component(bom, "app/payments.jar"), "SHA-256")).isEqualTo(Digester.of(appJar).hex());

        // the same layout as a tar, through the dispatcher
        Path tarFile = tmp.resolve("image.tar");
        List<E> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(layoutDir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                entries.add(E.file(layoutDir.relativize(f).toString(), Files.readAllBytes(f)));
            }
        }
        Files.write(tarFile, tar(entries));
        try (InputStream in = Files.newInputStream(tarFile)) {
            Catalog fromTar = Catalogers.catalog("image.tar", in, Limits.defaults());
            // what is inside the tar is named inside it, so two images in one SBOM keep their refs apart
            assertThat(fromTar.packages()).hasSameSizeAs(c.packages()).allMatch(x -> x.ref().startsWith("image.tar!/")
                    && x.foundIn().startsWith("image.tar!/") && x.dependsOn().stream().allMatch(d -> d.startsWith("image.tar!/")));
            assertThat(Catalogers.within("image.tar", c)).isEqualTo(fromTar);
            assertThat(fromTar.warnings()).isEmpty();
        }
        // a layout tar written by skopeo (oci-archive) reads the same
        Path archive = tmp.resolve("skopeo-archive.tar");
        Process copy = new ProcessBuilder("skopeo", "copy", "--quiet", "oci:" + layoutDir + ":payments:1.0.0",
                "oci-archive:" + archive + ":payments:1.0.0").redirectErrorStream(true).start();
        String copyOut = new String(copy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(copy.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(copy.exitValue()).as(copyOut).isZero();
        Process inspect = new ProcessBuilder("skopeo", "inspect", "--raw", "oci-archive:" + archive + ":payments:1.0.0").start();
        byte[] copiedManifest = inspect.getInputStream().readAllBytes();
        assertThat(inspect.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(inspect.exitValue()).isZero();
        try (InputStream in = Files.newInputStream(archive)) {
            OciCataloger.Image copied = OciCataloger.catalogTar("skopeo-archive.tar", in, Optional.of("payments:1.0.0"), Limits.defaults());
            // skopeo writes the manifest anew: the subject is the manifest as it is in this archive
            assertThat(copied.manifest()).isEqualTo(Digester.of(copiedManifest));
            assertThat(copied.catalog()).isEqualTo(c);
        }
        // and a directory walk of the layout is the image too
        assertThat(Catalogers.catalogDirectory(layoutDir, Limits.defaults()).packages()).isEqualTo(c.packages());
    }

    @Test
    void hostileLayersAreWarningsNeverEscapesOrCrashes() throws Exception {
        byte[] evil = tar(List.of(E.file("../../escape/package-lock.json", "{}"), E.file("/abs/lib/apk/db/installed", "P:abs\nV:1\n\n"),
                E.symlink("etc/passwd-link", "../../../../etc/passwd"), E.file("ok/Cargo.lock", "version = 4\n"),
                E.hardlink("copy/Cargo.lock", "ok/Cargo.lock"), E.hardlink("lost/app.jar", "nowhere/app.jar")));
        byte[] good = tar(List.of(E.file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\nA:x86_64\n\n")));
        byte[] noise = new byte[200_000];
        new java.util.Random(7).nextBytes(noise);
        byte[] truncated = java.util.Arrays.copyOf(gzip(tar(List.of(E.file("big.bin", noise)))), 70_000);
        Path layoutDir = tmp.resolve("evil");
        layout(layoutDir, "evil", List.of(evil, good, truncated), List.of(false, true, false));
        // the third layer is truncated gzip labelled as a plain tar: the magic bytes decide how it is read
        Catalog c = OciCataloger.catalog(layoutDir, Optional.empty(), Limits.defaults()).catalog();
        assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("escapes the root (path traversal)"))
                .anySatisfy(w -> assertThat(w).contains("absolute entry name /abs/lib/apk/db/installed"))
                .anySatisfy(w -> assertThat(w).contains("points outside the image root"))
                .anySatisfy(w -> assertThat(w).contains("hard link lost/app.jar -> nowhere/app.jar"))
                .anySatisfy(w -> assertThat(w).contains("copy/Cargo.lock: no [[package]] entries"))
                .anySatisfy(w -> assertThat(w).contains("layer 3").contains("truncated"));
        assertThat(c.packages()).extracting(SbomPackage::name).containsExactlyInAnyOrder("abs", "musl");
        assertThat(tmp.resolve("escape")).doesNotExist();
        assertThat(tmp.getParent().resolve("escape")).doesNotExist();

        // limits: a decompression bomb, too many entries, an entry beyond the size limit
        Path bombDir = tmp.resolve("bomb");
        layout(bombDir, "bomb", List.of(tar(List.of(E.file("zeros", new byte[32 << 20])))), List.of(true));
        assertThat(OciCataloger.catalog(bombDir, Optional.empty(), Limits.defaults()).catalog().warnings())
                .anySatisfy(w -> assertThat(w).contains("compression ratio above 200:1"));
        Path many = tmp.resolve("many");
        List<E> lots = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lots.add(E.file("f" + i, "x"));
        }
        layout(many, "many", List.of(tar(lots)), List.of(false));
        Limits small = new Limits(8, 1 << 20, 20, 1 << 20, 200);
        assertThat(OciCataloger.catalog(many, Optional.empty(), small).catalog().warnings())
                .anySatisfy(w -> assertThat(w).contains("more than 20 entries"));
        Path huge = tmp.resolve("huge");
        layout(huge, "huge", List.of(tar(List.of(E.file("big.bin", new byte[2 << 20])))), List.of(false));
        assertThat(OciCataloger.catalog(huge, Optional.empty(), small).catalog().warnings())
                .anySatisfy(w -> assertThat(w).contains("big.bin is 2097152 bytes, beyond the limit"));

        // a blob that does not match its digest
        Path tampered = tmp.resolve("tampered");
        byte[] layer = tar(List.of(E.file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n\n")));
        layout(tampered, "t", List.of(layer), List.of(false));
        Path blob = tampered.resolve("blobs/sha256/" + Digester.of(layer).hex());
        byte[] changed = tar(List.of(E.file("lib/apk/db/installed", "P:musl\nV:6.6.6-r0\n\n")));
        Files.write(blob, changed);
        assertThat(OciCataloger.catalog(tampered, Optional.empty(), Limits.defaults()).catalog().warnings())
                .anySatisfy(w -> assertThat(w).contains("does not match its digest"));
    }

    @Test
    void fromAMultiPlatformIndexTheLinuxAmd64ImageIsCataloged() throws Exception {
        Path scratch = tmp.resolve("scratch");
        Digest arm = layout(scratch.resolve("arm"), "x", List.of(tar(List.of(E.file("lib/apk/db/installed", "P:musl\nV:1-arm\nA:aarch64\n\n")))),
                List.of(true));
        Digest amd = layout(scratch.resolve("amd"), "x", List.of(tar(List.of(E.file("lib/apk/db/installed", "P:musl\nV:1-amd\nA:x86_64\n\n")))),
                List.of(true));
        Path layoutDir = tmp.resolve("multi");
        Files.createDirectories(layoutDir.resolve("blobs/sha256"));
        for (Path part : List.of(scratch.resolve("arm"), scratch.resolve("amd"))) {
            try (Stream<Path> s = Files.list(part.resolve("blobs/sha256"))) {
                for (Path b : s.toList()) {
                    Files.copy(b, layoutDir.resolve("blobs/sha256").resolve(b.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        ObjectNode index = Json.object().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode ms = index.putArray("manifests");
        ms.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json").put("digest", arm.toString())
                .put("size", Files.size(layoutDir.resolve("blobs/sha256/" + arm.hex())))
                .putObject("platform").put("os", "linux").put("architecture", "arm64");
        ms.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json").put("digest", amd.toString())
                .put("size", Files.size(layoutDir.resolve("blobs/sha256/" + amd.hex())))
                .putObject("platform").put("os", "linux").put("architecture", "amd64");
        byte[] indexBytes = Json.bytes(index);
        Digest indexDigest = blob(layoutDir, indexBytes);
        Files.writeString(layoutDir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ObjectNode top = Json.object().put("schemaVersion", 2);
        top.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.index.v1+json")
                .put("digest", indexDigest.toString()).put("size", indexBytes.length).putObject("annotations").put(OciCataloger.REF_NAME, "multi");
        Files.write(layoutDir.resolve("index.json"), Json.bytes(top));

        OciCataloger.Image image = OciCataloger.catalog(layoutDir, Optional.of("multi"), Limits.defaults());
        assertThat(image.manifest()).isEqualTo(amd);
        assertThat(image.catalog().packages()).extracting(p -> p.version().orElseThrow()).containsExactly("1-amd");
        Boms.cyclonedx("multi", image.catalog());

        // without a linux/amd64 image there is no choice to make
        ((ObjectNode) ms.get(1).path("platform")).put("architecture", "s390x");
        byte[] other = Json.bytes(index);
        Digest otherDigest = blob(layoutDir, other);
        ((ObjectNode) top.path("manifests").get(0)).put("digest", otherDigest.toString()).put("size", other.length);
        Files.write(layoutDir.resolve("index.json"), Json.bytes(top));
        assertThatThrownBy(() -> OciCataloger.catalog(layoutDir, Optional.empty(), Limits.defaults()))
                .isInstanceOf(InputException.class).hasMessageContaining("has 2 images and not exactly one for linux/amd64");
    }

    @Test
    void whatIsNotAUsableLayoutIsAClearError() throws Exception {
        assertThatThrownBy(() -> OciCataloger.catalog(tmp, Optional.empty(), Limits.defaults()))
                .isInstanceOf(InputException.class).hasMessageContaining("not an OCI image layout");
        Path two = tmp.resolve("two");
        layout(two, "a", List.of(tar(List.of(E.file("x", "1")))), List.of(false));
        JsonNode index = Json.mapper().readTree(two.resolve("index.json").toFile());
        ((ArrayNode) index.path("manifests")).add(index.path("manifests").get(0).deepCopy());
        ((ObjectNode) index.path("manifests").get(1).path("annotations")).put(OciCataloger.REF_NAME, "b");
        Files.write(two.resolve("index.json"), Json.bytes(index));
        assertThatThrownBy(() -> OciCataloger.catalog(two, Optional.empty(), Limits.defaults()))
                .isInstanceOf(InputException.class).hasMessageContaining("2 images").hasMessageContaining("[a, b]");
        assertThat(OciCataloger.catalog(two, Optional.of("b"), Limits.defaults()).refName()).contains("b");
        // a tar that is not a layout, through the dispatcher: a warning
        Catalog notLayout = Catalogers.catalog("backup.tar", new java.io.ByteArrayInputStream(tar(List.of(E.file("a.txt", "x")))),
                Limits.defaults());
        assertThat(notLayout.warnings()).singleElement().asString().contains("not an OCI image layout");
        // a traversing name in the layout tar itself
        Catalog slip = Catalogers.catalog("slip.tar", new java.io.ByteArrayInputStream(tar(List.of(E.file("../../x", "y")))),
                Limits.defaults());
        assertThat(slip.warnings()).singleElement().asString().contains("path traversal");
    }

    @Test
    void aGoModuleAtTheImageRootIsReadWithItsGoSum() throws Exception {
        Path layoutDir = tmp.resolve("go-root");
        layout(layoutDir, "go", List.of(tar(List.of(E.file("go.mod", res("golang/go.mod")), E.file("go.sum", res("golang/go.sum"))))),
                List.of(true));
        Catalog c = OciCataloger.catalog(layoutDir, Optional.empty(), Limits.defaults()).catalog();
        assertThat(c.warnings()).noneSatisfy(w -> assertThat(w).contains("go.sum"));
        SbomPackage uuid = c.packages().stream().filter(p -> p.name().equals("github.com/google/uuid")).findFirst().orElseThrow();
        assertThat(uuid.properties()).containsEntry("releasegate:golang:h1", "h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=");
    }
}

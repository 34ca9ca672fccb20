package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few hostile archives through the commands themselves, {@code release-gate build-once} and {@code release-gate sbom}
 * (the whole corpus runs against the core in {@code HostileArchivesTest} and {@code HostileInputsTest}, with a small
 * heap): a warning and exit 0, or an input error and exit 2; never an internal error (exit 3).
 */
class HostileArchivesCommandTest {

    @TempDir
    Path tmp;

    static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (var e : new TreeMap<>(entries).entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setTime(0);
                ze.setMethod(ZipEntry.STORED);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                ze.setCrc(crc.getValue());
                ze.setSize(e.getValue().length);
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    static byte[] tar(Map<String, byte[]> files) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey(), TarArchiveEntry.LF_NORMAL, true);
                e.setModTime(0);
                e.setSize(f.getValue().length);
                t.putArchiveEntry(e);
                t.write(f.getValue());
                t.closeArchiveEntry();
            }
        }
        return bos.toByteArray();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The files of an OCI image layout with one image of this one (uncompressed) layer, path to bytes. */
    static Map<String, byte[]> layout(byte[] layer) throws Exception {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" + sha256(layer)
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        byte[] index = ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":"
                + "\"sha256:" + sha256(manifest) + "\",\"size\":" + manifest.length + "}]}").getBytes(StandardCharsets.UTF_8);
        files.put("blobs/sha256/" + sha256(layer), layer);
        files.put("blobs/sha256/" + sha256(config), config);
        files.put("blobs/sha256/" + sha256(manifest), manifest);
        files.put("index.json", index);
        return files;
    }

    @Test
    void anImageTarWithANulInAnEntryNameIsCatalogedWithAWarningNotAnInternalError() throws Exception {
        byte[] layer = tar(Map.of("a".repeat(120) + "\u0000/lib/apk/db/installed", "P:nul\nV:1\n\n".getBytes(StandardCharsets.UTF_8),
                "lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n\n".getBytes(StandardCharsets.UTF_8)));
        Path image = Files.write(tmp.resolve("image.tar"), tar(layout(layer)));

        CliRun r = CliRun.of("sbom", "--json", image.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = r.json();
        assertThat(doc.path("components").asInt()).isEqualTo(1);
        assertThat(doc.path("warnings").toString()).contains("contains a NUL character; ignored");
    }

    @Test
    void aReleaseWithZipSlipNamesIsPublishedAndItsSbomIgnoresThemWithAWarning() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        byte[] evil = zip(Map.of("META-INF/maven/org.evil/evil/pom.properties",
                "groupId=org.evil\nartifactId=evil\nversion=6\n".getBytes(StandardCharsets.UTF_8)));
        Files.write(ws.resolve("app.war"), zip(Map.of("C:\\evil-6.jar", evil, "../../evil-6.jar", evil, "WEB-INF/lib/evil-6.jar", evil)));
        String state = tmp.resolve("state").toString();
        CliRun built = CliRun.of("build-once", "--state-dir", state, "--workspace", ws.toString(), "--actor", "ci", "--name", "app",
                "--version", "1.0.0", "app.war");
        assertThat(built.exit()).as(built.err()).isZero();

        CliRun r = CliRun.of("sbom", "--json", "--state-dir", state, "app@1.0.0");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("components").asInt()).isEqualTo(2); // the war and WEB-INF/lib/evil-6.jar
        List<String> warnings = Json.mapper().convertValue(r.json().path("warnings"), List.class);
        assertThat(warnings).containsExactlyInAnyOrder("app.war: entry name ../../evil-6.jar escapes the archive (zip-slip); ignored",
                "app.war: entry name C:\\evil-6.jar escapes the archive (zip-slip); ignored");
    }

    @Test
    void anImageLayoutWhoseLayerIsASymbolicLinkToAFileOutsideIsRefusedAndNothingRecorded() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        byte[] secret = "a file outside the workspace".getBytes(StandardCharsets.UTF_8);
        Path outside = Files.write(tmp.resolve("secret"), secret);
        for (var f : layout(secret).entrySet()) {
            Path p = ws.resolve("image").resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        Path layer = ws.resolve("image/blobs/sha256/" + sha256(secret));
        Files.delete(layer);
        Files.createSymbolicLink(layer, outside);
        String state = tmp.resolve("state").toString();

        CliRun r = CliRun.of("build-once", "--state-dir", state, "--workspace", ws.toString(), "--actor", "ci", "--name", "image",
                "--version", "1.0.0", "image");

        assertThat(r.exit()).as(r.out()).isEqualTo(2);
        assertThat(r.err()).contains("is a symbolic link pointing outside the layout");
        CliRun inspect = CliRun.of("inspect", "--json", "--state-dir", state, "image@1.0.0");
        assertThat(inspect.exit()).isNotZero();
    }
}

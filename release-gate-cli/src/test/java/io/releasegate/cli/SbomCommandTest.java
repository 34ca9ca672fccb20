package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.sbom.SpdxWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbomCommandTest {

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (var e : new TreeMap<>(entries).entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setTime(0);
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    static byte[] mavenJar(String g, String a, String v, Map<String, byte[]> more) throws Exception {
        Map<String, byte[]> m = new TreeMap<>(more);
        m.put("META-INF/maven/" + g + "/" + a + "/pom.properties",
                ("groupId=" + g + "\nartifactId=" + a + "\nversion=" + v + "\n").getBytes(StandardCharsets.UTF_8));
        m.put("META-INF/maven/" + g + "/" + a + "/pom.xml",
                "<project><licenses><license><name>MIT</name></license></licenses></project>".getBytes(StandardCharsets.UTF_8));
        return zip(m);
    }

    static byte[] war() throws Exception {
        return mavenJar("com.example", "shop", "2.0.0", Map.of("WEB-INF/lib/lib-a-1.2.3.jar", mavenJar("org.example", "lib-a", "1.2.3",
                Map.of("lib/deep-0.1.jar", mavenJar("org.deep", "deep", "0.1", Map.of())))));
    }

    static String[] list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void aPublishedReleaseInBothFormatsStoredRecordedAndWritten() throws Exception {
        String state = tmp.resolve("state").toString();
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.write(ws.resolve("shop.war"), war());
        Run built = run("build-once", "--json", "--state-dir", state, "--workspace", ws.toString(), "--actor", "ci", "--name", "shop",
                "--version", "2.0.0", "shop.war");
        assertThat(built.exit()).as(built.err()).isZero();
        String digest = built.json().path("digest").asText();

        Path out = tmp.resolve("out");
        Run r = run("sbom", "--json", "--state-dir", state, "--out", out.toString(), "shop@2.0.0");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = r.json();
        assertThat(doc.path("documents").findValuesAsText("format")).containsExactly("cyclonedx", "spdx");
        assertThat(doc.path("documents").get(1).path("mediaType").asText()).isEqualTo("application/spdx+json");
        assertThat(doc.path("documents").get(1).path("referrer").asText()).matches("sha256:[0-9a-f]{64}");
        assertThat(doc.path("components").asInt()).isEqualTo(3);
        assertThat(list(out)).containsExactly("sbom.cdx.json", "sbom.spdx.json");
        byte[] spdx = Files.readAllBytes(out.resolve("sbom.spdx.json"));
        assertThat(SpdxWriter.schemaErrors(spdx)).isEmpty();
        assertThat(SpdxWriter.describedSha256(spdx)).contains(digest.substring("sha256:".length()));
        assertThat(doc.path("documents").get(1).path("digest").asText()).isEqualTo("sha256:" + CliTest.sha256sum(out.resolve("sbom.spdx.json")));

        // the release record lists both documents
        Run inspect = run("inspect", "--json", "--state-dir", state, "shop@2.0.0");
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains(doc.path("documents").get(1).path("digest").asText());

        // only SPDX, human output
        Run only = run("sbom", "--format", "spdx", "--state-dir", state, "shop@2.0.0");
        assertThat(only.exit()).as(only.err()).isZero();
        assertThat(only.out()).startsWith("SPDX 2.3 SBOM of shop@2.0.0: 3 component(s), " + doc.path("documents").get(1).path("digest").asText())
                .doesNotContain("CycloneDX");

        // refusals are input errors: unknown format, unknown version; nothing written
        Path none = tmp.resolve("none");
        Run bad = run("sbom", "--format", "swid", "--state-dir", state, "--out", none.toString(), "shop@2.0.0");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown SBOM format 'swid'");
        Run unknown = run("sbom", "--state-dir", state, "--out", none.toString(), "shop@9.9.9");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown release shop@9.9.9");
        assertThat(Files.exists(none)).isFalse();
    }

    @Test
    void localFiles() throws Exception {
        Path war = Files.write(tmp.resolve("shop.war"), war());
        Path out = tmp.resolve("out");
        Run r = run("sbom", "--format", "spdx", "--out", out.toString(), "--version", "2.0.0", war.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("SPDX 2.3 SBOM of shop.war (sha256:" + CliTest.sha256sum(war) + "): 3 component(s)")
                .contains("wrote " + out.resolve("sbom.spdx.json"));
        assertThat(list(out)).containsExactly("sbom.spdx.json");
        JsonNode doc = Json.mapper().readTree(out.resolve("sbom.spdx.json").toFile());
        assertThat(doc.path("name").asText()).isEqualTo("shop.war@2.0.0");
        assertThat(SpdxWriter.describedSha256(Files.readAllBytes(out.resolve("sbom.spdx.json")))).contains(CliTest.sha256sum(war));
        assertThat(doc.path("relationships").findValuesAsText("relationshipType")).contains("DESCRIBES", "CONTAINS");

        // same files, same bytes
        Path again = tmp.resolve("again");
        assertThat(run("sbom", "--format", "spdx", "--out", again.toString(), "--version", "2.0.0", war.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(again.resolve("sbom.spdx.json"))).isEqualTo(Files.readAllBytes(out.resolve("sbom.spdx.json")));

        // several files need --name; --json prints the documents
        Path jar = Files.write(tmp.resolve("lib.jar"), mavenJar("g", "lib", "1", Map.of()));
        Run noName = run("sbom", "--json", war.toString(), jar.toString());
        assertThat(noName.exit()).isEqualTo(2);
        assertThat(noName.out() + noName.err()).contains("--name");
        Run two = run("sbom", "--json", "--name", "bundle", war.toString(), jar.toString());
        assertThat(two.exit()).as(two.err()).isZero();
        assertThat(two.json().path("subject").asText()).isEqualTo("bundle");
        assertThat(two.json().path("documents").findValuesAsText("format")).containsExactly("cyclonedx", "spdx");
        assertThat(two.json().path("components").asInt()).isEqualTo(4);
        assertThat(two.json().path("written")).isEmpty();

        // missing file, no output chosen, --out that is a file: input errors, nothing half-written
        Run missing = run("sbom", "--out", out.toString(), tmp.resolve("nope.jar").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
        Run nowhere = run("sbom", war.toString());
        assertThat(nowhere.exit()).isEqualTo(2);
        assertThat(nowhere.err()).contains("--out");
        Run notDir = run("sbom", "--out", war.toString(), war.toString());
        assertThat(notDir.exit()).isEqualTo(2);
        assertThat(notDir.err()).contains("not a directory");
        assertThat(list(out)).containsExactly("sbom.spdx.json");
        assertThat(run("sbom", "--help").out()).contains("--format").contains("--out").contains("NAME@VERSION|FILE");
    }

    @Test
    void aJarWithoutMavenMetadataIsIdentifiedInAMavenRepositoryAndTheEventSaysHowMany() throws Exception {
        byte[] bare = zip(Map.of("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n\n".getBytes(StandardCharsets.UTF_8),
                "x/Y.class", new byte[] {1, 2}));
        Path repo = Files.createDirectories(tmp.resolve("m2/io/micrometer/micrometer-commons/1.15.5"));
        Files.write(repo.resolve("micrometer-commons-1.15.5.jar"), bare);
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.write(ws.resolve("shop.war"), zip(Map.of("WEB-INF/lib/micrometer-commons-1.15.5.jar", bare)));
        String state = tmp.resolve("state").toString();
        assertThat(run("build-once", "--state-dir", state, "--workspace", ws.toString(), "--name", "shop", "--version", "2.0.0",
                "shop.war").exit()).isZero();

        Run without = run("sbom", "--json", "--state-dir", state, "--format", "cyclonedx", "--out", tmp.resolve("a").toString(), "shop@2.0.0");
        assertThat(without.exit()).as(without.err()).isZero();
        assertThat(Files.readString(tmp.resolve("a/sbom.cdx.json"))).doesNotContain("pkg:maven/io.micrometer/micrometer-commons@1.15.5");

        Run with = run("sbom", "--json", "--state-dir", state, "--format", "cyclonedx", "--maven-repo", tmp.resolve("m2").toString(),
                "--out", tmp.resolve("b").toString(), "shop@2.0.0");
        assertThat(with.exit()).as(with.err()).isZero();
        assertThat(Files.readString(tmp.resolve("b/sbom.cdx.json"))).contains("pkg:maven/io.micrometer/micrometer-commons@1.15.5");
        try (var ctx = io.releasegate.context.ReleaseContext.open(io.releasegate.context.ReleaseContext.Options.embedded(Path.of(state)))) {
            var events = ctx.ledger().events("shop@2.0.0").stream().filter(e -> e.type().equals("sbom-generated")).toList();
            assertThat(events).hasSize(2);
            assertThat(events.get(0).payload().has("identifiedInMavenRepository")).isFalse();
            assertThat(events.get(1).payload().path("identifiedInMavenRepository").asInt()).isEqualTo(1);
        }

        Run bad = run("sbom", "--state-dir", state, "--maven-repo", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("c").toString(),
                "shop@2.0.0");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("nowhere").contains("not a directory");
        assertThat(tmp.resolve("c")).doesNotExist();
    }

    @Test
    void signedSbomsVerifyAndOneFlippedByteInEitherIsRefused() throws Exception {
        Files.write(tmp.resolve("shop.war"), war());
        Path out = tmp.resolve("sboms");
        assertThat(run("sbom", "--out", out.toString(), tmp.resolve("shop.war").toString()).exit()).isZero();
        String[] pem = io.releasegate.signing.KeySigner.generatePem();
        Path key = Files.writeString(tmp.resolve("release.pem"), pem[0]);
        Path pub = Files.writeString(tmp.resolve("release.pub.pem"), pem[1]);
        Path cdx = out.resolve("sbom.cdx.json");
        Path spdx = out.resolve("sbom.spdx.json");
        assertThat(run("sign", "--key", key.toString(), cdx.toString(), spdx.toString()).exit()).isZero();
        for (Path doc : new Path[] {cdx, spdx}) {
            assertThat(run("verify", "--key", pub.toString(), doc.toString()).exit()).isZero();
            byte[] bytes = Files.readAllBytes(doc);
            bytes[bytes.length / 2] ^= 1;
            Files.write(doc, bytes);
            Run refused = run("verify", "--json", "--key", pub.toString(), doc.toString());
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.out() + refused.err()).contains("signature.mismatch").contains(doc.getFileName().toString());
        }
    }

    @Test
    void namingOptionsForFilesWithAReleaseOrAMissingFileAmongSeveralAreInputErrors() throws Exception {
        Run named = run("sbom", "--state-dir", tmp.resolve("state").toString(), "--name", "x", "shop@2.0.0");
        assertThat(named.exit()).isEqualTo(2);
        assertThat(named.err()).contains("--name and --version describe local files");
        Files.write(tmp.resolve("shop.war"), war());
        Run mixed = run("sbom", "--json", tmp.resolve("shop.war").toString(), "shop@2.0.0");
        assertThat(mixed.exit()).isEqualTo(2);
        assertThat(mixed.out() + mixed.err()).contains("'shop@2.0.0' is neither a file nor");
    }
}

package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spdx.tools.SpdxToolsHelper.SerFileType;
import org.spdx.tools.Verify;

class SpdxTest {

    @TempDir
    Path tmp;

    /** shop.war with WEB-INF/lib/lib-a.jar (Apache-2.0), which holds lib/deep.jar (a proprietary license). */
    static byte[] war() throws Exception {
        byte[] deep = SbomTest.mavenJar("org.deep", "deep", "0.1", "Proprietary", Map.of());
        byte[] lib = SbomTest.mavenJar("org.example", "lib-a", "1.2.3", "The Apache Software License, Version 2.0",
                Map.of("lib/deep-0.1.jar", deep));
        return SbomTest.mavenJar("com.example", "shop", "2.0.0", "MIT", Map.of("WEB-INF/lib/lib-a-1.2.3.jar", lib,
                "WEB-INF/web.xml", "<web-app/>".getBytes(StandardCharsets.UTF_8)));
    }

    /** The SPDX project's own verifier (tools-java): schema and model checks of the document as a file. */
    List<String> verify(byte[] spdx) throws Exception {
        Path f = Files.createTempFile(tmp, "sbom", ".spdx.json");
        Files.write(f, spdx);
        return Verify.verify(f.toString(), SerFileType.JSON);
    }

    @Test
    void aReleaseGetsBothDocumentsEachStoredAsAReferrerAndRecorded() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.write(ws.resolve("shop.war"), war());
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("state/store"));
        BuildResult built = new BuildOnce(store, ledger).name("shop").version("2.0.0").workspace(ws).outputs(List.of("shop.war"))
                .actor("ci").clock(Clock.fixed(Instant.parse("2026-11-02T10:00:00Z"), ZoneOffset.UTC)).call();

        GenerateSbom.Result r = GenerateSbom.call(store, ledger, "shop", "2.0.0", Optional.empty(), Limits.defaults(), "ci",
                Clock.systemUTC());
        assertThat(r.documents()).extracting(d -> d.document().format()).containsExactly(SbomFormat.CYCLONEDX, SbomFormat.SPDX);
        GenerateSbom.Stored stored = r.document(SbomFormat.SPDX).orElseThrow();
        byte[] spdx = stored.document().bytes();
        assertThat(SpdxWriter.schemaErrors(spdx)).isEmpty();
        assertThat(verify(spdx)).isEmpty();

        JsonNode doc = Json.mapper().readTree(spdx);
        assertThat(doc.path("spdxVersion").asText()).isEqualTo("SPDX-2.3");
        assertThat(doc.path("dataLicense").asText()).isEqualTo("CC0-1.0");
        assertThat(doc.path("creationInfo").path("created").asText()).isEqualTo("2026-11-02T10:00:00Z");
        assertThat(doc.path("name").asText()).isEqualTo("shop@2.0.0");
        // the document DESCRIBES the subject, which carries the artifact digest and its purl
        assertThat(relationships(doc, "DESCRIBES")).containsExactly("SPDXRef-DOCUMENT -> " + SpdxWriter.SUBJECT_ID);
        JsonNode subject = pkg(doc, SpdxWriter.SUBJECT_ID);
        assertThat(subject.path("checksums")).hasSize(1);
        assertThat(subject.path("checksums").get(0).path("algorithm").asText()).isEqualTo("SHA256");
        assertThat(subject.path("checksums").get(0).path("checksumValue").asText()).isEqualTo(built.digest().hex());
        assertThat(subject.path("versionInfo").asText()).isEqualTo("2.0.0");
        assertThat(subject.path("externalRefs").get(0).path("referenceLocator").asText())
                .isEqualTo("pkg:oci/shop@" + built.digest().toString().replace(":", "%3A"));
        // the nesting is CONTAINS: subject -> shop.war -> lib-a -> deep
        String war = idOf(doc, "shop");
        String libA = idOf(doc, "lib-a");
        String deep = idOf(doc, "deep");
        assertThat(relationships(doc, "CONTAINS")).contains(SpdxWriter.SUBJECT_ID + " -> " + war, war + " -> " + libA,
                libA + " -> " + deep);
        // every package: checksums, purl, declared license (listed id or LicenseRef), NOASSERTION for what is not known
        JsonNode lib = pkg(doc, libA);
        assertThat(lib.path("versionInfo").asText()).isEqualTo("1.2.3");
        assertThat(lib.path("licenseDeclared").asText()).isEqualTo("Apache-2.0");
        assertThat(lib.path("licenseConcluded").asText()).isEqualTo("NOASSERTION");
        assertThat(lib.path("externalRefs").get(0).path("referenceCategory").asText()).isEqualTo("PACKAGE-MANAGER");
        assertThat(lib.path("externalRefs").get(0).path("referenceType").asText()).isEqualTo("purl");
        assertThat(lib.path("externalRefs").get(0).path("referenceLocator").asText()).isEqualTo("pkg:maven/org.example/lib-a@1.2.3");
        assertThat(lib.path("checksums").findValuesAsText("algorithm")).containsExactly("SHA1", "SHA256");
        assertThat(pkg(doc, deep).path("licenseDeclared").asText()).startsWith("LicenseRef-Proprietary-");
        assertThat(doc.path("hasExtractedLicensingInfos").findValuesAsText("name")).containsExactly("Proprietary");
        assertThat(pkg(doc, war).path("licenseDeclared").asText()).isEqualTo("MIT");
        // the SPDX and CycloneDX documents describe the same packages
        JsonNode cdx = Json.mapper().readTree(r.document(SbomFormat.CYCLONEDX).orElseThrow().document().bytes());
        assertThat(doc.path("packages")).hasSize(cdx.path("components").size() + 1);
        assertThat(r.components()).isEqualTo(cdx.path("components").size());

        // stored as its own OCI artifact whose subject is the release manifest
        JsonNode referrer = Json.mapper().readTree(store.fetchManifest("shop", stored.referrer().toString()).orElseThrow().bytes());
        assertThat(referrer.path("artifactType").asText()).isEqualTo("application/spdx+json");
        assertThat(referrer.path("subject").path("digest").asText()).isEqualTo(built.digest().toString());
        assertThat(referrer.path("layers").get(0).path("annotations").path("org.opencontainers.image.title").asText())
                .isEqualTo("sbom.spdx.json");
        assertThat(referrer.path("layers").get(0).path("digest").asText()).isEqualTo(stored.document().digest().toString());
        assertThat(store.openBlob("shop", stored.document().digest()).readAllBytes()).isEqualTo(spdx);
        // one ledger event per document, naming format, digest, reference and component count
        List<Event> events = ledger.events("shop@2.0.0").stream().filter(e -> e.type().equals("sbom-generated")).toList();
        assertThat(events).extracting(e -> e.payload().path("format").asText()).containsExactly("cyclonedx", "spdx");
        Event spdxEvent = events.get(1);
        assertThat(spdxEvent.id()).isEqualTo(stored.eventId());
        assertThat(spdxEvent.digest()).contains(built.digest());
        assertThat(spdxEvent.payload().path("specVersion").asText()).isEqualTo("2.3");
        assertThat(spdxEvent.payload().path("sbomDigest").asText()).isEqualTo(stored.document().digest().toString());
        assertThat(spdxEvent.payload().path("reference").asText()).isEqualTo("shop@" + stored.referrer());
        assertThat(spdxEvent.payload().path("components").asInt()).isEqualTo(r.components());

        // deterministic: same input, same bytes, same namespace (derived from the content, no random UUID)
        GenerateSbom.Result again = GenerateSbom.call(store, ledger, "shop", "2.0.0", List.of(SbomFormat.SPDX), Optional.empty(),
                Limits.defaults(), "ci", Clock.systemUTC());
        assertThat(again.documents()).hasSize(1);
        assertThat(again.documents().get(0).document().bytes()).isEqualTo(spdx);
        assertThat(doc.path("documentNamespace").asText()).startsWith("https://releasegate.io/spdx/shop-2.0.0-")
                .doesNotContainPattern("[0-9a-f]{8}-[0-9a-f]{4}-");
        // SOURCE_DATE_EPOCH sets 'created'
        GenerateSbom.Result epoch = GenerateSbom.call(store, ledger, "shop", "2.0.0", List.of(SbomFormat.SPDX),
                Optional.of(Instant.ofEpochSecond(1_700_000_000L)), Limits.defaults(), "ci", Clock.systemUTC());
        assertThat(Json.mapper().readTree(epoch.documents().get(0).document().bytes()).path("creationInfo").path("created").asText())
                .isEqualTo("2023-11-14T22:13:20Z");
        ledger.close();
    }

    @Test
    void unknownFormatAndUnknownReleaseAreInputErrors() throws Exception {
        assertThatThrownBy(() -> SbomFormat.parse("swid")).isInstanceOf(InputException.class)
                .hasMessageContaining("unknown SBOM format 'swid'").hasMessageContaining("cyclonedx, spdx or both");
        assertThat(SbomFormat.parse("SPDX")).containsExactly(SbomFormat.SPDX);
        assertThat(SbomFormat.parse("both")).containsExactly(SbomFormat.CYCLONEDX, SbomFormat.SPDX);
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        OciLayoutStore store = OciLayoutStore.open(tmp.resolve("state/store"));
        assertThatThrownBy(() -> GenerateSbom.call(store, ledger, "shop", "9.9.9", Optional.empty(), Limits.defaults(), "ci",
                Clock.systemUTC())).isInstanceOf(InputException.class).hasMessageContaining("unknown release shop@9.9.9");
        assertThat(ledger.events("shop@9.9.9")).isEmpty();
        ledger.close();
    }

    @Test
    void dependenciesChecksumsAndLicensesFromACatalog() throws Exception {
        Map<String, String> hashes = Map.of("SHA-1", "a".repeat(40), "SHA-256", "b".repeat(64), "SHA-512", "c".repeat(128));
        List<SbomPackage> packages = List.of(
                pkg("lock#app", "application", "app", Optional.empty(), hashes, List.of("MIT OR Apache-2.0"), List.of("lock#left-pad", "lock#ghost")),
                pkg("lock#left-pad", "library", "left-pad", Optional.of("pkg:npm/left-pad@1.3.0"), Map.of(), List.of("WTFPL"),
                        List.of("lock#tslib")),
                pkg("lock#tslib", "library", "tslib", Optional.of("pkg:npm/tslib@2.6.2"), Map.of("SHA-512", "d".repeat(128)),
                        List.of("0BSD", "Custom License 1.0"), List.of()),
                pkg("lock#nolicense", "framework", "frame", Optional.empty(), Map.of(), List.of(), List.of("lock#nolicense")),
                pkg("lock#old", "library", "old", Optional.empty(), Map.of(), List.of("GPL-2.0"), List.of()));
        Catalog catalog = new Catalog(packages, List.of("lock#app"), List.of("something odd"));
        SbomSubject subject = new SbomSubject("lockfile", Optional.of("1"), Digester.of(new byte[] {1}), "pkg:generic/lockfile@1",
                Instant.parse("2026-01-02T03:04:05.678Z"));
        byte[] spdx = SpdxWriter.write(subject, catalog);
        assertThat(SpdxWriter.schemaErrors(spdx)).isEmpty();
        // a deprecated listed id is kept; the SPDX tools report it as a warning only
        assertThat(verify(spdx)).isNotEmpty().allSatisfy(m -> assertThat(m).contains("warning: GPL-2.0 is deprecated"));
        JsonNode doc = Json.mapper().readTree(spdx);
        assertThat(pkg(doc, idOf(doc, "old")).path("licenseDeclared").asText()).isEqualTo("GPL-2.0");
        assertThat(doc.path("creationInfo").path("created").asText()).isEqualTo("2026-01-02T03:04:05Z");
        String app = idOf(doc, "app");
        String leftPad = idOf(doc, "left-pad");
        String tslib = idOf(doc, "tslib");
        // DEPENDS_ON from dependsOn; refs not in the catalog and self-references are dropped
        assertThat(relationships(doc, "DEPENDS_ON")).containsExactly(app + " -> " + leftPad, leftPad + " -> " + tslib);
        // packages without a cataloged container are contained by the subject
        assertThat(relationships(doc, "CONTAINS")).containsExactlyInAnyOrder(SpdxWriter.SUBJECT_ID + " -> " + app,
                SpdxWriter.SUBJECT_ID + " -> " + leftPad, SpdxWriter.SUBJECT_ID + " -> " + tslib,
                SpdxWriter.SUBJECT_ID + " -> " + idOf(doc, "frame"), SpdxWriter.SUBJECT_ID + " -> " + idOf(doc, "old"));
        assertThat(pkg(doc, app).path("checksums").findValuesAsText("algorithm")).containsExactly("SHA1", "SHA256", "SHA512");
        assertThat(pkg(doc, app).path("checksums").findValuesAsText("checksumValue"))
                .containsExactly("a".repeat(40), "b".repeat(64), "c".repeat(128));
        assertThat(pkg(doc, app).path("primaryPackagePurpose").asText()).isEqualTo("APPLICATION");
        assertThat(pkg(doc, app).has("externalRefs")).isFalse();
        assertThat(pkg(doc, app).path("licenseDeclared").asText()).isEqualTo("MIT OR Apache-2.0");
        assertThat(pkg(doc, leftPad).path("licenseDeclared").asText()).isEqualTo("WTFPL");
        assertThat(pkg(doc, tslib).path("licenseDeclared").asText()).matches("\\(0BSD AND LicenseRef-Custom-License-1\\.0-[0-9a-f]{8}\\)");
        assertThat(pkg(doc, idOf(doc, "frame")).path("licenseDeclared").asText()).isEqualTo("NOASSERTION");
        assertThat(pkg(doc, idOf(doc, "frame")).path("primaryPackagePurpose").asText()).isEqualTo("FRAMEWORK");

        // the verifiers are not blind: a document without a name or with a malformed checksum is rejected
        com.fasterxml.jackson.databind.node.ObjectNode broken = (com.fasterxml.jackson.databind.node.ObjectNode) doc.deepCopy();
        broken.remove("name");
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("packages").get(0).path("checksums").get(0))
                .put("checksumValue", "not-hex");
        assertThat(SpdxWriter.schemaErrors(Json.bytes(broken))).isNotEmpty();
        assertThat(verify(Json.bytes(broken))).anySatisfy(m -> assertThat(m).containsIgnoringCase("checksum"));

        // canonical order: reordering the input changes nothing; a change of content changes the namespace
        List<SbomPackage> reversed = new ArrayList<>(packages);
        java.util.Collections.reverse(reversed);
        assertThat(SpdxWriter.write(subject, new Catalog(reversed, List.of("lock#app"), List.of()))).isEqualTo(spdx);
        byte[] other = SpdxWriter.write(subject, new Catalog(packages.subList(0, 4), List.of("lock#app"), List.of()));
        assertThat(Json.mapper().readTree(other).path("documentNamespace").asText())
                .isNotEqualTo(doc.path("documentNamespace").asText());
    }

    @Test
    void hostileInputStillGivesAValidDocument() throws Exception {
        // a zip bomb, absurd nesting, a truncated jar and traversing names: warnings, and still a valid SPDX document
        byte[] bomb = SbomTest.jar(Map.of("zeros.bin", new byte[16 << 20]));
        byte[] nested = SbomTest.mavenJar("g", "leaf", "1", "MIT", Map.of());
        for (int i = 0; i < 10; i++) {
            nested = SbomTest.jar(Map.of("lib/n" + i + ".jar", nested));
        }
        byte[] good = SbomTest.mavenJar("g", "a", "1", "MIT", Map.of("big.bin", new byte[100_000]));
        byte[] cut = java.util.Arrays.copyOf(good, good.length / 3);
        byte[] slip = SbomTest.jar(Map.of("../../evil.sh", "x".getBytes(StandardCharsets.UTF_8),
                "lib/we ird n\u00e4me (1).jar", SbomTest.mavenJar("g h", "x|b", "1 0", "<script>", Map.of())));
        Catalog catalog = Stream.of(
                        JvmCataloger.catalog("bomb.jar", new ByteArrayInputStream(bomb), Limits.defaults()),
                        JvmCataloger.catalog("deep.jar", new ByteArrayInputStream(nested), Limits.defaults()),
                        JvmCataloger.catalog("cut.jar", new ByteArrayInputStream(cut), Limits.defaults()),
                        JvmCataloger.catalog("slip.jar", new ByteArrayInputStream(slip), Limits.defaults()))
                .reduce(Catalog.empty(), Catalog::plus)
                // what a careless cataloger might report: no name, a checksum that is not one, a purl that is not one
                .plus(new Catalog(List.of(new SbomPackage("odd", "library", "npm", " ", Optional.empty(), Optional.of("?"),
                        Optional.of("not a purl"), "odd", Map.of("SHA-256", "ZZ-not-hex", "SHA-1", "A".repeat(40)), List.of(" ", "MIT"),
                        Optional.of("missing-parent"), List.of("missing", "odd"))), List.of("odd", "nowhere"), List.of()));
        assertThat(catalog.warnings()).hasSizeGreaterThanOrEqualTo(4);
        SbomSubject subject = new SbomSubject("hostile \"name\"/x", Optional.empty(), Digester.of(slip), "pkg:generic/hostile",
                Instant.EPOCH);
        byte[] spdx = SpdxWriter.write(subject, catalog);
        assertThat(SpdxWriter.schemaErrors(spdx)).isEmpty();
        assertThat(verify(spdx)).isEmpty();
        JsonNode doc = Json.mapper().readTree(spdx);
        for (JsonNode p : doc.path("packages")) {
            assertThat(p.path("SPDXID").asText()).matches("SPDXRef-[A-Za-z0-9.\\-]+");
        }
        assertThat(doc.path("packages").size()).isEqualTo(catalog.packages().size() + 1);
        JsonNode odd = pkg(doc, idOf(doc, "odd"));
        assertThat(odd.has("checksums")).isFalse();
        assertThat(odd.has("externalRefs")).isFalse();
        assertThat(odd.path("licenseDeclared").asText()).isEqualTo("MIT");
        assertThat(relationships(doc, "CONTAINS")).contains(SpdxWriter.SUBJECT_ID + " -> " + odd.path("SPDXID").asText());
        // a purl with characters a locator may not hold is percent-encoded, not dropped
        assertThat(doc.path("packages").findValuesAsText("referenceLocator")).contains("pkg:maven/g%20h/x%7Cb@1%200");
    }

    @Test
    void localFilesAreCatalogedAndWrittenWholeOrNotAtAll() throws Exception {
        Path war = Files.write(tmp.resolve("shop.war"), war());
        FilesFixture f = new FilesFixture(war);
        GenerateSbom.FilesResult one = GenerateSbom.ofFiles(List.of(war), Optional.empty(), Optional.of("2.0.0"),
                SbomFormat.parse("both"), Optional.of(Instant.ofEpochSecond(1_700_000_000L)), Limits.defaults());
        assertThat(one.subject().name()).isEqualTo("shop.war");
        assertThat(one.subject().digest()).isEqualTo(f.digest);
        assertThat(one.subject().purl()).isEqualTo("pkg:generic/shop.war@2.0.0?checksum=sha256:" + f.digest.hex());
        byte[] spdx = one.documents().get(1).bytes();
        assertThat(verify(spdx)).isEmpty();
        JsonNode doc = Json.mapper().readTree(spdx);
        assertThat(pkg(doc, SpdxWriter.SUBJECT_ID).path("checksums").get(0).path("checksumValue").asText()).isEqualTo(f.digest.hex());
        assertThat(relationships(doc, "CONTAINS")).hasSize(3);

        // --out: both files, complete, and nothing else left in the directory
        Path out = tmp.resolve("out");
        assertThat(GenerateSbom.writeTo(out, one.documents())).containsExactly(out.resolve("sbom.cdx.json"), out.resolve("sbom.spdx.json"));
        assertThat(Files.readAllBytes(out.resolve("sbom.spdx.json"))).isEqualTo(spdx);
        assertThat(Files.readAllBytes(out.resolve("sbom.cdx.json"))).isEqualTo(one.documents().get(0).bytes());
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("sbom.cdx.json", "sbom.spdx.json");
        }
        // a directory in the way of the second file: the first is not written either
        Path blocked = Files.createDirectories(tmp.resolve("blocked/sbom.spdx.json/x")).getParent().getParent();
        assertThatThrownBy(() -> GenerateSbom.writeTo(blocked, one.documents())).isInstanceOf(InputException.class);
        try (Stream<Path> s = Files.list(blocked)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("sbom.spdx.json");
        }

        // several files: a name is needed, the subject digest covers every file
        Path jar = Files.write(tmp.resolve("lib.jar"), SbomTest.mavenJar("g", "lib", "1", "MIT", Map.of()));
        assertThatThrownBy(() -> GenerateSbom.ofFiles(List.of(war, jar), Optional.empty(), Optional.empty(), SbomFormat.parse("spdx"),
                Optional.empty(), Limits.defaults())).isInstanceOf(InputException.class).hasMessageContaining("--name");
        GenerateSbom.FilesResult two = GenerateSbom.ofFiles(List.of(war, jar), Optional.of("bundle"), Optional.empty(),
                SbomFormat.parse("spdx"), Optional.empty(), Limits.defaults());
        String lines = Digester.of(Files.readAllBytes(jar)).hex() + "  lib.jar\n" + f.digest.hex() + "  shop.war\n";
        assertThat(two.subject().digest()).isEqualTo(Digester.of(lines.getBytes(StandardCharsets.UTF_8)));
        assertThat(two.documents()).hasSize(1);
        assertThat(verify(two.documents().get(0).bytes())).isEmpty();
        // timestamp from the files, not the clock: the same files give the same bytes
        assertThat(GenerateSbom.ofFiles(List.of(jar, war), Optional.of("bundle"), Optional.empty(), SbomFormat.parse("spdx"),
                Optional.empty(), Limits.defaults()).documents().get(0).bytes()).isEqualTo(two.documents().get(0).bytes());

        // missing and unsupported files are input errors
        assertThatThrownBy(() -> GenerateSbom.ofFiles(List.of(tmp.resolve("nope.jar")), Optional.empty(), Optional.empty(),
                SbomFormat.parse("spdx"), Optional.empty(), Limits.defaults())).isInstanceOf(InputException.class)
                .hasMessageContaining("no such file");
        Path txt = Files.writeString(tmp.resolve("notes.txt"), "hello");
        assertThatThrownBy(() -> GenerateSbom.ofFiles(List.of(txt), Optional.empty(), Optional.empty(), SbomFormat.parse("spdx"),
                Optional.empty(), Limits.defaults())).isInstanceOf(InputException.class).hasMessageContaining("no cataloger reads");
    }

    record FilesFixture(Digest digest) {
        FilesFixture(Path file) throws Exception {
            this(Digester.of(Files.readAllBytes(file)));
        }
    }

    static SbomPackage pkg(String ref, String type, String name, Optional<String> purl, Map<String, String> hashes,
                           List<String> licenses, List<String> dependsOn) {
        return new SbomPackage(ref, type, "npm", name, Optional.empty(), Optional.of("1.0.0"), purl, "package-lock.json", hashes,
                licenses, Optional.empty(), dependsOn);
    }

    static JsonNode pkg(JsonNode doc, String id) {
        for (JsonNode p : doc.path("packages")) {
            if (p.path("SPDXID").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no package " + id);
    }

    static String idOf(JsonNode doc, String name) {
        List<String> ids = new ArrayList<>();
        for (JsonNode p : doc.path("packages")) {
            if (p.path("name").asText().equals(name) && !p.path("SPDXID").asText().equals(SpdxWriter.SUBJECT_ID)) {
                ids.add(p.path("SPDXID").asText());
            }
        }
        assertThat(ids).as("packages named " + name).hasSize(1);
        return ids.get(0);
    }

    static List<String> relationships(JsonNode doc, String type) {
        List<String> r = new ArrayList<>();
        for (JsonNode rel : doc.path("relationships")) {
            if (rel.path("relationshipType").asText().equals(type)) {
                r.add(rel.path("spdxElementId").asText() + " -> " + rel.path("relatedSpdxElement").asText());
            }
        }
        return r;
    }
}

package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.progress.Progress;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.HostileFiles;
import io.releasegate.testing.HostileFiles.Item;
import io.releasegate.testing.HostileFiles.TarItem;
import io.releasegate.testing.TestLedgers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile archives through the SBOM's real entry points ({@link GenerateSbom#ofFiles} for local files, and
 * {@link BuildOnce} then {@link GenerateSbom#call} for a published release): each ends in a result, with a warning
 * that states what was not read, or in an input error; never in another exception, an {@link OutOfMemoryError} or a
 * {@link StackOverflowError}. Every archive is generated here, streamed to disk. These tests run in a JVM of their
 * own with a small heap (surefire execution {@code hostile-archives}, {@code -Xmx128m}): what they read is far
 * larger than that heap.
 */
class HostileArchivesTest {

    static final long FOUR_GIB_AND_A_PAGE = (4L << 30) + 4096;
    /** {@link HostileFiles#crcOfZeros} of {@link #FOUR_GIB_AND_A_PAGE}. */
    static final long CRC_OF_ZEROS = 0xb875d37fL;
    /** SHA-256 of {@code HostileFiles.sparseTar(..., "var/big.img", FOUR_GIB_AND_A_PAGE)}: a layer of 4 GiB + 4 KiB. */
    static final String SPARSE_LAYER = "sha256:d2b8b1cec275e4e597507c8b7c36e4ca455a103c72e924171252a64308e130b3";

    @TempDir
    Path tmp;
    Ledger ledger;
    OciLayoutStore store;
    Path ws;

    @BeforeAll
    static void temporaryDirectory() throws IOException {
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @BeforeEach
    void setUp() throws IOException {
        ws = Files.createDirectories(tmp.resolve("ws"));
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        ledger = TestLedgers.embedded(tmp.resolve("state"));
    }

    @AfterEach
    void tearDown() throws IOException {
        ledger.close();
        assertThat(temporaryDirectories()).as("temporary directories left behind").isEmpty();
    }

    static GenerateSbom.FilesResult sbom(Path file) {
        return sbom(file, Limits.defaults());
    }

    static GenerateSbom.FilesResult sbom(Path file, Limits limits) {
        GenerateSbom.FilesResult r = GenerateSbom.ofFiles(List.of(file), Optional.empty(), Optional.empty(), SbomFormat.parse("both"),
                Optional.of(Instant.EPOCH), limits);
        assertThat(r.documents()).hasSize(2); // both documents written and schema-validated
        return r;
    }

    /** Publishes the workspace file {@code name} and generates the release's SBOM; its warnings are in the ledger too. */
    GenerateSbom.Result release(String version, String name, Limits limits) {
        new BuildOnce(store, ledger).name("payments").version(version).workspace(ws).outputs(List.of(name)).actor("ci")
                .clock(Clock.fixed(Instant.parse("2026-11-02T10:00:00Z"), ZoneOffset.UTC)).call();
        GenerateSbom.Result r = GenerateSbom.call(store, ledger, "payments", version, Optional.of(Instant.EPOCH), limits, "ci",
                Clock.fixed(Instant.parse("2026-11-02T10:00:00Z"), ZoneOffset.UTC));
        Event recorded = ledger.events("payments@" + version).stream().filter(e -> e.type().equals(GenerateSbom.EVENT_TYPE))
                .reduce((a, b) -> b).orElseThrow();
        List<String> stated = new ArrayList<>();
        recorded.payload().path("warnings").forEach(w -> stated.add(w.asText()));
        assertThat(stated).isEqualTo(r.warnings());
        return r;
    }

    static List<String> refs(List<SbomPackage> packages) {
        return packages.stream().map(SbomPackage::ref).toList();
    }

    static byte[] mavenJar(String g, String a, String v, List<Item> more) throws IOException {
        List<Item> items = new ArrayList<>();
        items.add(Item.deflated("META-INF/maven/" + g + "/" + a + "/pom.properties", "groupId=" + g + "\nartifactId=" + a + "\nversion=" + v + "\n"));
        items.add(Item.deflated("com/example/" + a + "/A.class", new byte[] {(byte) 0xCA, (byte) 0xFE}));
        items.addAll(more);
        return HostileFiles.zip(items);
    }

    // --- zip-slip -------------------------------------------------------------------------------------------------

    static final List<String> SLIP_NAMES = List.of("../../evil-1.jar", "/abs/evil-2.jar", "C:\\Windows\\evil-3.jar", "C:/evil-4.jar",
            "ok/../../evil-5.jar", "..\\..\\evil-6.jar", "nul\u0000/evil-7.jar", "\\\\server\\share\\evil-8.jar", "..");

    @Test
    void zipSlipEntryNamesAreIgnoredWithAWarningInTheArchiveAndInNestedOnes() throws Exception {
        byte[] evil = mavenJar("org.evil", "evil", "6.6.6", List.of());
        List<Item> slips = new ArrayList<>();
        for (String n : SLIP_NAMES) {
            slips.add(Item.stored(n, evil));
        }
        List<Item> nested = new ArrayList<>(slips);
        nested.add(Item.stored("lib/good-1.0.jar", mavenJar("org.good", "good", "1.0", List.of())));
        List<Item> top = new ArrayList<>(slips);
        top.add(Item.stored("WEB-INF/lib/inner-2.0.jar", HostileFiles.zip(nested)));
        Path war = HostileFiles.zip(tmp.resolve("app.war"), top);

        GenerateSbom.FilesResult r = sbom(war);

        Catalog c = jvm(war);
        assertThat(refs(c.packages())).containsExactlyInAnyOrder("app.war", "app.war!/WEB-INF/lib/inner-2.0.jar",
                "app.war!/WEB-INF/lib/inner-2.0.jar!/lib/good-1.0.jar");
        assertThat(r.components()).isEqualTo(3);
        for (String n : SLIP_NAMES) {
            assertThat(r.warnings()).as(n).anySatisfy(w -> assertThat(w).startsWith("app.war: entry name").contains("(zip-slip); ignored"));
            assertThat(r.warnings()).as(n).anySatisfy(w -> assertThat(w).startsWith("app.war!/WEB-INF/lib/inner-2.0.jar: entry name")
                    .contains("(zip-slip); ignored"));
        }
    }

    @Test
    void traversingAbsoluteAndNulNamesInALayerAreIgnoredOrReadRelativeToTheImageRoot() throws Exception {
        Path layer = HostileFiles.tar(tmp.resolve("layer.tar"), List.of(
                TarItem.file("../../../escape/package-lock.json", "{}"),
                TarItem.file("/abs/lib/apk/db/installed", "P:abs\nV:1\n\n"),
                TarItem.file("C:\\evil\\app-1.jar", mavenJar("org.evil", "c", "1", List.of())),
                TarItem.file("a".repeat(120) + "\u0000/lib/apk/db/installed", "P:nul\nV:1\n\n"),
                TarItem.file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n\n")));
        Path image = layoutTar(tmp.resolve("image.tar"), List.of(layer));

        GenerateSbom.FilesResult r = sbom(image);

        assertThat(r.warnings())
                .anySatisfy(w -> assertThat(w).contains("entry name ../../../escape/package-lock.json escapes the root"))
                .anySatisfy(w -> assertThat(w).contains("absolute entry name /abs/lib/apk/db/installed; read relative to the image root"))
                .anySatisfy(w -> assertThat(w).contains("aaaa").contains("NUL"));
        assertThat(image(image).packages())
                .extracting(SbomPackage::name).contains("abs", "musl").doesNotContain("nul");
        assertThat(tmp.resolve("escape")).doesNotExist();
        assertThat(tmp.getParent().resolve("escape")).doesNotExist();
    }

    // --- links ------------------------------------------------------------------------------------------------------

    @Test
    void symbolicAndHardLinksInALayerThatPointOutsideAreNeverFollowed() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("installed"), "P:stolen\nV:1\n\n");
        Path layer = HostileFiles.tar(tmp.resolve("layer.tar"), List.of(
                TarItem.symlink("lib/apk/db", "../../../../../../" + outside.toString().substring(1)),
                TarItem.symlink("usr/lib/apk", outside.toString()),
                TarItem.symlink("up", "../../../../../../../../.."),
                TarItem.file("up/tmp/written/package-lock.json", "{\"lockfileVersion\":3,\"packages\":{}}"),
                TarItem.hardlink("app/x.jar", "../../../../etc/passwd"),
                TarItem.hardlink("app/y.jar", outside.resolve("installed").toString()),
                TarItem.file("usr/lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n\n")));
        Path image = layoutTar(tmp.resolve("image.tar"), List.of(layer));

        GenerateSbom.FilesResult r = sbom(image);

        assertThat(r.warnings())
                .anySatisfy(w -> assertThat(w).contains("symbolic link lib/apk/db ->").contains("points outside the image root; not followed"))
                .anySatisfy(w -> assertThat(w).contains("hard link app/y.jar ->").contains("not cataloged"))
                .anySatisfy(w -> assertThat(w).contains("../../../../etc/passwd escapes the root"));
        List<SbomPackage> packages = image(image).packages();
        assertThat(packages).extracting(SbomPackage::name).contains("musl").doesNotContain("stolen");
        assertThat(Path.of("/tmp/written")).doesNotExist();
        assertThat(outside.resolve("installed")).hasContent("P:stolen\nV:1\n\n");
    }

    // --- bombs ------------------------------------------------------------------------------------------------------

    @Test
    void aZipBombByRatioIsStoppedAtOneMebibyteAndTheRestOfTheWarStillCataloged() throws Exception {
        Path bomb = HostileFiles.zip(tmp.resolve("bomb-1.jar"), List.of(Item.zeros("zeros.bin", 1L << 30, false)));
        assertThat(Files.size(bomb)).isLessThan(2 << 20); // 1 GiB of zeros, deflated
        Path war = HostileFiles.zip(ws.resolve("app.war"), List.of(Item.file("WEB-INF/lib/bomb-1.jar", bomb, true),
                Item.stored("WEB-INF/lib/good-1.0.jar", mavenJar("org.good", "good", "1.0", List.of()))));

        GenerateSbom.FilesResult direct = sbom(bomb);
        assertThat(direct.warnings()).singleElement().asString()
                .isEqualTo("bomb-1.jar!/zeros.bin: compression ratio above 200:1 (a decompression bomb?); reading stopped");
        Files.copy(bomb, ws.resolve("bomb-1.jar"));
        assertThat(release("1.0.0", "bomb-1.jar", Limits.defaults()).warnings()).singleElement().asString()
                .isEqualTo("bomb-1.jar!/zeros.bin: compression ratio above 200:1 (a decompression bomb?); reading stopped");

        // nested: read through its directory, the bomb is never inflated (only what identifies a jar is)
        GenerateSbom.Result r = release("2.0.0", "app.war", Limits.defaults());
        assertThat(r.warnings()).isEmpty();
        assertThat(r.components()).isEqualTo(3);
    }

    @Test
    void aZipBombByAbsoluteSizeStopsAtTheTotalLimit() throws Exception {
        Limits small = new Limits(8, 32L << 20, 500_000, 1L << 20, 200);
        // stored: a ratio of 1, but 48 MiB inflated in all, above a total of 32 MiB
        Path jar = HostileFiles.zip(ws.resolve("big-1.jar"), List.of(Item.zeros("a.bin", 24L << 20, true), Item.zeros("b.bin", 24L << 20, true),
                Item.deflated("META-INF/maven/g/big/pom.properties", "groupId=g\nartifactId=big\nversion=1\n")));

        assertThat(sbom(jar, small).warnings()).singleElement().asString()
                .isEqualTo("big-1.jar!/b.bin: the archive inflates beyond 33554432 bytes; reading stopped");
        assertThat(release("1.0.0", "big-1.jar", small).warnings()).singleElement().asString()
                .isEqualTo("big-1.jar!/b.bin: the archive inflates beyond 33554432 bytes; reading stopped");
    }

    @Test
    void aNestedZipBomb42StyleCostsAtMostTheLimitsWhateverItWouldInflateTo() throws Exception {
        // the leaf holds a "jar" of 1 GiB of zeros; each level above holds 6 copies of the one below: 6^3 GiB in all
        Path level = HostileFiles.zip(tmp.resolve("l0.jar"), List.of(Item.zeros("zeros-1.jar", 1L << 30, false)));
        for (int i = 1; i <= 3; i++) {
            List<Item> copies = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                copies.add(Item.file("c" + k + "-1.jar", level, false));
            }
            level = HostileFiles.zip(tmp.resolve("l" + i + ".jar"), copies);
        }
        assertThat(Files.size(level)).isLessThan(1 << 20);
        long start = System.nanoTime();

        GenerateSbom.FilesResult r = sbom(level);

        assertThat(r.warnings()).hasSize(216).allSatisfy(w -> assertThat(w).endsWith("!/zeros-1.jar: compression ratio above 200:1"
                + " (a decompression bomb?); reading stopped"));
        assertThat(r.components()).isEqualTo(1 + 6 + 36 + 216 + 216); // the leaves' "jars" too
        assertThat((System.nanoTime() - start) / 1_000_000_000).as("seconds").isLessThan(30);
    }

    @Test
    void aTarBombByRatioAndByAbsoluteSizeInALayerIsStoppedWithAWarning() throws Exception {
        Path zeros = tmp.resolve("zeros.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(zeros), 1 << 16)) {
            HostileFiles.tar(out, List.of(TarItem.zeros("zeros.bin", 1L << 30)));
        }
        Path byRatio = layoutTar(tmp.resolve("ratio.tar"), List.of(zeros));
        assertThat(sbom(byRatio).warnings()).anySatisfy(w -> assertThat(w).contains("compression ratio above 200:1"));

        // a header that states an entry of 100 GiB, with nothing behind it
        Path claims = HostileFiles.sparseTar(tmp.resolve("claims.tar"), "app/huge-1.jar", 100L << 30);
        try (var f = new java.io.RandomAccessFile(claims.toFile(), "rw")) {
            f.setLength(4096);
        }
        Path byClaim = layoutTar(tmp.resolve("claim.tar"), List.of(claims));
        assertThat(sbom(byClaim).warnings()).anySatisfy(w -> assertThat(w).contains("app/huge-1.jar is 107374182400 bytes, beyond the limit"));
    }

    // --- many and deep ----------------------------------------------------------------------------------------------

    @Test
    void tenThousandEntriesAreCatalogedAndTenThousandNestedJarsUpToTheComponentLimit() throws Exception {
        List<Item> classes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            classes.add(Item.deflated("com/example/C" + i + ".class", new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) i}));
        }
        assertThat(sbom(HostileFiles.zip(tmp.resolve("many-1.0.jar"), classes)).components()).isEqualTo(1);

        byte[] tiny = HostileFiles.zip(List.of(Item.deflated("x", "x")));
        List<Item> jars = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            jars.add(Item.stored("WEB-INF/lib/lib" + i + "-1.0.jar", tiny));
        }
        Path war = HostileFiles.zip(ws.resolve("many.war"), jars);
        // 10,001 components (the war and its jars): one more than an SBOM lists by default
        GenerateSbom.Result released = release("1.0.0", "many.war", Limits.defaults());
        assertThat(released.components()).isEqualTo(Limits.DEFAULT_MAX_PACKAGES);
        assertThat(released.warnings()).containsExactly("more than 10000 components; the rest was not cataloged");
        // a lower limit: the first components found (a parent before what it contains)
        Limits thousand = new Limits(8, 8L << 30, 500_000, 1L << 20, 200, 1_000);
        GenerateSbom.FilesResult r = sbom(war, thousand);
        assertThat(r.components()).isEqualTo(1_000);
        assertThat(r.warnings()).containsExactly("more than 1000 components; the rest was not cataloged");
    }

    @Test
    void tenThousandFilesInALayerAreCataloged() throws Exception {
        byte[] tiny = HostileFiles.zip(List.of(Item.deflated("x", "x")));
        List<TarItem> files = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            files.add(TarItem.file("app/lib/lib" + i + "-1.0.jar", tiny));
        }
        Path image = layoutTar(tmp.resolve("image.tar"), List.of(HostileFiles.tar(tmp.resolve("layer.tar"), files)));
        GenerateSbom.FilesResult r = sbom(image);
        assertThat(r.components()).isEqualTo(10_000);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void twentyLevelsOfNestedJarsAreCatalogedToTheDepthLimitWithAWarning() throws Exception {
        byte[] jar = mavenJar("org.deep", "level20", "1", List.of());
        for (int i = 19; i >= 1; i--) {
            jar = mavenJar("org.deep", "level" + i, "1", List.of(Item.stored("lib/level" + (i + 1) + "-1.jar", jar)));
        }
        Path top = Files.write(ws.resolve("level1-1.jar"), jar);
        GenerateSbom.FilesResult r = sbom(top);
        assertThat(r.components()).isEqualTo(9); // the jar itself and 8 levels below it
        assertThat(r.warnings()).singleElement().asString().endsWith("lib/level10-1.jar: nested deeper than 8 levels; not cataloged");
        assertThat(release("1.0.0", "level1-1.jar", Limits.defaults()).components()).isEqualTo(9);

        byte[] twenty = jar;
        Path image = layoutTar(tmp.resolve("image.tar"), List.of(HostileFiles.tar(tmp.resolve("layer.tar"),
                List.of(TarItem.file("app/level1-1.jar", twenty)))));
        GenerateSbom.FilesResult inImage = sbom(image);
        assertThat(inImage.components()).isEqualTo(9);
        assertThat(inImage.warnings()).singleElement().asString().endsWith("nested deeper than 8 levels; not cataloged");
    }

    // --- sizes ------------------------------------------------------------------------------------------------------

    @Test
    void aNestedJarJustBelowTheInMemorySizeIsCatalogedWithinTheHeap() throws Exception {
        // 60 MiB stored in a stored jar, in a war: as large as a nested archive held in memory may be
        Path inner = HostileFiles.zip(tmp.resolve("inner-1.0.jar"), List.of(Item.zeros("data.bin", 60L << 20, true),
                Item.deflated("META-INF/maven/g/inner/pom.properties", "groupId=g\nartifactId=inner\nversion=1.0\n")));
        Path middle = HostileFiles.zip(tmp.resolve("middle-1.0.jar"), List.of(Item.file("lib/inner-1.0.jar", inner, true)));
        Path war = HostileFiles.zip(tmp.resolve("app.war"), List.of(Item.file("WEB-INF/lib/middle-1.0.jar", middle, true)));

        GenerateSbom.FilesResult r = sbom(war);

        assertThat(r.components()).isEqualTo(3);
        assertThat(r.warnings()).isEmpty();
        Catalog c = jvm(war);
        assertThat(c.packages()).filteredOn(p -> p.ref().endsWith("inner-1.0.jar")).singleElement()
                .satisfies(p -> assertThat(p.purl()).contains("pkg:maven/g/inner@1.0"))
                .satisfies(p -> assertThat(p.hashes().get("SHA-256")).isEqualTo(sha256(inner).hex()));
    }

    @Test
    void aSparseJarAboveFourGibibytesIsReadAsZip64AndDigestedStreamed() throws Exception {
        Path jar = HostileFiles.sparseZip64(tmp.resolve("huge-1.0.jar"), "zeros.bin", FOUR_GIB_AND_A_PAGE, CRC_OF_ZEROS);
        GenerateSbom.FilesResult r = sbom(jar);
        assertThat(r.warnings()).isEmpty();
        assertThat(r.components()).isEqualTo(1);
        // the subject's digest (read by the SBOM) is the jar's own SHA-256 (read by the cataloger as it streamed the entry)
        JsonNode bom = Json.mapper().readTree(r.documents().get(0).bytes());
        assertThat(bom.path("components").get(0).path("hashes").findValuesAsText("content")).contains(r.subject().digest().hex());
    }

    @Test
    void aSparseFileAboveFourGibibytesInALayerIsSkippedStreamed() throws Exception {
        // the image layout as a directory (what an image tar is extracted to): the layer is read once, digested as it is
        Path dir = tmp.resolve("image");
        OciCatalogerTest.layout(dir, "big", List.of(HostileFiles.tar(List.of(TarItem.file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n\n")))),
                List.of(false));
        Path manifestBlob;
        JsonNode index = Json.mapper().readTree(dir.resolve("index.json").toFile());
        manifestBlob = dir.resolve("blobs/sha256/" + Digest.parse(index.path("manifests").get(0).path("digest").asText()).hex());
        ObjectNode manifest = (ObjectNode) Json.mapper().readTree(manifestBlob.toFile());
        HostileFiles.sparseTar(dir.resolve("blobs/sha256/" + Digest.parse(SPARSE_LAYER).hex()), "var/big.img", FOUR_GIB_AND_A_PAGE);
        ((ArrayNode) manifest.path("layers")).insertObject(0).put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                .put("digest", SPARSE_LAYER).put("size", Files.size(dir.resolve("blobs/sha256/" + Digest.parse(SPARSE_LAYER).hex())));
        byte[] m = Json.bytes(manifest);
        Digest md = OciCatalogerTest.blob(dir, m);
        ((ObjectNode) index.path("manifests").get(0)).put("digest", md.toString()).put("size", m.length);
        Files.write(dir.resolve("index.json"), Json.bytes(index));

        Catalog c = Catalogers.catalogDirectory(dir, Limits.defaults());

        assertThat(c.warnings()).isEmpty(); // the layer matched its digest: it was read to its end
        assertThat(c.packages()).extracting(SbomPackage::name).containsExactly("musl");
    }

    // --- duplicates and truncation ----------------------------------------------------------------------------------

    @Test
    void duplicateEntryNamesAreWarnedAndTheFirstIsUsed() throws Exception {
        byte[] first = mavenJar("org.first", "first", "1", List.of());
        byte[] second = mavenJar("org.secnd", "secnd", "2", List.of());
        byte[] war = HostileFiles.rename(HostileFiles.zip(List.of(Item.stored("WEB-INF/lib/a-1.jar", first),
                Item.stored("WEB-INF/lib/b-1.jar", second))), "WEB-INF/lib/b-1.jar", "WEB-INF/lib/a-1.jar");
        Path file = Files.write(tmp.resolve("app.war"), war);
        GenerateSbom.FilesResult r = sbom(file);
        assertThat(r.warnings()).singleElement().asString().isEqualTo("app.war: duplicate entry WEB-INF/lib/a-1.jar (only the first is used by most tools)");
        assertThat(r.components()).isEqualTo(2);

        Path nested = Files.write(tmp.resolve("outer.war"), HostileFiles.zip(List.of(Item.stored("lib/app-1.war", war))));
        assertThat(sbom(nested).warnings()).singleElement().asString()
                .isEqualTo("outer.war!/lib/app-1.war: duplicate entry WEB-INF/lib/a-1.jar (only the first is used by most tools)");
    }

    @Test
    void truncatedArchivesAreCatalogedAsFarAsTheyCanBeRead() throws Exception {
        byte[] war = HostileFiles.zip(List.of(Item.stored("WEB-INF/lib/good-1.0.jar", mavenJar("org.good", "good", "1.0", List.of())),
                Item.zeros("WEB-INF/classes/big.bin", 1 << 20, true)));
        for (int cut : new int[] {10, 100, war.length / 2, war.length - 10}) {
            Path file = Files.write(tmp.resolve("cut" + cut + ".war"), java.util.Arrays.copyOf(war, cut));
            GenerateSbom.FilesResult r = sbom(file);
            assertThat(r.components()).as("cut at " + cut).isPositive();
        }
        Path nested = Files.write(tmp.resolve("outer.war"), HostileFiles.zip(List.of(
                Item.stored("lib/cut-1.jar", java.util.Arrays.copyOf(war, war.length / 2)))));
        assertThat(sbom(nested).warnings()).anySatisfy(w -> assertThat(w).contains("truncated or corrupt archive"));

        byte[] tar = HostileFiles.tar(List.of(TarItem.file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n\n"),
                TarItem.zeros("var/big.bin", 1 << 20)));
        Path cutTar = Files.write(tmp.resolve("layer.tar"), java.util.Arrays.copyOf(tar, tar.length / 2));
        Path gz = tmp.resolve("layer.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(tar);
        }
        Path cutGz = Files.write(tmp.resolve("cut.tar.gz"), java.util.Arrays.copyOf(Files.readAllBytes(gz), (int) Files.size(gz) / 2));
        GenerateSbom.FilesResult r = sbom(layoutTar(tmp.resolve("image.tar"), List.of(cutTar, cutGz)));
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).startsWith("layer 1").contains("truncated"))
                .anySatisfy(w -> assertThat(w).startsWith("layer 2").contains("truncated"));
        byte[] image = Files.readAllBytes(tmp.resolve("image.tar"));
        Path cutImage = Files.write(tmp.resolve("cut-image.tar"), java.util.Arrays.copyOf(image, image.length / 2));
        GenerateSbom.FilesResult c = sbom(cutImage);
        assertThat(c.warnings()).isNotEmpty();
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    static Catalog jvm(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return JvmCataloger.catalog(file.getFileName().toString(), in, Limits.defaults());
        }
    }

    static Catalog image(Path tar) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(tar)) {
            return Catalogers.catalog(tar.getFileName().toString(), in, Limits.defaults());
        }
    }

    static Digest sha256(Path file) {
        return Digester.defaults().digest(file, Progress.NONE);
    }

    /** The tar of an OCI image layout whose one image has these layer blobs (tar or gzip tar files), streamed. */
    static Path layoutTar(Path out, List<Path> layers) throws IOException {
        List<TarItem> items = new ArrayList<>();
        items.add(TarItem.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"));
        ObjectNode config = Json.object().put("architecture", "amd64").put("os", "linux");
        ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        ObjectNode manifest = Json.object().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        ArrayNode ls = manifest.putArray("layers");
        for (Path layer : layers) {
            Digest d = sha256(layer);
            diffIds.add(d.toString());
            boolean gz = layer.getFileName().toString().endsWith(".gz");
            ls.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar" + (gz ? "+gzip" : "")).put("digest", d.toString())
                    .put("size", Files.size(layer));
            items.add(TarItem.file("blobs/sha256/" + d.hex(), layer));
        }
        byte[] configBytes = Json.bytes(config);
        Digest configDigest = Digester.of(configBytes);
        items.add(TarItem.file("blobs/sha256/" + configDigest.hex(), configBytes));
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest.toString()).put("size", configBytes.length);
        byte[] manifestBytes = Json.bytes(manifest);
        Digest md = Digester.of(manifestBytes);
        items.add(TarItem.file("blobs/sha256/" + md.hex(), manifestBytes));
        ObjectNode index = Json.object().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", md.toString()).put("size", manifestBytes.length);
        items.add(TarItem.file("index.json", Json.bytes(index)));
        return HostileFiles.tar(out, items);
    }

    /** The catalogers' temporary directories, in a temporary directory of this JVM's own (none when it is shared). */
    static List<Path> temporaryDirectories() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        if (!dir.endsWith("hostile-tmp")) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("release-gate-")).toList();
        }
    }
}

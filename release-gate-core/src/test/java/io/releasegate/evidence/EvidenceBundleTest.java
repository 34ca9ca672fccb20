package io.releasegate.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.signing.KeySigner;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.Evidence;
import io.releasegate.testing.Git;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence bundle of a release with real evidence (signature, SBOMs, signed provenance, gates, a tag, approvals,
 * promotions): any single flipped byte anywhere is refused naming the file, the same release exports to the same
 * bytes, missing evidence is named, and plain git and tar read what it holds.
 */
class EvidenceBundleTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    ArtifactStore store;
    Ledger ledger;
    TestRepo repo;
    Evidence.Keys keys;
    Digest digest;

    @AfterEach
    void close() {
        if (ledger != null) {
            ledger.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** A release built, signed, SBOMed, with provenance, gates, a signed-tag event, in staging and approved. */
    void release(boolean full) throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        Files.writeString(repo.dir().resolve("app.txt"), "payments");
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        Files.createDirectories(repo.dir().resolve(".release"));
        Path policyFile = Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia]
                    domain-reviewer:
                      people: [dora]
                """);
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        ledger = TestLedgers.embedded(tmp.resolve("state"));
        digest = new BuildOnce(store, ledger).name("payments").version("1.0.0").workspace(repo.dir())
                .outputs(List.of("*.txt")).expectTargets(full ? List.of("*.txt") : List.of("*.txt", "payments-arm64.tar"))
                .actor("ci").clock(MONDAY).call().digest();
        keys = Evidence.keys(tmp.resolve("index-keys"));
        if (!full) {
            return;
        }
        keys = Evidence.record(store, ledger, "payments", "1.0.0", tmp.resolve("keys"), MONDAY);
        repo.git("tag", "-a", "v1.0.0", "-m", "payments 1.0.0");
        String commit = repo.git("rev-parse", "HEAD").trim();
        ledger.append(Event.draft("tagged", "payments@1.0.0", Optional.of(digest), "ci", MONDAY.instant(),
                Json.object().put("tag", "v1.0.0").put("commit", commit)));
        Policy policy = PolicyLoader.load(Optional.of(policyFile));
        RoleDirectory roles = RoleDirectory.resolve(policy, repo.dir());
        for (String env : List.of("dev", "staging")) {
            new PromoteDigest(policy, store, ledger).release("payments", "1.0.0").digest(digest).to(env).actor("ci").clock(MONDAY).call();
        }
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            new ApproveProduction(policy, ledger, roles).release("payments", "1.0.0").digest(digest).approver(a[0]).role(a[1])
                    .rationale("tests green; rollback plan reviewed").authors(Set.of("Alice Author", "alice@example.com"))
                    .clock(MONDAY).call();
        }
    }

    byte[] export() {
        return new EvidenceExport(store, ledger).release("payments", "1.0.0").repository(Optional.of(repo.dir()))
                .signer(keys.signer()).call().archive();
    }

    /** Where each entry's header and content are in the archive. */
    record Span(String path, int header, int content, int size) {
    }

    static List<Span> spans(byte[] archive) {
        List<Span> out = new ArrayList<>();
        for (int pos = 0; archive[pos] != 0; ) {
            int end = 0;
            while (archive[pos + end] != 0) {
                end++;
            }
            String name = new String(archive, pos, end, StandardCharsets.UTF_8);
            int size = Integer.parseInt(new String(archive, pos + 124, 11, StandardCharsets.US_ASCII), 8);
            out.add(new Span(name, pos, pos + 512, size));
            pos += 512 + (size + 511) / 512 * 512;
        }
        return out;
    }

    static String refusal(byte[] archive, Evidence.Keys keys) {
        Throwable t = catchThrowable(() -> EvidenceVerify.verify(archive, keys.publicKey()));
        assertThat(t).as("a tampered bundle is refused").isInstanceOf(RefusedException.class);
        return t.getMessage();
    }

    static String tar(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tar"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tar %s: %s", args, out).isZero();
        return out;
    }

    static byte[] flip(byte[] archive, int at) {
        byte[] b = archive.clone();
        b[at] ^= 0x01;
        return b;
    }

    @Test
    void anySingleFlippedByteIsRefusedNamingTheFile() throws Exception {
        release(true);
        byte[] archive = export();
        assertThat(EvidenceVerify.verify(archive, keys.publicKey()).checks()).isNotEmpty();
        List<Span> spans = spans(archive);
        assertThat(spans).extracting(Span::path).contains("INDEX.json", "INDEX.json.sig", "INDEX.md", EvidenceExport.RECORD,
                EvidenceExport.MANIFEST, EvidenceExport.SUBJECTS, "sbom/cyclonedx.json", "sbom/spdx.json",
                EvidenceExport.PROVENANCE, "tag/v1.0.0.tag", EvidenceExport.LEDGER);
        assertThat(spans).extracting(Span::path).anyMatch(p -> p.startsWith("signatures/") && p.endsWith(".sig"));
        assertThat(spans).extracting(Span::path).anyMatch(p -> p.startsWith("gates/"));
        assertThat(spans).extracting(Span::path).anyMatch(p -> p.startsWith("approvals/"));
        assertThat(spans).extracting(Span::path).anyMatch(p -> p.startsWith("promotions/"));
        int cases = 0;
        for (Span s : spans) {
            // the content: its first, middle and last byte
            for (int at : new int[] {s.content(), s.content() + s.size() / 2, s.content() + s.size() - 1}) {
                assertThat(refusal(flip(archive, at), keys)).as("content byte %d of %s", at - s.content(), s.path()).contains(s.path());
                cases++;
            }
            // the header (its mode field, and its checksum) and the padding after the content
            assertThat(refusal(flip(archive, s.header() + 101), keys)).as("header of %s", s.path()).contains(s.path());
            assertThat(refusal(flip(archive, s.header() + 150), keys)).as("checksum of %s", s.path()).contains(s.path());
            cases += 2;
            if (s.size() % 512 != 0) {
                assertThat(refusal(flip(archive, s.content() + s.size()), keys)).as("padding of %s", s.path()).contains(s.path());
                cases++;
            }
        }
        Span last = spans.get(spans.size() - 1);
        assertThat(refusal(flip(archive, archive.length - 1), keys)).contains("zero blocks").contains(last.path());
        assertThat(refusal(flip(archive, archive.length - 1024), keys)).contains(last.path());
        assertThat(cases).isGreaterThan(60);
    }

    @Test
    void theSameReleaseExportsToTheSameBytes() throws Exception {
        release(true);
        byte[] first = export();
        byte[] second = export();
        assertThat(second).isEqualTo(first);
        // another release's later event changes nothing of this one's bundle
        new BuildOnce(store, ledger).name("payments").version("1.1.0").workspace(repo.dir())
                .outputs(List.of("*.txt", ".release/*.yaml")).actor("ci").clock(MONDAY).call();
        assertThat(export()).isEqualTo(first);
    }

    @Test
    void anotherKeyOrAnAddedFileIsRefused() throws Exception {
        release(true);
        byte[] archive = export();
        Evidence.Keys other = Evidence.keys(tmp.resolve("other"));
        assertThat(refusal(archive, other)).contains("evidence.index-signature").contains("INDEX.json.sig");
        List<EvidenceArchive.Entry> entries = new ArrayList<>(EvidenceArchive.read(archive));
        entries.add(new EvidenceArchive.Entry("notes/extra.txt", "trust me".getBytes(StandardCharsets.UTF_8)));
        assertThat(refusal(EvidenceArchive.write(entries), keys)).contains("evidence.unlisted").contains("notes/extra.txt");
        entries.remove(entries.size() - 1);
        entries.removeIf(e -> e.path().equals("sbom/spdx.json"));
        assertThat(refusal(EvidenceArchive.write(entries), keys)).contains("evidence.missing-file").contains("sbom/spdx.json");
    }

    @Test
    void missingEvidenceStillExportsAndTheIndexNamesTheGap() throws Exception {
        release(false);
        EvidenceExport.Exported exported = new EvidenceExport(store, ledger).release("payments", "1.0.0")
                .repository(Optional.empty()).signer(keys.signer()).call();
        JsonNode index = exported.index();
        assertThat(index.path("missing").findValuesAsText("evidence")).contains("sbom-cyclonedx", "sbom-spdx", "provenance",
                "signature", "signed-tag", "gates", "approvals", "promotions", "verify-production", "target");
        assertThat(index.path("missing").toString()).contains("declared the target payments-arm64.tar");
        assertThat(new String(EvidenceArchive.read(exported.archive()).stream().filter(e -> e.path().equals("INDEX.md"))
                .findFirst().orElseThrow().content(), StandardCharsets.UTF_8)).contains("## Missing evidence").contains("**provenance**");
        assertThat(EvidenceVerify.verify(exported.archive(), keys.publicKey()).checks())
                .anyMatch(c -> c.startsWith("record: the projection"));
        Throwable unknown = catchThrowable(() -> new EvidenceExport(store, ledger).release("payments", "9.9.9")
                .signer(keys.signer()).call());
        assertThat(unknown).isInstanceOf(io.releasegate.error.InputException.class).hasMessageContaining("payments@9.9.9");
    }

    @Test
    void plainGitAndTarReadTheBundle() throws Exception {
        release(true);
        byte[] archive = export();
        Path file = Files.write(tmp.resolve("evidence.tar"), archive);
        Path out = Files.createDirectories(tmp.resolve("x"));
        String listing = tar(tmp, "-tvf", file.toString());
        assertThat(listing).contains("INDEX.json").contains("ledger/ledger.bundle").contains("1970-01-01").doesNotContain("root");
        tar(tmp, "-xf", file.toString(), "-C", out.toString());
        Path bundle = out.resolve("ledger/ledger.bundle");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Git.run(empty, "init", "-q");
        assertThat(Git.run(empty, "bundle", "verify", bundle.toString())).contains("okay");
        Git.run(tmp, "clone", "-q", bundle.toString(), tmp.resolve("clone").toString());
        List<String> log = List.of(Git.run(tmp.resolve("clone"), "log", "--format=%H", "main").trim().split("\n"));
        JsonNode index = Json.mapper().readTree(out.resolve("INDEX.json").toFile());
        assertThat(log.get(0)).isEqualTo(index.path("ledger").path("tip").asText());
        assertThat(log).hasSize(index.path("ledger").path("size").asInt());
        for (JsonNode id : index.path("ledger").path("events")) {
            assertThat(log).contains(id.asText());
        }
    }
}

package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.signing.KeySigner;
import io.releasegate.testing.TestRepo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's content is checked, not trusted, from the command line: a release is built, signed, given its SBOMs,
 * provenance and gates, verified and promoted to dev with the real commands; then an insider edits the layout
 * store's files by hand, and neither {@code promote --to staging} nor {@code verify --release} accepts it.
 */
class StoreContentBypassTest {

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return Json.mapper().readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static Run ok(String... args) {
        Run r = run(args);
        assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
        return r;
    }

    /** A release in dev with all the evidence staging asks for, made by the CLI. */
    record Release(Path dir, Path repo, String state, String digest, Path publicKey) {
        Path store() {
            return Path.of(state).resolve("store");
        }

        Path blob(String digest) {
            return store().resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        }

        List<Event> events() {
            try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(Path.of(state)))) {
                return ctx.ledger().events("payments@1.0.0");
            }
        }

        Event latest(String type) {
            return events().stream().filter(e -> e.type().equals(type)).reduce((a, b) -> b).orElseThrow();
        }

        String layer() throws IOException {
            return Json.mapper().readTree(Files.readAllBytes(blob(digest))).path("layers").get(0).path("digest").asText();
        }

        Run promote(String env) {
            return run("promote", "payments@1.0.0", "--digest", digest, "--to", env, "--repo", repo.toString(), "--state-dir", state,
                    "--actor", "ci", "--json");
        }

        Run verify() {
            return run("verify", "--release", "payments@1.0.0", "--key", publicKey.toString(), "--state-dir", state, "--actor", "ci",
                    "--json");
        }
    }

    Release release(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        TestRepo repo = TestRepo.init(dir.resolve("repo"));
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), "approvals:\n  members:\n    maintainer:\n      people: [mia]\n"
                + "gates:\n  notApplicable:\n    dast: batch job without network endpoint\n");
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        String state = dir.resolve("state").toString();
        String digest = ok("build-once", "--json", "--state-dir", state, "--workspace", repo.dir().toString(), "--actor", "ci",
                "--name", "payments", "--version", "1.0.0", "*.txt").json().path("digest").asText();
        String[] k = KeySigner.generatePem();
        Path key = Files.writeString(dir.resolve("key.pem"), k[0]);
        Path pub = Files.writeString(dir.resolve("pub.pem"), k[1]);
        ok("sign", "--release", "payments@1.0.0", "--key", key.toString(), "--public-key", pub.toString(), "--state-dir", state,
                "--actor", "ci");
        ok("sbom", "--state-dir", state, "--actor", "ci", "--out", dir.resolve("sbom").toString(), "payments@1.0.0");
        ok("provenance", "payments@1.0.0", "--key", key.toString(), "--out", dir.resolve("provenance.json").toString(),
                "--state-dir", state, "--library-version", "v1.4.0");
        Path clean = Files.writeString(dir.resolve("clean.sarif"), "{\"version\": \"2.1.0\", \"runs\": []}");
        Path junit = Files.writeString(dir.resolve("junit.xml"), "<testsuite tests=\"1\"><testcase classname=\"A\" name=\"b\"/></testsuite>");
        Path osv = Files.writeString(dir.resolve("osv.json"), "{\"results\": []}");
        ok("gate", "payments@1.0.0", "--digest", digest, "--repo", repo.dir().toString(), "--state-dir", state,
                "--sarif", clean.toString(), "--junit", junit.toString(), "--vulns", osv.toString(),
                "--sbom", dir.resolve("sbom/sbom.cdx.json").toString(), "--not-applicable", "dast=batch job without network endpoint");
        Release r = new Release(dir, repo.dir(), state, digest, pub);
        Run verified = r.verify();
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
        Run dev = r.promote("dev");
        assertThat(dev.exit()).as(dev.out() + dev.err()).isZero();
        return r;
    }

    static void flipByte(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x01;
        Files.write(file, b);
    }

    /** One byte of a manifest changed so that it stays a valid manifest: its first layer's title. */
    static void editManifest(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        String key = "\"org.opencontainers.image.title\":\"";
        int at = new String(b, StandardCharsets.UTF_8).indexOf(key);
        assertThat(at).isPositive();
        b[at + key.length()] ^= 0x01;
        Files.write(file, b);
    }

    interface Edit {
        /** Edits the store's files; returns the digest whose file was edited. */
        String apply(Release r) throws Exception;
    }

    record Attack(String name, Edit edit) {
    }

    static String referrer(Event e) {
        String ref = e.text("reference").orElseThrow();
        return ref.substring(ref.indexOf('@') + 1);
    }

    @Test
    void filesEditedInTheStoreNeitherPromoteNorVerify() throws Exception {
        Function<Release, Event> sbom = r -> r.latest("sbom-generated");
        Function<Release, Event> provenance = r -> r.latest("provenance-generated");
        List<Attack> attacks = List.of(
                new Attack("a flipped byte in a layer blob", r -> {
                    String d = r.layer();
                    flipByte(r.blob(d));
                    return d;
                }),
                new Attack("a flipped byte in the stored SBOM", r -> {
                    String d = sbom.apply(r).text("sbomDigest").orElseThrow();
                    flipByte(r.blob(d));
                    return d;
                }),
                new Attack("a flipped byte in the provenance envelope", r -> {
                    String d = provenance.apply(r).text("attestationDigest").orElseThrow();
                    flipByte(r.blob(d));
                    return d;
                }),
                new Attack("the provenance payload rewritten under its old signature", r -> {
                    String d = provenance.apply(r).text("attestationDigest").orElseThrow();
                    ObjectNode env = (ObjectNode) Json.mapper().readTree(Files.readAllBytes(r.blob(d)));
                    ObjectNode st = (ObjectNode) Json.mapper().readTree(Base64.getDecoder().decode(env.path("payload").asText()));
                    ((ObjectNode) st.at("/predicate/buildDefinition/externalParameters/library")).put("version", "v9.9.9");
                    env.put("payload", Base64.getEncoder().encodeToString(Json.bytes(st)));
                    Files.write(r.blob(d), Json.pretty(env).getBytes(StandardCharsets.UTF_8));
                    return d;
                }),
                new Attack("the artifact manifest changed under its digest", r -> {
                    editManifest(r.blob(r.digest()));
                    return r.digest();
                }),
                new Attack("an SBOM referrer changed under its digest", r -> {
                    String d = referrer(sbom.apply(r));
                    editManifest(r.blob(d));
                    return d;
                }));
        int n = 0;
        for (Attack a : attacks) {
            Release r = release("release-" + n++);
            String edited = a.edit().apply(r);
            String file = r.blob(edited).toString();
            int events = r.events().size();

            Run staging = r.promote("staging");
            assertThat(staging.exit()).as(a.name() + ": promote --to staging\n" + staging.out() + staging.err()).isEqualTo(1);
            JsonNode refusal = staging.json().path("error").path("refusals").get(0);
            assertThat(refusal.path("rule").asText()).as(a.name()).isEqualTo("store.digest-mismatch");
            assertThat(refusal.path("evidence").asText()).as(a.name()).contains(file).contains("asked for " + edited);
            assertThat(r.events()).as(a.name() + ": nothing recorded").hasSize(events);
            assertThat(r.events()).as(a.name() + ": not promoted").noneMatch(e -> e.type().equals("promoted")
                    && e.text("environment").orElse("").equals("staging"));
            assertThat(Files.readString(r.store().resolve("index.json"))).as(a.name()).doesNotContain("payments/staging:1.0.0");

            // and the auditor, before anyone verifies again, sees the release no longer verifies against the store
            Run audit = run("audit", "payments@1.0.0", "--state-dir", r.state(), "--json");
            assertThat(audit.exit()).as(a.name() + ": audit\n" + audit.out() + audit.err()).isEqualTo(1);
            assertThat(audit.json().path("findings")).as(a.name()).anySatisfy(f -> {
                assertThat(f.path("release").asText()).isEqualTo("payments@1.0.0");
                assertThat(f.path("rule").asText()).isEqualTo("store.digest-mismatch");
            });

            Run verify = r.verify();
            assertThat(verify.exit()).as(a.name() + ": verify --release\n" + verify.out() + verify.err()).isEqualTo(1);
            assertThat(verify.json().path("error").path("refusals").findValuesAsText("rule")).as(a.name())
                    .contains("store.digest-mismatch");
            assertThat(verify.out()).as(a.name()).contains(file).contains(edited);
        }
    }

    @Test
    void auditFindsAnEnvironmentTagMovedAwayFromThePromotedDigest() throws Exception {
        Release r = release("moved");
        Run clean = run("audit", "--all", "--state-dir", r.state(), "--json");
        assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.json().path("releases").get(0).path("promotions").findValuesAsText("environment")).containsExactly("dev");
        // the insider points payments/dev:1.0.0 at another manifest in the layout's index
        Path index = r.store().resolve("index.json");
        JsonNode idx = Json.mapper().readTree(Files.readAllBytes(index));
        String other = idx.path("manifests").findValuesAsText("digest").stream().filter(d -> !d.equals(r.digest())).findFirst()
                .orElseThrow();
        String moved = Files.readString(index);
        int at = moved.indexOf("payments/dev:1.0.0");
        assertThat(at).isPositive();
        int digestAt = moved.lastIndexOf(r.digest(), at);
        assertThat(digestAt).isPositive();
        Files.writeString(index, moved.substring(0, digestAt) + other + moved.substring(digestAt + r.digest().length()));
        Run audit = run("audit", "--all", "--state-dir", r.state(), "--json");
        assertThat(audit.exit()).isEqualTo(1);
        assertThat(audit.json().path("findings").findValuesAsText("rule")).contains("audit.environment-tag");
    }
}

package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.record.ReleaseRecords;
import io.releasegate.testing.Git;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    @TempDir
    Path tmp;
    Path ws;

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

    /** build-once with the store and ledger under tmp/state. */
    Run buildOnce(String... rest) {
        List<String> args = new ArrayList<>(List.of("build-once", "--state-dir", tmp.resolve("state").toString(),
                "--workspace", ws.toString(), "--actor", "ci"));
        args.addAll(List.of(rest));
        return run(args.toArray(String[]::new));
    }

    @BeforeEach
    void workspace() throws Exception {
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(ws.resolve("target"));
        Files.writeString(ws.resolve("target/app.jar"), "app");
    }

    @Test
    void buildOnceJsonHasTheDocumentedShape() throws Exception {
        Run r = buildOnce("--json", "--name", "payments", "--version", "1.2.0", "target/*.jar");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = r.json();
        assertThat(doc.path("name").asText()).isEqualTo("payments");
        assertThat(doc.path("version").asText()).isEqualTo("1.2.0");
        assertThat(doc.path("digest").asText()).matches("sha256:[0-9a-f]{64}");
        assertThat(doc.path("subjects")).hasSize(1);
        assertThat(doc.path("subjects").get(0).path("name").asText()).isEqualTo("target/app.jar");
        assertThat(doc.path("subjects").get(0).path("digest").asText())
                .isEqualTo("sha256:" + sha256sum(ws.resolve("target/app.jar")));
        assertThat(doc.path("outcome").asText()).isEqualTo("published");

        Run again = buildOnce("--json", "--name", "payments", "--version", "1.2.0", "target/*.jar");
        assertThat(again.exit()).isZero();
        assertThat(again.json().path("outcome").asText()).isEqualTo("unchanged");
        assertThat(again.json().path("digest")).isEqualTo(doc.path("digest"));
    }

    @Test
    void anExpectedTargetWithoutItsSubjectIsRecordedAndWarnedAbout() throws Exception {
        Run r = buildOnce("--json", "--name", "payments", "--version", "1.3.0", "--expect-target", "target/*.jar",
                "--expect-target", "target/app-arm64.jar", "target/*.jar");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("missingTargets").toString()).isEqualTo("[\"target/app-arm64.jar\"]");
        Run text = buildOnce("--name", "payments", "--version", "1.3.1", "--expect-target", "target/app-arm64.jar", "target/*.jar");
        assertThat(text.exit()).isZero();
        assertThat(text.err()).contains("warning: payments@1.3.1 is incomplete").contains("target/app-arm64.jar")
                .contains("cannot be promoted to production");
        Run audit = run("audit", "payments@1.3.1", "--json", "--state-dir", tmp.resolve("state").toString());
        assertThat(audit.exit()).isEqualTo(1);
        assertThat(audit.json().path("findings").findValuesAsText("rule")).contains("audit.targets.missing");
        // a bad glob is an input error, and nothing is published
        Run bad = buildOnce("--name", "payments", "--version", "1.3.2", "--expect-target", "target/[", "target/*.jar");
        assertThat(bad.exit()).as(bad.err()).isEqualTo(2);
        assertThat(bad.err()).contains("is not a valid glob");
        assertThat(run("inspect", "payments:1.3.2", "--state-dir", tmp.resolve("state").toString()).exit()).isNotZero();
    }

    static String sha256sum(Path f) throws Exception {
        Process p = new ProcessBuilder("sha256sum", f.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return out.substring(0, 64);
    }

    @Test
    void refusalExitsOneAndNamesTheRuleAndBothDigests() throws Exception {
        Run first = buildOnce("--json", "--name", "payments", "--version", "1.2.0", "target/app.jar");
        Files.writeString(ws.resolve("target/app.jar"), "changed");
        Run text = buildOnce("--name", "payments", "--version", "1.2.0", "target/app.jar");
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.err()).contains("refused").contains("immutable-version")
                .contains(first.json().path("digest").asText());
        Run json = buildOnce("--json", "--name", "payments", "--version", "1.2.0", "target/app.jar");
        assertThat(json.exit()).isEqualTo(1);
        JsonNode error = json.json().path("error");
        assertThat(error.path("kind").asText()).isEqualTo("refused");
        assertThat(error.path("refusals").get(0).path("rule").asText()).isEqualTo("build.immutable-version");
    }

    @Test
    void usageAndInputErrorsExitTwoAndWriteNothing() throws Exception {
        assertThat(buildOnce("--name", "payments", "target/app.jar").exit()).isEqualTo(2); // missing --version
        assertThat(run("build-once", "--bogus").exit()).isEqualTo(2);
        Run missing = buildOnce("--name", "payments", "--version", "1.0.0", "target/nope.jar");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file or directory: target/nope.jar");
        Run glob = buildOnce("--json", "--name", "payments", "--version", "1.0.0", "dist/*.zip");
        assertThat(glob.exit()).isEqualTo(2);
        assertThat(glob.json().path("error").path("kind").asText()).isEqualTo("input");
        Run unreachable = buildOnce("--store", "oci://127.0.0.1:1/team", "--name", "payments", "--version", "1.0.0",
                "target/app.jar");
        assertThat(unreachable.exit()).isEqualTo(2);
        assertThat(unreachable.err()).contains("127.0.0.1:1");
        try (Stream<Path> blobs = Files.list(tmp.resolve("state/store/blobs/sha256"))) {
            assertThat(blobs.toList()).isEmpty();
        }
        assertThat(Git.run(tmp, "--git-dir", tmp.resolve("state/ledger.git").toString(), "rev-list", "--all").trim()).isEmpty();
    }

    @Test
    void anUnreadableFileIsAnInputErrorAndNothingIsPublished() throws Exception {
        Path secret = Files.writeString(ws.resolve("target/secret.jar"), "not for you");
        Files.setPosixFilePermissions(secret, java.util.Set.of());
        String uid = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim();
        int exit;
        String err;
        if (!uid.equals("0")) {
            Run r = buildOnce("--name", "payments", "--version", "1.0.0", "target");
            exit = r.exit();
            err = r.err();
        } else {
            // root reads everything: run the CLI as an unprivileged user, as a build agent would
            Path cp = Files.createDirectories(tmp.resolve("cp"));
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path src = Path.of(e);
                if (!Files.exists(src)) {
                    continue;
                }
                Path dst = cp.resolve((i++) + "-" + src.getFileName());
                if (Files.isDirectory(src)) {
                    try (Stream<Path> walk = Files.walk(src)) {
                        for (Path p : walk.toList()) {
                            Files.copy(p, dst.resolve(src.relativize(p).toString()));
                        }
                    }
                } else {
                    Files.copy(src, dst);
                }
                entries.add(dst.toString());
            }
            try (Stream<Path> walk = Files.walk(tmp)) {
                for (Path p : walk.toList()) {
                    if (!p.equals(secret)) {
                        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                                Files.isDirectory(p) ? "rwxrwxrwx" : "rw-rw-rw-"));
                    }
                }
            }
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", String.join(":", entries),
                    "io.releasegate.cli.Main", "build-once", "--state-dir", tmp.resolve("state").toString(),
                    "--workspace", ws.toString(), "--actor", "ci", "--name", "payments", "--version", "1.0.0", "target")
                    .redirectErrorStream(true).start();
            err = new String(p.getInputStream().readAllBytes());
            exit = p.waitFor();
        }
        assertThat(exit).as(err).isEqualTo(2);
        assertThat(err).contains("not readable").contains("target/secret.jar");
        assertThat(Files.exists(tmp.resolve("state/store/index.json"))
                ? Files.readString(tmp.resolve("state/store/index.json")) : "").doesNotContain("payments");
    }

    @Test
    void helpAndVersion() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("build-once").contains("inspect").contains("demo").contains("Exit codes");
        Run sub = run("build-once", "--help");
        assertThat(sub.exit()).isZero();
        assertThat(sub.out()).contains("--version=VERSION").contains("--store=URI").contains("--ledger=URI");
        assertThat(run("--version").out()).startsWith("release-gate ");
    }

    @Test
    void inspectShowsStoreLedgerAndAValidRecord() throws Exception {
        buildOnce("--name", "payments", "--version", "1.2.0", "target/app.jar");
        Run r = run("inspect", "--json", "--state-dir", tmp.resolve("state").toString(), "payments:1.2.0");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = r.json();
        assertThat(doc.path("store").path("present").asBoolean()).isTrue();
        assertThat(doc.path("ledger").path("events")).hasSize(1);
        assertThat(doc.path("record").path("artifact").path("digest")).isEqualTo(doc.path("store").path("digest"));
        assertThat(new ReleaseRecords().read(doc.path("record").toString()).name()).isEqualTo("payments");

        Run text = run("inspect", "--state-dir", tmp.resolve("state").toString(), "payments@1.2.0");
        assertThat(text.out()).contains("built by ci").contains("release record");
        Run unknown = run("inspect", "--state-dir", tmp.resolve("state").toString(), "payments:9.9.9");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("nothing is known about payments@9.9.9");
    }

    private static List<String> results(JsonNode doc, String step) {
        List<String> out = new java.util.ArrayList<>();
        doc.path("steps").forEach(s -> {
            if (s.path("step").asText().equals(step)) {
                out.add(s.path("result").asText());
            }
        });
        assertThat(out).as("demo step " + step).isNotEmpty();
        return out;
    }

    @Test
    void demoWalksTheSampleProjectAndPrintsAValidRecord() throws Exception {
        Path dir = tmp.resolve("demo");
        Run r = run("demo", "--json", "--dir", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = r.json();
        assertThat(doc.path("steps").findValuesAsText("step"))
                .containsSubsequence("sample project", "next-version", "build", "buildOnce", "buildOnce again", "immutability",
                        "changelog", "tag", "verify-tag", "release-notes", "promoteDigest dev", "promoteDigest staging",
                        "sign + verifySignatures", "sign --certificate", "verify --certificate-identity (wrong identity)",
                        "verify --certificate-identity", "generateSbom", "generateSbom spdx", "provenance", "gates", "promoteDigest staging",
                        "approveProduction",
                        "approveProduction", "approveProduction", "promoteDigest production", "verify-production",
                        "second service", "manifest create", "promote set dev", "promote set staging", "manifest test",
                        "approveProduction", "promote set production",
                        "scope files", "scope files", "scope secrets", "scope secrets", "scope deps", "scope deps",
                        "scope flags", "scope flags");
        // the next release cycle: each release-scope gate catches one finding, which is then resolved
        for (String gate : List.of("scope files", "scope secrets", "scope deps", "scope flags")) {
            assertThat(results(doc, gate)).hasSize(2);
            assertThat(results(doc, gate).get(0)).as(gate).startsWith("caught: ");
            assertThat(results(doc, gate).get(1)).as(gate).startsWith("resolved: ");
        }
        // two services promoted as one set; into production inside the change window, else refused (no emergency path)
        assertThat(results(doc, "promote set staging").get(0)).contains("payments/staging:", "notifier/staging:1.0.0");
        assertThat(results(doc, "promote set production").get(0)).satisfiesAnyOf(
                p -> assertThat(p).contains("payments/production:", "notifier/production:1.0.0"),
                p -> assertThat(p).contains("refused outside the change window", "window."));
        assertThat(results(doc, "scope files").get(0)).contains("files.missing:CODEOWNERS");
        assertThat(results(doc, "scope secrets").get(0)).contains("config/gateway.env:2 github-token ghp_***");
        assertThat(r.out()).doesNotContainPattern("ghp_[A-Za-z0-9]{36}");
        assertThat(results(doc, "scope deps").get(0)).contains("deps.downgrade:pkg:npm/lodash@4.17.20",
                "deps.license:GPL-3.0-only:pkg:npm/readline-plus@2.0.0");
        assertThat(results(doc, "scope flags").get(0)).contains("flags.unregistered:instant-payouts");
        assertThat(results(doc, "promoteDigest staging").get(0)).contains("promote.evidence-signatures");
        assertThat(results(doc, "approveProduction").get(0)).contains("approval.author");
        assertThat(results(doc, "verify-tag").get(0)).contains("signature verified");
        // certificate mode: a CA generated for the run, identity + issuer + trust root, and another identity refused
        assertThat(results(doc, "sign --certificate").get(0)).contains(DemoCommand.DEMO_IDENTITY).contains("bundle stored as payments@sha256:");
        assertThat(results(doc, "verify --certificate-identity (wrong identity)").get(0)).startsWith("refused by rule certificate.identity")
                .contains(DemoCommand.DEMO_IDENTITY).contains(DemoCommand.DEMO_WRONG_IDENTITY);
        assertThat(results(doc, "verify --certificate-identity").get(0)).contains("signed by " + DemoCommand.DEMO_IDENTITY)
                .contains("OIDC issuer " + DemoCommand.DEMO_ISSUER).contains(".release-gate/demo-pki/demo-ca.pem");
        assertThat(Files.readString(dir.resolve(".release-gate/demo-pki/demo-ca.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(results(doc, "generateSbom spdx").get(0)).startsWith("SPDX 2.3").contains("DESCRIBES")
                .contains("schema-valid");
        assertThat(Json.mapper().readTree(dir.resolve("target/sbom.spdx.json").toFile()).path("spdxVersion").asText())
                .isEqualTo("SPDX-2.3");
        assertThat(results(doc, "provenance").get(0)).contains("read back and verified");
        assertThat(results(doc, "verify-production").get(0)).startsWith("verified");
        // signed approvals: each approver's own key; another person's key records nothing
        assertThat(results(doc, "approveProduction")).anySatisfy(t -> assertThat(t).contains("signed with mia's key"))
                .anySatisfy(t -> assertThat(t).contains("dora's approval signed with mia's key refused, nothing recorded"));
        // the demo's ledger as an auditor sees it: every event signed by whoever may assert it, every checkpoint extended
        Run audit = run("audit", "--json", "--state-dir", dir.resolve(".release-gate").toString(),
                "--trust", dir.resolve(".release-gate/trust/trust.yaml").toString());
        assertThat(audit.exit()).as(audit.out() + audit.err()).isZero();
        assertThat(audit.json().path("events").findValuesAsText("believed")).containsOnly("true").hasSizeGreaterThan(20);
        assertThat(audit.json().path("events").findValuesAsText("signer")).contains("ci@example.com", "mia@example.com",
                "dora@example.com");
        assertThat(audit.json().path("checkpoints")).isNotEmpty();
        // per release: who built and approved it, where it went, and that it still verifies against the store
        Run release = run("audit", "payments@0.1.0", "--json", "--state-dir", dir.resolve(".release-gate").toString(),
                "--trust", dir.resolve(".release-gate/trust/trust.yaml").toString(), "--repo", dir.toString());
        assertThat(release.exit()).as(release.out() + release.err()).isZero();
        JsonNode audited = release.json().path("releases").get(0);
        // the approvers were checked against the sample's authors (the author's own approval was refused, none stands)
        assertThat(audited.path("authorsChecked").asBoolean()).isTrue();
        Run noRepo = run("audit", "payments@0.1.0", "--state-dir", dir.resolve(".release-gate").toString(),
                "--trust", dir.resolve(".release-gate/trust/trust.yaml").toString());
        assertThat(noRepo.out()).contains("approvers not checked against the authors: no --repo given");
        Run notARepo = run("audit", "payments@0.1.0", "--state-dir", dir.resolve(".release-gate").toString(),
                "--trust", dir.resolve(".release-gate/trust/trust.yaml").toString(), "--repo", tmp.resolve("nowhere").toString());
        assertThat(notARepo.exit()).as(notARepo.err()).isEqualTo(2);
        assertThat(audited.path("release").asText()).isEqualTo("payments@0.1.0");
        assertThat(audited.path("approvals").findValuesAsText("approver")).containsExactlyInAnyOrder("mia", "dora");
        assertThat(audited.path("promotions").findValuesAsText("environment")).contains("dev", "staging", "production");
        assertThat(run("audit", "nothing@9.9.9", "--state-dir", dir.resolve(".release-gate").toString(), "--trust",
                dir.resolve(".release-gate/trust/trust.yaml").toString()).exit()).isEqualTo(2);
        JsonNode record = doc.path("record");
        assertThat(new ReleaseRecords().read(record.toString()).version()).isEqualTo("0.1.0");
        assertThat(record.path("source").path("tag").path("name").asText()).isEqualTo("v0.1.0");
        assertThat(record.path("promotions").findValuesAsText("environment")).containsExactly("dev", "staging", "production");
        assertThat(record.path("approvals")).hasSize(2);
        assertThat(record.path("sboms").findValuesAsText("format")).containsExactly("cyclonedx", "spdx");
        assertThat(record.path("provenance")).hasSize(1);
        assertThat(Files.readString(dir.resolve("docs/releases/v0.1.0.md"))).contains("# payments v0.1.0")
                .contains(record.path("artifact").path("digest").asText());
        // the tag verifies with gpg given the demo's public key
        Path home = Files.createTempDirectory(Path.of("/tmp"), "gpg");
        try {
            Process imp = new ProcessBuilder("gpg", "--batch", "-q", "--homedir", home.toString(), "--import",
                    dir.resolve(".release-gate/demo-signing-key.pub.asc").toString()).redirectErrorStream(true).start();
            imp.getInputStream().readAllBytes();
            assertThat(imp.waitFor()).isZero();
            assertThat(Git.run(dir, java.util.Map.of("GNUPGHOME", home.toString()), "tag", "-v", "v0.1.0"))
                    .contains("Good signature from \"Release Gate demo");
        } finally {
            new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all").start().waitFor();
            new ProcessBuilder("rm", "-rf", home.toString()).start().waitFor();
        }
        // the release's commit is the one its tag names (the scope walkthrough commits after it)
        String tagged = Git.run(dir, "rev-parse", "v0.1.0^{commit}").trim();
        assertThat(record.path("source").path("commit").asText()).isEqualTo(tagged);
        assertThat(Git.run(dir, "log", "--format=%s")).contains("feat(api): authorise card payments");
        assertThat(Git.run(dir, "--git-dir", ".release-gate/ledger.git", "log", "--format=%s")).contains("built payments@0.1.0").contains("tagged payments@0.1.0");
        // a non-empty directory is refused
        assertThat(run("demo", "--dir", dir.toString()).exit()).isEqualTo(2);
    }
}

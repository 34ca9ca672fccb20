package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** release-gate scope files|secrets: exit codes, --json, and no secret in any output. */
class ScopeCommandTest {

    @TempDir
    Path tmp;
    TestRepo repo;
    String token;

    void write(String path, String text) throws Exception {
        repo.write(path, text);
    }

    void commit(String message) {
        repo.commitAll(message, "Dev", "dev@example.com");
    }

    @BeforeEach
    void init() throws Exception {
        SecureRandom rnd = new SecureRandom();
        StringBuilder b = new StringBuilder("xoxb-");
        for (int i = 0; i < 12; i++) {
            b.append(rnd.nextInt(10));
        }
        b.append('-');
        String alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 24; i++) {
            b.append(alnum.charAt(rnd.nextInt(alnum.length())));
        }
        token = b.toString();
        repo = TestRepo.init(tmp.resolve("repo"));
        write("CODEOWNERS", "* @org/maintainers\n");
        write("SECURITY.md", "# Security\n");
        write("RELEASE.md", "# Releasing\n");
        commit("chore: start");
        repo.tag("v1.0.0");
        write("config/slack.yaml", "bot: " + token + "\n");
        commit("feat: slack");
        write("config/slack.yaml", "bot: ${SLACK_TOKEN}\n");
        commit("fix: token from the environment");
    }

    @Test
    void secretsFindsTheRemovedTokenAndNoOutputContainsIt() throws Exception {
        CliRun text = CliRun.of("scope", "secrets", "--repo", repo.dir().toString());
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.out()).contains("SECRET", "config/slack.yaml:1", "slack-token", "1 secret(s)");
        CliRun json = CliRun.of("scope", "secrets", "--repo", repo.dir().toString(), "--json");
        assertThat(json.exit()).isEqualTo(1);
        JsonNode f = json.json().get("findings").get(0);
        assertThat(f.get("rule").asText()).isEqualTo("slack-token");
        assertThat(f.get("line").asInt()).isEqualTo(1);
        assertThat(json.json().get("commits").asInt()).isEqualTo(2);
        for (CliRun r : new CliRun[] {text, json}) {
            assertThat(r.out() + r.err()).doesNotContain(token).doesNotContain(token.substring(5, 17))
                    .doesNotContain(token.substring(token.length() - 12));
        }
        // a range without the commit that added it
        CliRun later = CliRun.of("scope", "secrets", "HEAD~1..HEAD", "--repo", repo.dir().toString());
        assertThat(later.exit()).isZero();
    }

    @Test
    void badInputIsExitTwoAndAnAllowlistWithoutReasonIsRefusedAsInput() throws Exception {
        assertThat(CliRun.of("scope", "secrets", "v9.9.9..HEAD", "--repo", repo.dir().toString()).exit()).isEqualTo(2);
        Path allow = Files.writeString(tmp.resolve("allow.yaml"), "entries:\n  - path: config/slack.yaml\n    fingerprint: 0123456789abcdef\n"
                + "    exception: EX-1\n");
        CliRun r = CliRun.of("scope", "secrets", "--repo", repo.dir().toString(), "--allowlist", allow.toString(), "--json");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out() + r.err()).contains("missing reason");

        // an allowlist that is not UTF-8, given or committed, is bad input naming it, never read with replacement characters
        Path latin1 = Files.write(tmp.resolve("latin1.yaml"), "entries:\n  - path: caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        CliRun given = CliRun.of("scope", "secrets", "--repo", repo.dir().toString(), "--allowlist", latin1.toString());
        assertThat(given.exit()).isEqualTo(2);
        assertThat(given.err()).contains(latin1 + " is not valid UTF-8 (byte offset 22)");
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.copy(latin1, repo.dir().resolve(".release/secrets-allowlist.yaml"));
        commit("chore: allowlist");
        CliRun committed = CliRun.of("scope", "secrets", "--repo", repo.dir().toString());
        assertThat(committed.exit()).isEqualTo(2);
        assertThat(committed.err()).contains(".release/secrets-allowlist.yaml at commit ").contains("is not valid UTF-8");
    }

    @Test
    void aFileThatIsNotUtf8IsStillScannedAndAFiftyMegabyteFileFailsClosed() throws Exception {
        byte[] latin1 = ("caf\u00e9 = 1\nslack: " + token + "\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(repo.dir().resolve("latin1.properties"), latin1);
        try (var f = new java.io.RandomAccessFile(repo.dir().resolve("big.log").toFile(), "rw")) {
            f.setLength(50L << 20);
        }
        commit("chore: a latin-1 file and a large log");
        CliRun r = CliRun.of("scope", "secrets", "--repo", repo.dir().toString(), "--json");
        assertThat(r.exit()).isEqualTo(1);
        JsonNode j = r.json();
        assertThat(j.path("findings").findValuesAsText("path")).contains("latin1.properties");
        assertThat(j.path("unscanned").findValuesAsText("path")).contains("big.log");
        assertThat(r.out()).doesNotContain(token);
    }

    @Test
    void filesReportsMissingFilesAndWarnings() throws Exception {
        CliRun ok = CliRun.of("scope", "files", "--repo", repo.dir().toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("warning files.missing:CHANGELOG.md", "warning files.missing:docs/audit/");
        Files.delete(repo.dir().resolve("RELEASE.md"));
        commit("chore: drop RELEASE.md");
        CliRun bad = CliRun.of("scope", "files", "--repo", repo.dir().toString(), "--json");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.json().get("ok").asBoolean()).isFalse();
        assertThat(bad.out()).contains("files.missing:RELEASE.md");
        assertThat(CliRun.of("scope", "--help").out()).contains("files", "secrets");
    }

    @Test
    void theAdminsCentralPolicyIsTheBaselineOfTheCoverage() throws Exception {
        write("CODEOWNERS", "src/ @org/dev\n");
        write("src/App.java", "class App {}\n");
        commit("chore: owners of src only");
        // the library default covers every path: README.md, SECURITY.md … have no owner
        CliRun strict = CliRun.of("scope", "files", "--repo", repo.dir().toString());
        assertThat(strict.exit()).as(strict.out() + strict.err()).isEqualTo(1);
        assertThat(strict.out()).contains("files.uncovered:**");
        // the admin's central policy names the production-impacting paths: src/ only, which CODEOWNERS covers
        Path central = Files.writeString(tmp.resolve("central.yaml"), "scope:\n  codeownersCover: [\"src/**\"]\n");
        String pin = io.releasegate.digest.Digester.of(Files.readAllBytes(central)).toString();
        CliRun admin = CliRun.of("scope", "files", "--repo", repo.dir().toString(), "--central-policy", central.toString(),
                "--central-policy-digest", pin);
        assertThat(admin.exit()).as(admin.out() + admin.err()).isZero();
        // and a central policy whose pin does not match is refused, not ignored
        CliRun unpinned = CliRun.of("scope", "files", "--repo", repo.dir().toString(), "--central-policy", central.toString(),
                "--central-policy-digest", "sha256:" + "0".repeat(64));
        assertThat(unpinned.exit()).isNotZero();
    }
}

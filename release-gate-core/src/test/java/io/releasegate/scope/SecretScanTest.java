package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.gates.PolicyException;
import io.releasegate.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secrets scan on real repositories (git CLI), bypasses first. Every secret value is generated at run time. */
class SecretScanTest {

    private static final SecureRandom RND = new SecureRandom();
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    @TempDir
    Path tmp;
    TestRepo repo;

    static String random(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(ALNUM.charAt(RND.nextInt(ALNUM.length())));
        }
        return b.toString();
    }

    /** A GitHub-shaped token, made now. */
    static String githubToken() {
        return "ghp_" + random(36);
    }

    @BeforeEach
    void init() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        write("README.md", "# app\n");
        commit("chore: start");
        repo.tag("v1.0.0");
    }

    void write(String path, String text) throws Exception {
        repo.write(path, text);
    }

    String commit(String message) {
        return repo.commitAll(message, "Dev", "dev@example.com");
    }

    SecretScan.Result scan(Optional<String> range, SecretsAllowlist allowlist, List<PolicyException> exceptions) {
        try (History h = History.open(repo.dir())) {
            return new SecretScan(h.repository()).range(ReleaseRange.resolve(h, range)).allowlist(allowlist, exceptions)
                    .context("app", "main", "production", LocalDate.of(2026, 12, 7)).call();
        }
    }

    SecretScan.Result scan() {
        return scan(Optional.empty(), SecretsAllowlist.none(), List.of());
    }

    @Test
    void aSecretAddedAndThenDeletedInTheRangeIsStillAFinding() throws Exception {
        String token = githubToken();
        write("config/ci.env", "A=1\nGITHUB_TOKEN=" + token + "\n");
        String added = commit("chore: ci settings");
        write("config/ci.env", "A=1\n");
        commit("fix: drop the token");
        // git itself: the token is in the history (added, then removed), not in the tip's tree
        assertThat(repo.git("log", "-S", token, "--format=%H").lines().toList()).hasSize(2).contains(added);
        assertThat(repo.git("ls-tree", "-r", "--name-only", "HEAD")).contains("config/ci.env");
        assertThat(repo.git("show", "HEAD:config/ci.env")).doesNotContain("ghp_");

        SecretScan.Result r = scan();
        assertThat(r.ok()).isFalse();
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.commit()).isEqualTo(added);
            assertThat(f.path()).isEqualTo("config/ci.env");
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.rule()).isEqualTo("github-token");
            assertThat(f.fingerprint()).isEqualTo(SecretScan.fingerprint(token));
        });
        assertThat(r.toString()).doesNotContain(token).doesNotContain(token.substring(4, 16));
    }

    @Test
    void aSecretInACommitThatIsNotTheTipIsFoundAndTheRangeStartsAtTheLastReleaseTag() throws Exception {
        String key = "AKIA" + random(16).toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z2-7]", "Q");
        write("old.properties", "aws.id=" + key + "\n");
        commit("chore: before the release");
        repo.tag("v1.1.0");
        write("deploy/app.yaml", "id: " + key.replace("AKIA", "ASIA") + "\n");
        String inScope = commit("feat: deploy");
        write("README.md", "# app\n\nmore\n");
        commit("docs: readme");

        SecretScan.Result r = scan();
        assertThat(r.commits()).isEqualTo(2);
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.commit()).isEqualTo(inScope);
            assertThat(f.rule()).isEqualTo("aws-access-key-id");
        });
        // an explicit range reaches the older commit
        SecretScan.Result all = scan(Optional.of("v1.0.0..HEAD"), SecretsAllowlist.none(), List.of());
        assertThat(all.findings()).extracting(SecretScan.SecretFinding::path).containsExactlyInAnyOrder("old.properties", "deploy/app.yaml");
    }

    PolicyException exception(String id, String findingId, String author, List<String> approvers) throws Exception {
        Path f = tmp.resolve(id + ".yaml");
        Files.writeString(f, String.join("\n", "id: " + id, "owner: team-a", "author: " + author, "type: temporary",
                "policyRef: 003-1.17", "scope:", "  findings: ['" + findingId + "']", "risk: none, a test value",
                "compensatingControls: [review]", "approvers: " + approvers, "expires: 2027-01-31", "reviewDate: 2027-01-15",
                "rollback: delete the entry", "evidence: [ticket-1]", ""));
        return PolicyException.load(f);
    }

    @Test
    void anAllowlistEntryOnlyCoversItsPathAndOnlyWithAValidException() throws Exception {
        String token = githubToken();
        write("test/fixtures/token.txt", "token " + token + "\n");
        write("src/app.env", "GH=" + token + "\n");
        commit("test: fixture");
        String fp = SecretScan.fingerprint(token);
        String id = "secret:test/fixtures/token.txt:" + fp;
        SecretsAllowlist list = SecretsAllowlist.parse("allow.yaml", "entries:\n  - path: test/fixtures/token.txt\n    fingerprint: " + fp
                + "\n    reason: fixture of the parser test\n    exception: EX-1\n");

        SecretScan.Result ok = scan(Optional.empty(), list, List.of(exception("EX-1", id, "alice", List.of("bob"))));
        assertThat(ok.findings()).hasSize(2);
        assertThat(ok.open()).singleElement().satisfies(f -> assertThat(f.path()).isEqualTo("src/app.env"));
        assertThat(ok.ok()).isFalse();

        // the same fingerprint allowlisted for the wrong path silences nothing
        SecretsAllowlist wrong = SecretsAllowlist.parse("allow.yaml", "entries:\n  - path: test/other.txt\n    fingerprint: " + fp
                + "\n    reason: wrong path\n    exception: EX-1\n");
        assertThat(scan(Optional.empty(), wrong, List.of(exception("EX-1", id, "alice", List.of("bob")))).open()).hasSize(2);

        // an exception approved only by its author, or one that does not exist, approves no entry
        SecretScan.Result self = scan(Optional.empty(), list, List.of(exception("EX-1", id, "alice", List.of("alice"))));
        assertThat(self.open()).hasSize(2);
        assertThat(self.findings().stream().filter(f -> f.path().startsWith("test/")).findFirst().orElseThrow().notAllowlisted())
                .singleElement().asString().contains("approved only by its author");
        assertThat(scan(Optional.empty(), list, List.of()).open()).hasSize(2);
        // an exception for another finding does not approve this entry
        assertThat(scan(Optional.empty(), list, List.of(exception("EX-1", "secret:src/app.env:" + fp, "alice", List.of("bob"))))
                .findings().stream().filter(f -> f.path().startsWith("test/")).findFirst().orElseThrow().allowlisted()).isEmpty();
    }

    @Test
    void anAllowlistEntryWithoutAReasonOrAnExceptionIsBadInput() {
        assertThatThrownBy(() -> SecretsAllowlist.parse("allow.yaml", "entries:\n  - path: a\n    fingerprint: 0123456789abcdef\n    exception: EX-1\n"))
                .isInstanceOf(InputException.class).hasMessageContaining("entry 1: missing reason");
        assertThatThrownBy(() -> SecretsAllowlist.parse("allow.yaml", "entries:\n  - path: a\n    fingerprint: 0123456789abcdef\n    reason: r\n"))
                .isInstanceOf(InputException.class).hasMessageContaining("missing exception");
        assertThatThrownBy(() -> SecretsAllowlist.parse("allow.yaml", "entries:\n  - path: a\n    fingerprint: xyz\n    reason: r\n    exception: E\n"))
                .isInstanceOf(InputException.class).hasMessageContaining("not the 16 hex digits");
        assertThatThrownBy(() -> SecretsAllowlist.parse("allow.yaml", "entries:\n  - path: a\n    fingerprint: 0123456789abcdef\n    reason: r\n    exception: E\n    extra: 1\n"))
                .isInstanceOf(InputException.class).hasMessageContaining("unknown key 'extra'");
        assertThatThrownBy(() -> SecretsAllowlist.parse("allow.yaml", "[1, 2]")).isInstanceOf(InputException.class);
    }

    @Test
    void aBase64EncodedSecretAndAPrivateKeyBlockAcrossLinesAreFound() throws Exception {
        String token = "glpat-" + random(20);
        String encoded = Base64.getEncoder().encodeToString(("GITLAB_TOKEN=" + token).getBytes(StandardCharsets.UTF_8));
        String body = random(64) + "\n" + random(64) + "\n" + random(30);
        write("k8s/secret.yaml", "kind: Secret\ndata:\n  token: " + encoded + "\n");
        write("keys/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n");
        commit("chore: keys");

        SecretScan.Result r = scan();
        assertThat(r.findings()).extracting(SecretScan.SecretFinding::rule).containsExactlyInAnyOrder("gitlab-token", "private-key");
        assertThat(r.findings()).filteredOn(SecretScan.SecretFinding::encoded).singleElement()
                .satisfies(f -> assertThat(f.fingerprint()).isEqualTo(SecretScan.fingerprint(token)));
        assertThat(r.findings()).filteredOn(f -> f.rule().equals("private-key")).singleElement()
                .satisfies(f -> assertThat(f.fingerprint()).isEqualTo(SecretScan.fingerprint(body.replace("\n", ""))));
        String all = r.toString();
        assertThat(all).doesNotContain(token).doesNotContain(encoded).doesNotContain(body.substring(0, 20));
    }

    @Test
    void binaryFilesAreSkippedAndAFileTooLargeToScanIsReportedNotIgnored() throws Exception {
        byte[] bin = new byte[4096];
        RND.nextBytes(bin);
        bin[10] = 0;
        byte[] withToken = ("x " + githubToken() + "\n").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(withToken, 0, bin, 100, withToken.length);
        Files.write(repo.dir().resolve("image.bin"), bin);
        Path big = repo.dir().resolve("dump.sql");
        try (var w = Files.newBufferedWriter(big)) {
            String line = "insert into t values ('" + "x".repeat(200) + "');\n";
            for (long n = 0; n <= SecretScan.MAX_BLOB_BYTES / line.length() + 1; n++) {
                w.write(line);
            }
        }
        commit("chore: blobs");
        SecretScan.Result r = scan();
        assertThat(r.binaries()).isEqualTo(1);
        assertThat(r.findings()).isEmpty();
        assertThat(r.unscanned()).singleElement().satisfies(u -> assertThat(u.path()).isEqualTo("dump.sql"));
        assertThat(r.ok()).isFalse();
    }

    @Test
    void lookAlikesAreNotSecretsAndAGenericAssignmentMustLookRandom() throws Exception {
        String value = random(10) + "7" + random(12);
        write("app.properties", String.join("\n", "db.password=${DB_PASSWORD}", "token: <your-token>", "secret_name = db-credentials",
                "password: changeme", "auth = config.security.provider", "-----BEGIN PUBLIC KEY-----", "MIIB" + random(40),
                "-----END PUBLIC KEY-----", "url=https://user@host/x.git", "client_secret = \"" + value + "\"", ""));
        commit("feat: settings");
        SecretScan.Result r = scan();
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("generic-assignment");
            assertThat(f.line()).isEqualTo(10);
            assertThat(f.masked()).startsWith(value.substring(0, 2)).doesNotContain(value.substring(2, 6));
        });
    }

    @Test
    void aLongRangeScannedOnEveryCoreReportsEachSecretOnceAtTheCommitThatFirstAddedIt() throws Exception {
        String token = githubToken();
        String first = null;
        String other = null;
        int n = SecretScan.PARALLEL_FROM * 2 + 10;
        for (int i = 0; i < n; i++) {
            if (i == 3 || i == n - 5) {
                write("deploy/a.env", "TOKEN=" + token + "\n"); // added early, removed, added again in a later chunk
            } else if (i == 4) {
                write("deploy/a.env", "TOKEN=${TOKEN}\n");
            } else {
                write("notes/n" + i + ".txt", "note " + i + "\n");
            }
            if (i == n / 2) {
                write("deploy/b.env", "TOKEN=" + token + "\n"); // the same secret at another path is another finding
            }
            String c = commit("chore: " + i);
            if (i == 3) {
                first = c;
            }
            if (i == n / 2) {
                other = c;
            }
        }
        SecretScan.Result r = scan();
        assertThat(r.commits()).isEqualTo(n);
        assertThat(r.findings()).extracting(f -> f.path() + "@" + f.commit()).containsExactly("deploy/a.env@" + first,
                "deploy/b.env@" + other);
    }

    @Test
    void aRangeThatDoesNotExistIsBadInput() {
        try (History h = History.open(repo.dir())) {
            assertThatThrownBy(() -> ReleaseRange.resolve(h, Optional.of("v9.9.9..HEAD"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("v9.9.9");
            assertThatThrownBy(() -> ReleaseRange.resolve(h, Optional.of("a...b"))).isInstanceOf(InputException.class);
        }
    }
}

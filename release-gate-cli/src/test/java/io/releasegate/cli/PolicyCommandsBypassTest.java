package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.json.Json;
import io.releasegate.testing.TestPki;
import io.releasegate.testing.TestRepo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy attacks as an insider runs them with the command line: a policy file from anywhere for production,
 * a working-tree edit, a loosening team policy, an alias bomb, a tampered bundle, an incomplete exception. Each is
 * refused with its rule and exit code, and nothing is recorded.
 */
class PolicyCommandsBypassTest {

    static final String MEMBERS = "approvals:\n  members:\n    maintainer:\n      people: [mia]\n"
            + "    domain-reviewer:\n      people: [dora]\n";
    static final String INVENTED = "approvals:\n  members:\n    maintainer:\n      people: [eve]\n"
            + "    domain-reviewer:\n      people: [mallory]\n";

    @TempDir
    Path tmp;
    TestRepo repo;
    String state;
    String digest;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }

        String all() {
            return out + err;
        }
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    Run release(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--repo", repo.dir().toString(), "--state-dir", state));
        return run(all.toArray(String[]::new));
    }

    int events() {
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(Path.of(state)))) {
            return ctx.ledger().events().size();
        }
    }

    @BeforeEach
    void built() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), MEMBERS);
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        state = tmp.resolve("state").toString();
        Run b = run("build-once", "--json", "--state-dir", state, "--workspace", repo.dir().toString(), "--actor", "ci",
                "--name", "payments", "--version", "1.0.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        digest = b.json().path("digest").asText();
    }

    @Test
    void aMalformedYamlTagIsBadInputNotAnInternalError() throws Exception {
        // found by fuzzing (ScopeParsersFuzzTest): SnakeYAML reports "!%20" with an IllegalArgumentException
        Path policy = Files.writeString(tmp.resolve("tag.yaml"), "!%200%2");
        Run r = run("policy", "check", policy.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("tag.yaml: not valid YAML").doesNotContain("internal error");
        Path trust = Files.writeString(tmp.resolve("trust.yaml"), "!%200%2");
        Run t = run("audit", "--trust", trust.toString(), "--state-dir", tmp.resolve("empty-state").toString());
        assertThat(t.exit()).as(t.err()).isEqualTo(2);
        assertThat(t.err()).contains("trust.yaml: not valid YAML");
    }

    @Test
    void aPolicyFileFromAnywhereIsRefusedForProductionAndNothingIsRecorded() throws Exception {
        Path invented = Files.writeString(tmp.resolve("my-policy.yaml"), INVENTED);
        int before = events();
        for (String[] attempt : List.of(
                new String[] {"approve", "payments@1.0.0", "--digest", digest, "--approver", "eve", "--role", "maintainer",
                        "--rationale", "fine", "--policy", invented.toString(), "--json"},
                new String[] {"promote", "payments@1.0.0", "--digest", digest, "--to", "production", "--actor", "ci",
                        "--policy", invented.toString(), "--json"},
                new String[] {"gate", "payments@1.0.0", "--digest", digest, "--policy", invented.toString(), "--json"})) {
            Run r = release(attempt);
            assertThat(r.exit()).as(attempt[0] + ": " + r.all()).isEqualTo(1);
            assertThat(r.json().at("/error/refusals/0/rule").asText()).as(attempt[0]).isEqualTo("policy.not-committed");
            assertThat(r.json().at("/error/refusals/0/evidence").asText()).contains(invented.toString()).contains(repo.head());
        }
        assertThat(events()).isEqualTo(before);
        // a dry run in dev with the same file is fine
        Run dev = release("promote", "payments@1.0.0", "--digest", digest, "--to", "dev", "--actor", "ci", "--policy",
                invented.toString());
        assertThat(dev.exit()).as(dev.all()).isZero();
    }

    @Test
    void aWorkingTreeEditDoesNotChangeWhoMayApproveProduction() throws Exception {
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), INVENTED);
        int before = events();
        Run eve = release("approve", "payments@1.0.0", "--digest", digest, "--approver", "eve", "--role", "maintainer",
                "--rationale", "fine", "--json");
        assertThat(eve.exit()).as(eve.all()).isEqualTo(1);
        assertThat(eve.json().path("error").path("refusals").findValuesAsText("rule")).contains("approval.not-in-role");
        assertThat(events()).isEqualTo(before);
        Run mia = release("approve", "payments@1.0.0", "--digest", digest, "--approver", "mia", "--role", "maintainer",
                "--rationale", "tests green", "--json");
        assertThat(mia.exit()).as(mia.all()).isZero();
    }

    @Test
    void aTeamPolicyThatWidensTheWindowsIsRefusedNamingTheFieldAndBothValues() throws Exception {
        Path open = Files.writeString(tmp.resolve("open.yaml"), "windows:\n  weekly:\n    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n"
                + "      from: \"00:00\"\n      to: \"23:59\"\n");
        Run check = run("policy", "check", "--json", open.toString());
        assertThat(check.exit()).as(check.all()).isEqualTo(1);
        JsonNode refusal = check.json().at("/error/refusals/0");
        assertThat(refusal.path("rule").asText()).isEqualTo("policy.loosened");
        assertThat(refusal.path("evidence").asText()).contains("open.yaml:").contains("windows.weekly").contains("09:00-16:00")
                .contains("00:00-23:59");
        // committed in the repository, it is refused for every decision
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), MEMBERS + Files.readString(open));
        repo.commit("chore: open windows");
        int before = events();
        Run promote = release("promote", "payments@1.0.0", "--digest", digest, "--to", "dev", "--actor", "ci");
        assertThat(promote.exit()).as(promote.all()).isEqualTo(1);
        assertThat(promote.err()).contains("policy.loosened");
        assertThat(events()).isEqualTo(before);
    }

    @Test
    void explainShowsTheEffectivePolicysDigest() throws Exception {
        Run explain = run("policy", "explain", "--policy", repo.dir().resolve(".release/policy.yaml").toString());
        assertThat(explain.exit()).as(explain.all()).isZero();
        assertThat(explain.json().path("digest").asText()).startsWith("sha256:");
        Run check = run("policy", "check", "--json", repo.dir().resolve(".release/policy.yaml").toString());
        assertThat(check.json().path("digest").asText()).isEqualTo(explain.json().path("digest").asText());
    }

    @Test
    void anAliasBombIsAnInputErrorNamingTheFile() throws Exception {
        StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            String p = "*" + (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [").append(String.join(", ", java.util.Collections.nCopies(9, p)))
                    .append("]\n");
        }
        Path file = Files.writeString(tmp.resolve("bomb.yaml"), bomb);
        for (String[] args : List.of(new String[] {"policy", "check", file.toString()},
                new String[] {"policy", "explain", "--policy", file.toString()},
                new String[] {"exceptions", "check", file.toString()})) {
            Run r = run(args);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.all()).isEqualTo(2);
            assertThat(r.err()).contains(file.toString()).doesNotContain("internal error").doesNotContain("Exception");
        }
    }

    @Test
    void anIncompleteExceptionIsRefusedByCheckListingTheMissingFields() throws Exception {
        Path partial = Files.writeString(tmp.resolve("EXC-9.yaml"), "id: EXC-9\ntype: temporary\nowner: payments\n");
        Run r = run("exceptions", "check", "--json", partial.toString());
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.json().at("/error/refusals/0/rule").asText()).isEqualTo("exception.incomplete");
        assertThat(r.json().at("/error/refusals/0/evidence").asText()).contains("author").contains("risk").contains("approvers")
                .contains("expires");
    }

    @Test
    void everyTamperedByteOfABundleIsARefusalNamingTheFailedCheck() throws Exception {
        Instant now = Instant.now();
        TestPki pki = TestPki.create(now);
        TestPki.Leaf leaf = pki.leaf(tmp.resolve("id"), "signer", "release-bot@example.test", now);
        Path tlog = tmp.resolve("tlog");
        assertThat(run("tlog-init", tlog.toString(), "--origin", "tlog.release-gate.test").exit()).isZero();
        Path root = pki.trustedRoot(tmp.resolve("trusted_root.json"), Optional.of(io.releasegate.signing.TransparencyLog.open(tlog)));
        Path file = Files.writeString(tmp.resolve("app.jar"), "bytes");
        Run signed = run("sign", "--key", leaf.key().toString(), "--certificate", leaf.cert().toString(), "--tlog", tlog.toString(),
                file.toString());
        assertThat(signed.exit()).as(signed.all()).isZero();
        Path bundle = tmp.resolve("app.jar.bundle");
        Files.delete(tmp.resolve("app.jar.sig"));
        Files.delete(tmp.resolve("app.jar.pem"));
        byte[] good = Files.readAllBytes(bundle);
        int refused = 0;
        for (int i = 0; i < good.length; i += 5) {
            byte[] bad = good.clone();
            bad[i] = (byte) (bad[i] == 'A' ? 'B' : bad[i] == '"' ? 'x' : 'A');
            Files.write(bundle, bad);
            Run r = run("verify", file.toString(), "--certificate-identity", "release-bot@example.test", "--certificate-oidc-issuer",
                    TestPki.ISSUER, "--trusted-root", root.toString(), "--json");
            String shown = new String(bad, StandardCharsets.UTF_8);
            assertThat(r.exit()).as("byte " + i + ": " + r.all() + "\n" + shown).isIn(0, 1);
            if (r.exit() == 1) {
                refused++;
                assertThat(r.json().at("/error/refusals/0/rule").asText()).as("byte " + i).matches("[a-z]+\\.[a-z-]+");
                assertThat(r.out()).as("byte " + i).doesNotContain("Exception").doesNotContain("[Source:");
            }
        }
        assertThat(refused).isGreaterThan(good.length / 10);
        Files.write(bundle, good);
        assertThat(run("verify", file.toString(), "--certificate-identity", "release-bot@example.test", "--certificate-oidc-issuer",
                TestPki.ISSUER, "--trusted-root", root.toString()).exit()).isZero();
    }
}

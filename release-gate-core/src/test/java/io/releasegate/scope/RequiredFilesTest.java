package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.build.BuildOnce;
import io.releasegate.commits.History;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Required repository files, CODEOWNERS coverage, the policy key, and both scope gates in the gate decision. */
class RequiredFilesTest {

    @TempDir
    Path tmp;
    TestRepo repo;

    @BeforeEach
    void init() {
        repo = TestRepo.init(tmp.resolve("repo"));
    }

    void write(String path, String text) throws Exception {
        Path f = repo.dir().resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    String commit(String message) {
        repo.git("add", "-A");
        repo.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", message);
        return repo.head();
    }

    RequiredFiles.Result check(List<String> cover) {
        try (History h = History.open(repo.dir())) {
            return new RequiredFiles(h.repository()).commit("HEAD").cover(cover).call();
        }
    }

    void complete() throws Exception {
        write("CODEOWNERS", "# owners\n* @org/maintainers\n/deploy/ @org/ops\n");
        write("SECURITY.md", "# Security\nReport to security@example.com\n");
        write("RELEASE.md", "# Releasing\nThe golden pipeline releases.\n");
        write("CHANGELOG.md", "# Changelog\n");
        write("docs/audit/README.md", "audit notes\n");
        write("src/App.java", "class App {}\n");
        write("deploy/app.yaml", "kind: Deployment\n");
    }

    @Test
    void aCompleteRepositoryPasses() throws Exception {
        complete();
        commit("chore: files");
        RequiredFiles.Result r = check(List.of("**"));
        assertThat(r.problems()).isEmpty();
        assertThat(r.ok()).isTrue();
    }

    @Test
    void missingAndCommentOnlyFilesFailAndTheShouldsAreWarnings() throws Exception {
        write("CODEOWNERS", "# nobody yet\n\n   # still nobody\n");
        write("SECURITY.md", "<!-- to be written -->\n\n");
        write("src/App.java", "class App {}\n");
        commit("chore: files");
        RequiredFiles.Result r = check(List.of("**"));
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).filteredOn(p -> !p.warning()).extracting(RequiredFiles.Problem::id)
                .containsExactlyInAnyOrder("files.empty:CODEOWNERS", "files.empty:SECURITY.md", "files.missing:RELEASE.md");
        assertThat(r.problems()).filteredOn(RequiredFiles.Problem::warning).extracting(RequiredFiles.Problem::id)
                .containsExactlyInAnyOrder("files.missing:CHANGELOG.md", "files.missing:docs/audit/");
    }

    @Test
    void codeownersMustCoverEveryPathThePolicyNamesAndAnUnownedRuleDoesNotCover() throws Exception {
        complete();
        write("CODEOWNERS", "/src/ @org/dev\n/deploy/ @org/ops\n/deploy/secret-sauce.yaml\n");
        write("deploy/secret-sauce.yaml", "x: 1\n");
        commit("chore: owners");
        assertThat(check(List.of("src/**")).ok()).isTrue();
        RequiredFiles.Result r = check(List.of("deploy/**"));
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo("files.uncovered:deploy/**");
            assertThat(p.message()).contains("deploy/secret-sauce.yaml");
        });
        // the default, every path: README-like files at the root are not owned either
        assertThat(check(List.of("**")).problems()).extracting(RequiredFiles.Problem::id).containsExactly("files.uncovered:**");
    }

    @Test
    void aTeamPolicyMayAddCoveredPathsButNeverDropOne() throws Exception {
        Path more = Files.writeString(tmp.resolve("more.yaml"), "scope:\n  codeownersCover: ['**', 'deploy/**']\n");
        assertThat(PolicyLoader.load(Optional.of(more)).scope().codeownersCover()).containsExactly("**", "deploy/**");
        Path fewer = Files.writeString(tmp.resolve("fewer.yaml"), "scope:\n  codeownersCover: ['src/**']\n");
        Throwable thrown = catchThrowable(() -> PolicyLoader.load(Optional.of(fewer)));
        assertThat(thrown).isInstanceOf(RefusedException.class);
        assertThat(((RefusedException) thrown).refusals()).extracting(Refusal::rule).containsOnly("policy.loosened");
        assertThat(thrown).hasMessageContaining("scope.codeownersCover");
        Path negated = Files.writeString(tmp.resolve("neg.yaml"), "scope:\n  codeownersCover: ['**', '!deploy/**']\n");
        assertThat(catchThrowable(() -> PolicyLoader.load(Optional.of(negated))))
                .isInstanceOf(io.releasegate.error.InputException.class).hasMessageContaining("negations are not allowed");
        // the defaults keep the digest the policy had before the key existed
        assertThat(PolicyLoader.defaults().canonicalJson()).doesNotContain("codeownersCover");
    }

    @Test
    void theGateDecidesFilesAndSecretsOnTheBuiltCommitsScopeAndAnExceptionWaivesASecret() throws Exception {
        complete();
        write("CODEOWNERS", "* @org/maintainers\n");
        commit("chore: start");
        repo.tag("v1.0.0");
        String token = "npm_" + SecretScanTest.random(36);
        write("web/.npmrc", "//registry.local/:_authToken=" + token + "\n");
        write("app.jar", "app");
        commit("feat: publish settings");
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        try (ledger) {
            io.releasegate.build.BuildResult built = new BuildOnce(OciLayoutStore.open(tmp.resolve("state/store")), ledger).name("web").version("1.1.0")
                    .workspace(repo.dir()).outputs(List.of("app.jar")).actor("ci").call();
            // a later commit removes the token: the gate still reads the built commit's scope
            write("web/.npmrc", "\n");
            commit("fix: drop the token");
            Policy policy = PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("p.yaml"),
                    "gates:\n  required: [unit, sast, dependency, license, dast, files, secrets]\n  notApplicable:\n"
                            + "    unit: t\n    sast: t\n    dependency: t\n    license: t\n    dast: t\n")));
            EvaluateGates.Decision d = new EvaluateGates(policy, ledger).release("web", "1.1.0", built.digest()).scope(repo.dir())
                    .context("web", "main", "production").call();
            assertThat(d.pass()).isFalse();
            assertThat(d.checks()).filteredOn(c -> c.gate().equals("secrets")).singleElement()
                    .satisfies(c -> assertThat(c.result()).isEqualTo("fail"));
            assertThat(d.checks()).filteredOn(c -> c.gate().equals("files")).singleElement()
                    .satisfies(c -> assertThat(c.result()).isEqualTo("pass"));
            String id = "secret:web/.npmrc:" + SecretScan.fingerprint(token);
            assertThat(d.findings()).filteredOn(f -> f.finding().gate().equals("secrets")).singleElement()
                    .satisfies(f -> assertThat(f.finding().id()).isEqualTo(id));
            assertThat(ledger.events("web@1.1.0").toString()).doesNotContain(token).doesNotContain(token.substring(4, 14));

            Path exc = Files.createDirectories(tmp.resolve("exc"));
            Files.writeString(exc.resolve("EX-9.yaml"), String.join("\n", "id: EX-9", "owner: web", "author: dev", "type: temporary",
                    "policyRef: 003-1.31", "scope:", "  findings: ['" + id + "']", "risk: revoked token", "compensatingControls: [revoked]",
                    "approvers: [sec]", "expires: 2099-01-31", "reviewDate: 2099-01-15", "rollback: none", "evidence: [ticket]", ""));
            EvaluateGates.Decision waived = new EvaluateGates(policy, ledger).release("web", "1.1.0", built.digest()).scope(repo.dir())
                    .exceptions(io.releasegate.gates.PolicyException.loadAll(exc)).context("web", "main", "production").call();
            assertThat(waived.pass()).isTrue();
            assertThat(waived.findings()).filteredOn(f -> f.finding().gate().equals("secrets")).singleElement()
                    .satisfies(f -> assertThat(f.disposition()).isEqualTo(EvaluateGates.Disposition.WAIVED));
        }
    }
}

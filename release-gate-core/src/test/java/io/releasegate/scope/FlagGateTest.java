package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.gates.PolicyException;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.steps.BuildOnceArgs;
import io.releasegate.steps.GateArgs;
import io.releasegate.steps.PipelineSteps;
import io.releasegate.steps.StepEnvironment;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gate flags in the gate decision: on the built commit's scope, through the same dispositions and exceptions. */
class FlagGateTest {

    static final String REQUIRED = "gates:\n  required: [unit, sast, dependency, license, dast, flags]\n  notApplicable:\n"
            + "    unit: t\n    sast: t\n    dependency: t\n    license: t\n    dast: t\n";

    @TempDir
    Path tmp;

    void write(TestRepo repo, String path, String text) throws Exception {
        Path f = repo.dir().resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    void commit(TestRepo repo, String message) {
        repo.git("add", "-A");
        repo.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", message);
    }

    @Test
    void aRequiredFlagsGateBlocksOnTheBuiltCommitsRegistryAndAValidExceptionWaivesTheFinding() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("repo"));
        write(repo, "README.md", "# web\n");
        // the scope decides files and secrets too: let them pass
        write(repo, "CODEOWNERS", "* @org/maintainers\n");
        write(repo, "SECURITY.md", "# Security\n");
        write(repo, "RELEASE.md", "# Releasing\n");
        commit(repo, "chore: start");
        repo.tag("v1.0.0");
        write(repo, "flags/registry.yaml", FlagScanTest.registry(FlagScanTest.flag("new-checkout", "team-payments", "ramping",
                "2026-11-30")));
        write(repo, "src/App.java", "class App { boolean b = ff.isEnabled(\"new-checkout\") || ff.isEnabled(\"ghost\"); }\n");
        write(repo, "app.jar", "app");
        commit(repo, "feat: checkout");
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        try (ledger) {
            BuildResult built = new BuildOnce(OciLayoutStore.open(tmp.resolve("state/store")), ledger).name("web").version("1.1.0")
                    .workspace(repo.dir()).outputs(List.of("app.jar")).actor("ci").call();
            // a later commit fixes the registry: the gate still reads the built commit's scope
            write(repo, "flags/registry.yaml", FlagScanTest.registry(FlagScanTest.flag("new-checkout", "team-payments", "ramping",
                    "2027-11-30"), FlagScanTest.flag("ghost", "team-web", "default-off", "2027-01-01")));
            commit(repo, "fix: registry");
            Policy policy = PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("p.yaml"), REQUIRED)));
            EvaluateGates.Decision d = new EvaluateGates(policy, ledger).release("web", "1.1.0", built.digest()).scope(repo.dir())
                    .context("web", "main", "production").clock(FlagScanTest.DEC_7).call();
            assertThat(d.pass()).isFalse();
            assertThat(d.checks()).filteredOn(c -> c.gate().equals("flags")).singleElement()
                    .satisfies(c -> assertThat(c.result()).isEqualTo("fail"));
            assertThat(d.findings()).filteredOn(f -> f.finding().gate().equals("flags")).extracting(f -> f.finding().id())
                    .containsExactlyInAnyOrder("flags.overdue:new-checkout", "flags.unregistered:ghost");

            // an exception covering both findings waives them: the gate passes, the decision records the waiver
            Path exc = Files.createDirectories(tmp.resolve("exc"));
            Files.writeString(exc.resolve("EX-7.yaml"), String.join("\n", "id: EX-7", "owner: web", "author: dev", "type: temporary",
                    "policyRef: 003-1.40", "scope:", "  findings: ['flags.overdue:new-checkout', 'flags.unregistered:ghost']",
                    "risk: the flag is at 100% in production", "compensatingControls: [dashboard]", "approvers: [sec]",
                    "expires: 2099-01-31", "reviewDate: 2099-01-15", "rollback: none", "evidence: [ticket]", ""));
            List<PolicyException> exceptions = PolicyException.loadAll(exc);
            EvaluateGates.Decision waived = new EvaluateGates(policy, ledger).release("web", "1.1.0", built.digest()).scope(repo.dir())
                    .exceptions(exceptions).context("web", "main", "production").clock(FlagScanTest.DEC_7).call();
            assertThat(waived.pass()).as(waived.summary()).isTrue();
            assertThat(waived.findings()).filteredOn(f -> f.finding().gate().equals("flags"))
                    .allSatisfy(f -> assertThat(f.disposition()).isEqualTo(EvaluateGates.Disposition.WAIVED));
            // the release record has the flags gate's result, and the ledger's gate decision its findings and waivers
            io.releasegate.record.ReleaseRecord record = io.releasegate.record.ReleaseRecordProjection.project("web", "1.1.0",
                    ledger.events(), ledger.location(), ledger.head()).orElseThrow();
            assertThat(record.checks()).filteredOn(c -> c.name().equals("flags")).extracting(io.releasegate.record.ReleaseRecord.Check::result)
                    .contains("fail", "pass");
            assertThat(ledger.events("web@1.1.0").stream().filter(e -> e.type().equals(EvaluateGates.GATE_EVALUATED))
                    .reduce((a, b) -> b).orElseThrow().payload().toString())
                    .contains("flags.overdue:new-checkout").contains("waived by exception EX-7");
            // an exception approved only by its author waives nothing
            Files.writeString(exc.resolve("EX-7.yaml"), Files.readString(exc.resolve("EX-7.yaml")).replace("approvers: [sec]",
                    "approvers: [dev]"));
            EvaluateGates.Decision self = new EvaluateGates(policy, ledger).release("web", "1.1.0", built.digest()).scope(repo.dir())
                    .exceptions(PolicyException.loadAll(exc)).context("web", "main", "production").clock(FlagScanTest.DEC_7).call();
            assertThat(self.pass()).isFalse();
        }
    }

    @Test
    void aMalformedRegistryAtTheBuiltCommitIsBadInputAndTheGateRecordsNothing() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("repo"));
        write(repo, "README.md", "# web\n");
        commit(repo, "chore: start");
        repo.tag("v1.0.0");
        write(repo, "flags/registry.yaml", "flags:\n  - name: new-checkout\n    state: sideways\n");
        write(repo, "app.jar", "app");
        commit(repo, "feat: a registry with mistakes");
        Ledger ledger = TestLedgers.embedded(tmp.resolve("state"));
        try (ledger) {
            BuildResult built = new BuildOnce(OciLayoutStore.open(tmp.resolve("state/store")), ledger).name("web").version("1.1.0")
                    .workspace(repo.dir()).outputs(List.of("app.jar")).actor("ci").call();
            int before = ledger.events("web@1.1.0").size();
            Policy policy = PolicyLoader.load(Optional.of(Files.writeString(tmp.resolve("p.yaml"), REQUIRED)));
            Throwable thrown = catchThrowable(() -> new EvaluateGates(policy, ledger).release("web", "1.1.0", built.digest())
                    .scope(repo.dir()).context("web", "main", "production").clock(FlagScanTest.DEC_7).call());
            assertThat(thrown).isInstanceOf(io.releasegate.error.InputException.class).hasMessageContaining("flags/registry.yaml@");
            assertThat(ledger.events("web@1.1.0")).hasSize(before);
        }
    }

    @Test
    void theGoldenPipelinesGateStepDecidesFlagsWhenTheCommittedPolicyRequiresIt() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("ws"));
        write(repo, ".release/policy.yaml", REQUIRED);
        write(repo, "README.md", "# web\n");
        commit(repo, "chore: start");
        repo.tag("v1.0.0");
        write(repo, "src/App.java", "class App { boolean b = ff.isEnabled(\"unlisted\"); }\n");
        write(repo, "app.jar", "app");
        commit(repo, "feat: a flag nobody registered");
        StepEnvironment env = StepEnvironment.of(repo.dir(), tmp.resolve("state"), "ci");
        PipelineSteps.buildOnce(BuildOnceArgs.of(Map.of("name", "web", "version", "1.1.0", "artifacts", "app.jar")), env);
        Throwable thrown = catchThrowable(() -> PipelineSteps.gate(GateArgs.of(Map.of("name", "web", "version", "1.1.0",
                "environment", "staging")), env));
        assertThat(thrown).isInstanceOf(RefusedException.class).hasMessageContaining("gates.failed")
                .hasMessageContaining("flags=fail");
    }
}

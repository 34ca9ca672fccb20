package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.releasegate.error.RefusedException;
import io.releasegate.steps.BuildOnceArgs;
import io.releasegate.steps.GateArgs;
import io.releasegate.steps.PipelineSteps;
import io.releasegate.steps.StepEnvironment;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The golden pipeline's gate step decides the scope gates when the committed policy requires them. */
class ScopeStepTest {

    @TempDir
    Path tmp;

    @Test
    void aRequiredSecretsGateBlocksTheGateStepOnASecretOfTheBuiltCommitsScope() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("ws"));
        Path ws = repo.dir();
        Files.writeString(ws.resolve("CODEOWNERS"), "* @org/maintainers\n");
        Files.writeString(ws.resolve("SECURITY.md"), "# Security\n");
        Files.writeString(ws.resolve("RELEASE.md"), "# Releasing\n");
        Files.createDirectories(ws.resolve(".release"));
        Files.writeString(ws.resolve(".release/policy.yaml"), "gates:\n  required: [unit, sast, dependency, license, dast, files, secrets]\n"
                + "  notApplicable:\n    unit: t\n    sast: t\n    dependency: t\n    license: t\n    dast: t\n");
        repo.git("add", "-A");
        repo.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "chore: start");
        repo.tag("v1.0.0");
        Files.writeString(ws.resolve("deploy.env"), "DOCKER=dckr_pat_" + SecretScanTest.random(27) + "\n");
        Files.writeString(ws.resolve("app.jar"), "app");
        repo.git("add", "-A");
        repo.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "feat: deploy");
        StepEnvironment env = StepEnvironment.of(ws, tmp.resolve("state"), "ci");
        PipelineSteps.buildOnce(BuildOnceArgs.of(Map.of("name", "web", "version", "1.1.0", "artifacts", "app.jar")), env);

        Throwable thrown = catchThrowable(() -> PipelineSteps.gate(GateArgs.of(Map.of("name", "web", "version", "1.1.0",
                "environment", "staging")), env));
        assertThat(thrown).isInstanceOf(RefusedException.class).hasMessageContaining("gates.failed")
                .hasMessageContaining("secrets=fail").hasMessageContaining("files=pass");
    }
}

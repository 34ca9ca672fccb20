package io.releasegate.steps;

import static io.releasegate.steps.MapSteps.buildOnce;
import static io.releasegate.steps.MapSteps.nextVersion;
import static io.releasegate.steps.MapSteps.releaseRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.demo.SampleProject;
import io.releasegate.error.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nextVersion and releaseRecord entry points, on the demo's sample project. */
class PipelineStepsRecordTest {

    @TempDir
    Path tmp;

    @Test
    void nextVersionFollowsTheConventionalCommits() {
        Path project = SampleProject.create(tmp.resolve("payments"), Instant.parse("2026-11-02T09:00:00Z")).directory();

        Map<String, Object> next = nextVersion(Map.of(), StepEnvironment.of(project, project.resolve(".release-gate"),
                "jenkins"));

        assertThat(next).containsEntry("release", true).containsEntry("commits", 3).doesNotContainKey("previousTag");
        assertThat(next.get("version")).isInstanceOf(String.class);
        assertThat(next.get("bump")).isIn("minor", "major");
        assertThat(nextVersion(Map.of("scheme", "calver"), StepEnvironment.of(project, project.resolve(".release-gate"),
                "jenkins")).get("version").toString())
                .matches("\\d{4}\\.\\d{1,2}\\.\\d+");
        assertThatThrownBy(() -> nextVersion(Map.of("scheme", "roman"), StepEnvironment.of(project,
                project.resolve(".release-gate"), "jenkins")))
                .isInstanceOf(InputException.class).hasMessageContaining("semver or calver");
        assertThatThrownBy(() -> nextVersion(Map.of("bogus", "x"), StepEnvironment.of(project,
                project.resolve(".release-gate"), "jenkins")))
                .isInstanceOf(InputException.class).hasMessageContaining("unknown argument(s) [bogus]");
    }

    @Test
    void releaseRecordProjectsTheLedgerAndWritesTheDocument() throws Exception {
        SampleProject sample = SampleProject.create(tmp.resolve("payments"), Instant.parse("2026-11-02T09:00:00Z"));
        Path project = sample.directory();
        Path state = tmp.resolve("state");
        String jar = sample.build("1.0.0");
        Map<String, Object> built = buildOnce(Map.of("name", "payments", "version", "1.0.0", "artifacts", jar),
                StepEnvironment.of(project, state, "rita"));

        Map<String, Object> record = releaseRecord(Map.of("name", "payments", "version", "1.0.0", "out",
                "target/release-record.json"), StepEnvironment.of(project, state, "jenkins"));

        assertThat(record.get("digest")).isEqualTo(built.get("digest"));
        assertThat(record.get("json").toString()).contains("\"payments\"").contains(built.get("digest").toString());
        assertThat(Files.readString(project.resolve("target/release-record.json"))).isEqualTo(record.get("json"));
        assertThatThrownBy(() -> releaseRecord(Map.of("name", "payments", "version", "9.9.9"), StepEnvironment.of(project,
                state, "jenkins")))
                .isInstanceOf(InputException.class).hasMessageContaining("payments@9.9.9 was not built");
        // the audit step on the same release: it was built by rita, approved by nobody, promoted nowhere; the store
        // still holds what the ledger recorded
        Map<String, Object> audit = Step.AUDIT.call(Map.of("name", "payments", "version", "1.0.0"),
                StepEnvironment.of(project, state, "jenkins"), TrustedInputs.none());
        assertThat(audit).containsEntry("release", "payments@1.0.0").containsEntry("digest", built.get("digest"))
                .containsEntry("builtBy", "rita").containsEntry("ok", true).containsEntry("authorsChecked", true);
        assertThatThrownBy(() -> Step.AUDIT.call(Map.of("name", "payments", "version", "9.9.9"), StepEnvironment.of(project,
                state, "jenkins"), TrustedInputs.none()))
                .isInstanceOf(InputException.class).hasMessageContaining("audit: payments@9.9.9 was not built")
                .hasMessageContaining("give the name and version of a release that buildOnce recorded");
    }

    @Test
    void aNoGoNamesThePolicyItWasTakenUnderAndIsRecordedEvenWhenThatPolicyIsRefused() throws Exception {
        SampleProject sample = SampleProject.create(tmp.resolve("payments"), Instant.parse("2026-11-02T09:00:00Z"));
        Path project = sample.directory();
        Path state = tmp.resolve("state");
        Map<String, Object> built = buildOnce(Map.of("name", "payments", "version", "1.0.0", "artifacts", sample.build("1.0.0")),
                StepEnvironment.of(project, state, "rita"));
        StepEnvironment mia = StepEnvironment.of(project, state, "mia");
        String noGo = PipelineSteps.noGo(NoGoArgs.of(Map.of("name", "payments", "version", "1.0.0", "digest", built.get("digest"),
                "reason", "smoke tests red")), mia).event();
        // a central policy that cannot be read: the no-go is still recorded, naming no policy
        StepEnvironment unreadable = mia.central(Optional.of(io.releasegate.policy.CentralPolicy.of(
                tmp.resolve("missing.yaml"), "sha256:" + "0".repeat(64))));
        String second = PipelineSteps.noGo(NoGoArgs.of(Map.of("name", "payments", "version", "1.0.0", "digest", built.get("digest"),
                "reason", "still red")), unreadable).event();
        try (io.releasegate.context.ReleaseContext ctx = io.releasegate.context.ReleaseContext.open(
                io.releasegate.context.ReleaseContext.Options.embedded(state))) {
            java.util.List<io.releasegate.ledger.Event> events = ctx.ledger().events("payments@1.0.0");
            io.releasegate.ledger.Event first = events.stream().filter(e -> e.id().equals(noGo)).findFirst().orElseThrow();
            assertThat(first.text(io.releasegate.policy.Policy.EVENT_FIELD)).hasValueSatisfying(d -> assertThat(d).startsWith("sha256:"));
            assertThat(first.text("decision")).contains("no-go");
            io.releasegate.ledger.Event refused = events.stream().filter(e -> e.id().equals(second)).findFirst().orElseThrow();
            assertThat(refused.text(io.releasegate.policy.Policy.EVENT_FIELD)).isEmpty();
            assertThat(refused.text("reason")).contains("still red");
        }
    }
}

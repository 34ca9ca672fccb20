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
    }
}

package io.releasegate.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.releasegate.context.ReleaseContext;
import io.releasegate.demo.SampleProject;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.report.DeliveryReport;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recordRun and report entry points, as the golden pipeline calls them, on a real ledger and git history. */
class PipelineStepsReportTest {

    @TempDir
    Path tmp;

    static Map<String, Object> run(String branch, String result) {
        Map<String, Object> m = new HashMap<>(Map.of("name", "payments", "branch", branch, "result", result, "durationMs", 412000));
        m.put("stages", Map.of("build", 95000, "test", 230000));
        return m;
    }

    @Test
    void runsAreRecordedAndTheReportIsWrittenWithLeadTimeFromTheFirstCommit() throws Exception {
        SampleProject sample = SampleProject.create(tmp.resolve("payments"), Instant.parse("2026-03-02T09:00:00Z"));
        Path project = sample.directory();
        Path state = tmp.resolve("state");
        StepEnvironment ci = StepEnvironment.of(project, state, "ci");
        String jar = sample.build("1.0.0");
        Map<String, Object> built = PipelineSteps.buildOnce(BuildOnceArgs.of(Map.of("name", "payments", "version", "1.0.0",
                "artifacts", jar)), ci).toMap();
        for (String[] r : new String[][] {{"main", "SUCCESS"}, {"main", "FAILURE"}, {"main", "SUCCESS"}, {"release/1.0", "UNSTABLE"},
                {"main", "ABORTED"}}) {
            Map<String, Object> event = Step.RECORD_RUN.call(run(r[0], r[1]), ci, TrustedInputs.none());
            assertThat(event.get("event").toString()).hasSize(40);
        }
        // the production promotion, recorded as the pipeline records it, a day after the build
        Instant production;
        Instant builtAt;
        try (ReleaseContext ctx = ReleaseContext.open(ci.context("", ""))) {
            Event b = ctx.ledger().events("payments@1.0.0").get(0);
            builtAt = b.time();
            production = builtAt.plus(Duration.ofDays(1));
            ctx.ledger().append(Event.draft("promoted", "payments@1.0.0", Optional.of(Digest.parse(built.get("digest").toString())),
                    "ci", production, Json.object().put("environment", "production").put("reference", "payments/production:1.0.0")
                            .put("rollback", false)));
            Event recorded = ctx.ledger().events("pipeline:payments").get(0);
            assertThat(recorded.type()).isEqualTo("pipeline-finished");
            assertThat(recorded.payload().path("stages").path("test").asLong()).isEqualTo(230000);
            assertThat(recorded.payload().path("durationMs").asLong()).isEqualTo(412000);
        }
        Instant firstCommit = sample.commits().stream().map(RevCommit::getCommitterIdent).map(i -> i.getWhenAsInstant())
                .min(Instant::compareTo).orElseThrow();

        Map<String, Object> result = Step.REPORT.call(Map.of("out", "target/delivery"), ci, TrustedInputs.none());

        assertThat(result).containsEntry("deployments", 1).containsEntry("ciPassRateMain", 0.6667).containsEntry("services", 1)
                .containsEntry("leadTimeMedianSeconds", Duration.between(firstCommit, production).getSeconds())
                .containsEntry("changeFailureRate", 0.0).containsEntry("timeToRestoreMedianSeconds", null);
        Path json = project.resolve("target/delivery/report.json");
        Path html = project.resolve("target/delivery/report.html");
        assertThat(result.get("json")).isEqualTo(json.toString());
        assertThat(Files.readString(html)).contains("chart-deployments").contains("payments");
        JsonNode doc = Json.mapper().readTree(json.toFile());
        try (InputStream in = DeliveryReport.class.getResourceAsStream(DeliveryReport.SCHEMA_RESOURCE)) {
            assertThat(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in).validate(doc)).isEmpty();
        }
        assertThat(doc.at("/deployments/0/leadTime/from").asText()).isEqualTo("first-commit");
        assertThat(doc.at("/deployments/0/leadTime/stages/development").asLong())
                .isEqualTo(Duration.between(firstCommit, builtAt).getSeconds());
        assertThat(doc.at("/ledger/notBelieved").asInt()).isZero();
        assertThat(doc.at("/overall/ci/release/rate").asDouble()).isZero();

        Map<String, Object> march = Step.REPORT.call(Map.of("month", "2026-03", "out", "target/march"), ci, TrustedInputs.none());
        assertThat(march).containsEntry("from", "2026-03").containsEntry("to", "2026-03");
    }

    @Test
    void badArgumentsAreInputErrorsAndNothingIsRecorded() throws Exception {
        SampleProject sample = SampleProject.create(tmp.resolve("payments"), Instant.parse("2026-03-02T09:00:00Z"));
        StepEnvironment ci = StepEnvironment.of(sample.directory(), tmp.resolve("state"), "ci");
        Map<String, Object> bad = run("main", "GREEN");
        assertThatThrownBy(() -> Step.RECORD_RUN.call(bad, ci, TrustedInputs.none())).isInstanceOf(InputException.class)
                .hasMessageContaining("SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT");
        Map<String, Object> negative = run("main", "SUCCESS");
        negative.put("durationMs", -1);
        assertThatThrownBy(() -> Step.RECORD_RUN.call(negative, ci, TrustedInputs.none())).isInstanceOf(InputException.class)
                .hasMessageContaining("durationMs must be a number of milliseconds");
        Map<String, Object> noName = run("main", "SUCCESS");
        noName.put("name", "Not A Name");
        assertThatThrownBy(() -> Step.RECORD_RUN.call(noName, ci, TrustedInputs.none())).isInstanceOf(InputException.class)
                .hasMessageContaining("invalid artifact name");
        for (Map<String, Object> args : List.<Map<String, Object>>of(Map.of("month", "2026-13"), Map.of("from", "2026-04", "to", "2026-01"),
                Map.of("month", "2026-01", "to", "2026-02"), Map.of("hotfixDays", "soon"))) {
            assertThatThrownBy(() -> Step.REPORT.call(args, ci, TrustedInputs.none())).as(args.toString())
                    .isInstanceOf(InputException.class).hasMessageStartingWith("report: ");
        }
        assertThat(Files.exists(sample.directory().resolve("release-gate-report"))).isFalse();
        try (ReleaseContext ctx = ReleaseContext.open(ci.context("", ""))) {
            assertThat(ctx.ledger().entries()).isEmpty();
        }
    }
}

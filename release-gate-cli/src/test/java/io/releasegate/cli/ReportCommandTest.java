package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.GitLedger;
import io.releasegate.report.DeliveryReport;
import io.releasegate.report.Scenario;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** record-run and report on a real ledger holding the generated scenario with known answers. */
class ReportCommandTest {

    @TempDir
    static Path tmp;
    static String state;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void ledger() {
        state = tmp.resolve("state").toString();
        try (GitLedger ledger = GitLedger.open(GitLedger.Options.of("", Path.of(state)))) {
            for (Event e : Scenario.standard(true).events()) {
                ledger.append(Event.draft(e.type(), e.subject(), e.digest(), e.actor(), e.time(), e.payload()));
            }
        }
    }

    @Test
    void theReportOfTheLedgerHasTheKnownAnswersAndIsWrittenWhole() throws Exception {
        Path out = tmp.resolve("out");
        Run r = run("report", "--from", "2026-01", "--to", "2026-04", "--out", out.toString(), "--json", "--state-dir", state);
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = r.json();
        assertThat(doc.at("/overall/deploymentFrequency/deployments").asInt()).isEqualTo(8);
        assertThat(doc.at("/overall/changeFailureRate/rate").asDouble()).isEqualTo(0.375);
        assertThat(doc.at("/overall/leadTime/medianSeconds").asLong()).isEqualTo(49 * 3600);
        assertThat(doc.at("/overall/timeToRestore/restored").asInt()).isEqualTo(2);
        assertThat(doc.at("/services/payments/ci/main/rate").asDouble()).isEqualTo(0.6667);
        assertThat(doc.at("/ledger/notBelieved").asInt()).isZero();
        assertThat(doc.at("/ledger/believed").asInt()).isEqualTo(Scenario.standard(true).events().size());
        assertThat(doc.path("leadTimeContributors")).extracting(c -> c.path("stage").asText())
                .containsExactly("waitingForApproval", "releaseWindow", "stabilization");
        try (InputStream in = DeliveryReport.class.getResourceAsStream(DeliveryReport.SCHEMA_RESOURCE)) {
            var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            assertThat(schema.validate(doc)).isEmpty();
            assertThat(schema.validate(Json.mapper().readTree(out.resolve("report.json").toFile()))).isEmpty();
        }
        assertThat(Files.readString(out.resolve("report.html"))).startsWith("<!DOCTYPE html>").contains("echarts.init")
                .contains("ledger-api");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("report.json", "report.html");
        }
    }

    @Test
    void withoutJsonItPrintsATableAndAMonthIsOneMonth() {
        Run r = run("report", "--month", "2026-02", "--state-dir", state);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("delivery health 2026-02 (UTC)").contains("all services").contains("payments")
                .contains("50.0 %").contains("top contributors to lead time:");
        Run all = run("report", "--state-dir", state);
        assertThat(all.out()).contains("delivery health 2026-01 to 2026-03 (UTC)");
    }

    @Test
    void badInputIsExit2AndWritesNothing() {
        Path out = tmp.resolve("never");
        for (String[] args : new String[][] {{"--month", "2026-13"}, {"--month", "2026-1"}, {"--month", "2026-01", "--from", "2026-01"},
                {"--from", "2026-04", "--to", "2026-01"}, {"--hotfix-days", "-1"}, {"--to", "soon"}}) {
            String[] full = Stream.concat(Stream.of("report", "--state-dir", state, "--out", out.toString()), Stream.of(args))
                    .toArray(String[]::new);
            Run r = run(full);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).isNotBlank();
        }
        assertThat(run("report", "--state-dir", state, "--month", "2026-13").err()).contains("--month must be a month YYYY-MM");
        assertThat(out).doesNotExist();
        // an output directory that is a file: refused, nothing left beside it
        Path file = tmp.resolve("a-file");
        Run r;
        try {
            Files.writeString(file, "x");
            r = run("report", "--state-dir", state, "--out", file.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(file).hasContent("x");
    }

    @Test
    void recordRunRecordsThePipelineOutcome() throws Exception {
        String own = tmp.resolve("runs-state").toString();
        Run ok = run("record-run", "--name", "payments", "--branch", "release/1.4", "--result", "success", "--duration-ms", "61000",
                "--stage", "build=20000", "--stage", "test=30000", "--commit", "abc123", "--state-dir", own, "--json");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.json().path("type").asText()).isEqualTo("pipeline-finished");
        assertThat(ok.json().path("subject").asText()).isEqualTo("pipeline:payments");
        assertThat(run("record-run", "--name", "payments", "--branch", "main", "--result", "FAILURE", "--duration-ms", "5",
                "--state-dir", own).exit()).isZero();
        Run bad = run("record-run", "--name", "payments", "--branch", "main", "--result", "GREEN", "--duration-ms", "5",
                "--state-dir", own);
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT");
        assertThat(run("record-run", "--name", "payments", "--branch", "main", "--result", "SUCCESS", "--duration-ms", "-5",
                "--state-dir", own).exit()).isEqualTo(2);
        Run report = run("report", "--state-dir", own, "--json");
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(report.json().at("/services/payments/ci/release/rate").asDouble()).isEqualTo(1.0);
        assertThat(report.json().at("/services/payments/ci/main/rate").asDouble()).isZero();
        assertThat(report.json().at("/ledger/believed").asInt()).isEqualTo(2);
        assertThat(run("record-run", "--help").exit()).isZero();
        assertThat(run("report", "--help").out()).contains("--month").contains("--out").contains("docs/report.md");
    }
}

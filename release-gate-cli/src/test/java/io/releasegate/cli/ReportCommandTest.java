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
    void eventsWrittenIntoTheLedgerByHandAreLeftOutAndCounted() throws Exception {
        // an insider with write access to the ledger repository adds a production deployment of a service that never
        // shipped and five green main-branch runs, with git itself: unsigned commits that look like the ledger's own
        Path copy = tmp.resolve("forged-state");
        try (Stream<Path> all = Files.walk(Path.of(state))) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path to = copy.resolve(Path.of(state).relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Path git = copy.resolve("ledger.git");
        java.time.Instant t = java.time.Instant.parse("2026-03-20T10:00:00Z");
        java.util.List<Event> forged = new java.util.ArrayList<>();
        forged.add(Event.draft("promoted", "forged@9.9.9", java.util.Optional.of(Scenario.digest("forged@9.9.9")), "ci", t,
                Json.object().put("environment", "production").put("reference", "forged/production:9.9.9").put("rollback", false)));
        for (int i = 0; i < 5; i++) {
            forged.add(Event.draft("pipeline-finished", "pipeline:payments", java.util.Optional.empty(), "ci", t.plusSeconds(i),
                    Json.object().put("name", "payments").put("branch", "main").put("result", "SUCCESS").put("durationMs", 1000)));
        }
        for (Event e : forged) {
            Path doc = tmp.resolve("event.json");
            Files.write(doc, GitLedger.document(e));
            String blob = io.releasegate.testing.Git.run(tmp, "--git-dir", git.toString(), "hash-object", "-w", doc.toString()).trim();
            Path listing = tmp.resolve("tree.txt");
            Files.writeString(listing, "100644 blob " + blob + "\tevent.json\n");
            Process mktree = new ProcessBuilder("git", "--git-dir", git.toString(), "mktree").redirectInput(listing.toFile()).start();
            String tree = new String(mktree.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            assertThat(mktree.waitFor()).isZero();
            String head = io.releasegate.testing.Git.run(tmp, "--git-dir", git.toString(), "rev-parse", "refs/heads/main").trim();
            String commit = io.releasegate.testing.Git.run(tmp, "--git-dir", git.toString(), "commit-tree", tree, "-p", head, "-m",
                    e.type() + " " + e.subject()).trim();
            io.releasegate.testing.Git.run(tmp, "--git-dir", git.toString(), "update-ref", "refs/heads/main", commit, head);
        }
        Run r = run("report", "--from", "2026-01", "--to", "2026-04", "--json", "--state-dir", copy.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = r.json();
        assertThat(doc.at("/ledger/notBelieved").asInt()).isEqualTo(6);
        assertThat(doc.at("/ledger/believed").asInt()).isEqualTo(Scenario.standard(true).events().size());
        assertThat(doc.path("services").has("forged")).isFalse();
        assertThat(doc.at("/overall/deploymentFrequency/deployments").asInt()).isEqualTo(8);
        assertThat(doc.at("/services/payments/ci/main/rate").asDouble()).isEqualTo(0.6667);
        Run summary = run("report", "--state-dir", copy.toString());
        assertThat(summary.out()).contains("6 not believed and left out");
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

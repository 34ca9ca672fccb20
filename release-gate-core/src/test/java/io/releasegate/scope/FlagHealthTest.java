package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.releasegate.commits.History;
import io.releasegate.ledger.Ledger;
import io.releasegate.report.DeliveryReport;
import io.releasegate.report.DeliveryReports;
import io.releasegate.report.FlagHealth;
import io.releasegate.report.ReportHtml;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery report lists the flags past their removal date of the repositories it is given, in JSON and HTML. */
class FlagHealthTest {

    @TempDir
    Path tmp;

    @Test
    void overdueFlagsAreListedPerRepositoryAndTheReportKeepsToItsSchema() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("payments"));
        Files.createDirectories(repo.dir().resolve("flags"));
        Files.writeString(repo.dir().resolve("flags/registry.yaml"), FlagScanTest.registry(
                FlagScanTest.flag("new-checkout", "team-payments", "ramping", "2026-11-30"),
                FlagScanTest.flag("moved", "team-payments", "full", "2026-11-01", "the Q1 migration", "2027-03-01"),
                FlagScanTest.flag("gone", "team-payments", "removed", null)));
        repo.git("add", "-A");
        repo.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "chore: flags");
        TestRepo bare = TestRepo.init(tmp.resolve("search"));
        bare.commit("chore: start");
        TestRepo broken = TestRepo.init(tmp.resolve("web"));
        Files.createDirectories(broken.dir().resolve("flags"));
        Files.writeString(broken.dir().resolve("flags/registry.yaml"), "flags:\n  - name: x\n    colour: blue\n");
        broken.git("add", "-A");
        broken.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "chore: bad registry");

        LocalDate today = LocalDate.of(2026, 12, 7);
        List<FlagHealth> health;
        try (History a = History.open(repo.dir()); History b = History.open(bare.dir()); History c = History.open(broken.dir())) {
            health = List.of(FlagHealth.of("payments", a, "flags/registry.yaml", today),
                    FlagHealth.of("search", b, "flags/registry.yaml", today),
                    FlagHealth.of("web", c, "flags/registry.yaml", today));
        }
        assertThat(health.get(0).overdue()).extracting(FlagRegistry.Flag::name).containsExactly("new-checkout");
        assertThat(health.get(1).present()).isFalse();
        assertThat(health.get(2).error()).hasValueSatisfying(e -> assertThat(e).contains("unknown key 'colour'"));

        ObjectNode doc;
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state"))) {
            doc = new DeliveryReports(ledger).clock(FlagScanTest.DEC_7).flags(health).call();
        }
        JsonNode f = doc.at("/flags");
        assertThat(f.path("overdue").asInt()).isEqualTo(1);
        JsonNode checkout = f.at("/repositories/0/overdue/0");
        assertThat(checkout.path("name").asText()).isEqualTo("new-checkout");
        assertThat(checkout.path("daysOverdue").asInt()).isEqualTo(7);
        assertThat(checkout.path("escalation").asText()).isEqualTo("oncall@example.com");
        try (InputStream in = DeliveryReport.class.getResourceAsStream(DeliveryReport.SCHEMA_RESOURCE)) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            assertThat(schema.validate(doc)).as("schema violations").isEmpty();
            ObjectNode extra = doc.deepCopy();
            ((ObjectNode) extra.at("/flags/repositories/0/overdue/0")).put("colour", "blue");
            assertThat(schema.validate(extra)).isNotEmpty();
        }
        String html = ReportHtml.withEcharts().render(doc);
        assertThat(html).contains("Feature flags past their removal date", "new-checkout", "unknown key &#39;colour&#39;");
        // without repositories the section is not there at all
        try (Ledger ledger = TestLedgers.embedded(tmp.resolve("state2"))) {
            ObjectNode none = new DeliveryReports(ledger).clock(FlagScanTest.DEC_7).call();
            assertThat(none.has("flags")).isFalse();
            assertThat(ReportHtml.withEcharts().render(none)).doesNotContain("Feature flags past");
        }
    }
}

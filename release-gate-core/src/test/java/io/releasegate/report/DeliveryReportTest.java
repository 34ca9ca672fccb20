package io.releasegate.report;

import static io.releasegate.report.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.releasegate.error.InputException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The delivery report of a generated ledger whose answers are computed here from the scenario's own times, not by the
 * report's code: the standard path, the rollbacks, the hotfix, the emergency change, the months without deployments.
 */
class DeliveryReportTest {

    static final Instant NOW = at("05-01T00:00");
    static final DeliveryReport.Options JAN_TO_APR = DeliveryReport.Options.months(YearMonth.of(2026, 1), YearMonth.of(2026, 4));
    /** payments 1.4.0's changes were first committed three days before its build. */
    static final CommitTimes HISTORY = (commit, since) -> commit.equals("c140")
            ? Optional.of(at("03-24T09:00")) : Optional.empty();

    static ObjectNode report(Scenario s, DeliveryReport.Options options) {
        ObjectNode doc = DeliveryReport.of(s.events(), options, HISTORY).json(NOW);
        assertValid(doc);
        return doc;
    }

    static void assertValid(JsonNode doc) {
        try (InputStream in = DeliveryReport.class.getResourceAsStream(DeliveryReport.SCHEMA_RESOURCE)) {
            assertThat(in).as(DeliveryReport.SCHEMA_RESOURCE).isNotNull();
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            assertThat(schema.validate(doc)).as("schema violations").isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static long h(double hours) {
        return Math.round(hours * 3600);
    }

    @Test
    void theFourKeyMetricsPerServiceAndOverall() {
        ObjectNode r = report(Scenario.standard(true), JAN_TO_APR);
        JsonNode overall = r.path("overall");
        JsonNode payments = r.path("services").path("payments");
        JsonNode ledgerApi = r.path("services").path("ledger-api");
        assertThat(r.path("services").fieldNames()).toIterable().containsExactly("ledger-api", "payments");

        // deployment frequency: payments 1.0.0, 1.1.0, 1.1.1, 1.2.0, 1.3.0, 1.4.0; ledger-api 2.0.0, 2.1.0; two rollbacks
        long days = 31 + 28 + 31 + 30;
        assertThat(overall.at("/deploymentFrequency/deployments").asInt()).isEqualTo(8);
        assertThat(overall.at("/deploymentFrequency/rollbacks").asInt()).isEqualTo(2);
        assertThat(overall.at("/deploymentFrequency/days").asLong()).isEqualTo(days);
        assertThat(overall.at("/deploymentFrequency/perWeek").asDouble()).isCloseTo(8 * 7.0 / days, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(payments.at("/deploymentFrequency/deployments").asInt()).isEqualTo(6);
        assertThat(ledgerApi.at("/deploymentFrequency/deployments").asInt()).isEqualTo(2);
        assertThat(ledgerApi.at("/deploymentFrequency/rollbacks").asInt()).isEqualTo(1);

        // lead time: the standard path is 49 h, the emergency change 3 h, 1.4.0 is 72 h of development + 49 h
        List<Long> all = new ArrayList<>(List.of(h(49), h(49), h(49), h(49), h(49), h(49), h(3), h(72 + 49)));
        assertThat(overall.at("/leadTime/releases").asInt()).isEqualTo(8);
        assertThat(overall.at("/leadTime/fromFirstCommit").asInt()).isEqualTo(1);
        assertThat(overall.at("/leadTime/medianSeconds").asLong()).isEqualTo(h(49));
        assertThat(overall.at("/leadTime/meanSeconds").asLong()).isEqualTo(all.stream().mapToLong(Long::longValue).sum() / 8);
        assertThat(payments.at("/leadTime/meanSeconds").asLong()).isEqualTo((4 * h(49) + h(3) + h(121)) / 6);

        // change failure: 1.1.0 (rolled back, then a hotfix, under a halt), 1.2.0 (followed by an emergency change),
        // ledger-api 2.1.0 (rolled back; the open halt INC-3 came while it was the last deployment)
        assertThat(overall.at("/changeFailureRate/failed").asInt()).isEqualTo(3);
        assertThat(overall.at("/changeFailureRate/rate").asDouble()).isEqualTo(0.375);
        assertThat(payments.at("/changeFailureRate/rate").asDouble()).isEqualTo(0.3333);
        assertThat(ledgerApi.at("/changeFailureRate/rate").asDouble()).isEqualTo(0.5);
        assertThat(overall.at("/changeFailureRate/reasons/rollback").asInt()).isEqualTo(2);
        assertThat(overall.at("/changeFailureRate/reasons/hotfix").asInt()).isEqualTo(1);
        assertThat(overall.at("/changeFailureRate/reasons/emergency-change").asInt()).isEqualTo(1);
        assertThat(overall.at("/changeFailureRate/reasons/incident").asInt()).isEqualTo(2);
        JsonNode p110 = deployment(r, "payments", "1.1.0", false);
        assertThat(p110.path("failure")).extracting(JsonNode::asText).containsExactly("rollback", "hotfix", "incident");
        assertThat(deployment(r, "payments", "1.1.1", false).path("hotfix").asBoolean()).isTrue();
        assertThat(deployment(r, "payments", "1.2.0", false).path("failure")).extracting(JsonNode::asText)
                .containsExactly("emergency-change");
        assertThat(deployment(r, "payments", "1.3.0", false).path("emergency").asBoolean()).isTrue();
        assertThat(deployment(r, "payments", "1.0.0", true).path("incident").asText()).isEqualTo("INC-1");
        for (String ok : List.of("1.0.0", "1.1.1", "1.3.0", "1.4.0")) {
            assertThat(deployment(r, "payments", ok, false).path("failed").asBoolean()).as(ok).isFalse();
        }

        // time to restore: INC-1 halt 08:00 -> rollback 09:30; INC-2 (no halt) from 2.1.0's deployment (03-03 10:00) to the
        // rollback (03-04 12:00); INC-3 still open
        long inc1 = Duration.between(at("01-23T08:00"), at("01-23T09:30")).getSeconds();
        long inc2 = Duration.between(at("03-01T09:00").plus(Scenario.PRODUCTION), at("03-04T12:00")).getSeconds();
        assertThat(overall.at("/timeToRestore/incidents").asInt()).isEqualTo(3);
        assertThat(overall.at("/timeToRestore/restored").asInt()).isEqualTo(2);
        assertThat(overall.at("/timeToRestore/medianSeconds").asLong()).isEqualTo((inc1 + inc2) / 2);
        assertThat(payments.at("/timeToRestore/medianSeconds").asLong()).isEqualTo(inc1);
        assertThat(ledgerApi.at("/timeToRestore/medianSeconds").asLong()).isEqualTo(inc2);
        assertThat(r.path("incidents")).hasSize(3);
        JsonNode inc3 = r.path("incidents").get(2);
        assertThat(inc3.path("id").asText()).isEqualTo("INC-3");
        assertThat(inc3.path("service").asText()).isEqualTo("ledger-api");
        assertThat(inc3.path("restored").isNull()).isTrue();
        assertThat(r.path("incidents").get(0).path("severity").asText()).isEqualTo("sev2");
    }

    @Test
    void ciPassRateGatesEvidenceAndWhereLeadTimeGoes() {
        ObjectNode r = report(Scenario.standard(true), JAN_TO_APR);
        JsonNode payments = r.path("services").path("payments");
        // main: 4 successes, a failure, an unstable run (not passed), an aborted run (not counted)
        assertThat(payments.at("/ci/main/runs").asInt()).isEqualTo(7);
        assertThat(payments.at("/ci/main/counted").asInt()).isEqualTo(6);
        assertThat(payments.at("/ci/main/rate").asDouble()).isEqualTo(0.6667);
        assertThat(payments.at("/ci/release/rate").asDouble()).isEqualTo(0.5);
        assertThat(payments.at("/ci/releaseBranches/release~11.1/rate").asDouble()).isEqualTo(0.5);
        assertThat(payments.at("/ci/hotfix/rate").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/overall/ci/main/rate").asDouble()).isEqualTo(6 / 8.0);
        assertThat(r.at("/services/ledger-api/ci/release/rate").isNull()).isTrue();

        // gates: ten evaluations (one failed); three findings of payments 1.1.0 once each
        JsonNode gates = r.at("/overall/gates");
        assertThat(gates.path("evaluations").asInt()).isEqualTo(10);
        assertThat(gates.path("failed").asInt()).isEqualTo(1);
        assertThat(gates.at("/findings/total").asInt()).isEqualTo(3);
        assertThat(gates.at("/findings/bySeverity/critical").asInt()).isEqualTo(1);
        assertThat(gates.at("/findings/bySeverity/high").asInt()).isEqualTo(1);
        assertThat(gates.at("/findings/bySeverity/medium").asInt()).isEqualTo(1);
        assertThat(gates.at("/findings/byDisposition/waived").asInt()).isEqualTo(1);
        assertThat(gates.at("/timeToRemediate/remediated").asInt()).isEqualTo(1);
        assertThat(gates.at("/timeToRemediate/medianSeconds").asLong()).isEqualTo(h(0.5));
        assertThat(gates.at("/exceptions/used")).extracting(JsonNode::asText).containsExactly("EX-1");
        assertThat(gates.at("/exceptions/expired")).extracting(JsonNode::asText).containsExactly("EX-9");

        // evidence: every release but the emergency change has both SBOMs, provenance and a signature
        assertThat(r.at("/overall/evidence/releases").asInt()).isEqualTo(8);
        assertThat(r.at("/overall/evidence/complete").asInt()).isEqualTo(7);
        assertThat(r.at("/overall/evidence/cyclonedx").asInt()).isEqualTo(8);
        assertThat(r.at("/overall/evidence/rate").asDouble()).isEqualTo(0.875);
        assertThat(deployment(r, "payments", "1.3.0", false).at("/evidence/complete").asBoolean()).isFalse();

        // lead time's stages: 7 standard releases (27 h waiting, 19 h window, 2 h stabilization, 1 h build/test), the
        // emergency change (1 h each of build/test, waiting, window), 72 h of development of 1.4.0
        long waiting = 7 * h(27) + h(1);
        long window = 7 * h(19) + h(1);
        long development = h(72);
        long total = waiting + window + development + 7 * h(2) + 8 * h(1);
        assertThat(total).isEqualTo(h(418));
        JsonNode top = r.path("leadTimeContributors");
        assertThat(top).hasSize(3);
        assertThat(top).extracting(n -> n.path("stage").asText()).containsExactly("waitingForApproval", "releaseWindow", "development");
        assertThat(top.get(0).path("totalSeconds").asLong()).isEqualTo(waiting);
        assertThat(top.get(0).path("meanSeconds").asLong()).isEqualTo(waiting / 8);
        assertThat(top.get(0).path("share").asDouble()).isEqualTo(Math.round(10_000.0 * waiting / total) / 10_000.0);
        assertThat(top.get(1).path("totalSeconds").asLong()).isEqualTo(window);
        assertThat(top.get(2).path("totalSeconds").asLong()).isEqualTo(development);
        JsonNode p140 = deployment(r, "payments", "1.4.0", false).path("leadTime");
        assertThat(p140.path("from").asText()).isEqualTo("first-commit");
        assertThat(p140.at("/stages/development").asLong()).isEqualTo(h(72));
        assertThat(p140.path("totalSeconds").asLong()).isEqualTo(h(121));
        assertThat(deployment(r, "payments", "1.0.0", false).at("/leadTime/from").asText()).isEqualTo("build");
    }

    @Test
    void everyMonthIsInTheTrendThoseWithoutDeploymentsToo() {
        ObjectNode r = report(Scenario.standard(true), JAN_TO_APR);
        JsonNode months = r.path("months");
        assertThat(months).extracting(m -> m.path("month").asText()).containsExactly("2026-01", "2026-02", "2026-03", "2026-04");
        assertThat(months).extracting(m -> m.at("/overall/deployments").asInt()).containsExactly(4, 2, 2, 0);
        assertThat(months).extracting(m -> m.at("/overall/failed").asInt()).containsExactly(1, 1, 1, 0);
        assertThat(months.get(0).at("/overall/changeFailureRate").asDouble()).isEqualTo(0.25);
        assertThat(months.get(3).at("/overall/changeFailureRate").isNull()).isTrue();
        assertThat(months.get(3).at("/overall/leadTimeMedianSeconds").isNull()).isTrue();
        assertThat(months.get(1).at("/services/ledger-api/deployments").asInt()).isZero();
        assertThat(months.get(0).at("/services/payments/ciPassRateMain").asDouble()).isEqualTo(0.75);
        assertThat(months.get(2).at("/services/ledger-api/timeToRestoreMedianSeconds").asLong())
                .isEqualTo(Duration.between(at("03-03T10:00"), at("03-04T12:00")).getSeconds());
    }

    @Test
    void oneMonthCountsOnlyItsOwnEventsButReadsTheHistoryBeforeIt() {
        ObjectNode r = report(Scenario.standard(true), DeliveryReport.Options.months(YearMonth.of(2026, 2), YearMonth.of(2026, 2)));
        assertThat(r.at("/overall/deploymentFrequency/deployments").asInt()).isEqualTo(2);
        assertThat(r.at("/overall/deploymentFrequency/days").asInt()).isEqualTo(28);
        // 1.2.0 failed because of the emergency change that followed it
        assertThat(r.at("/overall/changeFailureRate/rate").asDouble()).isEqualTo(0.5);
        assertThat(r.at("/overall/timeToRestore/incidents").asInt()).isZero();
        assertThat(r.at("/overall/timeToRestore/medianSeconds").isNull()).isTrue();
        assertThat(r.path("deployments")).extracting(d -> d.path("version").asText()).containsExactly("1.2.0", "1.3.0");
        assertThat(r.at("/period/months")).extracting(JsonNode::asText).containsExactly("2026-02");
    }

    @Test
    void aHotfixIsAPatchReleaseSoonAfterTheLastOneOrOneBuiltOnAHotfixBranch() {
        // without the run on the hotfix branch, 1.1.1 is a hotfix by its version alone: 3 days after 1.1.0
        ObjectNode byVersion = report(Scenario.standard(false), JAN_TO_APR);
        assertThat(deployment(byVersion, "payments", "1.1.1", false).path("hotfix").asBoolean()).isTrue();
        // with a one-day window it is not, and 1.1.0 failed by the rollback and the incident only
        ObjectNode narrow = report(Scenario.standard(false), JAN_TO_APR.hotfixDays(1));
        assertThat(deployment(narrow, "payments", "1.1.1", false).path("hotfix").asBoolean()).isFalse();
        assertThat(deployment(narrow, "payments", "1.1.0", false).path("failure")).extracting(JsonNode::asText)
                .containsExactly("rollback", "incident");
        // the run on hotfix/1.1.1-PAY-9 that built its commit makes it a hotfix whatever the window
        ObjectNode byBranch = report(Scenario.standard(true), JAN_TO_APR.hotfixDays(1));
        assertThat(deployment(byBranch, "payments", "1.1.1", false).path("hotfix").asBoolean()).isTrue();
    }

    @Test
    void anEmptyLedgerGivesAnEmptyValidReport() {
        ObjectNode r = report(new Scenario(), JAN_TO_APR);
        assertThat(r.at("/overall/deploymentFrequency/deployments").asInt()).isZero();
        assertThat(r.at("/overall/changeFailureRate/rate").isNull()).isTrue();
        assertThat(r.path("services").size()).isZero();
        assertThat(r.path("leadTimeContributors")).hasSize(3);
        assertThat(r.path("leadTimeContributors").get(0).path("share").isNull()).isTrue();
    }

    @Test
    void theSchemaHoldsTheReportToItsShape() throws Exception {
        ObjectNode r = report(Scenario.standard(true), JAN_TO_APR);
        JsonSchema schema;
        try (InputStream in = DeliveryReport.class.getResourceAsStream(DeliveryReport.SCHEMA_RESOURCE)) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        ObjectNode missing = r.deepCopy();
        ((ObjectNode) missing.path("overall")).remove("ci");
        assertThat(schema.validate(missing)).isNotEmpty();
        ObjectNode badRate = r.deepCopy();
        ((ObjectNode) badRate.at("/overall/changeFailureRate")).put("rate", 1.5);
        assertThat(schema.validate(badRate)).isNotEmpty();
        ObjectNode extra = r.deepCopy();
        ((ObjectNode) extra.at("/overall/leadTime")).put("p99", 1);
        assertThat(schema.validate(extra)).isNotEmpty();
    }

    @Test
    void badMonthsAndPeriodsAreInputErrors() {
        assertThat(DeliveryReport.parseMonth("2026-02", "--month")).isEqualTo(YearMonth.of(2026, 2));
        for (String bad : List.of("2026-13", "2026-00", "2026-1", "26-01", "2026-01-01", "", "next")) {
            assertThatThrownBy(() -> DeliveryReport.parseMonth(bad, "--month")).as(bad).isInstanceOf(InputException.class)
                    .hasMessageContaining("--month must be a month YYYY-MM");
        }
        assertThatThrownBy(() -> DeliveryReport.Options.months(YearMonth.of(2026, 3), YearMonth.of(2026, 1)))
                .isInstanceOf(InputException.class).hasMessageContaining("ends (2026-01) before it starts (2026-03)");
        assertThatThrownBy(() -> JAN_TO_APR.hotfixDays(-1)).isInstanceOf(InputException.class);
    }

    static JsonNode deployment(JsonNode report, String service, String version, boolean rollback) {
        for (JsonNode d : report.path("deployments")) {
            if (d.path("service").asText().equals(service) && d.path("version").asText().equals(version)
                    && d.path("rollback").asBoolean() == rollback) {
                return d;
            }
        }
        throw new AssertionError("no deployment of " + service + "@" + version + (rollback ? " (rollback)" : ""));
    }
}

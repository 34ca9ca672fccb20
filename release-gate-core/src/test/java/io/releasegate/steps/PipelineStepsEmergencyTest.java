package io.releasegate.steps;

import static io.releasegate.steps.MapSteps.buildOnce;
import static io.releasegate.steps.MapSteps.plan;
import static io.releasegate.steps.MapSteps.promoteDigest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.context.ReleaseContext;
import io.releasegate.demo.SampleProject;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** promoteDigest and plan with an emergency change: production outside the change windows, recorded, or refused. */
class PipelineStepsEmergencyTest {

    @TempDir
    Path tmp;
    Path project;
    Path state;
    Map<String, Object> release;

    @BeforeEach
    void builtAndInDev() throws Exception {
        SampleProject sample = SampleProject.create(tmp.resolve("payments"), Instant.parse("2026-11-02T09:00:00Z"));
        project = sample.directory();
        state = tmp.resolve("state");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        // the window is closed around today (a blackout closes it whatever the hour); production takes the policy committed
        Files.createDirectories(project.resolve(".release"));
        Files.writeString(project.resolve(".release/policy.yaml"), MEMBERS + "windows:\n  blackouts: [" + today.minusDays(1) + ", "
                + today + ", " + today.plusDays(1) + "]\n");
        commitPolicy();
        String jar = sample.build("1.0.0");
        Map<String, Object> built = buildOnce(Map.of("name", "payments", "version", "1.0.0", "artifacts", jar), env("rita"));
        release = Map.of("name", "payments", "version", "1.0.0", "digest", built.get("digest"));
        promoteDigest(with("to", "dev"), env("jenkins"), Optional.empty());
    }

    /** mia may approve an emergency change: she holds a role and wrote none of the sample's changes. */
    static final String MEMBERS = "approvals:\n  members:\n    maintainer:\n      people: [mia, alice]\n";

    void commitPolicy() {
        io.releasegate.testing.Git.run(project, "add", ".release/policy.yaml");
        io.releasegate.testing.Git.run(project, "-c", "user.name=Rita", "-c", "user.email=rita@example.com", "-c",
                "commit.gpgsign=false", "commit", "-q", "-m", "chore: release policy");
    }

    Map<String, Object> with(Object... kv) {
        Map<String, Object> m = new HashMap<>(release);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i].toString(), kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> emergency() {
        return new HashMap<>(Map.of("reason", "card payments fail for every customer (INC-7)", "scope", "payments service only",
                "rollbackPlan", "promote 0.9.0 again", "followUps", "post-incident review PAY-200\nadd the missing alert PAY-201\n"));
    }

    List<Event> events() {
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(state))) {
            return ctx.ledger().events("payments@1.0.0");
        }
    }

    @Test
    void aCompleteEmergencyStandsInForTheClosedWindowButForNothingElse() {
        // production straight from dev lacks most of its evidence; the window is one of the refusals
        assertThatThrownBy(() -> promoteDigest(with("to", "production"), env("jenkins"), Optional.empty()))
                .isInstanceOf(RefusedException.class).hasMessageContaining("window.blackout")
                .hasMessageContaining("promote.approvals");
        // with a complete emergency the window is no longer a reason, the rest still is, and nothing is recorded
        assertThatThrownBy(() -> promoteDigest(with("to", "production", "emergency", emergency()), env("jenkins"),
                Optional.of("mia")))
                .isInstanceOf(RefusedException.class).hasMessageContaining("promote.approvals")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("window.").doesNotContain("emergency."));
        assertThat(events()).extracting(Event::type).containsExactly("built", "promoted");
        // (the recorded emergency change on a full release: GoldenPipelineTest in library-tests)
    }

    @Test
    void whereTheWindowIsAllThatIsMissingAnEmergencyIsRecordedWithItsApproverAndThePromotionNamesIt() throws Exception {
        // dev needs the window too here (a team may require more evidence, never less); it starts again from a new version
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Files.writeString(project.resolve(".release/policy.yaml"), "environments:\n  - name: dev\n    requires: [built, window]\n"
                + "  - name: staging\n    requires: [built, signatures, sbom, provenance, gates]\n"
                + "  - name: production\n    requires: [built, signatures, sbom, provenance, gates, approvals, window]\n"
                + MEMBERS + "windows:\n  blackouts: [" + today + "]\n");
        commitPolicy();
        Map<String, Object> built = buildOnce(Map.of("name", "payments", "version", "1.0.1", "artifacts", "target/*.jar"),
                env("rita"));
        Map<String, Object> next = new HashMap<>(Map.of("name", "payments", "version", "1.0.1", "digest", built.get("digest"), "to",
                "dev"));
        assertThatThrownBy(() -> promoteDigest(next, env("jenkins"), Optional.empty()))
                .isInstanceOf(RefusedException.class).hasMessageContaining("window.blackout");
        next.put("emergency", emergency());

        Map<String, Object> out = promoteDigest(next, env("jenkins"), Optional.of("mia"));

        List<Event> events;
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(state))) {
            events = ctx.ledger().events("payments@1.0.1");
        }
        assertThat(events).extracting(Event::type).containsExactly("built", "emergency-approved", "emergency-change", "promoted");
        Event approval = events.get(1);
        assertThat(approval.actor()).isEqualTo("mia");
        Event recorded = events.get(2);
        assertThat(recorded.text("approval")).contains(approval.id());
        assertThat(out).containsEntry("environment", "dev").containsEntry("emergency", recorded.id());
        assertThat(recorded.actor()).isEqualTo("jenkins");
        assertThat(recorded.text("approver")).contains("mia");
        assertThat(recorded.text("reason")).contains("card payments fail for every customer (INC-7)");
        assertThat(recorded.text("scope")).contains("payments service only");
        assertThat(recorded.text("rollbackPlan")).contains("promote 0.9.0 again");
        assertThat(recorded.payload().path("followUps").toString())
                .isEqualTo("[\"post-incident review PAY-200\",\"add the missing alert PAY-201\"]");
        assertThat(events.get(3).text("emergency")).contains(recorded.id());
    }

    @Test
    void anIncompleteEmergencyOrOneWithoutATrustedApproverIsRefusedAndNothingIsRecorded() {
        Map<String, Object> noRollback = emergency();
        noRollback.remove("rollbackPlan");
        assertThatThrownBy(() -> promoteDigest(with("to", "production", "emergency", noRollback), env("jenkins"),
                Optional.of("mia")))
                .isInstanceOf(RefusedException.class).hasMessageContaining("emergency.incomplete").hasMessageContaining("[rollbackPlan]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("window."));
        Map<String, Object> named = emergency();
        named.put("approver", "mallory");
        assertThatThrownBy(() -> promoteDigest(with("to", "production", "emergency", named), env("jenkins"),
                Optional.of("mia")))
                .isInstanceOf(InputException.class).hasMessageContaining("never an argument");
        assertThatThrownBy(() -> promoteDigest(with("to", "production", "emergency", emergency()), env("jenkins"),
                Optional.empty()))
                .isInstanceOf(InputException.class).hasMessageContaining("needs its approver");
        // the approver holds a role, wrote no change of the release, and does not release it
        for (String[] who : new String[][] {{"eve", "emergency.approver-not-in-role"}, {"alice", "emergency.approver-author"},
                {"rita", "emergency.approver-releaser"}, {"jenkins", "emergency.approver-releaser"}}) {
            assertThatThrownBy(() -> promoteDigest(with("to", "production", "emergency", emergency()), env("jenkins"),
                    Optional.of(who[0])))
                    .isInstanceOf(RefusedException.class).hasMessageContaining(who[1]);
        }
        Map<String, Object> typo = emergency();
        typo.put("rollback", "x");
        assertThatThrownBy(() -> promoteDigest(with("to", "production", "emergency", typo), env("jenkins"),
                Optional.of("mia")))
                .isInstanceOf(InputException.class).hasMessageContaining("unknown argument(s) [rollback]");
        assertThat(events()).extracting(Event::type).containsExactly("built", "promoted");
    }

    @Test
    void planRefusesAnIncompleteEmergencyBeforeAnythingRuns() {
        Map<String, Object> noRollback = emergency();
        noRollback.put("rollbackPlan", " ");
        assertThatThrownBy(() -> plan(Map.of("branch", "main", "emergency", noRollback), env("jenkins")))
                .isInstanceOf(RefusedException.class).hasMessageContaining("emergency.incomplete")
                .hasMessageContaining("[rollbackPlan]");
        assertThat(plan(Map.of("branch", "main", "emergency", emergency()), env("jenkins"))).containsEntry("emergency", true);
        assertThat(plan(Map.of("branch", "main"), env("jenkins"))).containsEntry("emergency", false);
    }

    /** The step environment of this test's workspace and state, acting as {@code actor}. */
    StepEnvironment env(String actor) {
        return StepEnvironment.of(project, state, actor);
    }
}

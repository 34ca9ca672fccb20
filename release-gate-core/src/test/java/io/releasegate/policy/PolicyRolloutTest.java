package io.releasegate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rollout.stages: none by default (and out of the digest), read strictly, each stage an environment before production
 * requiring what production requires, and tighten-only under a central policy.
 */
class PolicyRolloutTest {

    static final String CENTRAL = """
            rollout:
              autoRollback: true
              stages:
                - name: canary
                  percent: 5
                  soak: 30m
                  evidence: [check]
                  health:
                    - name: error-rate
                      command: ["./metrics.sh", "error-rate"]
                      max: 0.01
                - name: ring2
                  percent: 25
                  soak: 1h
            """;

    @TempDir
    Path tmp;

    Path file(String name, String yaml) throws Exception {
        return Files.writeString(tmp.resolve(name), yaml);
    }

    Policy load(String central, String team) throws Exception {
        Path c = file("central.yaml", central);
        return PolicyLoader.load(Optional.of(CentralPolicy.of(c, io.releasegate.digest.Digester.of(Files.readAllBytes(c)).toString())),
                Optional.of(file("team.yaml", team)));
    }

    List<Refusal> loosened(String team) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> load(CENTRAL, team));
        assertThat(t).as(team).isInstanceOf(RefusedException.class);
        List<Refusal> refusals = ((RefusedException) t).refusals();
        assertThat(refusals).allSatisfy(r -> assertThat(r.rule()).isEqualTo("policy.loosened"));
        return refusals;
    }

    void inputError(String team, String... fragments) throws Exception {
        Path f = file("bad.yaml", team);
        var a = assertThatThrownBy(() -> PolicyLoader.load(Optional.of(f))).as(team).isInstanceOf(InputException.class);
        for (String fragment : fragments) {
            a.hasMessageContaining(fragment);
        }
    }

    @Test
    void noStagesByDefaultAndTheDigestIsAsItWas() throws Exception {
        Policy library = PolicyLoader.defaults();
        assertThat(library.rollout().stages()).isEmpty();
        assertThat(library.environments().stream().map(Policy.Environment::name)).containsExactly("dev", "staging", "production");
        assertThat(library.canonicalJson()).doesNotContain("rollout");
        Policy explicit = PolicyLoader.load(Optional.of(file("p.yaml", "rollout:\n  stages: []\n")));
        assertThat(explicit.digest()).isEqualTo(library.digest());
    }

    @Test
    void stagesAreReadIntoEnvironmentsBeforeProduction() throws Exception {
        Policy p = load(CENTRAL, "{}\n");
        assertThat(p.environments().stream().map(Policy.Environment::name))
                .containsExactly("dev", "staging", "production-canary", "production-ring2", "production");
        Policy.Stage canary = p.stageOf("production-canary").orElseThrow();
        assertThat(canary.soak()).isEqualTo(Duration.ofMinutes(30));
        assertThat(canary.evidence()).containsExactly("check");
        assertThat(canary.health()).singleElement().satisfies(h -> {
            assertThat(h.command()).containsExactly("./metrics.sh", "error-rate");
            assertThat(h.max()).contains(new BigDecimal("0.01"));
            assertThat(h.timeout()).isEqualTo(Policy.HealthCheck.DEFAULT_TIMEOUT);
        });
        assertThat(p.rollout().autoRollback()).isTrue();
        assertThat(p.canonicalJson()).contains("\"rollout\"").contains("production-canary");
        assertThat(p.productionGrade("production-canary", PolicyLoader.defaults())).isTrue();
        assertThat(p.productionGrade("staging", PolicyLoader.defaults())).isFalse();
    }

    @Test
    void aFreezeOfProductionCoversItsStages() throws Exception {
        Policy p = load(CENTRAL, "windows:\n  freezes:\n    - name: year-end\n      from: 2026-12-20\n      to: 2027-01-02\n"
                + "      scope: [production]\n      exitCriteria: January\n");
        assertThat(ChangeWindows.check(p, "production-canary", Instant.parse("2026-12-22T10:00:00Z")))
                .hasValueSatisfying(r -> assertThat(r.rule()).isEqualTo("window.freeze"));
        assertThat(ChangeWindows.check(p, "staging", Instant.parse("2026-12-22T10:00:00Z"))).isEmpty();
    }

    @Test
    void aTeamMayAddStagesEvidenceAndChecksAndLengthenSoak() throws Exception {
        Policy p = load(CENTRAL, """
                rollout:
                  stages:
                    - name: canary
                      percent: 1
                      soak: 2h
                      evidence: [check, checklist]
                      health:
                        - name: error-rate
                          command: ["./metrics.sh", "error-rate"]
                          max: 0.005
                        - name: latency
                          command: ["./metrics.sh", "p99"]
                          max: 300
                    - name: ring1
                      percent: 10
                    - name: ring2
                      percent: 25
                      soak: 1h
                """);
        assertThat(p.rollout().stages().stream().map(Policy.Stage::name)).containsExactly("canary", "ring1", "ring2");
        assertThat(p.rollout().autoRollback()).isTrue();
    }

    @Test
    void aTeamDroppingAStageOrShorteningSoakOrRelaxingAThresholdIsRefused() throws Exception {
        assertThat(loosened("""
                rollout:
                  stages:
                    - name: ring2
                      percent: 25
                      soak: 1h
                """)).anySatisfy(r -> assertThat(r.evidence()).contains("rollout.stages").contains("stages [canary, ring2]")
                .contains("team.yaml"));
        String canary = """
                rollout:
                  stages:
                    - name: canary
                      percent: %s
                      soak: %s
                      evidence: %s
                      health:
                        - name: error-rate
                          command: ["./metrics.sh", "error-rate"]
                          %s
                    - name: ring2
                      percent: 25
                      soak: 1h
                """;
        assertThat(loosened(canary.formatted("5", "10m", "[check]", "max: 0.01")))
                .anySatisfy(r -> assertThat(r.evidence()).contains("canary soaks PT30M").contains("canary soaks PT10M"));
        assertThat(loosened(canary.formatted("5", "30m", "[check]", "max: 0.05")))
                .anySatisfy(r -> assertThat(r.evidence()).contains("<= 0.01").contains("<= 0.05"));
        assertThat(loosened(canary.formatted("5", "30m", "[check]", "min: 0")))
                .anySatisfy(r -> assertThat(r.evidence()).contains("a threshold can only get stricter"));
        assertThat(loosened(canary.formatted("5", "30m", "[]", "max: 0.01")))
                .anySatisfy(r -> assertThat(r.evidence()).contains("requires evidence [check]"));
        assertThat(loosened(canary.formatted("10", "30m", "[check]", "max: 0.01")))
                .anySatisfy(r -> assertThat(r.evidence()).contains("canary takes 5%"));
        assertThat(loosened("rollout:\n  autoRollback: false\n"))
                .anySatisfy(r -> assertThat(r.evidence()).contains("rollout.autoRollback"));
        assertThat(loosened("""
                rollout:
                  stages:
                    - name: canary
                      percent: 5
                      soak: 30m
                      evidence: [check]
                    - name: ring2
                      percent: 25
                      soak: 1h
                """)).anySatisfy(r -> assertThat(r.evidence()).contains("health check error-rate"));
    }

    @Test
    void aMalformedSectionIsAnInputErrorNamingTheKey() throws Exception {
        inputError("rollout:\n  stagez: []\n", "bad.yaml:2", "rollout", "unknown key 'stagez'");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 5\n      wait: 3m\n", "rollout.stages[]", "unknown key 'wait'");
        inputError("rollout:\n  stages:\n    - name: canary\n", "rollout.stages.canary", "missing required key 'percent'");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 100\n", "rollout.stages.canary.percent", "less than 100");
        inputError("rollout:\n  stages:\n    - name: a\n      percent: 25\n    - name: b\n      percent: 5\n",
                "rollout.stages.b.percent", "more than the previous stage's (25)");
        inputError("rollout:\n  stages:\n    - name: a\n      percent: 5\n    - name: a\n      percent: 6\n", "must be unique");
        inputError("rollout:\n  stages:\n    - name: Canary!\n      percent: 5\n", "stage name 'Canary!'");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 5\n      soak: soon\n",
                "rollout.stages.canary.soak", "not a duration");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 5\n      evidence: [vibes]\n",
                "rollout.stages.canary.evidence", "unknown evidence kind 'vibes'");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 5\n      health:\n        - name: e\n"
                + "          command: [\"x\"]\n", "rollout.stages.canary.health.e", "needs a threshold");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 5\n      health:\n        - name: e\n"
                + "          command: [\"x\"]\n          max: lots\n", "rollout.stages.canary.health.e.max", "expected a number");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 5\n      health:\n        - name: e\n"
                + "          command: []\n          max: 1\n", "rollout.stages.canary.health.e.command", "non-empty list");
        inputError("rollout:\n  stages:\n    - name: canary\n      percent: 5\n      health:\n        - name: e\n"
                + "          command: \"rm -rf /\"\n          max: 1\n", "rollout.stages.canary.health.e.command", "expected a list");
        inputError("rollout:\n  autoRollback: maybe\n", "rollout.autoRollback", "true or false");
        inputError("environments:\n  - name: dev\n  - name: production-canary\n  - name: production\n"
                + "rollout:\n  stages:\n    - name: canary\n      percent: 5\n", "do not list it in environments");
    }
}

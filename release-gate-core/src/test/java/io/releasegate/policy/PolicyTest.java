package io.releasegate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTest {

    @TempDir
    Path tmp;

    Policy team(String yaml) throws Exception {
        Path f = Files.writeString(tmp.resolve("policy.yaml"), yaml);
        return PolicyLoader.load(Optional.of(f));
    }

    void refused(String yaml, String... fragments) throws Exception {
        Path f = Files.writeString(tmp.resolve("policy.yaml"), yaml);
        var assertion = assertThatThrownBy(() -> PolicyLoader.load(Optional.of(f))).as(yaml).isInstanceOf(InputException.class);
        for (String fragment : fragments) {
            assertion.hasMessageContaining(fragment);
        }
    }

    @Test
    void theDefaultIsTheDocumentedPolicy() {
        Policy p = PolicyLoader.defaults();
        assertThat(p.environments()).extracting(Policy.Environment::name).containsExactly("dev", "staging", "production");
        assertThat(p.environment("production").orElseThrow().requires()).contains("approvals", "window", "signatures");
        assertThat(p.approvals().count()).isEqualTo(2);
        assertThat(p.approvals().roles()).containsExactly("domain-reviewer", "maintainer");
        assertThat(p.previous("staging").orElseThrow().name()).isEqualTo("dev");
        assertThat(p.previous("dev")).isEmpty();
        assertThat(p.windows().weekly().get(0).days()).contains(DayOfWeek.MONDAY).doesNotContain(DayOfWeek.FRIDAY);
    }

    @Test
    void aTeamPolicyIsLaidOverTheDefault() throws Exception {
        Policy p = team("""
                approvals:
                  count: 3
                  members:
                    maintainer:
                      people: [alice, bob]
                windows:
                  timezone: Europe/Paris
                  weekly:
                    - days: [MON, THU]
                      from: "11:00"
                      to: "13:00"
                  blackouts: ["2026-12-24"]
                """);
        assertThat(p.approvals().count()).isEqualTo(3);
        assertThat(p.approvals().roles()).containsExactly("domain-reviewer", "maintainer");
        assertThat(p.approvals().members().get("maintainer").people()).containsExactly("alice", "bob");
        assertThat(p.windows().timezone()).isEqualTo("Europe/Paris");
        assertThat(p.windows().weekly()).singleElement().satisfies(w -> assertThat(w.from()).isEqualTo(LocalTime.of(11, 0)));
        assertThat(p.environments()).hasSize(3);
    }

    @Test
    void strictParsingNamesTheLineAndTheKey() throws Exception {
        refused("approvals:\n  count: 2\n  colour: blue\n", "policy.yaml:3", "unknown key 'colour'", "valid keys");
        refused("windows:\n  timezone: Mars/Olympus\n", "policy.yaml:2", "unknown time zone");
        refused("windows:\n  weekly:\n    - days: [MON]\n      from: \"16:00\"\n      to: \"09:00\"\n", "policy.yaml:3", "impossible window");
        refused("windows:\n  weekly:\n    - days: [FUNDAY]\n      from: \"09:00\"\n      to: \"10:00\"\n", "policy.yaml:3", "not a day");
        refused("windows:\n  freezes:\n    - name: x\n      from: 2026-12-20\n      to: 2027-01-02\n      scope: [prod]\n      exitCriteria: y\n",
                "unknown environment 'prod'");
        refused("environments:\n  - name: dev\n    requires: [vibes]\n", "policy.yaml:3", "unknown evidence 'vibes'");
        refused("approvals:\n  count: two\n", "policy.yaml:2", "whole number");
        refused("approvals: [1, 2\n", "not valid YAML");
        refused("version: 2\n", "unknown policy version 2");
        refused("approvals:\n  members:\n    release-captain:\n      people: [x]\n", "role 'release-captain' is not one of");
    }

    @Test
    void gatesDeclaredNotApplicableAreReadStrictlyEachWithItsRationale() throws Exception {
        Policy p = team("gates:\n  notApplicable:\n    dast: \"batch job, no network endpoint\"\n    unit: '  no code of ours '\n");
        assertThat(p.gates().notApplicable()).containsExactly(java.util.Map.entry("dast", "batch job, no network endpoint"),
                java.util.Map.entry("unit", "no code of ours"));
        assertThat(p.gates().notApplicable("dast")).contains("batch job, no network endpoint");
        assertThat(p.gates().notApplicable("sast")).isEmpty();
        assertThat(PolicyLoader.defaults().gates().notApplicable()).isEmpty();
        assertThat(PolicyLoader.defaults().gates().neverNotApplicable()).isEmpty();

        refused("gates:\n  notApplicable:\n    dast:\n", "policy.yaml:3", "gates.notApplicable.dast", "needs a rationale");
        refused("gates:\n  notApplicable:\n    dast: \"  \"\n", "policy.yaml:3", "needs a rationale");
        refused("gates:\n  notApplicable:\n    dast: ~\n", "policy.yaml:3", "needs a rationale");
        refused("gates:\n  notApplicable:\n    dast: [a, b]\n", "policy.yaml:3", "expected a single value");
        refused("gates:\n  notApplicable:\n    pentest: not ours\n", "policy.yaml:3", "unknown gate 'pentest'", "known:");
        refused("gates:\n  notApplicable: [dast]\n", "policy.yaml:2", "expected a mapping");
        refused("gates:\n  neverNotApplicable: [pentest]\n", "policy.yaml:2", "unknown gate 'pentest'");
        // a policy that lists a gate as never not applicable and declares it so contradicts itself
        refused("gates:\n  neverNotApplicable: [sast]\n  notApplicable:\n    sast: no code\n", "policy.yaml:4",
                "gates.notApplicable.sast", "neverNotApplicable");
    }

    @Test
    void aDeclarationIsPartOfThePolicysDigestAndNoDeclarationLeavesTheCanonicalFormAsItWas() throws Exception {
        Policy none = PolicyLoader.defaults();
        assertThat(none.canonicalJson()).doesNotContain("notApplicable").doesNotContain("neverNotApplicable");
        Policy one = team("gates:\n  notApplicable:\n    dast: batch job\n");
        Policy other = team("gates:\n  notApplicable:\n    dast: a batch job\n");
        assertThat(one.canonicalJson()).contains("\"notApplicable\":{\"dast\":\"batch job\"}");
        assertThat(one.digest()).isNotEqualTo(none.digest()).isNotEqualTo(other.digest());
        assertThat(team("gates:\n  neverNotApplicable: [sast, license]\n").digest())
                .isEqualTo(team("gates:\n  neverNotApplicable: [license, sast]\n").digest());
    }

    /** Lowering a high-assurance rule is a refusal (policy.loosened), no longer an input error. */
    void loosened(String yaml, String... fragments) throws Exception {
        Path f = Files.writeString(tmp.resolve("policy.yaml"), yaml);
        var assertion = assertThatThrownBy(() -> PolicyLoader.load(Optional.of(f))).as(yaml).isInstanceOf(RefusedException.class)
                .hasMessageContaining("policy.loosened");
        for (String fragment : fragments) {
            assertion.hasMessageContaining(fragment);
        }
    }

    @Test
    void highAssuranceRulesCanBeRaisedNeverLowered() throws Exception {
        loosened("approvals:\n  count: 1\n", "approvals.count", "the library's 2, the team's 1", "never lowered");
        loosened("approvals:\n  roles: [maintainer]\n", "cannot be dropped");
        loosened("approvals:\n  highAssurance: false\n", "cannot be switched off");
        loosened("environments:\n  - name: dev\n    requires: [built]\n  - name: staging\n    requires: [built]\n"
                + "  - name: production\n    requires: [built]\n", "policy.yaml:2", "never less");
        assertThat(team("approvals:\n  count: 4\n  roles: [domain-reviewer, maintainer, security]\n").approvals().count()).isEqualTo(4);
    }

    @Test
    void changeWindowsAreTimeZoneAwareWithBlackoutsAndFreezes() throws Exception {
        // the admin's central policy opens every hour, so that a team in Paris may keep its own 09:00-16:00
        Path central = Files.writeString(tmp.resolve("central.yaml"), "windows:\n  weekly:\n"
                + "    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n      from: \"00:00\"\n      to: \"23:59:59.999999999\"\n");
        Path team = Files.writeString(tmp.resolve("policy.yaml"), """
                windows:
                  timezone: Europe/Paris
                  weekly:
                    - days: [MON, TUE, WED, THU]
                      from: "09:00"
                      to: "16:00"
                  blackouts: ["2026-11-26"]
                  freezes:
                    - name: year-end
                      from: 2026-12-20
                      to: 2027-01-03
                      scope: [production]
                      exitCriteria: all incidents closed
                """);
        Policy p = PolicyLoader.load(Optional.of(CentralPolicy.of(central,
                io.releasegate.digest.Digester.of(Files.readAllBytes(central)).toString())), Optional.of(team));
        // Monday 2026-11-23 08:30 UTC = 09:30 in Paris: inside
        assertThat(ChangeWindows.check(p, "production", Instant.parse("2026-11-23T08:30:00Z"))).isEmpty();
        // Monday 07:30 UTC = 08:30 Paris: before the window, although 09:00 is past in no zone
        assertThat(ChangeWindows.check(p, "production", Instant.parse("2026-11-23T07:30:00Z")))
                .hasValueSatisfying(r -> assertThat(r.rule()).isEqualTo("window.outside"));
        assertThat(ChangeWindows.check(p, "production", Instant.parse("2026-11-27T10:00:00Z")))
                .hasValueSatisfying(r -> assertThat(r.rule()).isEqualTo("window.outside")); // Friday
        assertThat(ChangeWindows.check(p, "production", Instant.parse("2026-11-26T10:00:00Z")))
                .hasValueSatisfying(r -> assertThat(r.rule()).isEqualTo("window.blackout"));
        assertThat(ChangeWindows.check(p, "production", Instant.parse("2026-12-21T10:00:00Z")))
                .hasValueSatisfying(r -> assertThat(r.evidence()).contains("year-end").contains("all incidents closed"));
        assertThat(ChangeWindows.check(p, "staging", Instant.parse("2026-12-21T10:00:00Z"))).isEmpty();
    }
}

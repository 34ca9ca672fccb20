package io.releasegate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gates.neverBypass and gates.quarantineMaxDays: strict, tighten-only, and out of the digest while at their defaults. */
class PolicyBypassKeysTest {

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

    @Test
    void theDefaultsAreNoGateAndThirtyDaysAndLeaveTheDigestAsItWas() throws Exception {
        Policy library = PolicyLoader.load(Optional.empty());
        assertThat(library.gates().neverBypass()).isEmpty();
        assertThat(library.gates().quarantineMaxDays()).isEqualTo(30);
        assertThat(library.canonicalJson()).doesNotContain("neverBypass").doesNotContain("quarantineMaxDays");
        Policy explicit = PolicyLoader.load(Optional.of(file("p.yaml", "gates:\n  neverBypass: []\n  quarantineMaxDays: 30\n")));
        assertThat(explicit.digest()).isEqualTo(library.digest());
        Policy tighter = PolicyLoader.load(Optional.of(file("q.yaml", "gates:\n  neverBypass: [secrets]\n  quarantineMaxDays: 14\n")));
        assertThat(tighter.gates().neverBypass()).containsExactly("secrets");
        assertThat(tighter.gates().quarantineMaxDays()).isEqualTo(14);
        assertThat(tighter.digest()).isNotEqualTo(library.digest());
        assertThat(tighter.canonicalJson()).contains("\"neverBypass\":[\"secrets\"]").contains("\"quarantineMaxDays\":14");
    }

    @Test
    void aTeamMayAddGatesAndShortenQuarantinesButNeverDropTheAdminsGatesNorLengthenThem() throws Exception {
        String central = "gates:\n  neverBypass: [secrets, sast]\n  quarantineMaxDays: 14\n";
        Policy added = load(central, "gates:\n  neverBypass: [secrets, sast, unit]\n  quarantineMaxDays: 7\n");
        assertThat(added.gates().neverBypass()).containsExactly("secrets", "sast", "unit");
        assertThatThrownBy(() -> load(central, "gates:\n  neverBypass: [secrets]\n")).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).refusals()).anySatisfy(r -> {
                    assertThat(r.rule()).isEqualTo("policy.loosened");
                    assertThat(r.evidence()).contains("gates.neverBypass").contains("[secrets, sast]").contains("[secrets]")
                            .contains("team.yaml");
                }));
        assertThatThrownBy(() -> load(central, "gates:\n  neverBypass: []\n")).isInstanceOf(RefusedException.class)
                .hasMessageContaining("policy.loosened").hasMessageContaining("gates.neverBypass");
        assertThatThrownBy(() -> load(central, "gates:\n  quarantineMaxDays: 60\n")).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).refusals()).extracting(r -> r.rule() + " " + r.evidence())
                        .anyMatch(s -> s.startsWith("policy.loosened") && s.contains("gates.quarantineMaxDays") && s.contains("60")));
        // the library's 30 days bind a team too
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(file("long.yaml", "gates:\n  quarantineMaxDays: 31\n"))))
                .isInstanceOf(RefusedException.class).hasMessageContaining("gates.quarantineMaxDays");
    }

    @Test
    void badValuesAreInputErrorsNamingTheKeyAndLine() throws Exception {
        for (String yaml : List.of("gates:\n  neverBypass: [nosuchgate]\n", "gates:\n  quarantineMaxDays: 0\n",
                "gates:\n  quarantineMaxDays: many\n", "gates:\n  neverBypass: sast\n")) {
            Path f = file("bad-" + Math.abs(yaml.hashCode()) + ".yaml", yaml);
            assertThatThrownBy(() -> PolicyLoader.load(Optional.of(f))).as(yaml).isInstanceOf(InputException.class)
                    .hasMessageContaining("gates.").hasMessageContaining(f.getFileName().toString());
        }
    }
}

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

/** branches.forwardPortDays: five days by default, strict, tighten-only, and out of the digest at its default. */
class PolicyBranchesTest {

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
    void theDefaultIsFiveDaysAndLeavesTheDigestAsItWas() throws Exception {
        Policy library = PolicyLoader.load(Optional.empty());
        assertThat(library.branches().forwardPortDays()).isEqualTo(5);
        assertThat(library.canonicalJson()).doesNotContain("branches").doesNotContain("forwardPortDays");
        Policy explicit = PolicyLoader.load(Optional.of(file("p.yaml", "branches:\n  forwardPortDays: 5\n")));
        assertThat(explicit.digest()).isEqualTo(library.digest());
        Policy tighter = PolicyLoader.load(Optional.of(file("q.yaml", "branches:\n  forwardPortDays: 2\n")));
        assertThat(tighter.branches().forwardPortDays()).isEqualTo(2);
        assertThat(tighter.digest()).isNotEqualTo(library.digest());
        assertThat(tighter.canonicalJson()).contains("\"branches\":{\"forwardPortDays\":2}");
    }

    @Test
    void aTeamMayShortenTheForwardPortTimeNeverLengthenIt() throws Exception {
        String central = "branches:\n  forwardPortDays: 3\n";
        assertThat(load(central, "branches:\n  forwardPortDays: 1\n").branches().forwardPortDays()).isEqualTo(1);
        assertThatThrownBy(() -> load(central, "branches:\n  forwardPortDays: 5\n")).isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).refusals()).anySatisfy(r -> {
                    assertThat(r.rule()).isEqualTo("policy.loosened");
                    assertThat(r.evidence()).contains("branches.forwardPortDays").contains("3").contains("5").contains("team.yaml");
                }));
        assertThatThrownBy(() -> PolicyLoader.load(Optional.of(file("long.yaml", "branches:\n  forwardPortDays: 6\n"))))
                .isInstanceOf(RefusedException.class).hasMessageContaining("branches.forwardPortDays");
    }

    @Test
    void badValuesAreInputErrorsNamingTheKey() throws Exception {
        for (String yaml : List.of("branches:\n  forwardPortDays: -1\n", "branches:\n  forwardPortDays: soon\n",
                "branches:\n  forwardPortWeeks: 1\n")) {
            Path f = file("bad-" + Math.abs(yaml.hashCode()) + ".yaml", yaml);
            assertThatThrownBy(() -> PolicyLoader.load(Optional.of(f))).as(yaml).isInstanceOf(InputException.class)
                    .hasMessageContaining("branches").hasMessageContaining(f.getFileName().toString());
        }
    }
}

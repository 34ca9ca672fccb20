package io.releasegate.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemVerTest {

    @Test
    void parsesAndPrintsRoundTrip() {
        for (String v : List.of("0.0.0", "1.4.0", "10.20.30", "1.0.0-rc.1", "1.0.0-alpha.beta+exp.sha.5114f85",
                "1.0.0+20130313144700", "99999999999999999999.0.0")) {
            assertThat(SemVer.parse(v).toString()).isEqualTo(v);
        }
        SemVer v = SemVer.parse("2.1.3-rc.2+b7");
        assertThat(v.major()).hasToString("2");
        assertThat(v.preRelease()).containsExactly("rc", "2");
        assertThat(v.build()).contains("b7");
        assertThat(v.isPreRelease()).isTrue();
    }

    @Test
    void rejectsNonSemVerWithAHint() {
        for (String v : List.of("1", "1.2", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3.4", " 1.2.3", "latest")) {
            assertThatThrownBy(() -> SemVer.parse(v)).as(v).isInstanceOf(InputException.class)
                    .hasMessageContaining("not a SemVer 2.0 version");
        }
        assertThatThrownBy(() -> SemVer.parse("v1.2.3")).hasMessageContaining("without the leading 'v'");
        assertThatThrownBy(() -> SemVer.parse(null)).isInstanceOf(InputException.class);
    }

    @Test
    void ordersBySpecificationPrecedence() {
        // the example chain of SemVer 2.0.0, section 11
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1");
        List<SemVer> shuffled = new ArrayList<>(ordered.stream().map(SemVer::parse).toList());
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertThat(shuffled.stream().map(SemVer::toString)).containsExactlyElementsOf(ordered);
        assertThat(SemVer.parse("1.0.0+a").compareTo(SemVer.parse("1.0.0+b"))).isZero();
    }
}

package io.releasegate.fuzzci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the pass reads from a child's output: libFuzzer's executions, the finding, where the input was written. */
class BoundedFuzzingOutputTest {

    @Test
    void theExecutionsAreThoseOfTheDoneLineOrElseOfTheLastStatusLine() {
        String done = "#5\tINITED cov: 965 ft: 1123 corp: 2/393b exec/s: 0 rss: 637Mb\n"
                + "#2048\tpulse  cov: 1288 ft: 3753 corp: 138/23Kb lim: 386 exec/s: 1024 rss: 641Mb\n"
                + "#3817\tDONE   cov: 1479 ft: 4070 corp: 186/26Kb lim: 386 exec/s: 954 rss: 642Mb\n"
                + "Done 3817 runs in 4 second(s)\n";
        assertThat(BoundedFuzzing.executions(done)).isEqualTo(3817);
        // a child destroyed before libFuzzer's end
        String killed = "#5\tINITED cov: 965 ft: 1123\n#1024\tpulse  cov: 1200\n#1377\tNEW    cov: 1201 ft: 3000\n";
        assertThat(BoundedFuzzing.executions(killed)).isEqualTo(1377);
        assertThat(BoundedFuzzing.executions("Error: could not create the Java Virtual Machine.\n")).isZero();
    }

    @Test
    void aFindingIsTheChildsResultLineAndTheInputTheFileLibFuzzerWrote() {
        String out = "== Java Exception: java.lang.IllegalStateException: boom\n"
                + "artifact_prefix='/m/src/test/resources/x/'; Test unit written to /m/src/test/resources/x/crash-3b0f\n"
                + "Base64: Ukc=\n"
                + FuzzOneTarget.RESULT + "failed exception=java.lang.IllegalStateException: boom\n";
        assertThat(BoundedFuzzing.finding(out)).hasValue("java.lang.IllegalStateException: boom");
        assertThat(BoundedFuzzing.crashInput(out)).hasValue(Path.of("/m/src/test/resources/x/crash-3b0f"));
        // a child that died before its result line: libFuzzer's own report
        assertThat(BoundedFuzzing.finding("== Java Exception: java.lang.StackOverflowError\n"))
                .hasValue("java.lang.StackOverflowError");
        assertThat(BoundedFuzzing.finding("#3817\tDONE   cov: 1479\n" + FuzzOneTarget.RESULT + "passed invocations=5\n"))
                .isEmpty();
        assertThat(BoundedFuzzing.crashInput("#3817\tDONE   cov: 1479\n")).isEmpty();
    }
}

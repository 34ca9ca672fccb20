package io.releasegate.fuzzci;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.fuzzci.BoundedFuzzing.Outcome;
import io.releasegate.fuzzci.BoundedFuzzing.Result;
import io.releasegate.fuzzci.BoundedFuzzing.Settings;
import io.releasegate.fuzzci.BoundedFuzzing.Target;
import io.releasegate.fuzzci.crashing.CrashingFuzzTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded fuzzing pass can fail: a target with a planted bug ({@link CrashingFuzzTarget}) is reported as failed,
 * with the exception, and the crashing input is left where Jazzer writes it (for a real target its inputs directory
 * under {@code src/test/resources}; here the child runs in a temporary directory, so the work tree stays clean).
 * And discovery finds fuzz tests by their annotation, so the CI pass does not include this one.
 */
class BoundedFuzzingCrashTest {

    @Test
    void discoveryFindsFuzzTestsByTheirAnnotationPackageByPackage() {
        Target crashing = new Target(CrashingFuzzTarget.class.getName(), "startsWithRg", "[B");
        assertThat(BoundedFuzzing.discover(CrashingFuzzTarget.class.getPackageName())).containsExactly(crashing);
        List<Target> ci = BoundedFuzzing.discover("io.releasegate.fuzz");
        assertThat(ci).doesNotContain(crashing)
                .extracting(Target::name)
                .contains("ScopeParsersFuzzTest#flagRegistry", "GateReportsFuzzTest#sarif",
                        "EvidenceParsersFuzzTest#conventionalCommit");
    }

    @Test
    void aCrashIsReportedAsAFailureWithTheExceptionAndTheCrashingInputIsKept(@TempDir Path tmp)
            throws IOException, InterruptedException {
        // run from a directory without src/test/resources: Jazzer writes the crashing input to that directory
        Path findings = Files.createDirectories(tmp.resolve("module"));
        Settings base = BoundedFuzzingTest.settings(Duration.ofSeconds(30));
        Settings settings = new Settings(base.fuzzTime(), base.startUpAllowance(), 1, base.classPath(),
                tmp.resolve("work"), findings, base.instrumentationIncludes());
        Target crashing = new Target(CrashingFuzzTarget.class.getName(), "startsWithRg", "[B");

        Outcome o = BoundedFuzzing.fuzz(crashing, settings);

        assertThat(o.result()).as(o.summary()).isEqualTo(Result.FAILED);
        assertThat(o.finding()).as(o.summary()).hasValueSatisfying(f -> assertThat(f)
                .contains(IllegalStateException.class.getName()).contains(CrashingFuzzTarget.BUG));
        assertThat(o.crashInput()).as(o.summary()).hasValueSatisfying(input -> {
            assertThat(input.getParent()).isEqualTo(findings);
            assertThat(input.getFileName().toString()).startsWith("crash-");
            assertThat(input).content().startsWith("RG");
        });
        // found by fuzzing, well before the 30 s were up
        assertThat(o.wall()).isLessThan(Duration.ofSeconds(30));
        assertThat(o.summary()).contains("CrashingFuzzTarget#startsWithRg", "result=FAILED", CrashingFuzzTarget.BUG);
    }
}

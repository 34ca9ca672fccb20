package io.releasegate.fuzzci;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.fuzzci.BoundedFuzzing.Outcome;
import io.releasegate.fuzzci.BoundedFuzzing.Result;
import io.releasegate.fuzzci.BoundedFuzzing.Settings;
import io.releasegate.fuzzci.BoundedFuzzing.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The bounded fuzzing pass of CI: every {@code @FuzzTest} in {@code io.releasegate.fuzz}, found by JUnit's discovery
 * (a new one is included without being listed), runs its committed inputs and is then fuzzed, coverage-guided, for
 * {@code fuzz.seconds} seconds, in a JVM of its own, {@code fuzz.parallel} at a time. It fails on any finding, naming
 * the target, the exception and the file the crashing input was written to. The executions of each target are
 * printed, so the CI log shows how much fuzzing happened.
 *
 * <p>Its own surefire execution ({@code fuzz-bounded}); alone: {@code ./mvnw -B -o -pl release-gate-core
 * test-compile surefire:test@fuzz-bounded}.
 */
class BoundedFuzzingTest {

    static final Path WORK = Path.of("target", "fuzz-bounded");

    static Settings settings(Duration fuzzTime) throws IOException {
        return new Settings(
                fuzzTime,
                Duration.ofSeconds(Long.getLong("fuzz.startUpAllowance", 90)),
                Integer.getInteger("fuzz.parallel", 2),
                BoundedFuzzing.childClassPath(WORK.resolve("runtime.classpath"), WORK.resolve("test-libraries.classpath")),
                WORK,
                // the module: a crashing input lands in the target's inputs directory, to be committed
                Path.of(""),
                BoundedFuzzing.INSTRUMENTATION_INCLUDES);
    }

    @Test
    void everyFuzzTestIsFuzzedForABoundedTimeWithoutAFinding() throws IOException, InterruptedException {
        List<Target> targets = BoundedFuzzing.discover("io.releasegate.fuzz");
        assertThat(targets).as("fuzz tests found in io.releasegate.fuzz").isNotEmpty();
        Duration fuzzTime = Duration.ofSeconds(Long.getLong("fuzz.seconds", 3));

        long start = System.nanoTime();
        List<Outcome> outcomes = BoundedFuzzing.run(targets, settings(fuzzTime));
        Duration wall = Duration.ofNanos(System.nanoTime() - start);

        outcomes.forEach(o -> System.out.println(o.summary()));
        System.out.printf("fuzz targets=%d seconds-each=%d executions=%d wall=%.1fs%n", outcomes.size(),
                fuzzTime.toSeconds(), outcomes.stream().mapToLong(Outcome::executions).sum(), wall.toMillis() / 1000.0);

        List<Outcome> bad = outcomes.stream()
                .filter(o -> o.result() != Result.PASSED || o.executions() == 0)
                .toList();
        assertThat(bad)
                .as(() -> "fuzz targets that failed, hung or did not fuzz (commit a crashing input once fixed):\n"
                        + bad.stream()
                                .map(o -> o.summary() + "\n  log " + o.log() + ":\n"
                                        + BoundedFuzzing.tail(o.log(), 40).indent(4))
                                .collect(Collectors.joining("\n")))
                .isEmpty();
    }
}

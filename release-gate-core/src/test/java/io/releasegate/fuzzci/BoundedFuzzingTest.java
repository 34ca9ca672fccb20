package io.releasegate.fuzzci;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.fuzzci.BoundedFuzzing.Outcome;
import io.releasegate.fuzzci.BoundedFuzzing.Pass;
import io.releasegate.fuzzci.BoundedFuzzing.Result;
import io.releasegate.fuzzci.BoundedFuzzing.Settings;
import io.releasegate.fuzzci.BoundedFuzzing.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The bounded fuzzing pass of CI: every {@code @FuzzTest} in {@code io.releasegate.fuzz}, found by JUnit's discovery
 * (a new one is included without being listed), runs its committed inputs and is then fuzzed, coverage-guided, for
 * {@code fuzz.seconds} seconds, in a JVM of its own, {@code fuzz.parallel} at a time, as many as fit in
 * {@code fuzz.budget} seconds (0: all). The list starts at a random place each run ({@code fuzz.offset} picks it), so
 * when the budget does not fit every target, the runs between them fuzz all of them. It fails on any finding, naming
 * the target, the exception and the file the crashing input was written to. The executions of each target are
 * printed, and the targets the budget left out, so the CI log shows how much fuzzing happened.
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
        List<Target> discovered = BoundedFuzzing.discover("io.releasegate.fuzz");
        assertThat(discovered).as("fuzz tests found in io.releasegate.fuzz").isNotEmpty();
        Duration fuzzTime = Duration.ofSeconds(Long.getLong("fuzz.seconds", 2));
        Duration budget = Duration.ofSeconds(Long.getLong("fuzz.budget", 0));
        // where this run starts in the list: when the budget does not fit every target, the next run fuzzes others
        int offset = Integer.getInteger("fuzz.offset", new Random().nextInt(discovered.size()));
        List<Target> targets = new ArrayList<>(discovered);
        Collections.rotate(targets, -(offset % targets.size()));

        long start = System.nanoTime();
        Pass pass = BoundedFuzzing.run(targets, settings(fuzzTime), budget);
        Duration wall = Duration.ofNanos(System.nanoTime() - start);

        pass.fuzzed().forEach(o -> System.out.println(o.summary()));
        pass.notFuzzed().forEach(t -> System.out.println("fuzz target=" + t.name() + " result=NOT_FUZZED (time budget)"));
        System.out.printf("fuzz targets=%d fuzzed=%d seconds-each=%d budget=%ds offset=%d executions=%d wall=%.1fs%n",
                discovered.size(), pass.fuzzed().size(), fuzzTime.toSeconds(), budget.toSeconds(), offset,
                pass.fuzzed().stream().mapToLong(Outcome::executions).sum(), wall.toMillis() / 1000.0);

        assertThat(pass.fuzzed()).as("fuzz targets fuzzed").isNotEmpty();
        List<Outcome> bad = pass.fuzzed().stream()
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

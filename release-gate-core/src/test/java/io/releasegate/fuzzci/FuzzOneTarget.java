package io.releasegate.fuzzci;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The child JVM of {@link BoundedFuzzing}: runs exactly one {@code @FuzzTest} method through the JUnit Platform
 * launcher, with {@code JAZZER_FUZZ} set by the parent, so Jazzer first runs the method's committed inputs and then
 * fuzzes it. Jazzer fuzzes one fuzz test per JVM, hence a JVM per target.
 *
 * <p>The time is bounded by a libFuzzer flag, not by the annotation: jazzer-junit 0.24.0 builds the libFuzzer command
 * line from the annotation's {@code maxDuration} ({@code -max_total_time}) and then appends the arguments given as
 * the configuration parameters {@code jazzer.internal.arg.0} (argv[0]), {@code jazzer.internal.arg.1}, ...
 * ({@code FuzzTestExecutor.prepare}), and libFuzzer keeps the last value of a flag. A positional argument among them
 * is the corpus directory libFuzzer writes the inputs it finds to: the parent points it under {@code target/}, so the
 * grown corpus never lands in the work tree (Jazzer's default is {@code .cifuzz-corpus/} in the module).
 *
 * <p>Usage: {@code FuzzOneTarget CLASS#METHOD(PARAMETER_TYPES) SECONDS CORPUS_DIR [LIBFUZZER_FLAG ...]}. Prints one line
 * {@code fuzz-ci result=passed} or {@code fuzz-ci result=failed exception=...} (then the stack trace) and exits 0
 * when the fuzz test passed, 1 when it failed (a finding, or an error), 2 when nothing ran.
 */
public final class FuzzOneTarget {

    /** Prefix of the result line the parent parses. */
    static final String RESULT = "fuzz-ci result=";

    private FuzzOneTarget() {}

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: FuzzOneTarget CLASS#METHOD(PARAMETER_TYPES) SECONDS CORPUS_DIR [LIBFUZZER_FLAG ...]");
            System.exit(2);
        }
        List<String> libFuzzerArgs = new ArrayList<>();
        libFuzzerArgs.add("fuzz-ci");
        libFuzzerArgs.add(args[2]);
        libFuzzerArgs.add("-max_total_time=" + Integer.parseInt(args[1]));
        libFuzzerArgs.addAll(Arrays.asList(args).subList(3, args.length));

        LauncherDiscoveryRequestBuilder request =
                LauncherDiscoveryRequestBuilder.request().selectors(selectMethod(args[0]));
        for (int i = 0; i < libFuzzerArgs.size(); i++) {
            request.configurationParameter("jazzer.internal.arg." + i, libFuzzerArgs.get(i));
        }
        System.exit(run(request.build(), System.out));
    }

    private static int run(LauncherDiscoveryRequest request, PrintStream out) {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        List<Throwable> failures = new ArrayList<>();
        TestExecutionListener failuresInOrder = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                result.getThrowable().ifPresent(failures::add);
            }
        };
        try {
            LauncherFactory.create().execute(request, summary, failuresInOrder);
        } catch (RuntimeException e) {
            // the method could not be found or loaded: nothing ran, and the parent must say why
            out.println(RESULT + "nothing-ran exception=" + oneLine(e));
            e.printStackTrace(out);
            return 2;
        }
        TestExecutionSummary s = summary.getSummary();
        out.flush();
        System.err.flush();
        if (!failures.isEmpty() || s.getTotalFailureCount() > 0) {
            Throwable first = failures.isEmpty()
                    ? s.getFailures().get(0).getException()
                    : failures.get(0);
            out.println(RESULT + "failed exception=" + oneLine(first));
            first.printStackTrace(out);
            return 1;
        }
        if (s.getTestsSucceededCount() == 0) {
            out.println(RESULT + "nothing-ran found=" + s.getTestsFoundCount() + " skipped=" + s.getTestsSkippedCount()
                    + " aborted=" + s.getTestsAbortedCount());
            return 2;
        }
        out.println(RESULT + "passed invocations=" + s.getTestsSucceededCount());
        return 0;
    }

    /** The exception and its message on one line; for Jazzer's wrapper of a finding, the finding itself. */
    static String oneLine(Throwable t) {
        Throwable shown = t.getClass().getName().endsWith("FuzzTestFindingException") && t.getCause() != null
                ? t.getCause()
                : t;
        String message = String.valueOf(shown.getMessage()).lines().findFirst().orElse("");
        return shown.getClass().getName() + ": " + message;
    }
}

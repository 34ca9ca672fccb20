package io.releasegate.fuzzci.crashing;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A fuzz target with a planted bug, for {@code BoundedFuzzingCrashTest} only: it throws on any input that starts with
 * the bytes {@code RG}, which coverage-guided fuzzing finds in well under a second (Jazzer's comparison hooks hand the
 * fuzzer the constants). Outside the package the CI pass discovers ({@code io.releasegate.fuzz}) and not named like a
 * test, so surefire never runs it by itself.
 */
public class CrashingFuzzTarget {

    /** The message of the planted bug, which the runner must report. */
    public static final String BUG = "planted bug: input starts with RG";

    @FuzzTest(maxDuration = "60s")
    void startsWithRg(byte[] data) {
        if (data.length >= 2 && data[0] == 'R' && data[1] == 'G') {
            throw new IllegalStateException(BUG);
        }
    }
}

package io.releasegate.fuzzci;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Fuzzes fuzz tests for a bounded time each: one child JVM per target ({@link FuzzOneTarget}), a few at a time, each
 * first running the target's committed inputs and then fuzzing it, coverage-guided, for {@link Settings#fuzzTime()}.
 * A JVM per target because Jazzer fuzzes only one {@code @FuzzTest} per JVM.
 *
 * <p>Every child is bounded twice: libFuzzer stops fuzzing after the fuzz time ({@code -max_total_time}), and a child
 * still running after the fuzz time plus {@link Settings#startUpAllowance()} is destroyed, with its descendants, and
 * reported as {@link Result#HUNG}: an input that never returns is a bug like a crash. Nothing is left running when
 * {@link #run} returns or throws.
 *
 * <p>A crash is reported with the target, the exception and the file Jazzer wrote the crashing input to (the
 * target's inputs directory under {@code src/test/resources}, the place to commit it as a regression input).
 */
public final class BoundedFuzzing {

    /**
     * The classes Jazzer instruments for coverage and comparisons: our code and the libraries that parse for it, as
     * {@code bench/fuzz.sh} does.
     */
    public static final String INSTRUMENTATION_INCLUDES = "io.releasegate.**:org.yaml.snakeyaml.**"
            + ":com.fasterxml.jackson.**:org.bouncycastle.**:org.apache.commons.compress.**";

    /** How one run of a target ended. */
    public enum Result {
        /** Fuzzed for the whole time, no finding. */
        PASSED,
        /** The fuzz test failed: a finding (crash), or a committed input that fails, or an error of Jazzer's. */
        FAILED,
        /** Still running after the fuzz time plus the start-up allowance: destroyed. */
        HUNG,
        /** The child found no fuzz test to run (a wrong name, or Jazzer skipped it). */
        NOTHING_RAN
    }

    /**
     * A {@code @FuzzTest} method, by the names the child JVM loads it by.
     *
     * @param parameterTypes the method's parameter types, as JUnit's method selectors name them (comma-separated)
     */
    public record Target(String className, String methodName, String parameterTypes) {
        /** {@code SimpleClassName#method}, as {@code bench/fuzz.sh} and the logs name it. */
        public String name() {
            return className.substring(className.lastIndexOf('.') + 1) + "#" + methodName;
        }

        /** {@code package.Class#method(types)}: JUnit's fully qualified method name, which the child selects. */
        public String fullyQualifiedMethodName() {
            return className + "#" + methodName + "(" + parameterTypes + ")";
        }
    }

    /**
     * How to fuzz.
     *
     * @param fuzzTime the time libFuzzer fuzzes each target, after its committed inputs ran
     * @param startUpAllowance how much longer than the fuzz time a child may take (JVM start, instrumentation, the
     *     committed inputs, shutdown) before it is destroyed as hung
     * @param parallel how many children run at a time
     * @param classPath the children's class path (see {@link #childClassPath})
     * @param workDir where the corpora ({@code corpus/CLASS/METHOD/}), the children's logs and temporary files go:
     *     under {@code target/}, never in the work tree
     * @param baseDir the children's working directory: Jazzer writes a crashing input to
     *     {@code src/test/resources/PACKAGE/CLASSInputs/METHOD/} under it (creating that directory when missing), or
     *     to the directory itself when it has no {@code src/test/resources}
     * @param instrumentationIncludes {@code JAZZER_INSTRUMENTATION_INCLUDES} of the children
     */
    public record Settings(
            Duration fuzzTime,
            Duration startUpAllowance,
            int parallel,
            String classPath,
            Path workDir,
            Path baseDir,
            String instrumentationIncludes) {
        public Settings {
            if (fuzzTime.toSeconds() < 1) {
                throw new IllegalArgumentException("the fuzz time must be at least 1 s, was " + fuzzTime);
            }
            if (parallel < 1) {
                throw new IllegalArgumentException("at least one child at a time, was " + parallel);
            }
            if (classPath.isBlank()) {
                throw new IllegalArgumentException("no class path for the fuzz children");
            }
            workDir = workDir.toAbsolutePath();
            baseDir = baseDir.toAbsolutePath();
        }
    }

    /**
     * The outcome of one target.
     *
     * @param executions the executions libFuzzer reported last (its {@code #N DONE} line, or the last {@code #N}
     *     status line of a child that did not get that far)
     * @param finding the exception the fuzz test failed with, on one line; empty when it passed
     * @param crashInput the file Jazzer wrote the failing input to; empty when it wrote none
     * @param wall the child's wall time, start-up included
     * @param log the child's whole output
     */
    public record Outcome(
            Target target,
            Result result,
            long executions,
            Optional<String> finding,
            Optional<Path> crashInput,
            Duration wall,
            Path log) {

        /** One line for the test output: how much fuzzing happened, and how it ended. */
        public String summary() {
            return String.format("fuzz target=%s result=%s executions=%d wall=%.1fs%s%s",
                    target.name(), result, executions, wall.toMillis() / 1000.0,
                    finding.map(f -> " finding=" + f).orElse(""),
                    crashInput.map(c -> " input=" + c).orElse(""));
        }
    }

    private static final Pattern DONE = Pattern.compile("^#(\\d+)\\s+DONE\\b", Pattern.MULTILINE);
    private static final Pattern STATUS = Pattern.compile("^#(\\d+)\\s", Pattern.MULTILINE);
    private static final Pattern WRITTEN = Pattern.compile("Test unit written to (\\S+)");
    private static final Pattern JAVA_EXCEPTION = Pattern.compile("^== Java Exception: (.*)$", Pattern.MULTILINE);

    private BoundedFuzzing() {}

    /**
     * The {@code @FuzzTest} methods JUnit discovers in a package and its subpackages, in a stable order: a new fuzz
     * test is fuzzed without being listed anywhere.
     */
    public static List<Target> discover(String packageName) {
        TestPlan plan = LauncherFactory.create()
                .discover(LauncherDiscoveryRequestBuilder.request().selectors(selectPackage(packageName)).build());
        List<Target> targets = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            collect(plan, root, targets);
        }
        targets.sort(Comparator.comparing(Target::className).thenComparing(Target::methodName));
        return List.copyOf(targets);
    }

    private static void collect(TestPlan plan, TestIdentifier id, List<Target> into) {
        id.getSource()
                .filter(MethodSource.class::isInstance)
                .map(MethodSource.class::cast)
                .filter(m -> m.getJavaMethod().isAnnotationPresent(FuzzTest.class))
                .map(m -> new Target(m.getClassName(), m.getMethodName(), m.getMethodParameterTypes()))
                .filter(t -> !into.contains(t))
                .ifPresent(into::add);
        for (TestIdentifier child : plan.getChildren(id)) {
            collect(plan, child, into);
        }
    }

    /**
     * What a pass did.
     *
     * @param fuzzed the outcomes of the targets fuzzed, in the order they were started
     * @param notFuzzed the targets the time budget left no room for
     */
    public record Pass(List<Outcome> fuzzed, List<Target> notFuzzed) {
        public Pass {
            fuzzed = List.copyOf(fuzzed);
            notFuzzed = List.copyOf(notFuzzed);
        }
    }

    /**
     * Fuzzes the targets in their order, {@link Settings#parallel()} at a time, within a time budget for the whole
     * pass: a target is started only while the time left is at least the mean wall time of the children that
     * finished (the first {@code parallel} always start). Most of a child's time is Jazzer's start, about 8 to 15 s
     * of CPU whatever the fuzz time, so on a slow or shared machine not every target fits; rotating the order from
     * run to run spreads the fuzzing over all of them. A child started near the end is not cut short.
     *
     * @param budget the wall time of the pass; {@link Duration#ZERO} for no limit (every target is fuzzed)
     */
    public static Pass run(List<Target> targets, Settings settings, Duration budget) throws InterruptedException {
        ConcurrentLinkedQueue<Target> queue = new ConcurrentLinkedQueue<>(targets);
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger started = new AtomicInteger();
        long start = System.nanoTime();
        Callable<Void> worker = () -> {
            while (true) {
                Target next;
                synchronized (queue) {
                    if (queue.isEmpty() || !roomFor(outcomes, started.get(), settings.parallel(), start, budget)) {
                        return null;
                    }
                    next = queue.poll();
                    started.incrementAndGet();
                }
                outcomes.add(fuzz(next, settings));
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(settings.parallel());
        try {
            List<Future<Void>> workers = new ArrayList<>();
            for (int i = 0; i < settings.parallel(); i++) {
                workers.add(pool.submit(worker));
            }
            for (Future<Void> w : workers) {
                try {
                    w.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("could not run a fuzz target: " + e.getCause(), e.getCause());
                }
            }
            return new Pass(outcomes, List.copyOf(queue));
        } finally {
            // interrupts the workers of a failed pass, whose finally destroys their child
            pool.shutdownNow();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("fuzz children did not stop within 30 s of the end");
            }
        }
    }

    private static boolean roomFor(List<Outcome> finished, int started, int parallel, long start, Duration budget) {
        if (budget.isZero() || started < parallel) {
            return true;
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Duration mean;
        synchronized (finished) {
            if (finished.isEmpty()) {
                return elapsed.compareTo(budget) < 0;
            }
            mean = finished.stream().map(Outcome::wall).reduce(Duration.ZERO, Duration::plus).dividedBy(finished.size());
        }
        return elapsed.plus(mean).compareTo(budget) <= 0;
    }

    /** Fuzzes one target in a child JVM of its own. */
    public static Outcome fuzz(Target target, Settings settings) throws IOException, InterruptedException {
        Path corpus = settings.workDir().resolve("corpus").resolve(target.className()).resolve(target.methodName());
        Path log = settings.workDir().resolve("logs").resolve(target.className() + "#" + target.methodName() + ".log");
        // the fuzz tests' temporary files, and Jazzer's, in target/: a destroyed child leaves nothing in /tmp
        Path tmp = settings.workDir().resolve("tmp").resolve(target.className() + "#" + target.methodName());
        Files.createDirectories(corpus);
        Files.createDirectories(log.getParent());
        Files.createDirectories(tmp);

        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // A child lives for seconds: most of its time is Jazzer's start (scanning the class path, instrumenting)
                // and the first thousands of executions, where C2's compile threads cost more CPU than they win back
                // (measured: C1 only, one compiler thread, is 3 s less wall and half the CPU for 2 s of fuzzing, with
                // more executions). Serial GC: no GC threads competing with the other child for the two cores.
                "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + tmp,
                "-cp", settings.classPath(),
                FuzzOneTarget.class.getName(),
                target.fullyQualifiedMethodName(),
                Long.toString(settings.fuzzTime().toSeconds()),
                corpus.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(settings.baseDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAZZER_FUZZ", "1");
        pb.environment().put("JAZZER_INSTRUMENTATION_INCLUDES", settings.instrumentationIncludes());

        long start = System.nanoTime();
        Process child = pb.start();
        Result result;
        try {
            if (child.waitFor(settings.fuzzTime().plus(settings.startUpAllowance()).toMillis(), TimeUnit.MILLISECONDS)) {
                result = switch (child.exitValue()) {
                    case 0 -> Result.PASSED;
                    case 2 -> Result.NOTHING_RAN;
                    default -> Result.FAILED;
                };
            } else {
                result = Result.HUNG;
            }
        } finally {
            destroy(child);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        String output = read(log);
        return new Outcome(target, result, executions(output), finding(output), crashInput(output), wall, log);
    }

    private static void destroy(Process child) throws InterruptedException {
        child.descendants().forEach(ProcessHandle::destroyForcibly);
        child.destroyForcibly();
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fuzz child " + child.pid() + " did not stop within 30 s of SIGKILL");
        }
    }

    /**
     * The class path of the children: the module's own class directories from the test class path, then the jars
     * listed in {@code runtimeClassPathFile} (the product's runtime class path) and {@code testLibrariesFile} (JUnit,
     * Jazzer, AssertJ), both written by the build (maven-dependency-plugin). Not the whole test class path: Jazzer scans
     * every class on it when it starts (ClassGraph, to find its hooks' targets) and again for each class it
     * instruments after loading, and the test-only verifiers (sigstore-java with gRPC, the SPDX tools) would make that
     * scan more than twice as long, in every child. When the build wrote no such files (a run from an IDE), the whole
     * test class path.
     */
    public static String childClassPath(Path runtimeClassPathFile, Path testLibrariesFile) throws IOException {
        // surefire's forked JVM runs from a manifest-only jar and keeps the real class path here
        String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (!Files.isRegularFile(runtimeClassPathFile) || !Files.isRegularFile(testLibrariesFile)) {
            return testClassPath;
        }
        List<String> entries = new ArrayList<>();
        for (String e : testClassPath.split(File.pathSeparator)) {
            if (!e.isBlank() && Files.isDirectory(Paths.get(e))) {
                entries.add(e);
            }
        }
        for (Path listed : List.of(runtimeClassPathFile, testLibrariesFile)) {
            for (String e : Files.readString(listed, StandardCharsets.UTF_8).strip().split(File.pathSeparator)) {
                if (!e.isBlank() && !entries.contains(e)) {
                    entries.add(e);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    static long executions(String output) {
        Matcher done = DONE.matcher(output);
        long last = -1;
        while (done.find()) {
            last = Long.parseLong(done.group(1));
        }
        if (last >= 0) {
            return last;
        }
        Matcher status = STATUS.matcher(output);
        long max = 0;
        while (status.find()) {
            max = Math.max(max, Long.parseLong(status.group(1)));
        }
        return max;
    }

    static Optional<String> finding(String output) {
        Optional<String> fromResult = output.lines()
                .filter(l -> l.startsWith(FuzzOneTarget.RESULT + "failed exception="))
                .map(l -> l.substring((FuzzOneTarget.RESULT + "failed exception=").length()))
                .reduce((a, b) -> b);
        if (fromResult.isPresent()) {
            return fromResult;
        }
        Matcher m = JAVA_EXCEPTION.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    static Optional<Path> crashInput(String output) {
        Matcher m = WRITTEN.matcher(output);
        Optional<Path> last = Optional.empty();
        while (m.find()) {
            last = Optional.of(Paths.get(m.group(1)));
        }
        return last;
    }

    /** The last lines of a child's log, for a failure message. */
    public static String tail(Path log, int lines) {
        try {
            List<String> all = read(log).lines().toList();
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fuzz log " + log, e);
        }
    }

    /** A child's log; libFuzzer prints a crashing input as it is, so bytes that are not UTF-8 are replaced. */
    private static String read(Path log) throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }
}

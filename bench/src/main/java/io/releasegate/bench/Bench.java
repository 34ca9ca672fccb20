package io.releasegate.bench;

import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.progress.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Benchmark commands, run by the scripts in {@code bench/} next to the peer tools they are compared
 * with. Each prints one result line of {@code key=value} pairs that the scripts put in a table.
 *
 * <pre>
 * digest FILE [RUNS]              SHA-256 of one file: best-of-RUNS seconds and MB/s (after one warm-up)
 * digest-many DIR [RUNS]          SHA-256 of every file in DIR, 1 thread vs all processors: speedup
 * publish FILE STORE-URI [RUNS]   buildOnce of one file into a store (registry): seconds and MB/s
 * history REPO [RUNS]            next-version + changelog of the unreleased commits, warm JVM
 * make-layout FILE DIR            an OCI image layout (ref "bench") whose single layer is FILE, for skopeo
 * sbom ARCHIVE OUT [MAVEN-REPO]   CycloneDX SBOM of a JVM archive (as release-gate sbom builds it) into OUT
 * verify-many DIR PUB.pem [RUNS]  verify every FILE.sig in DIR in one warm JVM: time per verification
 * report-ledger STATE-DIR EVENTS  a realistic ledger of EVENTS events (12 services, two years) in STATE-DIR/ledger.git
 * secrets-corpus DIR COMMITS SECRETS DECOYS   the labelled secrets corpus (a git history) in DIR, labels in DIR.labels
 * secrets DIR [RUNS]              the secrets scan of DIR's whole history: recall, false positives, time per 10,000 commits
 * </pre>
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        switch (args[0]) {
            case "digest" -> digest(Path.of(args[1]), runs(args, 2));
            case "digest-many" -> digestMany(Path.of(args[1]), runs(args, 2));
            case "history" -> HistoryBench.run(Path.of(args[1]), runs(args, 2));
            case "report-ledger" -> ReportLedger.run(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 100_000);
            case "make-layout" -> {
                if (args.length < 3) {
                    usage();
                }
                MakeLayout.run(Path.of(args[1]), Path.of(args[2]));
            }
            case "publish" -> {
                if (args.length < 3) {
                    usage();
                }
                Publish.run(Path.of(args[1]), args[2], runs(args, 3));
            }
            case "sbom" -> {
                if (args.length < 3) {
                    usage();
                }
                SbomBench.run(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? java.util.Optional.of(Path.of(args[3]))
                        : java.util.Optional.empty());
            }
            case "verify-many" -> {
                if (args.length < 3) {
                    usage();
                }
                VerifyBench.run(Path.of(args[1]), Path.of(args[2]), runs(args, 3));
            }
            case "secrets-corpus" -> {
                if (args.length < 5) {
                    usage();
                }
                SecretsBench.corpus(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            }
            case "secrets" -> SecretsBench.run(Path.of(args[1]), runs(args, 2));
            default -> usage();
        }
    }

    private static int runs(String[] args, int index) {
        return args.length > index ? Integer.parseInt(args[index]) : 5;
    }

    private static void usage() {
        System.err.println("usage: java -jar release-gate-bench.jar digest FILE [RUNS] | digest-many DIR [RUNS]"
                + " | publish FILE STORE-URI [RUNS] | history REPO [RUNS] | make-layout FILE DIR | sbom ARCHIVE OUT [MAVEN-REPO]"
                + " | verify-many DIR PUB.pem [RUNS] | report-ledger STATE-DIR EVENTS"
                + " | secrets-corpus DIR COMMITS SECRETS DECOYS | secrets DIR [RUNS]");
        System.exit(2);
    }

    static void digest(Path file, int runs) {
        Digester digester = Digester.withParallelism(1);
        long size = size(file);
        Digest first = digester.digest(file, Progress.NONE); // warm-up: JIT and page cache
        double best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Digest d = digester.digest(file, Progress.NONE);
            double s = (System.nanoTime() - t0) / 1e9;
            if (!d.equals(first)) {
                throw new IllegalStateException("digest changed between runs");
            }
            best = Math.min(best, s);
        }
        System.out.printf(Locale.ROOT, "bench=digest bytes=%d best_seconds=%.4f mb_per_s=%.1f digest=%s%n",
                size, best, size / 1e6 / best, first);
    }

    static void digestMany(Path dir, int runs) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        long total = files.stream().mapToLong(Bench::size).sum();
        int cores = Runtime.getRuntime().availableProcessors();
        Digester serial = Digester.withParallelism(1);
        Digester parallel = Digester.withParallelism(cores);
        List<Digest> reference = serial.digestAll(files, Progress.NONE); // warm-up
        double bestSerial = Double.MAX_VALUE;
        double bestParallel = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            bestSerial = Math.min(bestSerial, time(serial, files, reference));
            bestParallel = Math.min(bestParallel, time(parallel, files, reference));
        }
        System.out.printf(Locale.ROOT,
                "bench=digest-many files=%d bytes=%d threads=%d serial_seconds=%.4f parallel_seconds=%.4f speedup=%.2f%n",
                files.size(), total, cores, bestSerial, bestParallel, bestSerial / bestParallel);
    }

    private static double time(Digester digester, List<Path> files, List<Digest> reference) {
        long t0 = System.nanoTime();
        List<Digest> got = digester.digestAll(files, Progress.NONE);
        double s = (System.nanoTime() - t0) / 1e9;
        if (!got.equals(reference)) {
            throw new IllegalStateException("parallel digests differ from serial ones");
        }
        return s;
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> rest(String[] args, int from) {
        return new ArrayList<>(Arrays.asList(args).subList(from, args.length));
    }
}

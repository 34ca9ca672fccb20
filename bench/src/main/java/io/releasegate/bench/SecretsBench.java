package io.releasegate.bench;

import io.releasegate.commits.History;
import io.releasegate.scope.ReleaseRange;
import io.releasegate.scope.SecretScan;
import io.releasegate.testing.SecretCorpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The secrets scan on the labelled corpus the tests use ({@link SecretCorpus}, generated here with random values):
 * {@code secrets-corpus DIR COMMITS SECRETS DECOYS} writes the repository and DIR.labels (kind, path, fingerprint and
 * value of each planted secret, tab-separated, for the peer's side of bench/run-secrets.sh: the corpus stays under
 * bench/work and is never committed); {@code secrets DIR [RUNS]} scans its whole history and prints recall, false
 * positives and the time per 10,000 commits (best of RUNS, warm JVM).
 */
final class SecretsBench {

    private SecretsBench() {
    }

    static void corpus(Path dir, int commits, int secrets, int decoys) throws IOException {
        SecretCorpus.Corpus c = SecretCorpus.generate(dir, commits, secrets, decoys, 20261207L);
        List<String> lines = new ArrayList<>();
        for (SecretCorpus.Planted p : c.planted()) {
            lines.add(p.kind() + "\t" + p.path() + "\t" + p.fingerprint() + "\t" + p.value().replace("\n", "\\n"));
        }
        Files.write(labels(dir), lines, StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "bench=secrets-corpus commits=%d planted=%d kinds=%d decoys=%d%n", c.commits(), c.planted().size(),
                c.planted().stream().map(SecretCorpus.Planted::kind).distinct().count(), c.decoys());
    }

    static Path labels(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".labels");
    }

    static void run(Path dir, int runs) throws IOException {
        Set<String> expected = new HashSet<>();
        for (String l : Files.readAllLines(labels(dir), StandardCharsets.UTF_8)) {
            String[] f = l.split("\t");
            expected.add(f[1] + ":" + f[2]);
        }
        double best = Double.MAX_VALUE;
        SecretScan.Result r = null;
        for (int i = 0; i <= runs; i++) {
            long t0 = System.nanoTime();
            try (History h = History.open(dir)) {
                r = new SecretScan(h.repository()).range(ReleaseRange.resolve(h, Optional.of("main"))).call();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (i > 0) {
                best = Math.min(best, s); // the first run warms the JVM up
            }
        }
        Set<String> found = new HashSet<>();
        int falsePositives = 0;
        for (SecretScan.SecretFinding f : r.findings()) {
            if (expected.contains(f.path() + ":" + f.fingerprint())) {
                found.add(f.path() + ":" + f.fingerprint());
            } else {
                falsePositives++;
            }
        }
        System.out.printf(Locale.ROOT, "bench=secrets commits=%d planted=%d found=%d recall=%.3f false_positives=%d best_seconds=%.3f "
                        + "seconds_per_10k_commits=%.3f%n", r.commits(), expected.size(), found.size(), (double) found.size() / expected.size(),
                falsePositives, best, best * 10_000 / r.commits());
    }
}

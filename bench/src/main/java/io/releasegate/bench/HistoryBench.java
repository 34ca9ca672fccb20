package io.releasegate.bench;

import io.releasegate.changelog.Changelog;
import io.releasegate.commits.History;
import io.releasegate.version.NextVersion;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** next-version + changelog of the unreleased range, in a warm JVM: the engine's cost without start-up. */
final class HistoryBench {

    private HistoryBench() {
    }

    static void run(Path repo, int runs) {
        double best = Double.MAX_VALUE;
        String version = "";
        int entries = 0;
        int commits = 0;
        for (int i = 0; i < runs + 1; i++) {
            long t0 = System.nanoTime();
            try (History h = History.open(repo)) {
                NextVersion.Result next = new NextVersion(h).call();
                Changelog.Result cl = new Changelog(h).version(Optional.of(next.version())).requireTickets(false).call();
                version = next.version();
                entries = cl.entries().size();
                commits = next.commits().size();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (i > 0) {
                best = Math.min(best, s);
            }
        }
        System.out.printf(Locale.ROOT, "bench=history version=%s commits=%d entries=%d best_seconds=%.4f%n",
                version, commits, entries, best);
    }
}

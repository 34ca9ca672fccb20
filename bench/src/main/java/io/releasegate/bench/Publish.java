package io.releasegate.bench;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.context.ReleaseContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** buildOnce of one large file into a store; a fresh repository per run so every byte is uploaded. */
final class Publish {

    private Publish() {
    }

    static void run(Path file, String storeUri, int runs) throws Exception {
        Path workspace = file.toAbsolutePath().getParent();
        long size = Bench.size(file);
        Path state = Files.createTempDirectory("release-gate-bench-state");
        double best = Double.MAX_VALUE;
        String digest = "";
        for (int i = 0; i < runs; i++) {
            String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            try (ReleaseContext ctx = ReleaseContext.open(new ReleaseContext.Options(storeUri, "", state, Optional.empty()))) {
                long t0 = System.nanoTime();
                BuildResult r = new BuildOnce(ctx.store(), ctx.ledger()).name(name).version("1.0.0")
                        .workspace(workspace).outputs(List.of(file.getFileName().toString())).actor("bench").call();
                double s = (System.nanoTime() - t0) / 1e9;
                if (r.outcome() != BuildResult.Outcome.PUBLISHED) {
                    throw new IllegalStateException("expected a fresh publish");
                }
                digest = r.subjects().get(0).digest().toString();
                best = Math.min(best, s);
            }
        }
        System.out.printf(Locale.ROOT, "bench=publish bytes=%d best_seconds=%.3f mb_per_s=%.1f file_digest=%s%n",
                size, best, size / 1e6 / best, digest);
    }
}

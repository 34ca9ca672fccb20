package io.releasegate.bench;

import io.releasegate.signing.KeySigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code verify-many DIR PUB.pem [RUNS]}: verifies every {@code FILE.sig} in DIR against FILE with the public key,
 * in one warm JVM, as a promotion that checks many artifacts does; reports the best per-verification time of RUNS
 * passes. Every signature must verify: a failure aborts the benchmark.
 */
final class VerifyBench {

    private VerifyBench() {
    }

    static void run(Path dir, Path publicKey, int runs) throws Exception {
        PublicKey key = KeySigner.publicKey(publicKey);
        List<byte[][]> pairs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path sig : files.filter(p -> p.toString().endsWith(".sig")).sorted().toList()) {
                Path file = sig.resolveSibling(sig.getFileName().toString().replaceFirst("\\.sig$", ""));
                pairs.add(new byte[][] {Files.readAllBytes(file), Base64.getDecoder().decode(Files.readString(sig).trim())});
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no FILE.sig in " + dir);
        }
        verifyAll(key, pairs); // warm-up
        double best = Double.MAX_VALUE;
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            verifyAll(key, pairs);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "bench=verify-many signatures=%d best_seconds=%.4f per_verify_ms=%.3f%n",
                pairs.size(), best, best * 1000 / pairs.size());
    }

    private static void verifyAll(PublicKey key, List<byte[][]> pairs) {
        for (byte[][] p : pairs) {
            if (!KeySigner.verify(key, p[0], p[1])) {
                throw new IllegalStateException("a signature did not verify");
            }
        }
    }
}

package io.releasegate.promotion;

import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digest;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.json.Json;
import io.releasegate.ledger.EventSigner;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * One promotion in a JVM of its own, as a CI agent would run it:
 * {@code PromoteMain STORE LEDGER STATE_DIR TRUST EVENT_KEY POLICY NAME VERSION ENV INSTANT}. Opens the store and
 * the ledger (nothing read yet), prints {@code ready}, waits for a line on standard input, the digest, promotes it,
 * then prints what happened as the command line says it and {@code result JSON} (exit 0), or
 * {@code refused|error MESSAGE} with the product's exit code (1, 2 or 3).
 */
public final class PromoteMain {

    private PromoteMain() {
    }

    public static void main(String[] a) throws Exception {
        ReleaseContext.Options options = new ReleaseContext.Options(a[0], a[1], Path.of(a[2]), Optional.empty())
                .withTrust(Optional.of(Path.of(a[3]))).withSigner(Optional.of(EventSigner.fromFile(Path.of(a[4]), new char[0])));
        Policy policy = PolicyLoader.load(Optional.of(Path.of(a[5])));
        int rc;
        try (ReleaseContext ctx = ReleaseContext.open(options)) {
            System.out.println("ready");
            System.out.flush();
            String digest = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine().trim();
            try {
                PromoteDigest.Result r = new PromoteDigest(policy, ctx.store(), ctx.ledger()).release(a[6], a[7])
                        .digest(Digest.parse(digest)).to(a[8]).actor("ci")
                        .clock(Clock.fixed(Instant.parse(a[9]), ZoneOffset.UTC)).call();
                System.out.println(r.describe());
                System.out.println("result " + Json.compact(Json.tree(r)));
                rc = 0;
            } catch (ReleaseGateException e) {
                System.out.println((e.exitCode() == 1 ? "refused " : "error ") + e.getMessage().replace('\n', ' '));
                rc = e.exitCode();
            }
        }
        System.out.flush();
        System.exit(rc);
    }
}

package io.releasegate.signing;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Release signing keys the trust configuration revokes, each from a moment on: a signature made by such a key at or
 * after that moment is not believed (rule {@value #RULE}); one made before it still is. Keys are named by
 * {@link KeyFiles#fingerprint} (hex SHA-256 of the SubjectPublicKeyInfo). The trust configuration owns the list
 * ({@code revoked:} in {@code trust.yaml}, read by {@link io.releasegate.ledger.LedgerTrust}).
 */
public record RevokedKeys(List<Revoked> keys) {

    public static final String RULE = "signature.revoked-key";

    /** One revoked key. */
    public record Revoked(String fingerprint, Instant since, String reason) {
        public Revoked {
            fingerprint = normalise(fingerprint);
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public RevokedKeys {
        keys = List.copyOf(keys);
    }

    public static RevokedKeys none() {
        return new RevokedKeys(List.of());
    }

    /** The revocation that applies to a signature made by {@code fingerprint} at {@code signedAt}, if any. */
    public Optional<Revoked> at(String fingerprint, Instant signedAt) {
        String f = normalise(fingerprint);
        return keys.stream().filter(k -> k.fingerprint().equals(f) && !k.since().isAfter(signedAt)).findFirst();
    }

    /** The fingerprint as the trust configuration may write it: hex, optionally prefixed {@code sha256:}, any case. */
    public static String normalise(String fingerprint) {
        String f = fingerprint.strip().toLowerCase(Locale.ROOT);
        return f.startsWith("sha256:") ? f.substring("sha256:".length()) : f;
    }
}

package io.releasegate.digest;

import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest in OCI form, {@code sha256:<64 hex>}. Only SHA-256 is produced; SHA-512 is
 * accepted when parsing what a registry hands back.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        boolean ok = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("not a valid digest: " + algorithm + ":" + hex
                    + " (expected sha256:<64 lowercase hex characters>)");
        }
    }

    public static Digest sha256(byte[] rawDigest) {
        return new Digest("sha256", HexFormat.of().formatHex(rawDigest));
    }

    /** Parses {@code sha256:<hex>}; throws {@link IllegalArgumentException} naming the bad value. */
    public static Digest parse(String value) {
        Objects.requireNonNull(value, "digest");
        int colon = value.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a valid digest: '" + value + "' (expected sha256:<64 hex characters>)");
        }
        return new Digest(value.substring(0, colon), value.substring(colon + 1));
    }

    /** The hex part alone, as in-toto subject digests carry it. */
    public String encoded() {
        return hex;
    }

    /** The first 12 hex characters, for humans. */
    public String shortForm() {
        return algorithm + ":" + hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }
}

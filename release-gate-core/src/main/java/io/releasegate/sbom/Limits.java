package io.releasegate.sbom;

/** Limits against hostile input: nesting depth, total inflated bytes, entry count and compression ratio. */
public record Limits(int maxDepth, long maxTotalBytes, long maxEntries, long ratioThresholdBytes, int maxRatio) {

    public static Limits defaults() {
        return new Limits(8, 8L << 30, 500_000, 1L << 20, 200);
    }
}

package io.releasegate.sbom;

/**
 * Limits against hostile input: nesting depth, total inflated bytes, entry count, compression ratio, and the number of
 * components one SBOM lists (what a document costs in memory grows with it: about 10 KiB each, see docs/reliability.md).
 */
public record Limits(int maxDepth, long maxTotalBytes, long maxEntries, long ratioThresholdBytes, int maxRatio, int maxPackages) {

    /** Components one SBOM lists by default; beyond them the catalog stops, with a warning. */
    public static final int DEFAULT_MAX_PACKAGES = 10_000;

    public Limits(int maxDepth, long maxTotalBytes, long maxEntries, long ratioThresholdBytes, int maxRatio) {
        this(maxDepth, maxTotalBytes, maxEntries, ratioThresholdBytes, maxRatio, DEFAULT_MAX_PACKAGES);
    }

    public static Limits defaults() {
        return new Limits(8, 8L << 30, 500_000, 1L << 20, 200, DEFAULT_MAX_PACKAGES);
    }

    /** The warning of a catalog that stopped at {@link #maxPackages}. */
    String tooManyPackages() {
        return "more than " + maxPackages + " components; the rest was not cataloged";
    }
}

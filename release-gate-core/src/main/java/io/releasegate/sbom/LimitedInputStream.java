package io.releasegate.sbom;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * Counts the bytes a decompressing stream yields against a catalog's limits: the total unpacked by the whole
 * catalog, and the ratio of this stream's output to the compressed bytes it came from. Skipping counts like
 * reading. Closing it leaves the source open: the source belongs to whoever opened it.
 */
final class LimitedInputStream extends FilterInputStream {

    /** The bytes unpacked so far by one catalog, shared by all its streams. */
    static final class Budget {
        private long used;

        long used() {
            return used;
        }
    }

    /** A limit was reached; the message says which. What was read before it is still cataloged. */
    static final class LimitExceeded extends IOException {
        LimitExceeded(String message) {
            super(message);
        }
    }

    private final String label;
    private final String unpacking;
    private final LongSupplier compressed;
    private final Limits limits;
    private final Budget budget;
    private long read;

    /**
     * @param label      what is read, for the messages ({@code app.war!/WEB-INF/lib/x.jar}, a layer)
     * @param unpacking  what exceeding the total means, e.g. {@code the archive inflates}
     * @param compressed the compressed bytes consumed so far for this stream
     */
    LimitedInputStream(InputStream in, String label, String unpacking, LongSupplier compressed, Limits limits, Budget budget) {
        super(in);
        this.label = label;
        this.unpacking = unpacking;
        this.compressed = compressed;
        this.limits = limits;
        this.budget = budget;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            read += n;
            budget.used += n;
            if (budget.used > limits.maxTotalBytes()) {
                throw new LimitExceeded(label + ": " + unpacking + " beyond " + limits.maxTotalBytes() + " bytes; reading stopped");
            }
            if (read > limits.ratioThresholdBytes() && read / Math.max(1, compressed.getAsLong()) > limits.maxRatio()) {
                throw new LimitExceeded(label + ": compression ratio above " + limits.maxRatio() + ":1 (a decompression bomb?); reading stopped");
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long left = n;
        while (left > 0) {
            int r = read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    @Override
    public void close() {
        // the source is closed by its owner
    }
}

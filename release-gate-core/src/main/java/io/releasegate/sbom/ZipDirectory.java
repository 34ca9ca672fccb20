package io.releasegate.sbom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * The central directory of a zip archive held in memory, so that single entries can be read without inflating
 * the others. Only what {@link JvmCataloger} needs: no ZIP64, no encryption, stored or deflated entries.
 * Anything it does not understand makes {@link #read} return empty, and the caller streams the archive instead.
 */
final class ZipDirectory {

    private static final int EOCD = 0x06054b50;
    private static final int CEN = 0x02014b50;
    private static final int LOC = 0x04034b50;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;

    /** One entry as the central directory states it. */
    record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset) {

        boolean isDirectory() {
            return name.endsWith("/");
        }

        /** The entry's inflated bytes, read from its local header on. */
        InputStream open(byte[] archive) throws IOException {
            return open(archive, new long[1]);
        }

        /**
         * The entry's inflated bytes, read from its local header on; {@code consumed[0]} counts the compressed bytes
         * read so far, so that the ratio of what is inflated to what it came from is that of the bytes actually read,
         * whatever compressed size the directory states.
         */
        InputStream open(byte[] archive, long[] consumed) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
            if (localHeaderOffset + 30 > archive.length || b.getInt((int) localHeaderOffset) != LOC) {
                throw new ZipException("no local header for " + name);
            }
            long data = localHeaderOffset + 30 + u16(b, (int) localHeaderOffset + 26) + u16(b, (int) localHeaderOffset + 28);
            if (data + compressedSize > archive.length) {
                throw new ZipException("entry " + name + " runs past the end of the archive");
            }
            InputStream raw = new ByteArrayInputStream(archive, (int) data, (int) compressedSize) {
                @Override
                public synchronized int read(byte[] buf, int off, int len) {
                    int n = super.read(buf, off, len);
                    consumed[0] += Math.max(0, n);
                    return n;
                }

                @Override
                public synchronized int read() {
                    int c = super.read();
                    consumed[0] += c < 0 ? 0 : 1;
                    return c;
                }
            };
            return switch (method) {
                case STORED -> raw;
                case DEFLATED -> new Inflating(raw);
                default -> throw new ZipException("entry " + name + " uses compression method " + method + ", which is not supported");
            };
        }
    }

    private ZipDirectory() {
    }

    /** The entries of {@code archive}, in directory order, or empty when its directory cannot be used. */
    static Optional<List<Entry>> read(byte[] archive) {
        ByteBuffer b = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        int end = -1;
        for (int i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 0xffff); i--) {
            if (b.getInt(i) == EOCD && i + 22 + u16(b, i + 20) == archive.length) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return Optional.empty();
        }
        int count = u16(b, end + 10);
        long size = u32(b, end + 12);
        long offset = u32(b, end + 16);
        if (count == 0xffff || size == 0xffffffffL || offset == 0xffffffffL || offset + size > end) {
            return Optional.empty(); // ZIP64 or inconsistent
        }
        List<Entry> entries = new ArrayList<>(count);
        int p = (int) offset;
        for (int i = 0; i < count; i++) {
            if (p + 46 > end || b.getInt(p) != CEN) {
                return Optional.empty();
            }
            int flags = u16(b, p + 8);
            int method = u16(b, p + 10);
            long compressed = u32(b, p + 20);
            long inflated = u32(b, p + 24);
            int nameLength = u16(b, p + 28);
            int extraLength = u16(b, p + 30);
            int commentLength = u16(b, p + 32);
            long local = u32(b, p + 42);
            if ((flags & 1) != 0 || compressed == 0xffffffffL || inflated == 0xffffffffL || local == 0xffffffffL
                    || p + 46 + nameLength > end) {
                return Optional.empty(); // encrypted or ZIP64
            }
            String name = new String(archive, p + 46, nameLength, StandardCharsets.UTF_8);
            entries.add(new Entry(name, method, compressed, inflated, local));
            p += 46 + nameLength + extraLength + commentLength;
        }
        return Optional.of(entries);
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    /** Inflates raw deflate data and releases the inflater's native memory when closed or exhausted. */
    private static final class Inflating extends InflaterInputStream {
        private final Inflater inflater;

        Inflating(InputStream in) {
            this(in, new Inflater(true));
        }

        private Inflating(InputStream in, Inflater inflater) {
            super(in, inflater, 8192);
            this.inflater = inflater;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (java.io.EOFException e) {
                inflater.end();
                throw new ZipException("truncated deflate data");
            }
            if (n < 0) {
                inflater.end();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            inflater.end();
            super.close();
        }
    }
}

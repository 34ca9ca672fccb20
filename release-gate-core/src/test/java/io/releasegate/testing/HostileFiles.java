package io.releasegate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Hostile archives and files, generated at test time and streamed to disk (never held whole in memory, so that the
 * tests that use them can run with a small heap): zip and tar entries of any size from a stream, sparse files,
 * and zip entries with names a well-behaved writer refuses.
 */
public final class HostileFiles {

    private HostileFiles() {
    }

    /** A stream of {@code n} zero bytes, produced as it is read. */
    public static InputStream zeros(long n) {
        return new InputStream() {
            long left = n;

            @Override
            public int read() {
                if (left <= 0) {
                    return -1;
                }
                left--;
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int k = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + k, (byte) 0);
                left -= k;
                return k;
            }
        };
    }

    /** A zip entry: its name, its content (a stream read once), and whether it is stored rather than deflated. */
    public record Item(String name, Content content, boolean stored) {
        public static Item deflated(String name, byte[] content) {
            return new Item(name, () -> new java.io.ByteArrayInputStream(content), false);
        }

        public static Item deflated(String name, String content) {
            return deflated(name, content.getBytes(StandardCharsets.UTF_8));
        }

        public static Item stored(String name, byte[] content) {
            return new Item(name, () -> new java.io.ByteArrayInputStream(content), true);
        }

        public static Item file(String name, Path file, boolean stored) {
            return new Item(name, () -> Files.newInputStream(file), stored);
        }

        public static Item zeros(String name, long size, boolean stored) {
            return new Item(name, () -> HostileFiles.zeros(size), stored);
        }
    }

    /** Opens an entry's content, possibly more than once (a stored entry is read twice: once for its CRC). */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    /** Writes a zip (jar, war) of these entries to {@code out}, streamed; a stored entry's CRC is computed first. */
    public static Path zip(Path out, List<Item> items) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (ZipOutputStream z = new ZipOutputStream(new SparseOutputStream(out))) {
            z.setLevel(Deflater.BEST_COMPRESSION);
            for (Item item : items) {
                ZipEntry e = new ZipEntry(item.name());
                e.setTime(0);
                if (item.stored()) {
                    CRC32 crc = new CRC32();
                    long size = 0;
                    byte[] buf = new byte[1 << 16];
                    try (InputStream in = item.content().open()) {
                        for (int n; (n = in.read(buf)) >= 0; ) {
                            crc.update(buf, 0, n);
                            size += n;
                        }
                    }
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(size);
                    e.setCompressedSize(size);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                try (InputStream in = item.content().open()) {
                    in.transferTo(z);
                }
                z.closeEntry();
            }
        }
        return out;
    }

    /** A zip of these entries in memory (small archives only). */
    public static byte[] zip(List<Item> items) throws IOException {
        Path tmp = Files.createTempFile("hostile", ".zip");
        try {
            zip(tmp, items);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Replaces every occurrence of the entry name {@code from} by {@code to} (same length in bytes) in a zip's local
     * headers and central directory: names a zip writer refuses (a duplicate) or that must be written byte for byte.
     */
    public static byte[] rename(byte[] zip, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("names must have the same length in bytes");
        }
        byte[] out = zip.clone();
        for (int i = 0; i + f.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
            }
        }
        return out;
    }

    /** A tar entry: a file with content from a stream, a directory, or a link. */
    public record TarItem(String name, byte type, String link, long size, Content content) {
        public static TarItem file(String name, byte[] content) {
            return new TarItem(name, TarArchiveEntry.LF_NORMAL, "", content.length, () -> new java.io.ByteArrayInputStream(content));
        }

        public static TarItem file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        public static TarItem file(String name, Path file) throws IOException {
            return new TarItem(name, TarArchiveEntry.LF_NORMAL, "", Files.size(file), () -> Files.newInputStream(file));
        }

        public static TarItem zeros(String name, long size) {
            return new TarItem(name, TarArchiveEntry.LF_NORMAL, "", size, () -> HostileFiles.zeros(size));
        }

        public static TarItem symlink(String name, String target) {
            return new TarItem(name, TarArchiveEntry.LF_SYMLINK, target, 0, null);
        }

        public static TarItem hardlink(String name, String target) {
            return new TarItem(name, TarArchiveEntry.LF_LINK, target, 0, null);
        }
    }

    /** Writes a tar of these entries (long names as PAX headers, big sizes as star/GNU numbers), streamed. */
    public static Path tar(Path out, List<TarItem> items) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream os = new SparseOutputStream(out)) {
            tar(os, items);
        }
        return out;
    }

    public static byte[] tar(List<TarItem> items) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        tar(bos, items);
        return bos.toByteArray();
    }

    /** Writes a tar of these entries to {@code os} (not closed). */
    public static void tar(OutputStream os, List<TarItem> items) throws IOException {
        TarArchiveOutputStream t = new TarArchiveOutputStream(os);
        t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (TarItem item : items) {
            TarArchiveEntry e = new TarArchiveEntry(item.name(), item.type(), true);
            e.setModTime(0);
            if (item.type() == TarArchiveEntry.LF_SYMLINK || item.type() == TarArchiveEntry.LF_LINK) {
                e.setLinkName(item.link());
            } else {
                e.setSize(item.size());
            }
            t.putArchiveEntry(e);
            if (item.content() != null) {
                try (InputStream in = item.content().open()) {
                    in.transferTo(t);
                }
            }
            t.closeArchiveEntry();
        }
        t.finish();
        t.flush();
    }

    /**
     * A sparse tar holding one file of {@code size} zero bytes named {@code name}: a header, a hole, the end blocks.
     * It costs a few kilobytes of disk whatever {@code size} is.
     */
    public static Path sparseTar(Path out, String name, long size) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true);
        e.setModTime(0);
        e.setSize(size);
        byte[] header = new byte[512];
        // star mode: a size beyond the 8 GiB - 1 of octal is written as a binary number, as GNU tar does
        e.writeEntryHeader(header, org.apache.commons.compress.archivers.zip.ZipEncodingHelper.getZipEncoding("UTF-8"), true);
        long data = (size + 511) / 512 * 512;
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.setLength(0);
            f.write(header);
            f.setLength(512 + data + 1024); // the data (a hole) and two zero blocks that end the archive
        }
        return out;
    }

    /** A sparse file of {@code size} zero bytes: {@code RandomAccessFile.setLength}, no data written. */
    public static Path sparse(Path out, long size) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.setLength(size);
        }
        return out;
    }

    /**
     * A sparse ZIP64 jar with one stored entry {@code name} of {@code size} zero bytes (above 4 GiB: sizes in the ZIP64
     * extra field). {@code crc} is the CRC-32 of the zeros, computed once by the caller ({@link #crcOfZeros}).
     */
    public static Path sparseZip64(Path out, String name, long size, long crc) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer loc = ByteBuffer.allocate(30 + n.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        loc.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0x21)
                .putInt((int) crc).putInt(-1).putInt(-1).putShort((short) n.length).putShort((short) 20).put(n)
                .putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
        long cenAt = loc.capacity() + size;
        ByteBuffer cen = ByteBuffer.allocate(46 + n.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        cen.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0x21).putInt((int) crc).putInt(-1).putInt(-1).putShort((short) n.length).putShort((short) 20)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).put(n)
                .putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
        long eocd64At = cenAt + cen.capacity();
        ByteBuffer end = ByteBuffer.allocate(56 + 20 + 22).order(ByteOrder.LITTLE_ENDIAN);
        end.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0).putLong(1).putLong(1)
                .putLong(cen.capacity()).putLong(cenAt);
        end.putInt(0x07064b50).putInt(0).putLong(eocd64At).putInt(1);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 0xffff).putShort((short) 0xffff)
                .putInt(-1).putInt(-1).putShort((short) 0);
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.setLength(0);
            f.write(loc.array());
            f.seek(cenAt);
            f.write(cen.array());
            f.write(end.array());
        }
        return out;
    }

    /** The CRC-32 of {@code size} zero bytes. */
    public static long crcOfZeros(long size) {
        CRC32 crc = new CRC32();
        ByteBuffer zero = ByteBuffer.allocateDirect(1 << 20);
        for (long left = size; left > 0; ) {
            int k = (int) Math.min(zero.capacity(), left);
            zero.clear().limit(k);
            crc.update(zero);
            left -= k;
        }
        return crc.getValue();
    }

    /** Writes a file through a buffer of 64 KiB; a buffer of zeros becomes a hole, so runs of zeros cost no disk. */
    static final class SparseOutputStream extends OutputStream {
        private final RandomAccessFile file;
        private static final byte[] ZERO = new byte[1 << 16];
        private final byte[] buf = new byte[1 << 16];
        private int used;
        private long position;

        SparseOutputStream(Path out) throws IOException {
            this.file = new RandomAccessFile(out.toFile(), "rw");
            file.setLength(0);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int k = Math.min(len, buf.length - used);
                System.arraycopy(b, off, buf, used, k);
                used += k;
                off += k;
                len -= k;
                if (used == buf.length) {
                    drain();
                }
            }
        }

        private void drain() throws IOException {
            if (java.util.Arrays.mismatch(buf, 0, used, ZERO, 0, used) >= 0) {
                file.seek(position);
                file.write(buf, 0, used);
            }
            position += used;
            used = 0;
        }

        @Override
        public void close() throws IOException {
            drain();
            file.setLength(position);
            file.close();
        }
    }
}

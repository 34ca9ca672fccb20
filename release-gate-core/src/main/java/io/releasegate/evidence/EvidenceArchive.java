package io.releasegate.evidence;

import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The evidence bundle's container: a POSIX ustar archive written one way only, so that the same entries always give
 * the same bytes and any other byte sequence is refused. Every entry is a regular file, mode 0644, owner and group 0
 * with no names, modification time 0 (1970-01-01), in the order given; the archive ends with two zero blocks.
 * {@code tar -tvf} and {@code tar -xf} read it as they read any archive.
 *
 * <p>{@link #read} is strict: each header's checksum, each field's canonical form, zero padding and the end blocks
 * are checked, and the bytes must be exactly what {@link #write} gives for the entries read; a difference is refused
 * ({@value #RULE}) naming the entry whose header, content or padding it is in.
 */
public final class EvidenceArchive {

    public static final String RULE = "evidence.archive";
    private static final int BLOCK = 512;
    /** Entries are small documents; a header claiming more is not one we wrote. */
    private static final long MAX_ENTRY = 1L << 31;

    private EvidenceArchive() {
    }

    /** One file of the archive. */
    public record Entry(String path, byte[] content) {
        public Entry {
            Objects.requireNonNull(path, "path");
            content = content.clone();
            byte[] name = path.getBytes(StandardCharsets.UTF_8);
            if (path.isEmpty() || name.length > 99 || path.startsWith("/") || path.contains("..") || path.contains("\\")
                    || !path.matches("[A-Za-z0-9._/@+-]+")) {
                throw new IllegalArgumentException("not an evidence path: " + path);
            }
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        /** The content without a copy, inside the package. */
        byte[] bytes() {
            return content;
        }
    }

    /** The archive of {@code entries}, in that order; paths must be distinct. */
    public static byte[] write(List<Entry> entries) {
        Set<String> seen = new HashSet<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            if (!seen.add(e.path())) {
                throw new IllegalArgumentException("duplicate evidence path: " + e.path());
            }
            out.writeBytes(header(e.path(), e.bytes().length));
            out.writeBytes(e.bytes());
            out.writeBytes(new byte[padding(e.bytes().length)]);
        }
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    /** The entries of an archive {@link #write} made, refused ({@value #RULE}) for any other bytes. */
    public static List<Entry> read(byte[] archive) {
        List<Entry> entries = new ArrayList<>();
        int pos = 0;
        while (true) {
            String where = entries.isEmpty() ? "the first entry" : "the entry after '" + entries.get(entries.size() - 1).path() + "'";
            if (pos + BLOCK > archive.length) {
                throw refused("the archive ends inside the header of " + where + " (" + archive.length + " bytes)");
            }
            byte[] h = Arrays.copyOfRange(archive, pos, pos + BLOCK);
            if (isZero(h)) {
                break;
            }
            String name = field(h, 0, 100);
            String label = "'" + printable(name) + "' (" + where + ")";
            if (checksum(h) != octal(h, 148, 8)) {
                throw refused("the header of entry " + label + " at byte " + pos + " does not match its checksum");
            }
            long size = octal(h, 124, 12);
            if (size < 0 || size > MAX_ENTRY || pos + BLOCK + size + padding(size) > archive.length) {
                throw refused("the header of entry " + label + " claims a size the archive does not hold");
            }
            Entry e;
            try {
                e = new Entry(name, Arrays.copyOfRange(archive, pos + BLOCK, pos + BLOCK + (int) size));
            } catch (IllegalArgumentException ex) {
                throw refused("entry " + label + " has a name no evidence bundle holds");
            }
            if (!Arrays.equals(h, header(name, size))) {
                throw refused("the header of entry '" + name + "' is not in the bundle's canonical form (mode, owner, time, type)");
            }
            int contentEnd = pos + BLOCK + (int) size;
            for (int i = contentEnd; i < contentEnd + padding(size); i++) {
                if (archive[i] != 0) {
                    throw refused("the padding after the content of entry '" + name + "' is not zero (byte " + i + ")");
                }
            }
            entries.add(e);
            pos = contentEnd + padding(size);
        }
        String last = entries.isEmpty() ? "no entry" : "'" + entries.get(entries.size() - 1).path() + "'";
        if (archive.length != pos + 2 * BLOCK || !isZero(Arrays.copyOfRange(archive, pos, archive.length))) {
            throw refused("the archive does not end with exactly two zero blocks after " + last);
        }
        if (!Arrays.equals(archive, write(entries))) {
            throw refused("the archive is not the bundle's canonical form");
        }
        return entries;
    }

    private static RefusedException refused(String evidence) {
        return new RefusedException(new Refusal(RULE, evidence,
                "obtain the bundle again from whoever exported it; a bundle that was altered proves nothing"));
    }

    private static byte[] header(String name, long size) {
        byte[] h = new byte[BLOCK];
        put(h, 0, name.getBytes(StandardCharsets.UTF_8));
        put(h, 100, "0000644\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 108, "0000000\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 116, "0000000\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 124, String.format("%011o\0", size).getBytes(StandardCharsets.US_ASCII));
        put(h, 136, "00000000000\0".getBytes(StandardCharsets.US_ASCII));
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        put(h, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, "00".getBytes(StandardCharsets.US_ASCII));
        put(h, 148, String.format("%06o\0 ", checksum(h)).getBytes(StandardCharsets.US_ASCII));
        return h;
    }

    /** The ustar checksum: every header byte, the checksum field counted as spaces. */
    private static long checksum(byte[] h) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : (h[i] & 0xff);
        }
        return sum;
    }

    private static void put(byte[] h, int at, byte[] value) {
        System.arraycopy(value, 0, h, at, value.length);
    }

    private static String field(byte[] h, int at, int length) {
        int end = at;
        while (end < at + length && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int at, int length) {
        String s = field(h, at, length).trim();
        if (s.isEmpty() || !s.matches("[0-7]+")) {
            return -1;
        }
        return Long.parseLong(s, 8);
    }

    private static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

package io.releasegate.commits;

import io.releasegate.error.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.util.io.NullOutputStream;

/**
 * The patch id of a commit as {@code git patch-id --stable} computes it: the commit's diff against its first parent
 * (git's unified format, three lines of context, Myers), each line hashed with its whitespace removed, hunk headers
 * (their line numbers) and {@code index} lines left out, one SHA-1 per file and the files' hashes summed, so that the
 * order of the files does not matter. Two commits with the same patch id make the same change wherever they apply: a
 * cherry-pick without conflicts has the patch id of its original.
 *
 * <p>JGit's {@code PatchIdDiffFormatter} hashes the diff as it is written (whitespace, file order and all), which is
 * git's old unstable id, not this one; the diff text is JGit's {@link DiffFormatter}'s, the hashing follows git's
 * {@code builtin/patch-id.c}. A binary change is hashed by its blob ids (git hashes the abbreviated ids of its diff), so
 * the id of a commit with binary files is comparable with this class's ids only.
 *
 * <p>Besides the whole id, each file's id and each hunk's id (its lines without whitespace) are kept, so that two
 * patches that differ (a cherry-pick whose conflicts were resolved by hand) can be told apart file by file, hunk by hunk.
 */
public final class PatchId {

    /** One hunk: its header as the diff shows it (line numbers included) and the id of its lines. */
    public record Hunk(String header, ObjectId id) {
    }

    /** One file of a patch: its path (the new path, the old one for a deletion), its id, its hunks. */
    public record FilePatch(String path, ObjectId id, List<Hunk> hunks) {
        public FilePatch {
            hunks = List.copyOf(hunks);
        }
    }

    /** The patch of a commit: the stable id and the files. */
    public record Patch(String commit, ObjectId id, Map<String, FilePatch> files) {
        public Patch {
            files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
        }

        /** Whether this patch makes the same change as {@code other}. */
        public boolean sameChange(Patch other) {
            return id.equals(other.id);
        }
    }

    /** How a patch compares with another: the same change, one differing in some files or hunks, or nothing in common. */
    public record Comparison(boolean same, boolean related, List<String> differences) {
        public Comparison {
            differences = List.copyOf(differences);
        }
    }

    private final Repository repo;
    private final Map<String, Patch> cache = new HashMap<>();

    public PatchId(Repository repo) {
        this.repo = Objects.requireNonNull(repo, "repo");
    }

    /** The patch of {@code sha} (a full commit id) against its first parent; a root commit against the empty tree. */
    public Patch of(String sha) {
        return cache.computeIfAbsent(sha, this::compute);
    }

    private Patch compute(String sha) {
        try (RevWalk walk = new RevWalk(repo); DiffFormatter df = new DiffFormatter(NullOutputStream.INSTANCE)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
            AbstractTreeIterator before;
            if (c.getParentCount() == 0) {
                before = new EmptyTreeIterator();
            } else {
                RevCommit p = walk.parseCommit(c.getParent(0));
                before = new CanonicalTreeParser(null, walk.getObjectReader(), p.getTree());
            }
            AbstractTreeIterator after = new CanonicalTreeParser(null, walk.getObjectReader(), c.getTree());
            df.setRepository(repo);
            df.setDiffComparator(RawTextComparator.DEFAULT);
            df.setDiffAlgorithm(DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.MYERS));
            df.setDetectRenames(false);
            df.setContext(3);
            List<DiffEntry> entries = df.scan(before, after);
            byte[] sum = new byte[20];
            Map<String, FilePatch> files = new LinkedHashMap<>();
            for (DiffEntry e : entries) {
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                try (DiffFormatter one = new DiffFormatter(text)) {
                    one.setRepository(repo);
                    one.setDiffComparator(RawTextComparator.DEFAULT);
                    one.setDiffAlgorithm(DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.MYERS));
                    one.setContext(3);
                    one.format(e);
                }
                String path = e.getChangeType() == DiffEntry.ChangeType.DELETE ? e.getOldPath() : e.getNewPath();
                FilePatch fp = file(path, text.toByteArray(), e);
                files.put(path, fp);
                add(sum, fp.id().toObjectId());
            }
            return new Patch(sha, ObjectId.fromRaw(sum), files);
        } catch (IOException e) {
            throw new InputException("cannot compute the patch of " + sha + ": " + e.getMessage(), e);
        }
    }

    /** git's {@code flush_one_hunk}: the 20-byte sum, with carry, of the files' hashes. */
    private static void add(byte[] sum, ObjectId id) {
        byte[] h = new byte[20];
        id.copyRawTo(h, 0);
        int carry = 0;
        for (int i = 0; i < 20; i++) {
            carry += (sum[i] & 0xff) + (h[i] & 0xff);
            sum[i] = (byte) carry;
            carry >>>= 8;
        }
    }

    private static FilePatch file(String path, byte[] text, DiffEntry e) {
        MessageDigest whole = sha1();
        List<Hunk> hunks = new ArrayList<>();
        MessageDigest hunk = null;
        String header = null;
        boolean inHunks = false;
        boolean binary = false;
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i < text.length && text[i] != '\n') {
                continue;
            }
            int end = i;
            String line = new String(text, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
            if (!inHunks && (line.startsWith("index ") || end == start)) {
                start = i + 1;
                continue;
            }
            if (line.startsWith("Binary files") || line.startsWith("GIT binary patch")) {
                binary = true;
            }
            if (line.startsWith("@@ -")) {
                if (hunk != null) {
                    hunks.add(new Hunk(header, ObjectId.fromRaw(hunk.digest())));
                }
                inHunks = true;
                header = line.replaceFirst("^(@@ [^@]*@@).*$", "$1");
                hunk = sha1();
            } else {
                byte[] stripped = withoutSpace(text, start, end);
                whole.update(stripped);
                if (hunk != null) {
                    hunk.update(stripped);
                }
            }
            start = i + 1;
        }
        if (hunk != null) {
            hunks.add(new Hunk(header, ObjectId.fromRaw(hunk.digest())));
        }
        if (binary) {
            whole.update(e.getOldId().name().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            whole.update(e.getNewId().name().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return new FilePatch(path, ObjectId.fromRaw(whole.digest()), hunks);
    }

    /** The bytes of {@code [from, to)} without git's {@code isspace} characters. */
    private static byte[] withoutSpace(byte[] text, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = text[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != 0x0b && b != '\f') {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /**
     * How {@code pick} compares with {@code original}: the same change; or related (a file in common) with the files
     * and hunks that differ, named from both sides; or nothing in common (no file in common).
     */
    public static Comparison compare(Patch pick, Patch original) {
        if (pick.sameChange(original)) {
            return new Comparison(true, true, List.of());
        }
        List<String> differences = new ArrayList<>();
        boolean common = false;
        for (FilePatch f : pick.files().values()) {
            FilePatch o = original.files().get(f.path());
            if (o == null) {
                differences.add(f.path() + ": changed by " + abbrev(pick.commit()) + " only");
                continue;
            }
            common = true;
            if (o.id().equals(f.id())) {
                continue;
            }
            List<ObjectId> theirs = o.hunks().stream().map(Hunk::id).toList();
            List<ObjectId> ours = f.hunks().stream().map(Hunk::id).toList();
            List<String> onlyPick = f.hunks().stream().filter(h -> !theirs.contains(h.id())).map(Hunk::header).toList();
            List<String> onlyOriginal = o.hunks().stream().filter(h -> !ours.contains(h.id())).map(Hunk::header).toList();
            differences.add(f.path() + ": hunks differ (" + abbrev(pick.commit()) + " " + (onlyPick.isEmpty() ? "none" : onlyPick)
                    + ", " + abbrev(original.commit()) + " " + (onlyOriginal.isEmpty() ? "none" : onlyOriginal) + ")");
        }
        for (FilePatch o : original.files().values()) {
            if (!pick.files().containsKey(o.path())) {
                differences.add(o.path() + ": changed by " + abbrev(original.commit()) + " only");
            }
        }
        return new Comparison(false, common, differences);
    }

    private static String abbrev(String sha) {
        return sha.length() > 7 ? sha.substring(0, 7) : sha;
    }
}

package io.releasegate.policy;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Files as a commit has them, read from the git objects of a repository (never its working tree): the policy and
 * the role sources a production decision rests on.
 */
public final class CommittedFiles {

    /** Larger than any policy, structure file or CODEOWNERS. */
    static final int MAX_BYTES = 1 << 20;

    private CommittedFiles() {
    }

    /**
     * {@code bytes} as UTF-8, strictly: a file a decision reads is never decoded with replacement characters, so an
     * invalid byte (or a NUL, a binary file) is an input error naming the file and where.
     */
    public static String utf8(byte[] bytes, String what) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            int nul = text.indexOf('\0');
            if (nul >= 0) {
                throw new InputException(what + " is not text: it has a NUL character at offset " + nul);
            }
            return text;
        } catch (CharacterCodingException e) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            StandardCharsets.UTF_8.newDecoder().decode(in, java.nio.CharBuffer.allocate(bytes.length + 1), true);
            int at = in.position();
            throw new InputException(what + " is not valid UTF-8 (byte offset " + at + ")", e);
        }
    }

    /** The text of {@code path} at {@code commit} in the repository at {@code repo}; empty when the commit has no such file. */
    public static Optional<String> read(Path repo, String commit, String path) {
        if (!ObjectId.isId(commit)) {
            throw new InputException("'" + commit + "' is not a full commit id");
        }
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(repo.toAbsolutePath().toFile()).setMustExist(true);
        if (builder.getGitDir() == null) {
            throw new InputException(repo + " is not in a git repository, so the policy committed at " + commit
                    + " cannot be read there: give the repository the release was built from (--repo)");
        }
        try (Repository r = builder.build()) {
            return read(r, commit, path);
        } catch (IOException e) {
            throw new InputException("cannot read " + path + " at commit " + commit + " in " + repo + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #read(Path, String, String)}, in an open repository. */
    public static Optional<String> read(Repository r, String commit, String path) {
        if (!ObjectId.isId(commit)) {
            throw new InputException("'" + commit + "' is not a full commit id");
        }
        Path repo = r.isBare() ? r.getDirectory().toPath() : r.getWorkTree().toPath();
        try (RevWalk walk = new RevWalk(r)) {
            RevCommit c;
            try {
                c = walk.parseCommit(ObjectId.fromString(commit));
            } catch (MissingObjectException e) {
                throw new InputException("commit " + commit + ", which the release was built from, is not in the repository at "
                        + repo + ": fetch it, or give the repository the release was built from (--repo)", e);
            }
            try (TreeWalk tw = TreeWalk.forPath(r, path, c.getTree())) {
                if (tw == null || tw.getFileMode(0).getObjectType() != FileMode.REGULAR_FILE.getObjectType()) {
                    return Optional.empty();
                }
                var loader = r.open(tw.getObjectId(0));
                if (loader.getSize() > MAX_BYTES) {
                    throw new InputException(path + " at commit " + commit + " is larger than " + MAX_BYTES + " bytes");
                }
                return Optional.of(utf8(loader.getBytes(), path + " at commit " + commit));
            }
        } catch (IOException e) {
            throw new InputException("cannot read " + path + " at commit " + commit + " in " + repo + ": " + e.getMessage(), e);
        }
    }
}

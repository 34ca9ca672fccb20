package io.releasegate.commits;

import io.releasegate.error.InputException;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Reads a git repository's history the way releases need it: release tags ({@code vX.Y.Z} and
 * pre-releases), the last release reachable from a commit, and the commits of a range, each with
 * its Conventional Commits reading. Backed by JGit; the caller closes it.
 */
public final class History implements AutoCloseable {

    /** {@code v} + SemVer (release and pre-release tags). */
    public static final Pattern RELEASE_TAG = Pattern.compile("^v(\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?)$");

    private final Repository repo;
    private final Path dir;
    private final Map<String, List<Commit>> ranges = new HashMap<>();

    private History(Repository repo, Path dir) {
        this.repo = repo;
        this.dir = dir;
    }

    public static History open(Path dir) {
        Caches.ensureInstalled();
        FileRepositoryBuilder b = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toAbsolutePath().toFile());
        if (b.getGitDir() == null) {
            throw new InputException(dir + " is not inside a git repository");
        }
        try {
            return new History(b.build(), dir);
        } catch (IOException e) {
            throw new InputException("cannot open git repository at " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * JGit's pack caches sized for reading whole release scopes (every commit's trees and changed blobs, through delta
     * chains): the defaults (10 MiB of pack windows, 10 MiB of delta bases) make a scan of thousands of commits inflate
     * the same bases again and again. Limits, not allocations; installed once, when a history is first opened.
     */
    private static final class Caches {
        private static final Object INSTALLED = install();

        /** Installs the caches, once: the class's initialisation does, on first use. */
        static void ensureInstalled() {
            java.util.Objects.requireNonNull(INSTALLED);
        }

        private static Object install() {
            org.eclipse.jgit.storage.file.WindowCacheConfig c = new org.eclipse.jgit.storage.file.WindowCacheConfig();
            c.setPackedGitLimit(256L << 20);
            c.setPackedGitWindowSize(64 << 10);
            c.setDeltaBaseCacheLimit(64 << 20);
            c.install();
            return c;
        }
    }

    public Repository repository() {
        return repo;
    }

    /** A commit of the history with its reading. */
    public record Commit(String sha, String subject, String message, String authorName, String authorEmail,
                         String committerName, String committerEmail, Instant time, List<String> parentShas,
                         ConventionalCommits.Parsed parsed) {

        public Commit {
            parentShas = List.copyOf(parentShas);
        }

        public boolean isMerge() {
            return parentShas.size() > 1 || parsed instanceof ConventionalCommits.Merge;
        }

        public Optional<ConventionalCommit> conventional() {
            return parsed instanceof ConventionalCommits.Valid v ? Optional.of(v.commit()) : Optional.empty();
        }

        public String shortSha() {
            return sha.substring(0, 7);
        }
    }

    /** A release tag and the commit it points to. */
    public record ReleaseTag(String name, SemVer version, String commit) {
    }

    /** Every {@code vX.Y.Z[-pre]} tag in the repository, peeled to its commit. */
    public List<ReleaseTag> releaseTags() {
        List<ReleaseTag> out = new ArrayList<>();
        try {
            for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
                String name = ref.getName().substring(Constants.R_TAGS.length());
                Matcher m = RELEASE_TAG.matcher(name);
                if (!m.matches()) {
                    continue;
                }
                SemVer v;
                try {
                    v = SemVer.parse(m.group(1));
                } catch (InputException notSemVer) {
                    continue;
                }
                Ref peeled = repo.getRefDatabase().peel(ref);
                ObjectId target = peeled.getPeeledObjectId() != null ? peeled.getPeeledObjectId() : ref.getObjectId();
                out.add(new ReleaseTag(name, v, target.name()));
            }
        } catch (IOException e) {
            throw new InputException("cannot read tags of " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    public ObjectId resolve(String rev) {
        try {
            ObjectId id = repo.resolve(rev + "^{commit}");
            if (id == null) {
                throw new InputException("unknown revision '" + rev + "' in " + dir);
            }
            return id;
        } catch (IOException e) {
            throw new InputException("cannot resolve '" + rev + "' in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The last release reachable from {@code rev}: walking back from it, the first final release tag
     * ({@code vX.Y.Z}, no pre-release) met on each path, and the highest version among those. (A tag
     * hidden behind a later release tag is not considered: versions grow along history.)
     */
    public Optional<ReleaseTag> lastRelease(String rev) {
        return lastRelease(rev, Optional.empty());
    }

    /** As {@link #lastRelease(String)}, considering only releases below {@code below} (the previous release of it). */
    public Optional<ReleaseTag> lastRelease(String rev, Optional<SemVer> below) {
        Map<String, List<ReleaseTag>> byCommit = new HashMap<>();
        for (ReleaseTag t : releaseTags()) {
            if (!t.version().isPreRelease() && below.map(b -> t.version().compareTo(b) < 0).orElse(true)) {
                byCommit.computeIfAbsent(t.commit(), k -> new ArrayList<>()).add(t);
            }
        }
        if (byCommit.isEmpty()) {
            return Optional.empty();
        }
        // walk back from rev, not past a tagged commit: the nearest release on every path, then the highest of them
        ReleaseTag best = null;
        try (RevWalk walk = new RevWalk(repo)) {
            walk.setRetainBody(false);
            java.util.ArrayDeque<RevCommit> queue = new java.util.ArrayDeque<>();
            java.util.Set<ObjectId> seen = new java.util.HashSet<>();
            RevCommit start = walk.parseCommit(resolve(rev));
            queue.add(start);
            seen.add(start.getId());
            while (!queue.isEmpty()) {
                RevCommit c = queue.poll();
                List<ReleaseTag> tags = byCommit.get(c.name());
                if (tags != null) {
                    for (ReleaseTag t : tags) {
                        if (best == null || t.version().compareTo(best.version()) > 0) {
                            best = t;
                        }
                    }
                    continue;
                }
                walk.parseHeaders(c);
                for (RevCommit p : c.getParents()) {
                    if (seen.add(p.getId())) {
                        queue.add(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot walk the history of " + dir + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(best);
    }

    /** Commits reachable from {@code to} and not from {@code from} (all of history when empty), newest first. */
    public List<Commit> range(Optional<String> from, String to) {
        String key = from.map(f -> resolve(f).name()).orElse("") + ".." + resolve(to).name();
        return ranges.computeIfAbsent(key, k -> walkRange(from, to));
    }

    private List<Commit> walkRange(Optional<String> from, String to) {
        List<Commit> out = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            walk.sort(RevSort.TOPO);
            walk.markStart(walk.parseCommit(resolve(to)));
            if (from.isPresent()) {
                walk.markUninteresting(walk.parseCommit(resolve(from.get())));
            }
            for (RevCommit c : walk) {
                String message = c.getFullMessage();
                List<String> parents = new ArrayList<>(c.getParentCount());
                for (RevCommit p : c.getParents()) {
                    parents.add(p.name());
                }
                out.add(new Commit(c.name(), c.getShortMessage(), message, c.getAuthorIdent().getName(),
                        c.getAuthorIdent().getEmailAddress(), c.getCommitterIdent().getName(),
                        c.getCommitterIdent().getEmailAddress(), c.getCommitterIdent().getWhenAsInstant(),
                        parents, ConventionalCommits.parse(message)));
            }
        } catch (IOException e) {
            throw new InputException("cannot walk the history of " + dir + ": " + e.getMessage(), e);
        }
        return List.copyOf(out);
    }

    /** Commits a merge brought in: reachable from its second parent, not from its first. */
    public List<Commit> branchCommits(String mergeSha) {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit merge = walk.parseCommit(resolve(mergeSha));
            if (merge.getParentCount() < 2) {
                return List.of();
            }
            return range(Optional.of(merge.getParent(0).name()), merge.getParent(1).name());
        } catch (IOException e) {
            throw new InputException("cannot read merge " + mergeSha + ": " + e.getMessage(), e);
        }
    }

    /** The checked-out branch, when HEAD is on one. */
    public Optional<String> currentBranch() {
        try {
            Ref head = repo.exactRef(Constants.HEAD);
            return head != null && head.isSymbolic()
                    ? Optional.of(Repository.shortenRefName(head.getTarget().getName())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        repo.close();
    }
}

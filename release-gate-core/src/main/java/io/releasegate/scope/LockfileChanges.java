package io.releasegate.scope;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.filter.PathSuffixFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.treewalk.filter.OrTreeFilter;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/**
 * The dependency lockfiles and manifests a release scope changed: Cargo.lock, package-lock.json, npm-shrinkwrap.json,
 * yarn.lock, pnpm-lock.yaml, go.mod, go.sum, pom.xml, gradle.lockfile, poetry.lock, uv.lock, Pipfile.lock, pdm.lock,
 * requirements*.txt, Gemfile.lock, composer.lock, packages.lock.json, at any depth. Each with how the range changed it
 * (its first commit against its last: added, modified, deleted) and the commits that touched it, oldest first.
 */
public final class LockfileChanges {

    /** The file names that pin or declare dependencies. */
    public static final Set<String> NAMES = Set.of("Cargo.lock", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
            "pnpm-lock.yaml", "go.mod", "go.sum", "pom.xml", "gradle.lockfile", "poetry.lock", "uv.lock", "Pipfile.lock",
            "pdm.lock", "Gemfile.lock", "composer.lock", "packages.lock.json");
    private static final Pattern REQUIREMENTS = Pattern.compile("requirements[\\w.-]*\\.txt");

    /** A commit that touched a lockfile: short id, author e-mail, time, subject. */
    public record Touch(String commit, String author, String time, String subject) {
    }

    public record Lockfile(String path, String change, List<Touch> commits) {
        public Lockfile {
            commits = List.copyOf(commits);
        }
    }

    private final Repository repo;

    public LockfileChanges(Repository repo) {
        this.repo = Objects.requireNonNull(repo);
    }

    public static boolean isLockfile(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return NAMES.contains(name) || REQUIREMENTS.matcher(name).matches();
    }

    public List<Lockfile> of(ReleaseRange range) {
        Map<String, String> changed = new LinkedHashMap<>();
        Map<String, List<Touch>> touches = new LinkedHashMap<>();
        List<TreeFilter> suffixes = new ArrayList<>();
        NAMES.stream().sorted().forEach(n -> suffixes.add(PathSuffixFilter.create(n)));
        suffixes.add(PathSuffixFilter.create(".txt"));
        TreeFilter lockfiles = OrTreeFilter.create(suffixes);
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
             DiffFormatter df = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            df.setRepository(repo);
            df.setDetectRenames(false);
            df.setPathFilter(lockfiles);
            RevCommit to = walk.parseCommit(ObjectId.fromString(range.to()));
            Optional<RevCommit> from = range.from().map(f -> parse(walk, f));
            AbstractTreeIterator start = from.isPresent() ? new CanonicalTreeParser(null, reader, from.get().getTree())
                    : new EmptyTreeIterator();
            for (DiffEntry e : df.scan(start, new CanonicalTreeParser(null, reader, to.getTree()))) {
                String path = e.getChangeType() == DiffEntry.ChangeType.DELETE ? e.getOldPath() : e.getNewPath();
                if (isLockfile(path)) {
                    changed.put(path, e.getChangeType().name().toLowerCase(java.util.Locale.ROOT));
                }
            }
            if (changed.isEmpty()) {
                return List.of();
            }
            walk.reset();
            walk.sort(RevSort.TOPO, true);
            walk.sort(RevSort.REVERSE, true);
            walk.markStart(walk.parseCommit(to));
            if (from.isPresent()) {
                walk.markUninteresting(walk.parseCommit(from.get()));
            }
            for (RevCommit c : walk) {
                AbstractTreeIterator parent = c.getParentCount() == 0 ? new EmptyTreeIterator()
                        : new CanonicalTreeParser(null, reader, walk.parseCommit(c.getParent(0)).getTree());
                for (DiffEntry e : df.scan(parent, new CanonicalTreeParser(null, reader, c.getTree()))) {
                    String path = e.getChangeType() == DiffEntry.ChangeType.DELETE ? e.getOldPath() : e.getNewPath();
                    if (changed.containsKey(path)) {
                        touches.computeIfAbsent(path, k -> new ArrayList<>()).add(new Touch(c.name().substring(0, 12),
                                c.getAuthorIdent().getEmailAddress(), c.getAuthorIdent().getWhenAsInstant().toString(),
                                c.getShortMessage()));
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot read the lockfile changes of " + range.describe() + ": " + e.getMessage(), e);
        }
        List<Lockfile> out = new ArrayList<>();
        changed.forEach((path, change) -> out.add(new Lockfile(path, change, touches.getOrDefault(path, List.of()))));
        return out;
    }

    private static RevCommit parse(RevWalk walk, String id) {
        try {
            return walk.parseCommit(ObjectId.fromString(id));
        } catch (IOException e) {
            throw new InputException("cannot read commit " + id + ": " + e.getMessage(), e);
        }
    }
}

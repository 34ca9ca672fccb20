package io.releasegate.scope;

import io.releasegate.approval.CodeOwners;
import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The repository files a release needs, as the last commit of its scope has them (git objects, never the working tree):
 * {@code CODEOWNERS} (where {@link CodeOwners} looks for it, the file the approval roles come from), {@code SECURITY.md}
 * and {@code RELEASE.md} at the root, present and not empty (comments only is empty), and CODEOWNERS giving an owner to
 * every path the policy's {@code scope.codeownersCover} names. {@code CHANGELOG.md} and {@code docs/audit/} are
 * warnings.
 */
public final class RequiredFiles {

    static final int MAX_BYTES = 1 << 20;
    private static final int LISTED = 5;

    /** One problem; a warning does not block. */
    public record Problem(String id, String path, String message, boolean warning) {
    }

    public record Result(String commit, List<Problem> problems, int files) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.stream().allMatch(Problem::warning);
        }
    }

    private final Repository repo;
    private String commit = "HEAD";
    private List<String> cover = List.of("**");

    public RequiredFiles(Repository repo) {
        this.repo = Objects.requireNonNull(repo);
    }

    public RequiredFiles commit(String value) {
        this.commit = Objects.requireNonNull(value);
        return this;
    }

    /** The policy's {@code scope.codeownersCover}. */
    public RequiredFiles cover(List<String> patterns) {
        this.cover = List.copyOf(patterns);
        return this;
    }

    public Result call() {
        Map<String, ObjectId> tree = tree();
        Function<String, Optional<String>> files = path -> Optional.ofNullable(tree.get(path)).map(this::text);
        List<Problem> out = new ArrayList<>();
        Optional<CodeOwners> owners = CodeOwners.find(files);
        if (owners.isEmpty()) {
            out.add(new Problem("files.missing:CODEOWNERS", "CODEOWNERS", "no CODEOWNERS (looked for " + CodeOwners.LOCATIONS
                    + "): every production-impacting path needs an owner, and the domain reviewers come from it", false));
        } else if (owners.get().isEmpty()) {
            out.add(new Problem("files.empty:CODEOWNERS", owners.get().file(), owners.get().file()
                    + " has no rule (only blank lines or comments)", false));
        } else {
            Function<String, List<String>> ownersOf = owners.get().index();
            for (String pattern : cover) {
                List<String> uncovered = tree.keySet().stream().filter(p -> CodeOwners.matches(pattern, p))
                        .filter(p -> ownersOf.apply(p).isEmpty()).toList();
                if (!uncovered.isEmpty()) {
                    out.add(new Problem("files.uncovered:" + pattern, owners.get().file(), uncovered.size() + " path(s) matching '"
                            + pattern + "' (scope.codeownersCover) have no owner in " + owners.get().file() + ", e.g. "
                            + uncovered.subList(0, Math.min(LISTED, uncovered.size())), false));
                }
            }
        }
        for (String name : List.of("SECURITY.md", "RELEASE.md")) {
            markdown(files, name, false).ifPresent(out::add);
        }
        markdown(files, "CHANGELOG.md", true).ifPresent(out::add);
        if (tree.keySet().stream().noneMatch(p -> p.startsWith("docs/audit/"))) {
            out.add(new Problem("files.missing:docs/audit/", "docs/audit/", "no docs/audit/ directory (should hold the audit "
                    + "notes of the repository)", true));
        }
        return new Result(commit, out, tree.size());
    }

    private static Optional<Problem> markdown(Function<String, Optional<String>> files, String name, boolean warning) {
        Optional<String> text = files.apply(name);
        if (text.isEmpty()) {
            return Optional.of(new Problem("files.missing:" + name, name, "no " + name + " at the root", warning));
        }
        String stripped = text.get().replaceAll("(?s)<!--.*?(-->|$)", "").strip();
        if (stripped.isEmpty()) {
            return Optional.of(new Problem("files.empty:" + name, name, name + " is empty (nothing but blank lines or comments)", warning));
        }
        return Optional.empty();
    }

    private Map<String, ObjectId> tree() {
        Map<String, ObjectId> out = new TreeMap<>();
        try (RevWalk walk = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
            ObjectId id = repo.resolve(commit + "^{commit}");
            if (id == null) {
                throw new InputException("unknown revision '" + commit + "'");
            }
            RevCommit c = walk.parseCommit(id);
            tw.addTree(c.getTree());
            tw.setRecursive(true);
            while (tw.next()) {
                if (tw.getFileMode(0).getObjectType() == FileMode.REGULAR_FILE.getObjectType()) {
                    out.put(tw.getPathString(), tw.getObjectId(0));
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot read the tree of " + commit + ": " + e.getMessage(), e);
        }
        return out;
    }

    private String text(ObjectId blob) {
        try {
            ObjectLoader l = repo.open(blob);
            if (l.getSize() > MAX_BYTES) {
                throw new InputException("blob " + blob.name() + " is larger than " + MAX_BYTES + " bytes: not a CODEOWNERS or a "
                        + "Markdown file this check reads");
            }
            return new String(l.getBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputException("cannot read blob " + blob.name() + ": " + e.getMessage(), e);
        }
    }
}

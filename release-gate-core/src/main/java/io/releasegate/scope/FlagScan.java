package io.releasegate.scope;

import io.releasegate.error.InputException;
import io.releasegate.gates.Finding;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The feature-flag check of a release's scope (gate {@code flags}, docs/scope.md). Read from the git objects of the last
 * commit of the scope, never the working tree: the registry ({@code scope.flagRegistry}, {@link FlagRegistry}) and every
 * text file of the tree, whose lines the policy's {@code scope.flagPattern} match to find the flags code refers to.
 * Findings: a flag without an owner ({@code flags.no-owner:NAME}), a flag past its removal date (the last recorded
 * deviation's, when there is one) and not removed ({@code flags.overdue:NAME}), a flag referenced in code and missing from
 * the registry ({@code flags.unregistered:NAME}, up to {@value #LISTED} locations named), a flag whose state is
 * {@code removed} still referenced ({@code flags.removed-referenced:NAME}), all high (marking an overdue flag removed
 * while the code still uses it must not turn a blocking finding into a warning). Binary files are skipped and counted;
 * a file larger than {@link #MAX_BLOB_BYTES} is not scanned and is reported ({@code flags.unscanned:PATH}, high: the
 * check fails closed). A registry that is malformed, binary or not UTF-8 is an input error naming it.
 *
 * <p>Besides: the changes of the registry in the range, commit by commit, oldest first ({@link Result#changes()}), for
 * the release notes; a commit whose registry is the same as one of its parents' made no change of its own (a merge
 * bringing a branch's changes in is not listed again).
 */
public final class FlagScan {

    public static final long MAX_BLOB_BYTES = SecretScan.MAX_BLOB_BYTES;
    static final int LISTED = 5;

    /** A line of code that names a flag. */
    public record Reference(String flag, String path, int line) {
        public String location() {
            return path + ":" + line;
        }
    }

    /** One finding of the check. */
    public record Problem(String id, Finding.Severity severity, String flag, String message, Optional<String> location) {
    }

    /** A file the check did not read: too large. */
    public record Unscanned(String commit, String path, String why) {
        public String id() {
            return "flags.unscanned:" + path;
        }
    }

    public enum ChangeKind { ADDED, CHANGED, REMOVED, UNREADABLE }

    /** One field of a flag that a commit changed. */
    public record FieldChange(String field, String from, String to) {
        @Override
        public String toString() {
            return field + " " + (from.isEmpty() ? "(none)" : from) + " -> " + (to.isEmpty() ? "(none)" : to);
        }
    }

    /**
     * A change of one flag by one commit: who (the author), when (author time), the commit and its subject (why), and
     * what (added, removed, or which fields changed). {@code UNREADABLE}: the registry as that commit has it could not be
     * read ({@code flag} empty, {@code detail} why).
     */
    public record Change(String commit, String author, Instant time, String subject, String flag, ChangeKind kind,
                         List<FieldChange> fields, String detail) {
        public Change {
            fields = List.copyOf(fields);
        }

        public String shortId() {
            return commit.substring(0, 7);
        }

        /** "state ramping -> full", "added (state ramping, owner team-a)", "removed from the registry". */
        public String what() {
            return switch (kind) {
                case ADDED -> "added" + (detail.isEmpty() ? "" : " (" + detail + ")");
                case REMOVED -> "removed from the registry";
                case CHANGED -> String.join(", ", fields.stream().map(FieldChange::toString).toList());
                case UNREADABLE -> "registry unreadable: " + detail;
            };
        }
    }

    public record Result(String range, String commit, String registry, boolean registryPresent, int flags, int files,
                         int binaries, List<Reference> references, List<Problem> problems, List<Unscanned> unscanned,
                         List<FlagRegistry.Flag> overdue, List<Change> changes) {
        public Result {
            references = List.copyOf(references);
            problems = List.copyOf(problems);
            unscanned = List.copyOf(unscanned);
            overdue = List.copyOf(overdue);
            changes = List.copyOf(changes);
        }

        /** No finding at or above {@code threshold}, and every file scanned. */
        public boolean ok(Finding.Severity threshold) {
            return unscanned.isEmpty() && problems.stream().noneMatch(p -> p.severity().blocksAt(threshold));
        }
    }

    private final Repository repo;
    private ReleaseRange range;
    private String registryPath = io.releasegate.policy.Policy.Scope.FLAG_REGISTRY;
    private List<Pattern> patterns = io.releasegate.policy.Policy.Scope.FLAG_PATTERN.stream().map(Pattern::compile).toList();
    private Clock clock = Clock.systemUTC();

    public FlagScan(Repository repo) {
        this.repo = Objects.requireNonNull(repo);
    }

    public FlagScan range(ReleaseRange value) {
        this.range = Objects.requireNonNull(value);
        return this;
    }

    /** The policy's {@code scope.flagRegistry} and {@code scope.flagPattern}. */
    public FlagScan policy(io.releasegate.policy.Policy.Scope scope) {
        return registry(scope.flagRegistry()).patterns(scope.flagPattern());
    }

    public FlagScan registry(String path) {
        this.registryPath = Objects.requireNonNull(path);
        return this;
    }

    /** Each pattern has one capturing group: the flag's name. */
    public FlagScan patterns(List<String> regexes) {
        List<Pattern> out = new ArrayList<>();
        for (String r : regexes) {
            Pattern p = Pattern.compile(r);
            if (p.matcher("").groupCount() != 1) {
                throw new InputException("flag pattern '" + r + "' needs exactly one capturing group, the flag's name");
            }
            out.add(p);
        }
        this.patterns = List.copyOf(out);
        return this;
    }

    /** Where "today" comes from, for the removal dates. */
    public FlagScan clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        Objects.requireNonNull(range, "range");
        LocalDate today = clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
        String label = registryPath + "@" + range.to().substring(0, 12);
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            RevCommit tip = walk.parseCommit(ObjectId.fromString(range.to()));
            Optional<ObjectId> registryBlob = blob(reader, tip.getTree(), registryPath, label);
            FlagRegistry registry = registryBlob.map(id -> FlagRegistry.parse(label, bytes(reader, id, label)))
                    .orElse(FlagRegistry.none(label));

            Map<String, List<Reference>> refs = new TreeMap<>();
            List<Reference> all = new ArrayList<>();
            java.util.Set<Reference> seen = new java.util.HashSet<>();
            List<Unscanned> unscanned = new ArrayList<>();
            int[] counts = {0, 0};
            try (TreeWalk tw = new TreeWalk(reader)) {
                tw.addTree(tip.getTree());
                tw.setRecursive(true);
                while (tw.next()) {
                    if (tw.getFileMode(0).getObjectType() != FileMode.REGULAR_FILE.getObjectType()
                            || tw.getFileMode(0) == FileMode.SYMLINK || tw.getPathString().equals(registryPath)) {
                        continue;
                    }
                    String path = tw.getPathString();
                    ObjectLoader l = reader.open(tw.getObjectId(0));
                    if (l.getSize() > MAX_BLOB_BYTES) {
                        unscanned.add(new Unscanned(tip.name(), path, l.getSize() + " bytes, over the " + MAX_BLOB_BYTES
                                + "-byte limit of the flags check"));
                        continue;
                    }
                    byte[] b = l.getCachedBytes();
                    if (RawText.isBinary(b)) {
                        counts[1]++;
                        continue;
                    }
                    counts[0]++;
                    RawText text = new RawText(b);
                    for (int i = 0; i < text.size(); i++) {
                        String line = text.getString(i);
                        for (Pattern p : patterns) {
                            Matcher m = p.matcher(line);
                            while (m.find()) {
                                if (m.group(1) == null || m.group(1).isEmpty()) {
                                    continue;
                                }
                                Reference r = new Reference(m.group(1), path, i + 1);
                                if (seen.add(r)) {
                                    refs.computeIfAbsent(r.flag(), k -> new ArrayList<>()).add(r);
                                    all.add(r);
                                }
                            }
                        }
                    }
                }
            }

            List<Problem> problems = new ArrayList<>();
            List<FlagRegistry.Flag> overdue = new ArrayList<>();
            for (FlagRegistry.Flag f : registry.flags()) {
                String at = label + ":" + f.line();
                if (f.owner().isEmpty()) {
                    problems.add(new Problem("flags.no-owner:" + f.name(), Finding.Severity.HIGH, f.name(), "flag '" + f.name()
                            + "' has no owner in " + at + ": every flag needs a team or person answerable for it",
                            Optional.of(at)));
                }
                if (f.overdue(today)) {
                    overdue.add(f);
                    LocalDate due = f.effectiveRemoval().orElseThrow();
                    problems.add(new Problem("flags.overdue:" + f.name(), Finding.Severity.HIGH, f.name(), "flag '" + f.name()
                            + "' (state " + f.state().wire() + ") was to be removed by " + due + (f.deviations().isEmpty() ? ""
                            : " (its last recorded deviation's date)") + ": remove it, or record a deviation (rationale and "
                            + "newRemoval) in " + registryPath, Optional.of(at)));
                }
            }
            for (Map.Entry<String, List<Reference>> e : refs.entrySet()) {
                List<Reference> where = e.getValue();
                String listed = String.join(", ", where.subList(0, Math.min(LISTED, where.size())).stream().map(Reference::location)
                        .toList()) + (where.size() > LISTED ? " and " + (where.size() - LISTED) + " more" : "");
                Optional<FlagRegistry.Flag> f = registry.flag(e.getKey());
                if (f.isEmpty()) {
                    problems.add(new Problem("flags.unregistered:" + e.getKey(), Finding.Severity.HIGH, e.getKey(), "flag '"
                            + e.getKey() + "' is referenced in code but not in " + (registryBlob.isPresent() ? registryPath
                            : "a registry (there is no " + registryPath + ")") + ": " + listed,
                            Optional.of(where.get(0).location())));
                } else if (f.get().state() == FlagRegistry.State.REMOVED) {
                    problems.add(new Problem("flags.removed-referenced:" + e.getKey(), Finding.Severity.HIGH, e.getKey(), "flag '"
                            + e.getKey() + "' is registered as removed but still referenced: " + listed,
                            Optional.of(where.get(0).location())));
                }
            }
            List<Change> changes = changes(walk, reader);
            return new Result(range.describe(), tip.name(), registryPath, registryBlob.isPresent(), registry.flags().size(),
                    counts[0], counts[1], all, problems, unscanned, overdue, changes);
        } catch (IOException e) {
            throw new InputException("cannot read the history " + range.describe() + ": " + e.getMessage(), e);
        }
    }

    /** The registry as {@code commit} has it (none when it has none), without checking the code: for the health report. */
    public FlagRegistry registryAt(String commit) {
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            ObjectId id = repo.resolve(commit + "^{commit}");
            if (id == null) {
                throw new InputException("unknown revision '" + commit + "'");
            }
            RevCommit c = walk.parseCommit(id);
            String label = registryPath + "@" + c.name().substring(0, 12);
            return blob(reader, c.getTree(), registryPath, label).map(b -> FlagRegistry.parse(label, bytes(reader, b, label)))
                    .orElse(FlagRegistry.none(label));
        } catch (IOException e) {
            throw new InputException("cannot read " + registryPath + " at " + commit + ": " + e.getMessage(), e);
        }
    }

    /**
     * The registry's changes in the range only (for the release notes): neither the code nor the tip's registry is
     * checked, and a version of the registry that cannot be read is listed as such rather than failing.
     */
    public List<Change> changes() {
        Objects.requireNonNull(range, "range");
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            return changes(walk, reader);
        } catch (IOException e) {
            throw new InputException("cannot read the history " + range.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Every commit of the range, oldest first, whose registry differs from each of its parents'. */
    private List<Change> changes(RevWalk walk, ObjectReader reader) throws IOException {
        walk.reset();
        walk.sort(RevSort.TOPO, true);
        walk.sort(RevSort.REVERSE, true);
        walk.markStart(walk.parseCommit(ObjectId.fromString(range.to())));
        if (range.from().isPresent()) {
            walk.markUninteresting(walk.parseCommit(ObjectId.fromString(range.from().get())));
        }
        List<Change> out = new ArrayList<>();
        for (RevCommit c : walk) {
            String label = registryPath + "@" + c.name().substring(0, 12);
            Optional<ObjectId> now = quietBlob(reader, c.getTree());
            List<Optional<ObjectId>> before = new ArrayList<>();
            for (RevCommit p : c.getParents()) {
                before.add(quietBlob(reader, walk.parseCommit(p).getTree()));
            }
            if (before.isEmpty()) {
                before.add(Optional.empty());
            }
            if (before.contains(now)) {
                continue;
            }
            PersonIdent who = c.getAuthorIdent();
            String author = who.getName() + " <" + who.getEmailAddress() + ">";
            Instant time = who.getWhenAsInstant();
            String subject = c.getShortMessage();
            Map<String, FlagRegistry.Flag> a;
            Map<String, FlagRegistry.Flag> b;
            try {
                a = byName(before.get(0), reader, registryPath + "@" + (c.getParentCount() == 0 ? "(none)"
                        : c.getParent(0).name().substring(0, 12)));
                b = byName(now, reader, label);
            } catch (InputException e) {
                out.add(new Change(c.name(), author, time, subject, "", ChangeKind.UNREADABLE, List.of(), e.getMessage()));
                continue;
            }
            for (FlagRegistry.Flag f : b.values()) {
                FlagRegistry.Flag old = a.get(f.name());
                if (old == null) {
                    out.add(new Change(c.name(), author, time, subject, f.name(), ChangeKind.ADDED, List.of(), "state "
                            + f.state().wire() + f.owner().map(o -> ", owner " + o).orElse(", no owner")
                            + f.removal().map(r -> ", removal " + r).orElse("")));
                    continue;
                }
                List<FieldChange> fields = new ArrayList<>();
                Map<String, String> of = old.fields();
                f.fields().forEach((k, v) -> {
                    if (!v.equals(of.get(k))) {
                        fields.add(new FieldChange(k, of.get(k), v));
                    }
                });
                if (!fields.isEmpty()) {
                    out.add(new Change(c.name(), author, time, subject, f.name(), ChangeKind.CHANGED, fields, ""));
                }
            }
            for (FlagRegistry.Flag f : a.values()) {
                if (!b.containsKey(f.name())) {
                    out.add(new Change(c.name(), author, time, subject, f.name(), ChangeKind.REMOVED, List.of(), ""));
                }
            }
        }
        return out;
    }

    private Map<String, FlagRegistry.Flag> byName(Optional<ObjectId> blob, ObjectReader reader, String label) {
        Map<String, FlagRegistry.Flag> m = new LinkedHashMap<>();
        if (blob.isPresent()) {
            FlagRegistry.parse(label, bytes(reader, blob.get(), label)).flags().forEach(f -> m.put(f.name(), f));
        }
        return m;
    }

    /** The registry's blob in {@code tree}; empty when there is none; an input error when the path is not a regular file. */
    private Optional<ObjectId> blob(ObjectReader reader, RevTree tree, String path, String label) throws IOException {
        try (TreeWalk tw = TreeWalk.forPath(reader, path, tree)) {
            if (tw == null) {
                return Optional.empty();
            }
            if (tw.getFileMode(0).getObjectType() != FileMode.REGULAR_FILE.getObjectType() || tw.getFileMode(0) == FileMode.SYMLINK) {
                throw new InputException("flag registry " + label + " is not a regular file (" + tw.getFileMode(0) + ")");
            }
            return Optional.of(tw.getObjectId(0));
        }
    }

    private Optional<ObjectId> quietBlob(ObjectReader reader, RevTree tree) throws IOException {
        try (TreeWalk tw = TreeWalk.forPath(reader, registryPath, tree)) {
            return tw == null ? Optional.empty() : Optional.of(tw.getObjectId(0));
        }
    }

    private static byte[] bytes(ObjectReader reader, ObjectId id, String label) {
        try {
            ObjectLoader l = reader.open(id);
            if (l.getSize() > FlagRegistry.MAX_BYTES) {
                throw new InputException("flag registry " + label + " is larger than " + FlagRegistry.MAX_BYTES + " bytes");
            }
            return l.getBytes();
        } catch (IOException e) {
            throw new InputException("cannot read flag registry " + label + ": " + e.getMessage(), e);
        }
    }
}

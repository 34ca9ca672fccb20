package io.releasegate.approval;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jgit.ignore.FastIgnoreRule;

/**
 * The one reading of a {@code CODEOWNERS} file: where it is ({@code CODEOWNERS}, {@code .github/CODEOWNERS},
 * {@code docs/CODEOWNERS}, the first found), its rules (gitignore-style patterns, matched by JGit's
 * {@link FastIgnoreRule}, the last matching rule wins), the owners it names (the approval roles' source) and who owns a
 * path (the required-files gate's coverage rule).
 */
public record CodeOwners(String file, List<Rule> rules) {

    /** Where a CODEOWNERS file may be, in the order they are looked for. */
    public static final List<String> LOCATIONS = List.of("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS");

    /** One line: the pattern, its owners (none: the path is explicitly unowned) and its line number. */
    public record Rule(String pattern, List<String> owners, int line) {
        public Rule {
            owners = List.copyOf(owners);
        }
    }

    public CodeOwners {
        rules = List.copyOf(rules);
    }

    /** The first CODEOWNERS file {@code files} has, read; empty when there is none. */
    public static Optional<CodeOwners> find(Function<String, Optional<String>> files) {
        for (String candidate : LOCATIONS) {
            Optional<String> text = files.apply(candidate);
            if (text.isPresent()) {
                return Optional.of(parse(candidate, text.get()));
            }
        }
        return Optional.empty();
    }

    /** The rules of a CODEOWNERS text; blank lines and comments ({@code #}) are not rules. */
    public static CodeOwners parse(String file, String text) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            int hash = t.indexOf(" #");
            if (hash >= 0) {
                t = t.substring(0, hash).trim();
            }
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] parts = t.split("\\s+");
            rules.add(new Rule(parts[0], List.of(parts).subList(1, parts.length), i + 1));
        }
        return new CodeOwners(file, rules);
    }

    /** Whether the file has no rule at all (missing, empty or comments only). */
    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Every owner the file names, in order, with repetitions. */
    public List<String> owners() {
        List<String> out = new ArrayList<>();
        rules.forEach(r -> out.addAll(r.owners()));
        return out;
    }

    /** The owners of {@code path} (relative to the root, {@code /}-separated): the last matching rule's; empty when none. */
    public List<String> ownersOf(String path) {
        List<String> owners = List.of();
        for (Rule r : rules) {
            if (matches(r.pattern(), path)) {
                owners = r.owners();
            }
        }
        return owners;
    }

    /** {@link #ownersOf} with the patterns compiled once, for many paths. */
    public Function<String, List<String>> index() {
        List<FastIgnoreRule> compiled = rules.stream().map(r -> new FastIgnoreRule(r.pattern())).toList();
        return path -> {
            List<String> owners = List.of();
            for (int i = 0; i < compiled.size(); i++) {
                if (matches(compiled.get(i), path)) {
                    owners = rules.get(i).owners();
                }
            }
            return owners;
        };
    }

    /** Whether a gitignore-style {@code pattern} (as CODEOWNERS and the policy write them) matches {@code path} or a parent of it. */
    public static boolean matches(String pattern, String path) {
        return matches(new FastIgnoreRule(pattern), path);
    }

    private static boolean matches(FastIgnoreRule rule, String path) {
        if (rule.isMatch(path, false)) {
            return true;
        }
        // a directory pattern matches what is inside it
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            if (rule.isMatch(path.substring(0, i), true)) {
                return true;
            }
        }
        return false;
    }
}

package io.releasegate.approval;

import io.releasegate.error.InputException;
import io.releasegate.policy.CommittedFiles;
import io.releasegate.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who holds each approval role: the policy's explicit people, the maintainers listed in the
 * repository's {@code meta/STRUCTURE.md} (the list under a heading containing "Maintainers"), and the
 * owners named in {@code CODEOWNERS} (or {@code .github/CODEOWNERS}, {@code docs/CODEOWNERS}).
 */
public final class RoleDirectory {

    private static final Pattern HANDLE = Pattern.compile("@?[A-Za-z0-9][A-Za-z0-9._/-]*(?:@[A-Za-z0-9.-]+)?");

    private final Map<String, Set<String>> members;

    private RoleDirectory(Map<String, Set<String>> members) {
        this.members = members;
    }

    /** A directory in which nobody holds any role. */
    public static RoleDirectory empty() {
        return new RoleDirectory(Map.of());
    }

    /**
     * Resolves every role of the policy against the repository at {@code repo}: its files as the commit the policy
     * was read at has them (a production decision's, {@link Policy.Source#commit()}), else its working tree.
     */
    public static RoleDirectory resolve(Policy policy, Path repo) {
        Function<String, Optional<String>> files = policy.source().commit().isPresent()
                ? path -> CommittedFiles.read(repo, policy.source().commit().get(), path)
                : path -> workingTree(repo.resolve(path));
        Map<String, Set<String>> out = new TreeMap<>();
        for (String role : policy.approvals().roles()) {
            Set<String> people = new LinkedHashSet<>();
            Policy.RoleMembers m = policy.approvals().members().get(role);
            if (m != null) {
                m.people().forEach(p -> people.addAll(Identities.forms(p)));
                if (m.structureFile().isPresent()) {
                    maintainers(files.apply(m.structureFile().get())).forEach(p -> people.addAll(Identities.forms(p)));
                }
                if (m.codeowners()) {
                    codeowners(files).forEach(p -> people.addAll(Identities.forms(p)));
                }
            }
            out.put(role, people);
        }
        return new RoleDirectory(out);
    }

    public Set<String> members(String role) {
        return members.getOrDefault(role, Set.of());
    }

    public boolean holds(String identity, String role) {
        return Identities.matches(identity, members(role));
    }

    private static Optional<String> workingTree(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Names listed under the first Markdown heading that mentions maintainers. */
    static List<String> maintainers(Optional<String> text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        boolean in = false;
        for (String line : text.get().split("\\R")) {
            String t = line.trim();
            if (t.startsWith("#")) {
                in = t.toLowerCase(java.util.Locale.ROOT).contains("maintainer");
                continue;
            }
            if (in && (t.startsWith("-") || t.startsWith("*"))) {
                Matcher m = HANDLE.matcher(t.substring(1).trim());
                if (m.lookingAt()) {
                    out.add(m.group());
                }
            }
        }
        return out;
    }

    /** Every owner named in the CODEOWNERS file (read by {@link CodeOwners}, its one reader). */
    static List<String> codeowners(Function<String, Optional<String>> files) {
        return CodeOwners.find(files).map(CodeOwners::owners).orElse(List.of());
    }
}

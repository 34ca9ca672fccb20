package io.releasegate.gates;

import io.releasegate.approval.Identities;
import io.releasegate.error.InputException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A policy exception: the record that lets a finding through. Only a complete, approved (by someone
 * other than its author), unexpired exception whose scope covers the finding, the repository, the
 * branch and the environment waives it; {@link #whyNot} says what is wrong otherwise.
 */
public record PolicyException(String id, String owner, String author, String type, String policyRef, List<String> repos,
                              List<String> branches, List<String> environments, List<String> findings, String risk,
                              List<String> compensatingControls, List<String> approvers, Optional<LocalDate> expires,
                              Optional<LocalDate> reviewDate, String rollback, List<String> evidence, String file) {

    /** Limits that make a hostile file (an alias bomb, a huge document) an input error. */
    private static final int MAX_ALIASES = 20;
    private static final int MAX_CODE_POINTS = 1 << 20;
    private static final int MAX_VALUES = 10_000;

    private static final Set<String> KEYS = Set.of("id", "owner", "author", "type", "policyRef", "scope", "risk",
            "compensatingControls", "approvers", "expires", "reviewDate", "rollback", "evidence");

    /** Every {@code *.yaml} / {@code *.yml} file of a directory (none when the directory is missing). */
    public static List<PolicyException> loadAll(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<PolicyException> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                out.add(load(f));
            }
        } catch (IOException e) {
            throw new InputException("cannot list exceptions in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public static PolicyException load(Path file) {
        Object doc;
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_CODE_POINTS);
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml(new SafeConstructor(options)).load(r);
        } catch (IOException | RuntimeException e) {
            throw new InputException("exception " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new InputException("exception " + file + " must be a YAML mapping");
        }
        if (values(doc, 0) > MAX_VALUES) {
            throw new InputException("exception " + file + " cannot be read: more than " + MAX_VALUES
                    + " values once its aliases are expanded (an exception is a few dozen)");
        }
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new InputException("exception " + file + ": unknown key '" + k + "'; valid keys: " + new TreeSet<>(KEYS));
            }
        }
        Map<String, Object> scope = m.get("scope") instanceof Map<?, ?> sm ? (Map<String, Object>) sm : Map.of();
        return new PolicyException(str(m.get("id")), str(m.get("owner")), str(m.get("author")), str(m.get("type")),
                str(m.get("policyRef")), list(scope.get("repos")), list(scope.get("branches")), list(scope.get("environments")),
                list(scope.get("findings")), str(m.get("risk")), list(m.get("compensatingControls")), list(m.get("approvers")),
                date(m.get("expires"), file), date(m.get("reviewDate"), file), str(m.get("rollback")), list(m.get("evidence")),
                file.toString());
    }

    /** Why this exception does not waive {@code finding} here and now; empty when it does. */
    /**
     * The required fields this exception lacks (empty when complete): an incomplete exception waives nothing, and
     * {@code exceptions check} refuses it ({@code exception.incomplete}).
     */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (id.isBlank()) {
            missing.add("id");
        }
        if (owner.isBlank()) {
            missing.add("owner");
        }
        if (author.isBlank()) {
            missing.add("author");
        }
        if (policyRef.isBlank()) {
            missing.add("policyRef");
        }
        if (findings.isEmpty()) {
            missing.add("scope.findings");
        }
        if (risk.isBlank()) {
            missing.add("risk");
        }
        if (compensatingControls.isEmpty()) {
            missing.add("compensatingControls");
        }
        if (approvers.isEmpty()) {
            missing.add("approvers");
        }
        if (reviewDate.isEmpty()) {
            missing.add("reviewDate");
        }
        if (rollback.isBlank()) {
            missing.add("rollback");
        }
        if (evidence.isEmpty()) {
            missing.add("evidence");
        }
        if (!type.equals("temporary") && !type.equals("permanent")) {
            missing.add("type (temporary or permanent)");
        } else if (type.equals("temporary") && expires.isEmpty()) {
            missing.add("expires (a temporary exception must expire)");
        }
        return List.copyOf(missing);
    }

    /** Why this exception does not waive {@code finding} here and now; empty when it does. */
    public Optional<String> whyNot(Finding finding, String repo, String branch, String environment, LocalDate today) {
        List<String> missing = missing();
        String name = "exception " + (id.isBlank() ? file : id);
        if (!missing.isEmpty()) {
            return Optional.of(name + " is incomplete: missing " + missing);
        }
        if (approvers.stream().allMatch(a -> Identities.matches(a, Identities.forms(author)))) {
            return Optional.of(name + " is approved only by its author " + author + "; the author is never the sole approver");
        }
        if (expires.isPresent() && today.isAfter(expires.get())) {
            return Optional.of(name + " expired on " + expires.get());
        }
        if (today.isAfter(reviewDate.get())) {
            return Optional.of(name + " was due for review on " + reviewDate.get() + " and was not renewed");
        }
        if (!findings.contains(finding.id())) {
            return Optional.of(name + " does not cover finding " + finding.id() + " (covers " + findings + ")");
        }
        if (!environments.isEmpty() && !environments.contains(environment)) {
            return Optional.of(name + " does not cover environment " + environment + " (covers " + environments + ")");
        }
        if (!repos.isEmpty() && !repos.contains(repo)) {
            return Optional.of(name + " does not cover repository " + repo + " (covers " + repos + ")");
        }
        if (!branches.isEmpty() && branches.stream().noneMatch(b -> FileSystems.getDefault().getPathMatcher("glob:" + b)
                .matches(Path.of(branch)))) {
            return Optional.of(name + " does not cover branch " + branch + " (covers " + branches + ")");
        }
        return Optional.empty();
    }

    private static int values(Object o, int depth) {
        if (depth > 50) {
            return Integer.MAX_VALUE;
        }
        long n = 1;
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                n += values(e.getKey(), depth + 1) + (long) values(e.getValue(), depth + 1);
                if (n > MAX_VALUES) {
                    return MAX_VALUES + 1;
                }
            }
        } else if (o instanceof List<?> l) {
            for (Object x : l) {
                n += values(x, depth + 1);
                if (n > MAX_VALUES) {
                    return MAX_VALUES + 1;
                }
            }
        }
        return (int) n;
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o).trim();
    }

    private static List<String> list(Object o) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(o));
    }

    private static Optional<LocalDate> date(Object o, Path file) {
        if (o == null) {
            return Optional.empty();
        }
        if (o instanceof java.util.Date d) {
            return Optional.of(d.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate());
        }
        try {
            return Optional.of(LocalDate.parse(String.valueOf(o)));
        } catch (java.time.DateTimeException e) {
            throw new InputException("exception " + file + ": '" + o + "' is not a date (YYYY-MM-DD)", e);
        }
    }
}

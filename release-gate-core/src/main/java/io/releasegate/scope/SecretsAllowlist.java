package io.releasegate.scope;

import io.releasegate.error.InputException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The reviewed false positives of the secrets scan ({@code scope.secretsAllowlist}, read as the last commit of the scope
 * has it). Each entry names the exact path and the fingerprint of one finding, why it is not a secret, and the policy
 * exception that approved it: an entry silences a finding only while that exception is valid for it (complete, approved
 * by someone other than its author, not expired, its scope listing the finding's id), so an allowlist entry needs the
 * review an exception needs.
 * <pre>
 * entries:
 *   - path: src/test/resources/tls/test-key.pem
 *     fingerprint: 3f9a0c1d2e4b5a6c
 *     reason: throw-away key of the TLS unit test, generated for it
 *     exception: EX-2031
 * </pre>
 */
public record SecretsAllowlist(String file, List<Entry> entries) {

    private static final Set<String> KEYS = Set.of("path", "fingerprint", "rule", "reason", "exception");

    public record Entry(int index, String path, String fingerprint, Optional<String> rule, String reason, String exception) {
    }

    public SecretsAllowlist {
        entries = List.copyOf(entries);
    }

    public static SecretsAllowlist none() {
        return new SecretsAllowlist("none", List.of());
    }

    /** Strict: an unknown key, a missing path, fingerprint, reason or exception is an input error naming the entry. */
    public static SecretsAllowlist parse(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(1 << 20);
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(options)).load(new StringReader(text));
        } catch (RuntimeException e) {
            throw new InputException("secrets allowlist " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (doc == null) {
            return new SecretsAllowlist(file, List.of());
        }
        if (!(doc instanceof Map<?, ?> m) || !m.keySet().equals(Set.of("entries")) || !(m.get("entries") instanceof List<?> list)) {
            throw new InputException("secrets allowlist " + file + " must be a mapping with one key, entries: a list");
        }
        if (list.size() > 10_000) {
            throw new InputException("secrets allowlist " + file + " has more than 10000 entries");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "secrets allowlist " + file + ", entry " + (i + 1);
            if (!(list.get(i) instanceof Map<?, ?> e)) {
                throw new InputException(where + ": must be a mapping of " + new TreeSet<>(KEYS));
            }
            for (Object k : e.keySet()) {
                if (!KEYS.contains(String.valueOf(k))) {
                    throw new InputException(where + ": unknown key '" + k + "'; valid keys: " + new TreeSet<>(KEYS));
                }
            }
            String path = required(e, "path", where);
            String fingerprint = required(e, "fingerprint", where);
            if (!fingerprint.matches("[0-9a-f]{16}")) {
                throw new InputException(where + ": fingerprint '" + fingerprint + "' is not the 16 hex digits a finding shows");
            }
            out.add(new Entry(i + 1, path, fingerprint, Optional.ofNullable(e.get("rule")).map(String::valueOf),
                    required(e, "reason", where), required(e, "exception", where)));
        }
        return new SecretsAllowlist(file, out);
    }

    private static String required(Map<?, ?> e, String key, String where) {
        Object v = e.get(key);
        String s = v == null ? "" : String.valueOf(v).trim();
        if (s.isEmpty()) {
            throw new InputException(where + ": missing " + key + " (every entry names the path, the fingerprint, the reason "
                    + "and the exception that approved it)");
        }
        return s;
    }

    /** The entries naming this finding's exact path and fingerprint (and rule, when they name one). */
    public List<Entry> matching(String path, String fingerprint, String rule) {
        return entries.stream().filter(e -> e.path().equals(path) && e.fingerprint().equals(fingerprint)
                && e.rule().map(rule::equals).orElse(true)).toList();
    }
}

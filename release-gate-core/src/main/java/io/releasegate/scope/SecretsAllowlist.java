package io.releasegate.scope;

import io.releasegate.error.InputException;
import io.releasegate.json.StrictYamlList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
        List<Entry> out = new ArrayList<>();
        for (StrictYamlList.Item item : StrictYamlList.read("secrets allowlist", file, text, "entries", KEYS)) {
            int i = item.index() - 1;
            String where = item.where();
            Map<?, ?> e = item.fields();
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
        return new StrictYamlList.Item(0, where, e).required(key,
                "every entry names the path, the fingerprint, the reason and the exception that approved it");
    }

    /** The entries naming this finding's exact path and fingerprint (and rule, when they name one). */
    public List<Entry> matching(String path, String fingerprint, String rule) {
        return entries.stream().filter(e -> e.path().equals(path) && e.fingerprint().equals(fingerprint)
                && e.rule().map(rule::equals).orElse(true)).toList();
    }
}

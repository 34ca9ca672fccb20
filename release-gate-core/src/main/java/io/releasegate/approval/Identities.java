package io.releasegate.approval;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Identity matching across sources (Jenkins user ids, git authors, CODEOWNERS handles): an identity
 * matches when, case-insensitively and without a leading '@', it equals a name, an e-mail address, or
 * the local part of an e-mail address of the other.
 */
public final class Identities {

    private Identities() {
    }

    /** The forms under which an identity may appear. */
    public static Set<String> forms(String... values) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : values) {
            if (v == null || v.isBlank()) {
                continue;
            }
            String n = normalise(v);
            out.add(n);
            int at = n.indexOf('@');
            if (at > 0) {
                out.add(n.substring(0, at));
            }
        }
        return out;
    }

    public static String normalise(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        return s.startsWith("@") ? s.substring(1) : s;
    }

    public static boolean matches(String identity, Set<String> forms) {
        return forms(identity).stream().anyMatch(forms::contains);
    }
}

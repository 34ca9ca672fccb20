package io.releasegate.sbom;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The order of package versions across ecosystems, for telling an upgrade from a downgrade: an optional epoch
 * ({@code 2:1.0}, Debian and PEP 440 {@code 2!1.0}), then runs of digits compared as numbers and runs of letters
 * compared as pre-release qualifiers ({@code dev < alpha < beta < milestone < rc < snapshot < release}; any other word
 * sorts after the release, as Maven's service packs do; {@code final}, {@code ga} and {@code release} are the release). A version that ends where another goes on with a number is
 * older ({@code 1.2 < 1.2.1}); one that goes on with a pre-release word ({@code 1.0-rc1}, {@code 1.0~beta}) is newer.
 * A leading {@code v} and build metadata after {@code +} are ignored. Total: any two strings compare.
 */
public final class Versions implements Comparator<String> {

    public static final Versions ORDER = new Versions();

    private static final List<String> QUALIFIERS = List.of("dev", "alpha", "beta", "milestone", "rc", "snapshot");
    /** Words that name the release itself: 1.0.Final == 1.0-GA == 1.0. */
    private static final Set<String> RELEASE_WORDS = Set.of("final", "ga", "release");
    private static final Set<String> ALIASES_A = Set.of("a", "alpha");
    private static final Set<String> ALIASES_B = Set.of("b", "beta");
    private static final Set<String> ALIASES_M = Set.of("m", "milestone", "pre", "preview");
    private static final Set<String> ALIASES_RC = Set.of("rc", "cr", "c");

    private Versions() {
    }

    @Override
    public int compare(String a, String b) {
        Parsed x = parse(a);
        Parsed y = parse(b);
        int c = x.epoch.compareTo(y.epoch);
        if (c != 0) {
            return c;
        }
        int n = Math.max(x.tokens.size(), y.tokens.size());
        for (int i = 0; i < n; i++) {
            c = compareToken(i < x.tokens.size() ? x.tokens.get(i) : null, i < y.tokens.size() ? y.tokens.get(i) : null);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /**
     * Tokens in one total order: pre-release words (by rank, then spelling) &lt; the end of the version &lt; other
     * words (by spelling) &lt; numbers (by value). Comparing sequences padded with the end keeps it total.
     */
    private static int compareToken(Object s, Object t) {
        int c = Integer.compare(kind(s), kind(t));
        if (c != 0) {
            return c;
        }
        if (s instanceof BigInteger i) {
            return i.compareTo((BigInteger) t);
        }
        if (s instanceof String w) {
            c = Integer.compare(rank(w), rank((String) t));
            return c != 0 ? c : w.compareTo((String) t);
        }
        return 0;
    }

    private static int kind(Object token) {
        if (token == null) {
            return 1;
        }
        if (token instanceof BigInteger) {
            return 3;
        }
        return rank((String) token) < QUALIFIERS.size() ? 0 : 2;
    }

    /** The qualifier's place: a known pre-release word by its rank, any other word after the release. */
    private static int rank(String word) {
        if (ALIASES_A.contains(word)) {
            return 1;
        }
        if (ALIASES_B.contains(word)) {
            return 2;
        }
        if (ALIASES_M.contains(word)) {
            return 3;
        }
        if (ALIASES_RC.contains(word)) {
            return 4;
        }
        int i = QUALIFIERS.indexOf(word);
        return i >= 0 ? i : QUALIFIERS.size() + 1;
    }

    /** Zeros that end a run of numbers do not make a version newer: 1.0.0 == 1.0, 1.0.0-rc1 == 1-rc1. */
    private static List<Object> withoutTrailingZeros(List<Object> tokens) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Object t = tokens.get(i);
            if (t instanceof BigInteger z && z.signum() == 0 && i > 0) {
                int j = i;
                while (j < tokens.size() && tokens.get(j) instanceof BigInteger y && y.signum() == 0) {
                    j++;
                }
                if (j == tokens.size() || tokens.get(j) instanceof String) {
                    i = j - 1;
                    continue;
                }
            }
            out.add(t);
        }
        return out;
    }

    private record Parsed(BigInteger epoch, List<Object> tokens) {
    }

    private static Parsed parse(String raw) {
        String v = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        int plus = v.indexOf('+');
        if (plus >= 0) {
            v = v.substring(0, plus);
        }
        BigInteger epoch = BigInteger.ZERO;
        int colon = v.indexOf(':') >= 0 ? v.indexOf(':') : v.indexOf('!');
        if (colon > 0 && v.substring(0, colon).chars().allMatch(Character::isDigit)) {
            epoch = new BigInteger(v.substring(0, colon));
            v = v.substring(colon + 1);
        }
        if (v.startsWith("v") && v.length() > 1 && Character.isDigit(v.charAt(1))) {
            v = v.substring(1);
        }
        List<Object> tokens = new ArrayList<>();
        int i = 0;
        while (i < v.length()) {
            char ch = v.charAt(i);
            int j = i;
            if (Character.isDigit(ch)) {
                while (j < v.length() && Character.isDigit(v.charAt(j))) {
                    j++;
                }
                tokens.add(new BigInteger(v.substring(i, j)));
            } else if (Character.isLetter(ch)) {
                while (j < v.length() && Character.isLetter(v.charAt(j))) {
                    j++;
                }
                String word = v.substring(i, j);
                if (!RELEASE_WORDS.contains(word)) {
                    tokens.add(word);
                }
            } else {
                j++; // a separator: . - _ ~
            }
            i = j;
        }
        return new Parsed(epoch, withoutTrailingZeros(tokens));
    }
}

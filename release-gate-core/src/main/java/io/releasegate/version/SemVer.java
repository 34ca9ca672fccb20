package io.releasegate.version;

import io.releasegate.error.InputException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Semantic Versioning 2.0.0 version, ordered by SemVer precedence (build metadata ignored). */
public record SemVer(BigInteger major, BigInteger minor, BigInteger patch, List<String> preRelease,
                     Optional<String> build) implements Comparable<SemVer> {

    // the regular expression published with the SemVer 2.0.0 specification
    private static final Pattern SEMVER = Pattern.compile(
            "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");

    public SemVer {
        preRelease = List.copyOf(preRelease);
    }

    /** Parses a version such as {@code 1.4.0}, {@code 2.0.0-rc.1+build.5}; a leading 'v' is not accepted. */
    public static SemVer parse(String text) {
        if (text == null) {
            throw new InputException("version is required (SemVer 2.0, e.g. 1.4.0)");
        }
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            String hint = text.startsWith("v") ? " (write the version without the leading 'v'; the tag adds it)" : "";
            throw new InputException("'" + text + "' is not a SemVer 2.0 version such as 1.4.0 or 1.4.0-rc.1" + hint);
        }
        List<String> pre = m.group(4) == null ? List.of() : new ArrayList<>(Arrays.asList(m.group(4).split("\\.")));
        return new SemVer(new BigInteger(m.group(1)), new BigInteger(m.group(2)), new BigInteger(m.group(3)), pre,
                Optional.ofNullable(m.group(5)));
    }

    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(major).append('.').append(minor).append('.').append(patch);
        if (!preRelease.isEmpty()) {
            sb.append('-').append(String.join(".", preRelease));
        }
        build.ifPresent(b -> sb.append('+').append(b));
        return sb.toString();
    }

    @Override
    public int compareTo(SemVer o) {
        int c = major.compareTo(o.major);
        if (c == 0) {
            c = minor.compareTo(o.minor);
        }
        if (c == 0) {
            c = patch.compareTo(o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = compareIdentifier(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    private static int compareIdentifier(String a, String b) {
        boolean an = a.chars().allMatch(Character::isDigit);
        boolean bn = b.chars().allMatch(Character::isDigit);
        if (an && bn) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }
}

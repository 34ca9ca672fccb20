package io.releasegate.sbom;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Builds package URLs ({@code pkg:type/namespace/name@version?qualifiers}) with the purl spec's percent-encoding. */
final class Purls {

    private Purls() {
    }

    /**
     * A purl; {@code namespace} may hold several {@code /}-separated segments (a Go module path), each encoded on
     * its own; qualifiers with empty values are left out and the rest are sorted by key.
     */
    static String of(String type, Optional<String> namespace, String name, Optional<String> version, Map<String, String> qualifiers) {
        StringBuilder b = new StringBuilder("pkg:").append(type).append('/');
        namespace.filter(n -> !n.isEmpty()).ifPresent(ns -> {
            for (String segment : ns.split("/")) {
                if (!segment.isEmpty()) {
                    b.append(encode(segment)).append('/');
                }
            }
        });
        b.append(encode(name));
        version.filter(v -> !v.isEmpty()).ifPresent(v -> b.append('@').append(encode(v)));
        String sep = "?";
        for (Map.Entry<String, String> q : new TreeMap<>(qualifiers).entrySet()) {
            if (q.getValue() != null && !q.getValue().isEmpty()) {
                b.append(sep).append(q.getKey()).append('=').append(encode(q.getValue()));
                sep = "&";
            }
        }
        return b.toString();
    }

    static String of(String type, String name, String version) {
        return of(type, Optional.empty(), name, Optional.of(version), Map.of());
    }

    /** Percent-encodes everything but the unreserved characters {@code A-Z a-z 0-9 . - _ ~}. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}

package io.releasegate.gates;

import java.util.Locale;
import java.util.Optional;

/** One finding from a report: what, how severe, where, and from which gate. */
public record Finding(String id, String gate, Severity severity, String title, Optional<String> location,
                      Optional<String> vexState) {

    /** Severities in increasing order. */
    public enum Severity {
        NONE, UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL;

        /**
         * Whether a finding of this severity blocks at {@code threshold}: at or above it; a severity that is not known
         * blocks at any threshold (a report that does not say how bad a finding is does not get the benefit of the doubt).
         * Every gate, check and command that judges a finding judges it here.
         */
        public boolean blocksAt(Severity threshold) {
            return this == UNKNOWN || compareTo(threshold) >= 0;
        }

        public static Severity parse(String s) {
            if (s == null || s.isBlank()) {
                return UNKNOWN;
            }
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "critical" -> CRITICAL;
                case "high", "error" -> HIGH;
                case "medium", "moderate", "warning" -> MEDIUM;
                case "low", "note" -> LOW;
                case "none", "info", "informational" -> NONE;
                default -> UNKNOWN;
            };
        }

        /** CVSS v3 qualitative rating of a base score. */
        public static Severity fromScore(double score) {
            if (score >= 9.0) {
                return CRITICAL;
            }
            if (score >= 7.0) {
                return HIGH;
            }
            if (score >= 4.0) {
                return MEDIUM;
            }
            return score > 0 ? LOW : NONE;
        }
    }
}

package io.releasegate.scope;

import io.releasegate.gates.Finding;
import java.util.List;
import java.util.Optional;

/** The gate findings of the release-scope checks: gate {@code files} and gate {@code secrets}. */
public final class ScopeFindings {

    public static final String FILES = "files";
    public static final String SECRETS = "secrets";

    private ScopeFindings() {
    }

    public static List<Finding> files(RequiredFiles.Result r) {
        return r.problems().stream().map(p -> new Finding(p.id(), FILES, p.warning() ? Finding.Severity.NONE : Finding.Severity.HIGH,
                p.message(), Optional.of(p.path()), Optional.empty())).toList();
    }

    /** Every secret (allowlisted or not: an allowlisted one is waived by the exception its entry names) and every unscanned file. */
    public static List<Finding> secrets(SecretScan.Result r) {
        List<Finding> out = new java.util.ArrayList<>();
        for (SecretScan.SecretFinding s : r.findings()) {
            out.add(s.asFinding());
        }
        for (SecretScan.Unscanned u : r.unscanned()) {
            out.add(new Finding(u.id(), SECRETS, Finding.Severity.HIGH, u.path() + " in " + u.commit().substring(0, 12)
                    + " was not scanned: " + u.why(), Optional.of(u.commit().substring(0, 12) + ":" + u.path()), Optional.empty()));
        }
        return out;
    }
}

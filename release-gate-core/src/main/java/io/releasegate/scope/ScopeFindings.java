package io.releasegate.scope;

import io.releasegate.gates.Finding;
import java.util.List;
import java.util.Optional;

/** The gate findings of the release-scope checks: gates {@code files}, {@code secrets}, {@code deps} and {@code flags}. */
public final class ScopeFindings {

    public static final String FILES = "files";
    public static final String SECRETS = "secrets";
    public static final String DEPS = DependencyChanges.GATE;
    public static final String FLAGS = "flags";
    /** The gates decided on the release scope: the gate step decides them all when the policy requires one. */
    public static final List<String> GATES = List.of(FILES, SECRETS, DEPS, FLAGS);

    private ScopeFindings() {
    }

    /** Whether the policy requires any release-scope gate (then the gate step decides the scope gates). */
    public static boolean required(io.releasegate.policy.Policy policy) {
        return GATES.stream().anyMatch(policy.gates().required()::contains);
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

    /** Every problem of the flags check (each at its own severity) and every file it could not scan (high: fail closed). */
    public static List<Finding> flags(FlagScan.Result r) {
        List<Finding> out = new java.util.ArrayList<>();
        for (FlagScan.Problem p : r.problems()) {
            out.add(new Finding(p.id(), FLAGS, p.severity(), p.message(), p.location(), Optional.empty()));
        }
        for (FlagScan.Unscanned u : r.unscanned()) {
            out.add(new Finding(u.id(), FLAGS, Finding.Severity.HIGH, u.path() + " in " + u.commit().substring(0, 12)
                    + " was not scanned for flag references: " + u.why(), Optional.of(u.commit().substring(0, 12) + ":" + u.path()),
                    Optional.empty()));
        }
        return out;
    }
}

package io.releasegate.record;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The release record: everything the release policy requires to know about one {@code name@version},
 * projected from the ledger. Its JSON form is published as a JSON Schema
 * ({@value #SCHEMA_RESOURCE}); {@link ReleaseRecords} writes and strictly reads it.
 */
public record ReleaseRecord(String schema, String name, String version, Artifact artifact, List<Subject> subjects,
                            Source source, Fact built, List<Sbom> sboms, List<Provenance> provenance,
                            List<Signature> signatures, List<Check> checks, List<Bypass> bypasses,
                            List<Quarantine> quarantines, List<Approval> approvals,
                            List<Promotion> promotions, Rollback rollback, List<String> knownIssues,
                            Optional<Window> productionWindow, LedgerRef ledger,
                            Optional<DependencyChanges> dependencyChanges) {

    public static final String SCHEMA = "https://releasegate.io/schemas/release-record/v1";
    public static final String SCHEMA_RESOURCE = "/io/releasegate/schemas/release-record-v1.schema.json";

    public ReleaseRecord {
        subjects = List.copyOf(subjects);
        sboms = List.copyOf(sboms);
        provenance = List.copyOf(provenance);
        signatures = List.copyOf(signatures);
        checks = List.copyOf(checks);
        // absent from records written before bypasses and quarantines were listed
        bypasses = bypasses == null ? List.of() : List.copyOf(bypasses);
        quarantines = quarantines == null ? List.of() : List.copyOf(quarantines);
        approvals = List.copyOf(approvals);
        promotions = List.copyOf(promotions);
        knownIssues = List.copyOf(knownIssues);
    }

    public record Artifact(String reference, String digest, String mediaType, Optional<String> artifactType,
                           String store) {
    }

    public record Subject(String name, String digest) {
    }

    public record Source(Optional<String> commit, Optional<String> repository, Optional<String> ref,
                         Optional<Tag> tag) {
        public static Source empty() {
            return new Source(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    public record Tag(String name, String commit, Optional<String> signer, String event) {
    }

    /** Who did something, when, and the ledger event that says so. */
    public record Fact(String actor, Instant time, String event) {
    }

    public record Sbom(String format, Optional<String> specVersion, String digest, Optional<String> reference,
                       String event) {
    }

    public record Provenance(String predicateType, String digest, Optional<String> reference, String event) {
    }

    public record Signature(String target, String result, Optional<String> identity, Optional<String> issuer,
                            Optional<String> reason, Instant time, String event) {
    }

    public record Check(String name, String result, Optional<String> summary, Optional<String> rationale,
                        Instant time, String event) {
    }

    /** A gate bypass that the gate decision {@code event} used: its request and approval events, who, why, until when. */
    public record Bypass(String gate, String request, String approval, String requester, String approver, String rationale,
                         String remediation, Optional<String> ticket, String event) {
    }

    /** A quarantined test whose failure the gate decision {@code event} did not block on. */
    public record Quarantine(String service, String test, String ticket, String until, String actor, String reason,
                             String quarantine, String event) {
    }

    public record Approval(String approver, String role, String rationale, String digest,
                           Optional<String> environment, Instant time, String event) {
    }

    public record Promotion(String environment, String digest, String actor, Instant time, boolean rollback,
                            Optional<String> incident, String event) {
    }

    public record Rollback(Optional<KnownGood> lastKnownGood, Optional<String> plan) {
        public static Rollback none() {
            return new Rollback(Optional.empty(), Optional.empty());
        }
    }

    public record KnownGood(String version, String digest) {
    }

    public record Window(Instant start, Instant end, Optional<Boolean> emergency) {
    }

    /**
     * What the release changed in its dependencies, as gate {@code deps} compared them (the last
     * {@code dependencies-compared} event): against which earlier release, every component change, the licenses new to
     * the service, and the lockfiles the scope changed with the commits that did.
     */
    public record DependencyChanges(Optional<String> baseline, Optional<String> baselineDigest, List<DependencyChange> changes,
                                    List<String> newLicenses, List<ChangedLockfile> lockfiles, List<String> notes, String event) {
        public DependencyChanges {
            changes = List.copyOf(changes);
            newLicenses = List.copyOf(newLicenses);
            lockfiles = List.copyOf(lockfiles);
            notes = List.copyOf(notes);
        }
    }

    /** {@code kind}: added, removed, upgraded, downgraded or relicensed. */
    public record DependencyChange(String kind, String name, String key, Optional<String> from, Optional<String> to,
                                   Optional<String> license) {
    }

    /** A lockfile or dependency manifest the scope changed, with the short ids of the commits that touched it. */
    public record ChangedLockfile(String path, String change, List<String> commits) {
        public ChangedLockfile {
            commits = List.copyOf(commits);
        }
    }

    public record LedgerRef(String location, Optional<String> head, List<String> events) {
        public LedgerRef {
            events = List.copyOf(events);
        }
    }
}

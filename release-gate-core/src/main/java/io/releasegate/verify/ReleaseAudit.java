package io.releasegate.verify;

import io.releasegate.approval.Identities;
import io.releasegate.approval.ReleaseAuthors;
import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.ledger.Ledger;
import io.releasegate.ledger.Verification;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.Targets;
import io.releasegate.digest.Digest;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.signing.RevokedKeys;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.StoredManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Post-release integrity, per release (APM2 steps 14 and 16): who built it, who approved which digest, what was
 * promoted where and when, and whether what the ledger recorded still verifies against the store today — the artifact
 * and every recorded signature, SBOM and provenance re-read by digest, the production tag still naming the last
 * promoted digest, and a release in production complete (signature, provenance, both SBOM formats). Reads only.
 */
public final class ReleaseAudit {

    /** An environment's tag names another digest than the one last promoted there (or none). */
    public static final String TAG_MOVED = "audit.environment-tag";
    /** A release in production lacks one of the SBOM formats. */
    public static final String SBOM_FORMAT = "audit.sbom-format-missing";
    /** A release built with a declared target that none of its subjects is. */
    public static final String TARGET_MISSING = "audit." + Targets.MISSING;
    /** A release in production signed with a certificate whose certificate was never verified. */
    public static final String CERTIFICATE_MISSING = "audit.certificate-unverified";
    /** An approval by a person who wrote or committed a change of the release. */
    public static final String AUTHOR_APPROVED = "audit.approval-by-author";

    /** A finding about {@code release}: what no longer holds, and what to do about it. */
    public record Finding(String release, Refusal refusal) {
        public String rule() {
            return refusal.rule();
        }

        /** The evidence and, after "to proceed:", the remedy. */
        public String message() {
            return refusal.evidence() + "; to proceed: " + refusal.remedy();
        }
    }

    /** What the ledger says of one release, and what no longer holds. */
    public record Report(String release, Event built, List<Event> approvals, List<Event> promotions, List<Finding> findings) {
        public Report {
            approvals = List.copyOf(approvals);
            promotions = List.copyOf(promotions);
            findings = List.copyOf(findings);
        }

        public boolean inProduction(String production) {
            return promotions.stream().anyMatch(p -> p.text("environment").orElse("").equals(production));
        }
    }

    private ReleaseAudit() {
    }

    /**
     * A report for every release with a {@code built} event among {@code believed} (events whose signatures were
     * verified) that {@code which} selects; {@code production} names the last environment; {@code authors} gives the
     * identities of the authors and committers of a release from its {@code built} event, where its history is at hand.
     */
    public static List<Report> of(ArtifactStore store, RevokedKeys revoked, List<Event> believed, Predicate<String> which,
                                  String production, Function<Event, Optional<Set<String>>> authors) {
        Map<String, List<Event>> bySubject = new LinkedHashMap<>();
        for (Event e : believed) {
            bySubject.computeIfAbsent(e.subject(), s -> new ArrayList<>()).add(e);
        }
        List<Report> reports = new ArrayList<>();
        for (Map.Entry<String, List<Event>> r : bySubject.entrySet()) {
            List<Event> events = r.getValue();
            Optional<Event> built = events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst();
            if (built.isEmpty() || built.get().digest().isEmpty() || !which.test(r.getKey())) {
                continue;
            }
            reports.add(report(store, revoked, r.getKey(), built.get(), events, production, authors));
        }
        return reports;
    }

    /** The events of {@code entries} whose signatures were verified: the only ones an audit believes. */
    public static List<Event> believed(List<Ledger.Entry> entries) {
        return entries.stream().filter(en -> en.verification() instanceof Verification.Verified).map(Ledger.Entry::event).toList();
    }

    /**
     * The identities of the authors and committers of the release {@code built} names (previous release tag to the built
     * commit), when its commit is in {@code history}; empty when there is no history or the commit is not in it.
     */
    public static Optional<Set<String>> authors(Optional<History> history, Event built) {
        Optional<String> commit = built.text("commit");
        Optional<String> version = built.text("version");
        if (history.isEmpty() || commit.isEmpty() || version.isEmpty()) {
            return Optional.empty();
        }
        try {
            history.get().resolve(commit.get());
            return Optional.of(ReleaseAuthors.of(history.get(), commit.get(), version.get()));
        } catch (InputException notHere) {
            return Optional.empty();
        }
    }

    /** A set promotion decided and not completed, which leaves some members in an environment without the others. */
    public static final String SET_INCOMPLETE = "manifest.promotion-incomplete";

    /** A release manifest's own findings: its stored document is the recorded set, and no set promotion is left half-done. */
    private static List<Finding> setFindings(ArtifactStore store, String subject, List<Event> events) {
        List<Finding> out = new ArrayList<>();
        try {
            io.releasegate.manifest.ReleaseManifest.read(store, subject, events);
        } catch (RefusedException e) {
            e.refusals().forEach(r -> out.add(new Finding(subject, r)));
        }
        io.releasegate.manifest.PromoteSet.undone(events).forEach(e -> out.add(new Finding(subject, new Refusal(SET_INCOMPLETE, "the promotion of the set " + subject + " to "
                        + e.text("environment").orElse("?") + " was decided (event " + e.id() + ", " + e.time()
                        + ") and not completed: some of its members may be there without the others",
                        "complete it: release-gate promote " + subject + " --digest " + e.digest().map(Object::toString).orElse("?")
                                + " --to " + e.text("environment").orElse("?")))));
        return out;
    }

    private static Report report(ArtifactStore store, RevokedKeys revoked, String subject, Event built, List<Event> events,
                                 String production, Function<Event, Optional<Set<String>>> authors) {
        Digest digest = built.digest().orElseThrow();
        String name = subject.substring(0, subject.lastIndexOf('@'));
        List<Event> approvals = events.stream().filter(EventType.APPROVED::is).toList();
        List<Event> promotions = events.stream().filter(EventType.PROMOTED::is).toList();
        boolean set = io.releasegate.manifest.ReleaseManifest.isManifest(built);
        // a release manifest has no signature, SBOM or provenance of its own (its members have, and are audited as releases)
        boolean inProduction = !set && promotions.stream().anyMatch(p -> p.text("environment").orElse("").equals(production));
        // in production everything is required; elsewhere what was recorded must still hold
        List<String> checks = new ArrayList<>();
        if (!set && (inProduction || events.stream().anyMatch(EventType.SIGNED::is))) {
            checks.add("signatures");
        }
        if (!set && (inProduction || events.stream().anyMatch(e -> e.type().equals(GenerateSbom.EVENT_TYPE)))) {
            checks.add("sbom");
        }
        if (!set && (inProduction || events.stream().anyMatch(EventType.PROVENANCE_GENERATED::is))) {
            checks.add("provenance");
        }
        List<Finding> findings = new ArrayList<>();
        List<Refusal> stored;
        try {
            stored = new StoredEvidence(store, name, digest, revoked).check(checks, events);
        } catch (RefusedException unreadable) {
            // content that cannot even be read back as what was recorded (a manifest changed under its digest)
            stored = unreadable.refusals();
        }
        for (Refusal f : stored) {
            findings.add(new Finding(subject, f));
        }
        if (inProduction) {
            Set<String> formats = new TreeSet<>();
            events.stream().filter(e -> e.type().equals(GenerateSbom.EVENT_TYPE)).forEach(e -> e.text("format").ifPresent(formats::add));
            for (String wanted : List.of("cyclonedx", "spdx")) {
                if (!formats.contains(wanted)) {
                    findings.add(new Finding(subject, new Refusal(SBOM_FORMAT, subject + " is in " + production + " without a "
                            + wanted + " SBOM (recorded: " + formats + ")", "generate both SBOM formats for its digest "
                            + "(release-gate sbom, format both)")));
                }
            }
        }
        if (set) {
            findings.addAll(setFindings(store, subject, events));
        }
        List<String> missingTargets = Targets.missing(built);
        if (!missingTargets.isEmpty()) {
            findings.add(new Finding(subject, new Refusal(TARGET_MISSING, subject + " is incomplete: its build (event " + built.id()
                    + ") declared the target(s) " + String.join(", ", missingTargets) + " and published no subject for them",
                    "build every target into one new version; this one cannot be promoted to " + production)));
        }
        if (inProduction) {
            certificateUnverified(subject, digest, events).ifPresent(findings::add);
        }
        authors.apply(built).ifPresent(people -> approvals.forEach(a -> {
            if (Identities.matches(a.actor(), people)) {
                findings.add(new Finding(subject, new Refusal(AUTHOR_APPROVED, a.actor() + " approved " + a.digest().map(Object::toString)
                        .orElse("?") + " (event " + a.id() + ", " + a.time() + ") but wrote or committed a change of " + subject,
                        "have the approval given again by a role holder who is not an author, and review how it was accepted")));
            }
        }));
        // each environment's tag still names the digest last promoted there
        Map<String, Event> lastPromotion = new LinkedHashMap<>();
        promotions.forEach(p -> lastPromotion.put(p.text("environment").orElse("?"), p));
        lastPromotion.forEach((env, p) -> p.text("reference").ifPresent(reference -> {
            int colon = reference.lastIndexOf(':');
            Optional<StoredManifest> tagged;
            try {
                tagged = colon < 0 ? Optional.empty() : store.fetchManifest(reference.substring(0, colon), reference.substring(colon + 1));
            } catch (RefusedException unreadable) {
                unreadable.refusals().forEach(f -> findings.add(new Finding(subject, f)));
                return;
            }
            Optional<Digest> promoted = p.digest();
            if (tagged.isEmpty() || promoted.isEmpty() || !tagged.get().digest().equals(promoted.get())) {
                findings.add(new Finding(subject, new Refusal(TAG_MOVED, reference + " names "
                        + tagged.map(m -> m.digest().toString()).orElse("nothing") + ", but the last promotion to " + env
                        + " (event " + p.id() + ") was of " + promoted.map(Object::toString).orElse("?"),
                        "find who moved the tag in the store's history, and promote the recorded digest again")));
            }
        }));
        return new Report(subject, built, approvals, promotions, findings);
    }

    /** Signed with a certificate (keyless) but the last successful verification of that digest holds no certificate. */
    private static Optional<Finding> certificateUnverified(String subject, Digest digest, List<Event> events) {
        boolean certificateSigned = events.stream().anyMatch(e -> EventType.SIGNED.is(e) && e.digest().equals(Optional.of(digest))
                && e.text("certificate").isPresent());
        if (!certificateSigned) {
            return Optional.empty();
        }
        Optional<Event> verified = events.stream().filter(e -> EventType.SIGNATURE_VERIFIED.is(e)
                && e.digest().equals(Optional.of(digest))).reduce((a, b) -> b);
        if (verified.isPresent() && verified.get().text("certificate").isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new Finding(subject, new Refusal(CERTIFICATE_MISSING, subject + " was signed with a certificate, but "
                + verified.map(v -> "its last verification (event " + v.id() + ") checked no certificate")
                .orElse("no verification of its certificate is recorded"),
                "verify its signature in certificate mode (verify --release with --certificate-identity and the trusted root)")));
    }
}

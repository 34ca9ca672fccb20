package io.releasegate.record;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.ledger.Event;
import io.releasegate.record.ReleaseRecord.Approval;
import io.releasegate.record.ReleaseRecord.Check;
import io.releasegate.record.ReleaseRecord.KnownGood;
import io.releasegate.record.ReleaseRecord.Promotion;
import io.releasegate.record.ReleaseRecord.Provenance;
import io.releasegate.record.ReleaseRecord.Sbom;
import io.releasegate.record.ReleaseRecord.Signature;
import io.releasegate.record.ReleaseRecord.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Projects the ledger onto one release: a pure function of the events, so anyone holding the ledger
 * can recompute (replay) the record. Event types and the payload fields each contributes are listed
 * in {@code docs/ledger.md}; events of other types are kept by id only.
 */
public final class ReleaseRecordProjection {

    public static final String PRODUCTION = "production";

    private ReleaseRecordProjection() {
    }

    /**
     * The record of {@code name@version}, or empty when the ledger holds no {@code built} event for it.
     *
     * @param events every event of the ledger, oldest first (other releases are needed for the
     *               rollback plan's last known-good digest)
     */
    public static Optional<ReleaseRecord> project(String name, String version, List<Event> events,
                                                  String ledgerLocation, Optional<String> head) {
        String subject = name + "@" + version;
        List<Event> mine = events.stream().filter(e -> e.subject().equals(subject)).toList();
        Optional<Event> built = mine.stream().filter(e -> EventType.BUILT.is(e)).findFirst();
        if (built.isEmpty()) {
            return Optional.empty();
        }
        Event b = built.get();
        ObjectNode bp = b.payload();
        String digest = b.digest().orElseThrow().toString();

        ReleaseRecord.Artifact artifact = new ReleaseRecord.Artifact(text(bp, "reference").orElse(name + ":" + version),
                digest, text(bp, "mediaType").orElse("application/vnd.oci.image.manifest.v1+json"),
                text(bp, "artifactType"), text(bp, "store").orElse(""));
        List<ReleaseRecord.Subject> subjects = new ArrayList<>();
        for (JsonNode s : bp.path("subjects")) {
            subjects.add(new ReleaseRecord.Subject(s.path("name").asText(), s.path("digest").asText()));
        }

        Optional<Tag> tag = Optional.empty();
        List<Sbom> sboms = new ArrayList<>();
        List<Provenance> provenance = new ArrayList<>();
        List<Signature> signatures = new ArrayList<>();
        List<Check> checks = new ArrayList<>();
        List<ReleaseRecord.Bypass> bypasses = new ArrayList<>();
        List<ReleaseRecord.Quarantine> quarantines = new ArrayList<>();
        List<Approval> approvals = new ArrayList<>();
        List<Promotion> promotions = new ArrayList<>();
        List<String> knownIssues = new ArrayList<>();
        Optional<ReleaseRecord.Window> window = Optional.empty();
        Optional<KnownGood> plannedKnownGood = Optional.empty();
        Optional<String> plan = Optional.empty();
        Optional<ReleaseRecord.DependencyChanges> dependencies = Optional.empty();
        List<String> ids = new ArrayList<>();

        for (Event e : mine) {
            ids.add(e.id());
            ObjectNode p = e.payload();
            String eventDigest = e.digest().map(Object::toString).orElse(digest);
            Optional<EventType> type = EventType.of(e.type());
            if (type.isEmpty()) {
                continue; // a type this version does not know: kept by id
            }
            switch (type.get()) {
                case TAGGED -> tag = Optional.of(new Tag(text(p, "tag").orElse("v" + version),
                        text(p, "commit").orElse(""), text(p, "signer"), e.id()));
                case SBOM_GENERATED -> sboms.add(new Sbom(text(p, "format").orElse("cyclonedx"), text(p, "specVersion"),
                        text(p, "sbomDigest").orElse(eventDigest), text(p, "reference"), e.id()));
                case PROVENANCE_GENERATED -> provenance.add(new Provenance(
                        text(p, "predicateType").orElse("https://slsa.dev/provenance/v1"),
                        text(p, "attestationDigest").orElse(eventDigest), text(p, "reference"), e.id()));
                case SIGNED, SIGNATURE_VERIFIED, SIGNATURE_FAILED -> signatures.add(new Signature(
                        text(p, "target").orElse(eventDigest),
                        switch (type.get()) {
                            case SIGNED -> "signed";
                            case SIGNATURE_VERIFIED -> "verified";
                            default -> "failed";
                        },
                        text(p, "identity"), text(p, "issuer"), text(p, "reason"), e.time(), e.id()));
                case GATE_EVALUATED, CHECK_RECORDED -> {
                    checks.add(new Check(text(p, "name").orElse(e.type()),
                            text(p, "result").orElse("fail"), text(p, "summary"), text(p, "rationale"), e.time(), e.id()));
                    for (JsonNode u : p.path("bypasses")) {
                        bypasses.add(new ReleaseRecord.Bypass(u.path("gate").asText(), u.path("request").asText(),
                                u.path("approval").asText(), u.path("requester").asText(), u.path("approver").asText(),
                                u.path("rationale").asText(), u.path("remediation").asText(), text(u, "ticket"), e.id()));
                    }
                    for (JsonNode q : p.path("quarantines")) {
                        quarantines.add(new ReleaseRecord.Quarantine(q.path("service").asText(), q.path("test").asText(),
                                q.path("ticket").asText(), q.path("until").asText(), q.path("actor").asText(),
                                q.path("reason").asText(), q.path("event").asText(), e.id()));
                    }
                }
                case APPROVED -> approvals.add(new Approval(e.actor(), text(p, "role").orElse("unspecified"),
                        text(p, "rationale").orElse(""), eventDigest, text(p, "environment"), e.time(), e.id()));
                case PROMOTED -> promotions.add(new Promotion(text(p, "environment").orElse("unknown"), eventDigest,
                        e.actor(), e.time(), p.path("rollback").asBoolean(false), text(p, "incident"), e.id()));
                case DEPENDENCIES_COMPARED -> dependencies = Optional.of(dependencies(p, e.id()));
                case KNOWN_ISSUE -> text(p, "text").ifPresent(knownIssues::add);
                case PRODUCTION_WINDOW -> window = Optional.of(new ReleaseRecord.Window(
                        Instant.parse(p.path("start").asText()), Instant.parse(p.path("end").asText()),
                        p.has("emergency") ? Optional.of(p.path("emergency").asBoolean()) : Optional.empty()));
                case ROLLBACK_PLAN -> {
                    plan = text(p, "plan");
                    if (p.path("lastKnownGood").isObject()) {
                        plannedKnownGood = Optional.of(new KnownGood(p.path("lastKnownGood").path("version").asText(),
                                p.path("lastKnownGood").path("digest").asText()));
                    }
                }
                default -> {
                    // kept by id; its facts belong to other views
                }
            }
        }

        Optional<KnownGood> knownGood = plannedKnownGood.isPresent() ? plannedKnownGood
                : lastProductionRelease(name, subject, events);
        ReleaseRecord.Source source = new ReleaseRecord.Source(text(bp, "commit"), text(bp, "repository"),
                text(bp, "ref"), tag);
        ReleaseRecord.LedgerRef ledger = new ReleaseRecord.LedgerRef(ledgerLocation, head, ids);
        return Optional.of(new ReleaseRecord(ReleaseRecord.SCHEMA, name, version, artifact, subjects, source,
                new ReleaseRecord.Fact(b.actor(), b.time(), b.id()), sboms, provenance, signatures, checks, bypasses,
                quarantines, approvals, promotions, new ReleaseRecord.Rollback(knownGood, plan), knownIssues, window, ledger, dependencies));
    }

    /** The {@code dependencies-compared} payload as the record shows it. */
    private static ReleaseRecord.DependencyChanges dependencies(ObjectNode p, String event) {
        List<ReleaseRecord.DependencyChange> changes = new ArrayList<>();
        JsonNode sbom = p.path("sbom");
        for (String kind : List.of("added", "removed", "upgraded", "downgraded", "relicensed")) {
            for (JsonNode c : sbom.path(kind)) {
                changes.add(new ReleaseRecord.DependencyChange(kind, c.path("name").asText(), c.path("key").asText(),
                        text(c, "from"), text(c, "to"), text(c, "license").or(() -> text(c, "fromLicense"))));
            }
        }
        List<String> licenses = new ArrayList<>();
        sbom.path("newLicenses").forEach(l -> licenses.add(l.asText()));
        List<ReleaseRecord.ChangedLockfile> lockfiles = new ArrayList<>();
        for (JsonNode l : p.path("lockfiles")) {
            List<String> commits = new ArrayList<>();
            l.path("commits").forEach(c -> commits.add(c.path("commit").asText()));
            lockfiles.add(new ReleaseRecord.ChangedLockfile(l.path("path").asText(), l.path("change").asText(), commits));
        }
        List<String> notes = new ArrayList<>();
        p.path("notes").forEach(n -> notes.add(n.asText()));
        return new ReleaseRecord.DependencyChanges(text(p.path("baseline"), "version"), text(p.path("baseline"), "digest"),
                changes, licenses, lockfiles, notes, event);
    }

    /** The most recent other version of {@code name} promoted to production: the rollback target. */
    private static Optional<KnownGood> lastProductionRelease(String name, String subject, List<Event> events) {
        Optional<KnownGood> last = Optional.empty();
        String prefix = name + "@";
        for (Event e : events) {
            if (EventType.PROMOTED.is(e) && e.subject().startsWith(prefix) && !e.subject().equals(subject)
                    && PRODUCTION.equals(e.payload().path("environment").asText()) && e.digest().isPresent()) {
                last = Optional.of(new KnownGood(e.subject().substring(prefix.length()), e.digest().get().toString()));
            }
        }
        return last;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() || !n.isValueNode() ? Optional.empty() : Optional.of(n.asText());
    }
}

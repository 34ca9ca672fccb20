package io.releasegate.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.ApprovalStatus;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.ChangeWindows;
import io.releasegate.policy.Policy;
import io.releasegate.progress.Progress;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.OciNames;
import io.releasegate.store.StoredManifest;
import io.releasegate.store.TagResult;
import io.releasegate.verify.StoredEvidence;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The promoteDigest step: moves one digest into the next environment. In the store the very manifest
 * (same digest, same bytes; never rebuilt) is copied to the environment's repository
 * {@code NAME/ENV} under the version's tag; in the ledger a {@code promoted} event is appended, on the
 * condition that nothing was recorded since the decision was taken (concurrent promotions serialize).
 *
 * <p>Refused, each with its own rule: a digest other than the one built for the version
 * ({@code promote.digest-mismatch}); skipping an environment ({@code promote.skip-environment}); a
 * version already in the environment with another digest ({@code promote.version-conflict}); missing
 * or failed evidence the environment requires ({@code promote.evidence-*}); production without the
 * approvals ({@code promote.approvals}); outside the change windows without a complete emergency record
 * ({@code window.*}, {@code emergency.incomplete}); the last environment for a release built by a pipeline library
 * loaded from a moving ref ({@code promote.library-unpinned}, unless the policy allows it). A rollback promotes a digest that was promoted to the
 * environment before, with an incident reference, and is recorded as a rollback.
 */
public final class PromoteDigest {

    public static final String PROMOTED = "promoted";
    public static final String EMERGENCY = "emergency-change";

    /** What happened. */
    public record Result(String environment, Digest digest, String reference, boolean rollback, boolean alreadyThere,
                         String eventId) {
    }

    private final Policy policy;
    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private Digest digest;
    private String environment;
    private String actor;
    private Optional<EmergencyChange> emergency = Optional.empty();
    private Optional<String> rollbackIncident = Optional.empty();
    private Clock clock = Clock.systemUTC();

    public PromoteDigest(Policy policy, ArtifactStore store, Ledger ledger) {
        this.policy = Objects.requireNonNull(policy);
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public PromoteDigest release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    public PromoteDigest digest(Digest value) {
        this.digest = value;
        return this;
    }

    public PromoteDigest to(String value) {
        this.environment = value;
        return this;
    }

    public PromoteDigest actor(String value) {
        this.actor = value;
        return this;
    }

    public PromoteDigest emergency(Optional<EmergencyChange> value) {
        this.emergency = Objects.requireNonNull(value);
        return this;
    }

    /** A rollback to this (previously promoted) digest, for this incident. */
    public PromoteDigest rollback(Optional<String> incident) {
        this.rollbackIncident = Objects.requireNonNull(incident);
        return this;
    }

    public PromoteDigest clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || version == null || digest == null || environment == null || actor == null || actor.isBlank()) {
            throw new InputException("promote needs the release (name@version), the digest, the target environment and the actor");
        }
        Policy.Environment target = policy.environment(environment).orElseThrow(() -> new InputException(
                "unknown environment '" + environment + "'; the policy has "
                        + policy.environments().stream().map(Policy.Environment::name).toList()));
        if (rollbackIncident.isPresent() && rollbackIncident.get().isBlank()) {
            throw new InputException("a rollback needs an incident reference");
        }
        String subject = name + "@" + version;
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<String> head = ledger.head();
            List<Event> events = ledger.events(subject);
            Decision d = decide(target, subject, events);
            if (d.alreadyThere()) {
                ensureInStore();
                return new Result(environment, digest, envReference(), false, true, d.existing().orElseThrow().id());
            }
            // what the decision rests on, re-read from the store: for a rollback the artifact, otherwise its evidence too
            new StoredEvidence(store, name, digest).require(rollbackIncident.isPresent() ? List.of() : target.requires(), events);
            String reference = ensureInStore();
            Optional<Event> emergencyEvent = Optional.empty();
            if (d.emergencyNeeded()) {
                EmergencyChange e = emergency.orElseThrow();
                ObjectNode p = Json.object().put("environment", environment).put("reason", e.reason())
                        .put("approver", e.approver()).put("scope", e.scope()).put("rollbackPlan", e.rollbackPlan())
                        .put("reviewDue", clock.instant().plus(Duration.ofDays(policy.emergency().reviewWithinDays())).toString());
                e.followUps().forEach(f -> p.withArray("followUps").add(f));
                emergencyEvent = ledger.appendIfHead(Event.draft(EMERGENCY, subject, Optional.of(digest), actor,
                        clock.instant(), p), head);
                if (emergencyEvent.isEmpty()) {
                    continue;
                }
                head = Optional.of(emergencyEvent.get().id());
            }
            ObjectNode payload = Json.object().put("environment", environment).put("reference", reference)
                    .put("rollback", rollbackIncident.isPresent());
            rollbackIncident.ifPresent(i -> payload.put("incident", i));
            emergencyEvent.ifPresent(e -> payload.put("emergency", e.id()));
            Optional<Event> promoted = ledger.appendIfHead(Event.draft(PROMOTED, subject, Optional.of(digest), actor,
                    clock.instant(), payload), head);
            if (promoted.isPresent()) {
                return new Result(environment, digest, reference, rollbackIncident.isPresent(), false, promoted.get().id());
            }
            // someone recorded something meanwhile: decide again on the new history
        }
        throw new InputException("the ledger is too busy: the promotion lost the race 20 times; try again");
    }

    private record Decision(boolean alreadyThere, Optional<Event> existing, boolean emergencyNeeded) {
    }

    private Decision decide(Policy.Environment target, String subject, List<Event> events) {
        List<Refusal> refusals = new ArrayList<>();
        Event built = events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new RefusedException(new Refusal("promote.evidence-built",
                        "the ledger has no 'built' event for " + subject, "build it with buildOnce first")));
        Digest builtDigest = built.digest().orElseThrow();
        if (!builtDigest.equals(digest)) {
            throw new RefusedException(new Refusal("promote.digest-mismatch",
                    "promoting " + digest + " but " + subject + " was built as " + builtDigest,
                    "promote the digest that was built; a rebuild is a new version"));
        }
        List<Event> inTarget = events.stream().filter(e -> e.type().equals(PROMOTED)
                && e.text("environment").orElse("").equals(environment)).toList();
        Optional<Event> sameDigest = inTarget.stream().filter(e -> e.digest().equals(Optional.of(digest))).findFirst();
        Optional<Event> otherDigest = inTarget.stream().filter(e -> !e.digest().equals(Optional.of(digest))).findFirst();
        if (otherDigest.isPresent()) {
            throw new RefusedException(new Refusal("promote.version-conflict", subject + " is already in " + environment
                    + " as " + otherDigest.get().digest().map(Object::toString).orElse("?"), "a version names one digest"));
        }
        if (rollbackIncident.isPresent()) {
            if (sameDigest.isEmpty()) {
                throw new RefusedException(new Refusal("promote.rollback-known-good", digest + " of " + subject
                        + " was never promoted to " + environment + ", so it is not a known-good release there",
                        "roll back to a digest that ran in " + environment + " before"));
            }
            return new Decision(false, Optional.empty(), false);
        }
        if (sameDigest.isPresent()) {
            return new Decision(true, sameDigest, false);
        }
        Optional<Policy.Environment> previous = policy.previous(environment);
        if (previous.isPresent() && events.stream().noneMatch(e -> e.type().equals(PROMOTED)
                && e.text("environment").orElse("").equals(previous.get().name()) && e.digest().equals(Optional.of(digest)))) {
            refusals.add(new Refusal("promote.skip-environment", digest + " of " + subject + " was never promoted to "
                    + previous.get().name() + ", which comes before " + environment,
                    "promote it to " + previous.get().name() + " first"));
        }
        boolean emergencyNeeded = false;
        for (String req : target.requires()) {
            switch (req) {
                case "built" -> {
                    // checked above
                }
                case "signatures" -> latest(events, List.of("signature-verified", "signature-failed")).ifPresentOrElse(e -> {
                    if (e.type().equals("signature-failed")) {
                        refusals.add(new Refusal("promote.evidence-signatures", "the last signature verification of "
                                + digest + " failed: " + e.text("reason").orElse("?"), "sign it and verify again"));
                    }
                }, () -> refusals.add(new Refusal("promote.evidence-signatures", "no verified signature of " + digest,
                        "sign the artifact and run verifySignatures before promoting")));
                case "sbom" -> require(events, "sbom-generated", refusals, "promote.evidence-sbom", "no SBOM of " + digest,
                        "generate the SBOM (generateSbom)");
                case "provenance" -> {
                    require(events, "provenance-generated", refusals, "promote.evidence-provenance",
                            "no provenance of " + digest, "generate and sign the provenance");
                    if (isLast(target)) {
                        // the library that built it: production takes only a pinned one, unless the policy allows otherwise
                        latest(events, List.of("provenance-generated")).filter(e -> e.payload().has("libraryVersion"))
                                .flatMap(e -> io.releasegate.provenance.LibraryRef.check(policy, e.text("libraryName").orElse("?"),
                                        e.text("libraryVersion").orElse("")))
                                .ifPresent(refusals::add);
                    }
                    latest(events, List.of("attestation-verified", "attestation-failed")).filter(e -> e.type().equals("attestation-failed"))
                            .ifPresent(e -> refusals.add(new Refusal("promote.evidence-provenance", "the last verification of the provenance of "
                                    + digest + " failed: " + e.text("reason").orElse("?"), "generate the provenance again and verify it")));
                }
                case "gates" -> latest(events, List.of("gate-evaluated")).ifPresentOrElse(e -> {
                    if (!e.text("result").orElse("fail").equals("pass")) {
                        refusals.add(new Refusal("promote.evidence-gates", "the gates of " + digest + " failed ("
                                + e.text("summary").orElse("see event " + e.id()) + ")", "fix or waive the findings, then gate again"));
                    }
                }, () -> refusals.add(new Refusal("promote.evidence-gates", "no gate decision for " + digest,
                        "run the gates (release-gate gate)")));
                case "approvals" -> {
                    ApprovalStatus status = ApprovalStatus.of(policy, events, digest, environment);
                    if (!status.satisfied()) {
                        refusals.add(new Refusal("promote.approvals", environment + " needs " + policy.approvals().count()
                                + " approvals covering " + policy.approvals().roles() + "; " + digest + " has "
                                + status.describe(), "gather the approvals (approveProduction)"));
                    }
                }
                case "window" -> {
                    Optional<Refusal> outside = ChangeWindows.check(policy, environment, clock.instant());
                    if (outside.isPresent()) {
                        if (emergency.isEmpty()) {
                            refusals.add(outside.get());
                        } else {
                            List<String> missing = emergency.get().missing(policy.emergency().requires());
                            if (!missing.isEmpty()) {
                                refusals.add(new Refusal("emergency.incomplete", "the emergency record lacks " + missing,
                                        "complete the emergency record: " + policy.emergency().requires()));
                            } else {
                                emergencyNeeded = true;
                            }
                        }
                    }
                }
                default -> throw new IllegalStateException("unknown evidence " + req);
            }
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        return new Decision(false, Optional.empty(), emergencyNeeded);
    }

    private boolean isLast(Policy.Environment target) {
        return policy.environments().get(policy.environments().size() - 1).name().equals(target.name());
    }

    private Optional<Event> latest(List<Event> events, List<String> types) {
        Optional<Event> last = Optional.empty();
        for (Event e : events) {
            if (types.contains(e.type()) && e.digest().equals(Optional.of(digest))) {
                last = Optional.of(e);
            }
        }
        return last;
    }

    private void require(List<Event> events, String type, List<Refusal> refusals, String rule, String evidence, String remedy) {
        if (latest(events, List.of(type)).isEmpty()) {
            refusals.add(new Refusal(rule, evidence, remedy));
        }
    }

    private String envRepository() {
        return OciNames.repository(name + "/" + environment);
    }

    private String envReference() {
        return envRepository() + ":" + OciNames.tagForVersion(version);
    }

    /**
     * The same manifest (by digest) in NAME/ENV:VERSION, its blobs copied over first. A registry under
     * concurrent uploads of the same blob can briefly deny knowing it: the copy is then retried.
     */
    private String ensureInStore() {
        for (int attempt = 1; ; attempt++) {
            try {
                return copyToEnvironment();
            } catch (InputException e) {
                if (attempt >= 5 || e.getMessage() == null || !e.getMessage().contains("BLOB_UNKNOWN")) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private String copyToEnvironment() {
        String tag = OciNames.tagForVersion(version);
        StoredManifest m = store.fetchManifest(name, digest.toString()).orElseThrow(() -> new InputException(
                "store " + store.location() + " has no manifest " + digest + " for " + name));
        try {
            JsonNode doc = Json.mapper().readTree(m.bytes());
            List<JsonNode> blobs = new ArrayList<>();
            if (doc.has("config")) {
                blobs.add(doc.get("config"));
            }
            doc.path("layers").forEach(blobs::add);
            for (JsonNode b : blobs) {
                Digest d = Digest.parse(b.path("digest").asText());
                if (!store.hasBlob(envRepository(), d)) {
                    Path tmp = Files.createTempFile("release-gate-blob", ".tmp");
                    try {
                        try (InputStream in = store.openBlob(name, d)) {
                            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        }
                        store.pushBlob(envRepository(), d, Files.size(tmp), tmp, Progress.NONE);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot copy " + digest + " to " + envRepository() + ": " + e.getMessage(), e);
        }
        TagResult r = store.pushManifest(envRepository(), Optional.of(tag), m.mediaType(), m.bytes());
        if (r instanceof TagResult.Conflict c && rollbackIncident.isEmpty()) {
            throw new RefusedException(new Refusal("promote.version-conflict", envRepository() + ":" + tag + " already names "
                    + c.existing(), "a version names one digest"));
        }
        return envRepository() + ":" + tag;
    }
}

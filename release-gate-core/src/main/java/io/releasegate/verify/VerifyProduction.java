package io.releasegate.verify;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.OciNames;
import io.releasegate.store.StoredManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * verify-production: the digest tagged for production ({@code NAME/production:VERSION}) is the digest
 * last promoted there; the configured smoke and monitoring checks (shell commands, each with a
 * timeout, given the digest in {@code $RELEASE_DIGEST}) pass; the previous known-good digest is still
 * in the store, so a rollback is possible without a rebuild. Records a {@code production-verified}
 * event either way.
 */
public final class VerifyProduction {

    public static final String EVENT_TYPE = EventType.PRODUCTION_VERIFIED.wire();
    public static final String PRODUCTION = "production";

    public record CheckResult(String name, boolean ok, int exitCode, String output) {
    }

    public record Result(boolean ok, Digest promoted, Optional<Digest> tagged, List<CheckResult> checks,
                         Optional<String> knownGood, boolean rollbackReady, List<String> problems, String eventId) {
        public Result {
            checks = List.copyOf(checks);
            problems = List.copyOf(problems);
        }
    }

    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private final Map<String, String> checks = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(60);
    private Path workdir = Path.of(".");
    private String environment = PRODUCTION;
    private String actor = "ci";
    private Clock clock = Clock.systemUTC();

    public VerifyProduction(ArtifactStore store, Ledger ledger) {
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public VerifyProduction release(String n, String v) {
        this.name = n;
        this.version = v;
        return this;
    }

    /** A smoke or monitoring check: a name and a shell command. */
    public VerifyProduction check(String checkName, String command) {
        checks.put(checkName, command);
        return this;
    }

    /**
     * The environment verified: production (the default) or one of its rollout stages ({@code production-canary}): the
     * digest tagged there must be the one last promoted there. Only production's verification makes a digest
     * known-good ({@link io.releasegate.promotion.KnownGood}); a stage's is recorded with its environment.
     */
    public VerifyProduction environment(String value) {
        this.environment = Objects.requireNonNull(value);
        return this;
    }

    public VerifyProduction timeout(Duration value) {
        this.timeout = Objects.requireNonNull(value);
        return this;
    }

    public VerifyProduction workdir(Path value) {
        this.workdir = Objects.requireNonNull(value);
        return this;
    }

    public VerifyProduction actor(String value) {
        this.actor = value;
        return this;
    }

    public VerifyProduction clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        String subject = name + "@" + version;
        List<Event> all = ledger.events();
        Event promoted = null;
        for (Event e : all) {
            if (e.subject().equals(subject) && e.type().equals(PromoteDigest.PROMOTED)
                    && e.text("environment").orElse("").equals(environment)) {
                promoted = e;
            }
        }
        if (promoted == null) {
            throw new InputException(subject + " was never promoted to " + environment + "; nothing to verify");
        }
        Digest expected = promoted.digest().orElseThrow();
        List<String> problems = new ArrayList<>();
        String repo = OciNames.repository(name + "/" + environment);
        String productionRepo = OciNames.repository(name + "/" + PRODUCTION);
        Optional<Digest> tagged = Optional.empty();
        try {
            tagged = store.fetchManifest(repo, OciNames.tagForVersion(version)).map(StoredManifest::digest);
            if (tagged.isEmpty()) {
                problems.add("nothing is tagged " + repo + ":" + version + " in " + store.location());
            } else if (!tagged.get().equals(expected)) {
                problems.add(repo + ":" + version + " is " + tagged.get() + " but the promoted digest is " + expected);
            }
        } catch (RefusedException e) {
            e.refusals().forEach(r -> problems.add(r.rule() + ": " + r.evidence()));
        }
        // what runs is the promoted artifact only if its bytes and its evidence are still those that were verified
        List<Event> history = ledger.events(subject);
        List<String> recorded = new ArrayList<>();
        if (history.stream().anyMatch(e -> EventType.SIGNATURE_VERIFIED.is(e) || EventType.SIGNATURE_FAILED.is(e))) {
            recorded.add("signatures");
        }
        if (history.stream().anyMatch(e -> EventType.SBOM_GENERATED.is(e))) {
            recorded.add("sbom");
        }
        if (history.stream().anyMatch(e -> EventType.PROVENANCE_GENERATED.is(e))) {
            recorded.add("provenance");
        }
        new StoredEvidence(store, name, expected, ledger.trust().revoked()).check(recorded, history).forEach(r -> problems.add(r.rule() + ": " + r.evidence()));
        List<CheckResult> results = new ArrayList<>();
        for (Map.Entry<String, String> c : checks.entrySet()) {
            CheckResult r = run(c.getKey(), c.getValue(), expected);
            results.add(r);
            if (!r.ok()) {
                problems.add("check " + r.name() + " failed (exit " + r.exitCode() + ")");
            }
        }
        // rollback readiness: the last other version that ran in production, still in the store
        Optional<Event> knownGood = Optional.empty();
        for (Event e : all) {
            if (!e.subject().equals(subject) && e.subject().startsWith(name + "@") && e.type().equals(PromoteDigest.PROMOTED)
                    && e.text("environment").orElse("").equals(PRODUCTION)) {
                knownGood = Optional.of(e);
            }
        }
        boolean ready;
        try {
            ready = knownGood.isEmpty() || knownGood.flatMap(Event::digest)
                    .flatMap(d -> store.fetchManifest(productionRepo, d.toString())).isPresent();
        } catch (RefusedException e) {
            ready = false;
        }
        if (!ready) {
            problems.add("the known-good " + knownGood.get().subject() + " (" + knownGood.get().digest().orElseThrow()
                    + ") is no longer in the store: a rollback would need a rebuild");
        }
        boolean ok = problems.isEmpty();
        ObjectNode p = Json.object().put("result", ok ? "pass" : "fail").put("promoted", expected.toString());
        if (!environment.equals(PRODUCTION)) {
            p.put("environment", environment);
        }
        tagged.ifPresent(t -> p.put("tagged", t.toString()));
        ArrayNode cs = p.putArray("checks");
        results.forEach(r -> cs.addObject().put("name", r.name()).put("ok", r.ok()).put("exitCode", r.exitCode()));
        knownGood.ifPresent(k -> p.put("knownGood", k.subject() + " " + k.digest().orElseThrow()));
        p.put("rollbackReady", ready);
        problems.forEach(pr -> p.withArray("problems").add(pr));
        Event e = ledger.append(Event.draft(EVENT_TYPE, subject, Optional.of(expected), actor, clock.instant(), p));
        return new Result(ok, expected, tagged, results, knownGood.map(k -> k.subject() + " " + k.digest().orElseThrow()),
                ready, problems, e.id());
    }

    private CheckResult run(String checkName, String command, Digest digest) {
        CheckCommand.Outcome o = CheckCommand.run(List.of("sh", "-c", command), workdir,
                Map.of("RELEASE_DIGEST", digest.toString()), timeout);
        return new CheckResult(checkName, o.ok(), o.exitCode(), o.output());
    }
}

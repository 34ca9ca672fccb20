package io.releasegate.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A ledger written the way the pipeline writes it, with times chosen so that every metric has a known answer: releases
 * follow one standard path (built, gates passed 1 h later, staging 3 h after the build, approvals at 24 h and 30 h,
 * production at 49 h), unless a release says otherwise.
 */
public final class Scenario {

    /** The standard path's offsets from the build. */
    public static final Duration GATES = Duration.ofHours(1);
    public static final Duration STAGING = Duration.ofHours(3);
    public static final Duration APPROVAL_1 = Duration.ofHours(24);
    public static final Duration APPROVAL_2 = Duration.ofHours(30);
    public static final Duration PRODUCTION = Duration.ofHours(49);

    private final List<Event> events = new ArrayList<>();
    private int next;

    public static Instant at(String time) {
        return Instant.parse("2026-" + time + ":00Z");
    }

    public static Digest digest(String subject) {
        try {
            return Digest.sha256(MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Event> events() {
        List<Event> out = new ArrayList<>(events);
        out.sort(Comparator.comparing(Event::time));
        return out;
    }

    public Event add(String type, String subject, Optional<Digest> digest, String actor, Instant time, ObjectNode payload) {
        Event e = new Event(String.format("%040x", ++next), type, subject, digest, actor, time, payload);
        events.add(e);
        return e;
    }

    /** A release on the standard path with all its evidence; the production promotion's time. */
    public Instant release(String name, String version, Instant built, String commit) {
        return release(name, version, built, commit, Set.of("cyclonedx", "spdx", "provenance", "signed"));
    }

    public Instant release(String name, String version, Instant built, String commit, Set<String> evidence) {
        String s = name + "@" + version;
        Optional<Digest> d = Optional.of(digest(s));
        built(name, version, built, commit, evidence);
        gates(s, built.plus(GATES), true, Json.mapper().createArrayNode());
        add("promoted", s, d, "ci", built.plus(Duration.ofMinutes(90)), Json.object().put("environment", "dev")
                .put("reference", name + "/dev:" + version).put("rollback", false));
        add("promoted", s, d, "ci", built.plus(STAGING), Json.object().put("environment", "staging")
                .put("reference", name + "/staging:" + version).put("rollback", false));
        add("approved", s, d, "mia", built.plus(APPROVAL_1), Json.object().put("role", "maintainer")
                .put("rationale", "tests green").put("environment", "production").put("version", version));
        add("approved", s, d, "dora", built.plus(APPROVAL_2), Json.object().put("role", "domain-reviewer")
                .put("rationale", "reviewed").put("environment", "production").put("version", version));
        return production(s, built.plus(PRODUCTION), Optional.empty());
    }

    public void built(String name, String version, Instant at, String commit, Set<String> evidence) {
        String s = name + "@" + version;
        Optional<Digest> d = Optional.of(digest(s));
        add("built", s, d, "ci", at, Json.object().put("name", name).put("version", version).put("reference", name + ":" + version)
                .put("commit", commit));
        Instant t = at.plusSeconds(60);
        for (String format : List.of("cyclonedx", "spdx")) {
            if (evidence.contains(format)) {
                add("sbom-generated", s, d, "ci", t, Json.object().put("format", format));
            }
        }
        if (evidence.contains("provenance")) {
            add("provenance-generated", s, d, "ci", t, Json.object().put("predicateType", "https://slsa.dev/provenance/v1"));
        }
        if (evidence.contains("signed")) {
            add("signed", s, d, "ci", t, Json.object().put("target", s));
        }
    }

    public void gates(String subject, Instant at, boolean pass, ArrayNode findings) {
        ObjectNode p = Json.object().put("name", "gates").put("result", pass ? "pass" : "fail").put("environment", "production");
        p.set("findings", findings);
        add("gate-evaluated", subject, Optional.of(digest(subject)), "ci", at, p);
    }

    public static ObjectNode finding(ArrayNode into, String id, String severity, String disposition, String reason) {
        return into.addObject().put("id", id).put("gate", "dependency").put("severity", severity).put("disposition", disposition)
                .put("reason", reason);
    }

    public Instant production(String subject, Instant at, Optional<String> emergency) {
        ObjectNode p = Json.object().put("environment", "production").put("reference", subject.replace("@", "/production:"))
                .put("rollback", false);
        emergency.ifPresent(e -> p.put("emergency", e));
        add("promoted", subject, Optional.of(digest(subject)), "ci", at, p);
        return at;
    }

    public void rollback(String toSubject, Instant at, String incident) {
        add("promoted", toSubject, Optional.of(digest(toSubject)), "ci", at, Json.object().put("environment", "production")
                .put("reference", toSubject.replace("@", "/production:")).put("rollback", true).put("incident", incident));
    }

    public void halt(Instant at, String incident, Optional<String> severity) {
        ObjectNode p = Json.object().put("reason", "errors in checkout").put("incident", incident);
        severity.ifPresent(s -> p.put("severity", s));
        add("halted", "release-gate:halt", Optional.empty(), "rm", at, p);
    }

    public void run(String name, String branch, String result, Instant at, Optional<String> commit) {
        PipelineRun r = new PipelineRun(name, branch, PipelineRun.Result.parse(result), 600_000).commit(commit);
        add(PipelineRun.EVENT_TYPE, PipelineRun.SUBJECT_PREFIX + name, Optional.empty(), "ci", at, r.payload());
    }

    /**
     * Two services over January to April 2026 (April: no deployment at all; February: none of ledger-api), with a
     * rollback after a halt, a hotfix, an emergency change, a rollback without a halt, a halt that stays open, gate
     * findings with a used and an expired exception, and CI runs on main, a release and a hotfix branch.
     * {@code hotfixRun}: whether the hotfix's pipeline run (on its hotfix branch) is recorded.
     */
    public static Scenario standard(boolean hotfixRun) {
        Scenario s = new Scenario();
        // payments
        s.release("payments", "1.0.0", at("01-05T09:00"), "c100");
        s.release("payments", "1.1.0", at("01-20T09:00"), "c110");
        ArrayNode failing = Json.mapper().createArrayNode();
        finding(failing, "CVE-2026-0001", "high", "blocking", "high at or above high; exception EX-9 expired on 2026-01-01");
        s.gates("payments@1.1.0", at("01-20T09:30"), false, failing);
        // the standard path's passing evaluation at 10:00 gets its findings from a second one at the same time
        ArrayNode passing = Json.mapper().createArrayNode();
        finding(passing, "CVE-2026-0002", "medium", "below-threshold", "medium is below the blocking threshold high");
        finding(passing, "CVE-2026-0003", "critical", "waived", "waived by exception EX-1");
        s.gates("payments@1.1.0", at("01-20T10:00"), true, passing);
        s.halt(at("01-23T08:00"), "INC-1", Optional.of("sev2"));
        s.rollback("payments@1.0.0", at("01-23T09:30"), "INC-1");
        s.release("payments", "1.1.1", at("01-23T10:00"), "c111");
        if (hotfixRun) {
            s.run("payments", "hotfix/1.1.1-PAY-9", "SUCCESS", at("01-23T10:30"), Optional.of("c111"));
        }
        s.release("payments", "1.2.0", at("02-08T09:00"), "c120");
        // an emergency change: no staging, an emergency approval, production 3 h after the build; only a CycloneDX SBOM
        s.built("payments", "1.3.0", at("02-12T09:00"), "c130", Set.of("cyclonedx"));
        Optional<Digest> d130 = Optional.of(digest("payments@1.3.0"));
        s.gates("payments@1.3.0", at("02-12T10:00"), true, Json.mapper().createArrayNode());
        Event approved = s.add("emergency-approved", "payments@1.3.0", d130, "mia", at("02-12T11:00"),
                Json.object().put("environment", "production").put("reason", "card outage"));
        Event change = s.add("emergency-change", "payments@1.3.0", d130, "ci", at("02-12T12:00"),
                Json.object().put("environment", "production").put("approval", approved.id()));
        s.production("payments@1.3.0", at("02-12T12:00"), Optional.of(change.id()));
        s.release("payments", "1.4.0", at("03-27T09:00"), "c140");
        // ledger-api
        s.release("ledger-api", "2.0.0", at("01-13T09:00"), "c200");
        s.release("ledger-api", "2.1.0", at("03-01T09:00"), "c210");
        s.rollback("ledger-api@2.0.0", at("03-04T12:00"), "INC-2");
        s.halt(at("03-10T08:00"), "INC-3", Optional.empty());
        // CI
        for (String t : List.of("01-06T10:00", "01-07T10:00", "01-08T10:00")) {
            s.run("payments", "main", "SUCCESS", at(t), Optional.empty());
        }
        s.run("payments", "main", "FAILURE", at("01-09T10:00"), Optional.empty());
        s.run("payments", "main", "SUCCESS", at("02-03T10:00"), Optional.empty());
        s.run("payments", "main", "UNSTABLE", at("02-04T10:00"), Optional.empty());
        s.run("payments", "main", "ABORTED", at("02-05T10:00"), Optional.empty());
        s.run("payments", "release/1.1", "SUCCESS", at("01-21T10:00"), Optional.empty());
        s.run("payments", "release/1.1", "FAILURE", at("01-21T11:00"), Optional.empty());
        s.run("ledger-api", "main", "SUCCESS", at("03-01T08:00"), Optional.empty());
        s.run("ledger-api", "main", "SUCCESS", at("03-02T08:00"), Optional.empty());
        return s;
    }
}

package io.releasegate.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.promotion.ReleaseHalt;
import io.releasegate.version.SemVer;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Delivery health from the ledger alone (plus, for lead time, the git history of the repositories at hand): the four
 * DORA metrics — deployment frequency, lead time for changes, change failure rate, time to restore — per service and
 * overall, the CI pass rate per branch, gate outcomes, SBOM and provenance availability per production release, and
 * what lead time is made of, for a period of whole months (UTC) and for each of its months. A pure function of the
 * believed events: the same events give the same report. Every definition is in {@code docs/report.md}.
 *
 * <pre>{@code
 * ObjectNode report = DeliveryReport.of(believedEvents, DeliveryReport.Options.months(from, to), CommitTimes.of(histories)).json();
 * }</pre>
 */
public final class DeliveryReport {

    /** The {@code schema} of the JSON document, also the {@code $id} of its JSON schema. */
    public static final String SCHEMA = "https://releasegate.io/schemas/delivery-report/v1";
    /** Where that JSON schema is on the classpath. */
    public static final String SCHEMA_RESOURCE = "/io/releasegate/schemas/delivery-report-v1.schema.json";
    /** The stages lead time is split into, in the order a release goes through them. */
    public static final List<String> STAGES = List.of("development", "buildTest", "stabilization", "waitingForApproval",
            "releaseWindow");

    private static final Pattern WAIVED = Pattern.compile("waived by exception (\\S+)");
    private static final Pattern EXPIRED = Pattern.compile("exception (\\S+) (?:expired on|was due for review on)");

    /**
     * What the report covers and how it reads the events.
     *
     * @param from          the first month (UTC)
     * @param to            the last month (UTC), not before {@code from}
     * @param production    the production environment's name (the last environment of the policy)
     * @param preProduction the environment before production (staging): entering it starts the wait for approval
     * @param hotfixDays    a patch release of a service that reaches production within this many days of the previous one
     *                      is a hotfix
     */
    public record Options(YearMonth from, YearMonth to, String production, Optional<String> preProduction, int hotfixDays) {
        public Options {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(production, "production");
            Objects.requireNonNull(preProduction, "preProduction");
            if (to.isBefore(from)) {
                throw new InputException("the report's period ends (" + to + ") before it starts (" + from + ")");
            }
            if (hotfixDays < 0) {
                throw new InputException("the hotfix window must be 0 days or more, not " + hotfixDays);
            }
            if (from.until(to, java.time.temporal.ChronoUnit.MONTHS) >= 1200) {
                throw new InputException("the report's period is at most 100 years (" + from + " to " + to + ")");
            }
        }

        /** {@code from} to {@code to} with the default environments (staging, production) and a 7-day hotfix window. */
        public static Options months(YearMonth from, YearMonth to) {
            return new Options(from, to, "production", Optional.of("staging"), 7);
        }

        public Options environments(String prod, Optional<String> before) {
            return new Options(from, to, prod, before, hotfixDays);
        }

        public Options hotfixDays(int days) {
            return new Options(from, to, production, preProduction, days);
        }

        List<YearMonth> monthList() {
            List<YearMonth> out = new ArrayList<>();
            for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
                out.add(m);
            }
            return out;
        }

        boolean covers(Instant t) {
            YearMonth m = month(t);
            return !m.isBefore(from) && !m.isAfter(to);
        }
    }

    /** {@code YYYY-MM}, strictly: anything else (2026-13, 2026-1) is an input error naming {@code what}. */
    public static YearMonth parseMonth(String text, String what) {
        if (text == null || !text.matches("\\d{4}-\\d{2}")) {
            throw new InputException(what + " must be a month YYYY-MM, not '" + text + "'");
        }
        try {
            return YearMonth.parse(text);
        } catch (DateTimeParseException e) {
            throw new InputException(what + " must be a month YYYY-MM, not '" + text + "' (" + e.getMessage() + ")");
        }
    }

    /** Every month from the oldest to the newest event (UTC); the current month when there are none. */
    public static Options span(List<Event> events, java.time.Clock clock) {
        if (events.isEmpty()) {
            YearMonth now = month(clock.instant());
            return Options.months(now, now);
        }
        Instant min = events.stream().map(Event::time).min(Instant::compareTo).orElseThrow();
        Instant max = events.stream().map(Event::time).max(Instant::compareTo).orElseThrow();
        return Options.months(month(min), month(max));
    }

    static YearMonth month(Instant t) {
        return YearMonth.from(t.atOffset(ZoneOffset.UTC));
    }

    /** A production promotion and what the report found about it. */
    public record Deployment(String event, String service, String version, String subject, String digest, Instant time,
                             boolean rollback, Optional<String> incident, boolean hotfix, boolean emergency,
                             List<String> failure, Optional<LeadTime> leadTime, Evidence evidence) {
        public Deployment {
            failure = List.copyOf(failure);
        }

        Deployment failure(List<String> why) {
            return new Deployment(event, service, version, subject, digest, time, rollback, incident, hotfix, emergency, why,
                    leadTime, evidence);
        }

        public boolean failed() {
            return !failure.isEmpty();
        }
    }

    /** Lead time of one production release: its total, where it was measured from, and its stages. */
    public record LeadTime(Duration total, String from, Map<String, Duration> stages) {
    }

    /** The evidence recorded for a release by the time it reached production (policy 003 §1.7.3). */
    public record Evidence(boolean cyclonedx, boolean spdx, boolean provenance, boolean signature) {
        public boolean complete() {
            return cyclonedx && spdx && provenance && signature;
        }
    }

    /** An incident: from its start to the production promotion that restored the service, if one did. */
    public record Incident(String id, String service, Instant start, String startedBy, Optional<String> severity,
                           Optional<Instant> restored, Optional<String> restoredBy) {
        public Optional<Duration> timeToRestore() {
            return restored.map(r -> Duration.between(start, r));
        }
    }

    /** One recorded pipeline run. */
    record Run(String service, String branch, String branchClass, boolean counted, boolean passed, Instant time) {
    }

    /** One finding of one gate evaluation. */
    record GateFinding(String service, String subject, String id, String severity, String disposition, String reason,
                       Instant time) {
    }

    /** One gate evaluation. */
    record Evaluation(String service, String subject, boolean pass, Instant time, List<GateFinding> findings) {
    }

    /** A blocking finding of a service, from when it was first seen blocking to when it was gone, if it went. */
    record Blocking(String service, String id, Instant first, Optional<Instant> remediated) {
    }

    private final Options options;
    private final List<Deployment> deployments;
    private final List<Incident> incidents;
    private final List<Run> runs;
    private final List<Evaluation> evaluations;
    private final List<Blocking> blockings;
    private final int events;
    private final Map<YearMonth, List<Deployment>> deploymentsByMonth;
    private final Map<YearMonth, List<Incident>> incidentsByMonth;
    private final Map<YearMonth, List<Run>> runsByMonth;

    private DeliveryReport(Options options, List<Deployment> deployments, List<Incident> incidents, List<Run> runs,
                           List<Evaluation> evaluations, List<Blocking> blockings, int events) {
        this.options = options;
        this.deployments = deployments;
        this.incidents = incidents;
        this.runs = runs;
        this.evaluations = evaluations;
        this.blockings = blockings;
        this.events = events;
        this.deploymentsByMonth = byMonth(deployments, Deployment::time);
        this.incidentsByMonth = byMonth(incidents, Incident::start);
        this.runsByMonth = byMonth(runs, Run::time);
    }

    /** The items of each month, in their order: the monthly trend reads only its month's, not every item per month. */
    private static <T> Map<YearMonth, List<T>> byMonth(List<T> items, java.util.function.Function<T, Instant> time) {
        Map<YearMonth, List<T>> out = new HashMap<>();
        for (T item : items) {
            out.computeIfAbsent(month(time.apply(item)), m -> new ArrayList<>()).add(item);
        }
        return out;
    }

    public List<Deployment> deployments() {
        return deployments;
    }

    public List<Incident> incidents() {
        return incidents;
    }

    /**
     * The report of {@code believed} (the ledger's events whose signatures were verified, oldest first) for the
     * period of {@code options}; {@code commits} gives the first-commit time of a release's changes where its
     * repository is at hand.
     */
    public static DeliveryReport of(List<Event> believed, Options options, CommitTimes commits) {
        Objects.requireNonNull(options, "options");
        Map<String, List<Event>> bySubject = new HashMap<>();
        List<Event> halts = new ArrayList<>();
        List<Event> promotions = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        List<Evaluation> evaluations = new ArrayList<>();
        Map<String, String> hotfixCommits = new HashMap<>();
        for (Event e : believed) {
            String type = e.type();
            if (type.equals(ReleaseHalt.HALTED)) {
                halts.add(e);
                continue;
            }
            if (type.equals(PipelineRun.EVENT_TYPE)) {
                Run r = run(e);
                runs.add(r);
                if (r.branchClass().equals("hotfix")) {
                    e.text("commit").ifPresent(c -> hotfixCommits.put(c, r.service()));
                }
                continue;
            }
            bySubject.computeIfAbsent(e.subject(), s -> new ArrayList<>()).add(e);
            if (type.equals(EventType.PROMOTED.wire()) && e.text("environment").orElse("").equals(options.production())) {
                promotions.add(e);
            } else if (type.equals(EventType.GATE_EVALUATED.wire())) {
                evaluations.add(evaluation(e));
            }
        }
        promotions.sort(Comparator.comparing(Event::time));
        List<Deployment> deployments = deployments(promotions, bySubject, options, commits, hotfixCommits);
        List<Incident> incidents = incidents(halts, deployments);
        deployments = withFailures(deployments, incidents);
        evaluations.sort(Comparator.comparing(Evaluation::time));
        return new DeliveryReport(options, deployments, incidents, runs, evaluations, blockings(evaluations), believed.size());
    }

    // ------------------------------------------------------------------------------------------------- facts

    private static String service(String subject) {
        int at = subject.lastIndexOf('@');
        return at < 0 ? subject : subject.substring(0, at);
    }

    private static String version(String subject) {
        int at = subject.lastIndexOf('@');
        return at < 0 ? "" : subject.substring(at + 1);
    }

    private static Run run(Event e) {
        String branch = e.text("branch").orElse("");
        String result = e.text("result").orElse("").toUpperCase(Locale.ROOT);
        String service = e.text("name").orElse(e.subject().startsWith(PipelineRun.SUBJECT_PREFIX)
                ? e.subject().substring(PipelineRun.SUBJECT_PREFIX.length()) : e.subject());
        return new Run(service, branch, branchClass(branch), !result.equals("ABORTED") && !result.equals("NOT_BUILT"),
                result.equals("SUCCESS"), e.time());
    }

    /** {@code main} (or {@code master}), {@code release} ({@code release/…}), {@code hotfix} ({@code hotfix/…}), else {@code other}. */
    static String branchClass(String branch) {
        if (branch.equals("main") || branch.equals("master")) {
            return "main";
        }
        if (branch.startsWith("release/")) {
            return "release";
        }
        if (branch.startsWith("hotfix/")) {
            return "hotfix";
        }
        return "other";
    }

    private static Evaluation evaluation(Event e) {
        List<GateFinding> findings = new ArrayList<>();
        String service = service(e.subject());
        for (JsonNode f : e.payload().path("findings")) {
            findings.add(new GateFinding(service, e.subject(), f.path("id").asText(""), f.path("severity").asText("unknown"),
                    f.path("disposition").asText(""), f.path("reason").asText(""), e.time()));
        }
        return new Evaluation(service, e.subject(), e.text("result").orElse("").equals("pass"), e.time(), findings);
    }

    private static List<Deployment> deployments(List<Event> promotions, Map<String, List<Event>> bySubject, Options options,
                                                CommitTimes commits, Map<String, String> hotfixCommits) {
        List<Deployment> out = new ArrayList<>();
        Map<String, Deployment> previous = new HashMap<>();
        Map<String, String> previousCommit = new HashMap<>();
        for (Event p : promotions) {
            String subject = p.subject();
            String service = service(subject);
            List<Event> events = bySubject.getOrDefault(subject, List.of());
            Optional<Event> built = events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst();
            boolean rollback = p.payload().path("rollback").asBoolean(false);
            String digest = p.digest().map(Object::toString).orElse("");
            boolean emergency = p.text("emergency").isPresent() || events.stream().anyMatch(e ->
                    EventType.EMERGENCY_CHANGE.is(e) && e.text("environment").orElse(options.production()).equals(options.production())
                            && e.digest().equals(p.digest()) && !e.time().isAfter(p.time()));
            Deployment prior = previous.get(service);
            Optional<String> commit = built.flatMap(b -> b.text("commit"));
            boolean hotfix = !rollback && (isPatchBump(prior, version(subject), p.time(), options.hotfixDays())
                    || commit.map(c -> service.equals(hotfixCommits.get(c))).orElse(false));
            Optional<LeadTime> lead = rollback ? Optional.empty()
                    : built.map(b -> leadTime(p, b, events, options, commit.flatMap(c -> commits.firstCommit(c,
                    Optional.ofNullable(previousCommit.get(service))))));
            Evidence evidence = evidence(events, p);
            Deployment d = new Deployment(p.id(), service, version(subject), subject, digest, p.time(), rollback,
                    rollback ? p.text("incident").filter(i -> !i.isBlank()) : Optional.empty(), hotfix, emergency, List.of(), lead, evidence);
            out.add(d);
            if (!rollback) {
                previous.put(service, d);
                commit.ifPresent(c -> previousCommit.put(service, c));
            }
        }
        return out;
    }

    /** A patch bump (same major and minor, higher patch, no pre-release) of the previous production release within the window. */
    private static boolean isPatchBump(Deployment prior, String version, Instant time, int days) {
        if (prior == null) {
            return false;
        }
        try {
            SemVer now = SemVer.parse(version);
            SemVer before = SemVer.parse(prior.version());
            return !now.isPreRelease() && now.major().equals(before.major()) && now.minor().equals(before.minor())
                    && now.patch().compareTo(before.patch()) > 0
                    && Duration.between(prior.time(), time).compareTo(Duration.ofDays(days)) <= 0;
        } catch (InputException notSemVer) {
            return false;
        }
    }

    /**
     * The milestones of a release on its way to production, each clamped to be no earlier than the one before:
     * first commit, built, gates first passed, entered the environment before production, last approval (or the
     * emergency approval), production.
     */
    private static LeadTime leadTime(Event promotion, Event built, List<Event> events, Options options, Optional<Instant> firstCommit) {
        Instant deployed = promotion.time();
        Optional<String> digest = promotion.digest().map(Object::toString);
        Predicate<Event> sameDigest = e -> e.digest().map(Object::toString).equals(digest) && !e.time().isAfter(deployed);
        Instant builtAt = built.time();
        Instant gates = events.stream().filter(sameDigest).filter(e -> EventType.GATE_EVALUATED.is(e)
                        && e.text("result").orElse("").equals("pass") && !e.time().isBefore(builtAt))
                .map(Event::time).min(Instant::compareTo).orElse(builtAt);
        Instant staged = options.preProduction().flatMap(pre -> events.stream().filter(sameDigest)
                .filter(e -> EventType.PROMOTED.is(e) && e.text("environment").orElse("").equals(pre))
                .map(Event::time).min(Instant::compareTo)).orElse(gates);
        Instant approved = events.stream().filter(sameDigest).filter(e -> (EventType.APPROVED.is(e)
                        && e.text("environment").orElse(options.production()).equals(options.production()))
                        || EventType.EMERGENCY_APPROVED.is(e))
                .map(Event::time).max(Instant::compareTo).orElse(staged);
        List<Instant> marks = new ArrayList<>();
        Instant start = firstCommit.filter(f -> f.isBefore(builtAt)).orElse(builtAt);
        marks.add(start);
        for (Instant m : List.of(builtAt, gates, staged, approved, deployed)) {
            Instant last = marks.get(marks.size() - 1);
            marks.add(m.isBefore(last) ? last : m);
        }
        Map<String, Duration> stages = new LinkedHashMap<>();
        for (int i = 0; i < STAGES.size(); i++) {
            stages.put(STAGES.get(i), Duration.between(marks.get(i), marks.get(i + 1)));
        }
        return new LeadTime(Duration.between(start, marks.get(marks.size() - 1)), firstCommit.isPresent() ? "first-commit" : "build",
                stages);
    }

    private static Evidence evidence(List<Event> events, Event promotion) {
        boolean cdx = false;
        boolean spdx = false;
        boolean prov = false;
        boolean sig = false;
        for (Event e : events) {
            if (e.time().isAfter(promotion.time()) || !e.digest().equals(promotion.digest())) {
                continue;
            }
            if (EventType.SBOM_GENERATED.is(e)) {
                String f = e.text("format").orElse("");
                cdx |= f.equals("cyclonedx");
                spdx |= f.equals("spdx");
            } else if (EventType.PROVENANCE_GENERATED.is(e)) {
                prov = true;
            } else if (EventType.SIGNED.is(e)) {
                sig = true;
            }
        }
        return new Evidence(cdx, spdx, prov, sig);
    }

    /**
     * Incidents: each halt's incident (its service: that of a rollback naming the same incident, else that of the last
     * production deployment before the halt) and each rollback's incident that no halt names (started by the deployment it
     * rolled back). Restored by the service's first production promotion after the start.
     */
    private static List<Incident> incidents(List<Event> halts, List<Deployment> deployments) {
        Map<String, Incident> byId = new LinkedHashMap<>();
        Map<String, String> rollbackService = new HashMap<>();
        for (Deployment d : deployments) {
            if (d.rollback()) {
                d.incident().ifPresent(i -> rollbackService.putIfAbsent(i, d.service()));
            }
        }
        halts.sort(Comparator.comparing(Event::time));
        for (Event h : halts) {
            String id = h.text("incident").orElse(h.id());
            if (byId.containsKey(id)) {
                continue;
            }
            String service = rollbackService.getOrDefault(id, deployments.stream()
                    .filter(d -> !d.rollback() && !d.time().isAfter(h.time())).reduce((a, b) -> b).map(Deployment::service).orElse(""));
            byId.put(id, restore(new Incident(id, service, h.time(), "halt", h.text("severity"), Optional.empty(), Optional.empty()),
                    deployments));
        }
        for (Deployment d : deployments) {
            if (!d.rollback()) {
                continue;
            }
            String id = d.incident().orElse(d.event());
            if (byId.containsKey(id)) {
                continue;
            }
            Instant start = deployments.stream().filter(x -> !x.rollback() && x.service().equals(d.service())
                    && x.time().isBefore(d.time())).reduce((a, b) -> b).map(Deployment::time).orElse(d.time());
            byId.put(id, restore(new Incident(id, d.service(), start, "deployment", Optional.empty(), Optional.empty(), Optional.empty()),
                    deployments));
        }
        List<Incident> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing(Incident::start));
        return out;
    }

    private static Incident restore(Incident i, List<Deployment> deployments) {
        return deployments.stream().filter(d -> d.service().equals(i.service()) && d.time().isAfter(i.start())).findFirst()
                .map(d -> new Incident(i.id(), i.service(), i.start(), i.startedBy(), i.severity(), Optional.of(d.time()),
                        Optional.of(d.event())))
                .orElse(i);
    }

    /**
     * A deployment failed when, while it was its service's production release (until the next deployment of the service),
     * the service was rolled back, the next deployment is a hotfix or an emergency change, or an incident of the service
     * started.
     */
    private static List<Deployment> withFailures(List<Deployment> deployments, List<Incident> incidents) {
        List<Deployment> out = new ArrayList<>(deployments.size());
        Map<String, List<Deployment>> byService = new HashMap<>();
        deployments.forEach(d -> byService.computeIfAbsent(d.service(), s -> new ArrayList<>()).add(d));
        Map<String, List<Incident>> incidentsByService = new HashMap<>();
        incidents.forEach(i -> incidentsByService.computeIfAbsent(i.service(), s -> new ArrayList<>()).add(i));
        Map<String, Integer> position = new HashMap<>();
        for (Deployment d : deployments) {
            List<Deployment> same = byService.get(d.service());
            int at = position.merge(d.service(), 1, Integer::sum) - 1;
            if (d.rollback()) {
                out.add(d);
                continue;
            }
            Deployment next = null;
            boolean rolledBack = false;
            for (int i = at + 1; i < same.size(); i++) {
                Deployment n = same.get(i);
                if (n.rollback()) {
                    rolledBack = true;
                } else {
                    next = n;
                    break;
                }
            }
            Instant end = next == null ? Instant.MAX : next.time();
            List<String> why = new ArrayList<>();
            if (rolledBack) {
                why.add("rollback");
            }
            if (next != null && next.hotfix()) {
                why.add("hotfix");
            }
            if (next != null && next.emergency()) {
                why.add("emergency-change");
            }
            if (incidentsByService.getOrDefault(d.service(), List.of()).stream().anyMatch(i -> i.startedBy().equals("halt")
                    && !i.start().isBefore(d.time()) && i.start().isBefore(end))) {
                why.add("incident");
            }
            out.add(why.isEmpty() ? d : d.failure(why));
        }
        return out;
    }

    /** Each finding first seen blocking in a service, and the first later evaluation of the service without it. */
    private static List<Blocking> blockings(List<Evaluation> evaluations) {
        record Key(String service, String id) {
        }
        Map<Key, Instant> open = new LinkedHashMap<>();
        List<Blocking> out = new ArrayList<>();
        for (Evaluation e : evaluations) {
            Map<String, String> here = new HashMap<>();
            e.findings().forEach(f -> here.put(f.id(), f.disposition()));
            for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                var o = it.next();
                if (!o.getKey().service().equals(e.service())) {
                    continue;
                }
                String disposition = here.get(o.getKey().id());
                if (disposition == null || disposition.equals("not-affected")) {
                    out.add(new Blocking(e.service(), o.getKey().id(), o.getValue(), Optional.of(e.time())));
                    it.remove();
                }
            }
            for (GateFinding f : e.findings()) {
                if (f.disposition().equals("blocking")) {
                    open.putIfAbsent(new Key(e.service(), f.id()), e.time());
                }
            }
        }
        open.forEach((k, first) -> out.add(new Blocking(k.service(), k.id(), first, Optional.empty())));
        return out;
    }

    // ------------------------------------------------------------------------------------------------- the document

    /** The report as its JSON document ({@value #SCHEMA_RESOURCE}). */
    public ObjectNode json(Instant generatedAt) {
        ObjectNode doc = Json.object();
        doc.put("schema", SCHEMA);
        doc.put("generatedAt", generatedAt.toString());
        List<YearMonth> months = options.monthList();
        ObjectNode period = doc.putObject("period").put("from", options.from().toString()).put("to", options.to().toString());
        ArrayNode ms = period.putArray("months");
        months.forEach(m -> ms.add(m.toString()));
        doc.putObject("definitions").put("production", options.production())
                .put("preProduction", options.preProduction().orElse("")).put("hotfixDays", options.hotfixDays());
        doc.put("events", events);
        TreeSet<String> services = new TreeSet<>();
        deployments.forEach(d -> services.add(d.service()));
        runs.forEach(r -> services.add(r.service()));
        evaluations.forEach(e -> services.add(e.service()));
        incidents.stream().map(Incident::service).filter(s -> !s.isEmpty()).forEach(services::add);
        Predicate<String> any = s -> true;
        doc.set("overall", metrics(any, options.from(), options.to()));
        ObjectNode byService = doc.putObject("services");
        for (String s : services) {
            byService.set(s, metrics(s::equals, options.from(), options.to()));
        }
        ArrayNode trend = doc.putArray("months");
        for (YearMonth m : months) {
            ObjectNode n = trend.addObject().put("month", m.toString());
            n.set("overall", monthly(any, m));
            ObjectNode per = n.putObject("services");
            for (String s : services) {
                per.set(s, monthly(s::equals, m));
            }
        }
        doc.set("leadTimeContributors", contributors(any, options.from(), options.to(), 3));
        ArrayNode ds = doc.putArray("deployments");
        deployments.stream().filter(d -> options.covers(d.time())).forEach(d -> ds.add(deployment(d)));
        ArrayNode is = doc.putArray("incidents");
        incidents.stream().filter(i -> options.covers(i.start())).forEach(i -> is.add(incident(i)));
        return doc;
    }

    private static boolean in(Instant t, YearMonth from, YearMonth to) {
        YearMonth m = month(t);
        return !m.isBefore(from) && !m.isAfter(to);
    }

    private ObjectNode metrics(Predicate<String> service, YearMonth from, YearMonth to) {
        ObjectNode n = Json.object();
        List<Deployment> ds = deployments.stream().filter(d -> service.test(d.service()) && in(d.time(), from, to)).toList();
        List<Deployment> releases = ds.stream().filter(d -> !d.rollback()).toList();
        long days = java.time.temporal.ChronoUnit.DAYS.between(from.atDay(1), to.plusMonths(1).atDay(1));
        n.putObject("deploymentFrequency").put("deployments", releases.size()).put("rollbacks", ds.size() - releases.size())
                .put("days", days).put("perDay", round(releases.size() / (double) days))
                .put("perWeek", round(releases.size() * 7.0 / days));
        List<Duration> leads = releases.stream().flatMap(d -> d.leadTime().stream()).map(LeadTime::total).toList();
        ObjectNode lt = n.putObject("leadTime").put("releases", leads.size())
                .put("fromFirstCommit", releases.stream().flatMap(d -> d.leadTime().stream()).filter(l -> l.from().equals("first-commit")).count());
        durations(lt, leads);
        long failed = releases.stream().filter(Deployment::failed).count();
        ObjectNode cfr = n.putObject("changeFailureRate").put("deployments", releases.size()).put("failed", failed);
        rate(cfr, failed, releases.size());
        ObjectNode reasons = cfr.putObject("reasons");
        for (String r : List.of("rollback", "hotfix", "emergency-change", "incident")) {
            reasons.put(r, releases.stream().filter(d -> d.failure().contains(r)).count());
        }
        List<Incident> is = incidents.stream().filter(i -> service.test(i.service()) && in(i.start(), from, to)).toList();
        List<Duration> restores = is.stream().flatMap(i -> i.timeToRestore().stream()).toList();
        ObjectNode ttr = n.putObject("timeToRestore").put("incidents", is.size()).put("restored", restores.size());
        durations(ttr, restores);
        n.set("ci", ci(service, from, to));
        n.set("gates", gates(service, from, to));
        ObjectNode ev = n.putObject("evidence").put("releases", releases.size());
        long cdx = releases.stream().filter(d -> d.evidence().cyclonedx()).count();
        long spdx = releases.stream().filter(d -> d.evidence().spdx()).count();
        long prov = releases.stream().filter(d -> d.evidence().provenance()).count();
        long sig = releases.stream().filter(d -> d.evidence().signature()).count();
        long complete = releases.stream().filter(d -> d.evidence().complete()).count();
        ev.put("cyclonedx", cdx).put("spdx", spdx).put("provenance", prov).put("signature", sig).put("complete", complete);
        rate(ev, complete, releases.size());
        n.set("leadTimeStages", contributors(service, from, to, STAGES.size()));
        return n;
    }

    private ObjectNode monthly(Predicate<String> service, YearMonth m) {
        ObjectNode n = Json.object();
        List<Deployment> ds = deploymentsByMonth.getOrDefault(m, List.of()).stream().filter(d -> service.test(d.service())).toList();
        List<Deployment> releases = ds.stream().filter(d -> !d.rollback()).toList();
        long failed = releases.stream().filter(Deployment::failed).count();
        n.put("deployments", releases.size()).put("rollbacks", ds.size() - releases.size()).put("failed", failed);
        rate(n, "changeFailureRate", failed, releases.size());
        median(releases.stream().flatMap(d -> d.leadTime().stream()).map(LeadTime::total).toList())
                .ifPresentOrElse(d -> n.put("leadTimeMedianSeconds", d.getSeconds()), () -> n.putNull("leadTimeMedianSeconds"));
        median(incidentsByMonth.getOrDefault(m, List.of()).stream().filter(i -> service.test(i.service()))
                .flatMap(i -> i.timeToRestore().stream()).toList())
                .ifPresentOrElse(d -> n.put("timeToRestoreMedianSeconds", d.getSeconds()), () -> n.putNull("timeToRestoreMedianSeconds"));
        List<Run> rs = runsByMonth.getOrDefault(m, List.of()).stream().filter(r -> service.test(r.service()) && r.counted()).toList();
        for (String c : List.of("main", "release")) {
            List<Run> of = rs.stream().filter(r -> r.branchClass().equals(c)).toList();
            rate(n, "ciPassRate" + Character.toUpperCase(c.charAt(0)) + c.substring(1), of.stream().filter(Run::passed).count(), of.size());
        }
        n.put("ciRuns", rs.size());
        return n;
    }

    private ObjectNode ci(Predicate<String> service, YearMonth from, YearMonth to) {
        List<Run> rs = runs.stream().filter(r -> service.test(r.service()) && in(r.time(), from, to)).toList();
        ObjectNode n = Json.object();
        for (String c : List.of("main", "release", "hotfix", "other")) {
            n.set(c, passRate(rs.stream().filter(r -> r.branchClass().equals(c)).toList()));
        }
        ObjectNode branches = n.putObject("releaseBranches");
        new TreeSet<>(rs.stream().filter(r -> r.branchClass().equals("release")).map(Run::branch).toList())
                .forEach(b -> branches.set(b, passRate(rs.stream().filter(r -> r.branch().equals(b)).toList())));
        return n;
    }

    private static ObjectNode passRate(List<Run> rs) {
        long counted = rs.stream().filter(Run::counted).count();
        long passed = rs.stream().filter(r -> r.counted() && r.passed()).count();
        ObjectNode n = Json.object().put("runs", rs.size()).put("counted", counted).put("passed", passed);
        rate(n, passed, counted);
        return n;
    }

    private ObjectNode gates(Predicate<String> service, YearMonth from, YearMonth to) {
        List<Evaluation> es = evaluations.stream().filter(e -> service.test(e.service()) && in(e.time(), from, to)).toList();
        long passed = es.stream().filter(Evaluation::pass).count();
        ObjectNode n = Json.object().put("evaluations", es.size()).put("passed", passed).put("failed", es.size() - passed);
        // each finding of a release once, as its latest evaluation in the period disposed of it
        Map<String, GateFinding> latest = new LinkedHashMap<>();
        TreeSet<String> used = new TreeSet<>();
        TreeSet<String> expired = new TreeSet<>();
        for (Evaluation e : es) {
            for (GateFinding f : e.findings()) {
                latest.put(f.subject() + " " + f.id(), f);
                Matcher w = WAIVED.matcher(f.reason());
                if (f.disposition().equals("waived") && w.find()) {
                    used.add(w.group(1));
                }
                Matcher x = EXPIRED.matcher(f.reason());
                while (x.find()) {
                    expired.add(x.group(1));
                }
            }
        }
        ObjectNode findings = n.putObject("findings").put("total", latest.size());
        ObjectNode sev = findings.putObject("bySeverity");
        for (String s : List.of("critical", "high", "medium", "low", "none", "unknown")) {
            sev.put(s, latest.values().stream().filter(f -> f.severity().equals(s)).count());
        }
        ObjectNode disp = findings.putObject("byDisposition");
        for (String d : List.of("blocking", "waived", "below-threshold", "not-affected")) {
            disp.put(d, latest.values().stream().filter(f -> f.disposition().equals(d)).count());
        }
        List<Blocking> bs = blockings.stream().filter(b -> service.test(b.service()) && in(b.first(), from, to)).toList();
        List<Duration> fixed = bs.stream().flatMap(b -> b.remediated().map(r -> Duration.between(b.first(), r)).stream()).toList();
        ObjectNode ttr = n.putObject("timeToRemediate").put("blocking", bs.size()).put("remediated", fixed.size())
                .put("open", bs.size() - fixed.size());
        durations(ttr, fixed);
        ObjectNode ex = n.putObject("exceptions");
        ArrayNode u = ex.putArray("used");
        used.forEach(u::add);
        ArrayNode x = ex.putArray("expired");
        expired.forEach(x::add);
        return n;
    }

    /** The lead-time stages of the period's production releases, largest total first, at most {@code limit}. */
    private ArrayNode contributors(Predicate<String> service, YearMonth from, YearMonth to, int limit) {
        List<LeadTime> leads = deployments.stream().filter(d -> !d.rollback() && service.test(d.service()) && in(d.time(), from, to))
                .flatMap(d -> d.leadTime().stream()).toList();
        Map<String, Duration> total = new TreeMap<>();
        for (String s : STAGES) {
            total.put(s, leads.stream().map(l -> l.stages().get(s)).reduce(Duration.ZERO, Duration::plus));
        }
        Duration all = total.values().stream().reduce(Duration.ZERO, Duration::plus);
        ArrayNode out = Json.mapper().createArrayNode();
        total.entrySet().stream().sorted(Map.Entry.<String, Duration>comparingByValue().reversed()
                        .thenComparing(e -> STAGES.indexOf(e.getKey())))
                .limit(limit).forEach(e -> {
                    ObjectNode c = out.addObject().put("stage", e.getKey()).put("totalSeconds", e.getValue().getSeconds())
                            .put("releases", leads.size());
                    if (leads.isEmpty()) {
                        c.putNull("meanSeconds");
                    } else {
                        c.put("meanSeconds", e.getValue().getSeconds() / leads.size());
                    }
                    if (all.isZero()) {
                        c.putNull("share");
                    } else {
                        c.put("share", round(e.getValue().getSeconds() / (double) all.getSeconds()));
                    }
                });
        return out;
    }

    private static ObjectNode deployment(Deployment d) {
        ObjectNode n = Json.object().put("event", d.event()).put("service", d.service()).put("version", d.version())
                .put("digest", d.digest()).put("time", d.time().toString()).put("rollback", d.rollback())
                .put("hotfix", d.hotfix()).put("emergency", d.emergency()).put("failed", d.failed());
        d.incident().ifPresent(i -> n.put("incident", i));
        ArrayNode f = n.putArray("failure");
        d.failure().forEach(f::add);
        d.leadTime().ifPresentOrElse(l -> {
            ObjectNode lt = n.putObject("leadTime").put("totalSeconds", l.total().getSeconds()).put("from", l.from());
            ObjectNode st = lt.putObject("stages");
            l.stages().forEach((k, v) -> st.put(k, v.getSeconds()));
        }, () -> n.putNull("leadTime"));
        n.putObject("evidence").put("cyclonedx", d.evidence().cyclonedx()).put("spdx", d.evidence().spdx())
                .put("provenance", d.evidence().provenance()).put("signature", d.evidence().signature())
                .put("complete", d.evidence().complete());
        return n;
    }

    private static ObjectNode incident(Incident i) {
        ObjectNode n = Json.object().put("id", i.id()).put("service", i.service()).put("start", i.start().toString())
                .put("startedBy", i.startedBy());
        i.severity().ifPresent(s -> n.put("severity", s));
        i.restored().ifPresentOrElse(r -> n.put("restored", r.toString()), () -> n.putNull("restored"));
        i.restoredBy().ifPresent(r -> n.put("restoredBy", r));
        i.timeToRestore().ifPresentOrElse(t -> n.put("timeToRestoreSeconds", t.getSeconds()), () -> n.putNull("timeToRestoreSeconds"));
        return n;
    }

    private static void durations(ObjectNode n, List<Duration> values) {
        median(values).ifPresentOrElse(m -> n.put("medianSeconds", m.getSeconds()), () -> n.putNull("medianSeconds"));
        if (values.isEmpty()) {
            n.putNull("meanSeconds");
        } else {
            n.put("meanSeconds", values.stream().mapToLong(Duration::getSeconds).sum() / values.size());
        }
    }

    /** The median; of an even number of values, the mean of the middle two (whole seconds, rounded down). */
    static Optional<Duration> median(List<Duration> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        long[] s = values.stream().mapToLong(Duration::getSeconds).sorted().toArray();
        int mid = s.length / 2;
        return Optional.of(Duration.ofSeconds(s.length % 2 == 1 ? s[mid] : Math.floorDiv(s[mid - 1] + s[mid], 2)));
    }

    private static void rate(ObjectNode n, long part, long whole) {
        rate(n, "rate", part, whole);
    }

    private static void rate(ObjectNode n, String field, long part, long whole) {
        if (whole == 0) {
            n.putNull(field);
        } else {
            n.put(field, round(part / (double) whole));
        }
    }

    /** Four decimals: rates and frequencies are compared, not accumulated. */
    static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}

package io.releasegate.gates;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Quarantined flaky tests (policy 003 §1.13.3.5): a {@code unit} failure of a test that a standing quarantine names
 * does not block until the quarantine's date; from the day after, it blocks like any failure and says that the
 * quarantine expired. A quarantine is a person's {@code test-quarantined} event, signed with their own key, under the
 * subject {@code release-gate:quarantine:SERVICE}: the test (the id the unit gate gives a JUnit failure,
 * {@code CLASSNAME.NAME}), a ticket, the date it lasts until (at most {@code gates.quarantineMaxDays} days after it was
 * recorded) and a reason. {@code quarantine-lifted} ends one early.
 */
public final class Quarantines {

    public static final String QUARANTINED = EventType.TEST_QUARANTINED.wire();
    public static final String LIFTED = EventType.QUARANTINE_LIFTED.wire();
    /** The subject prefix of a service's quarantines. */
    public static final String SUBJECT_PREFIX = "release-gate:quarantine:";
    private static final java.util.regex.Pattern SERVICE = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** One quarantine as recorded. */
    public record Quarantine(Event event) {
        public Quarantine {
            Objects.requireNonNull(event);
        }

        public String service() {
            return event.subject().substring(SUBJECT_PREFIX.length());
        }

        public String test() {
            return event.text("test").orElse("");
        }

        public String ticket() {
            return event.text("ticket").orElse("");
        }

        public Optional<LocalDate> until() {
            return GateBypasses.date(event.text("until").orElse(""));
        }

        public String reason() {
            return event.text("reason").orElse("");
        }

        /** Why it does not hold back a failure on {@code today} under {@code policy}; empty when it does. */
        public Optional<String> whyNot(Policy policy, LocalDate today) {
            if (ticket().isBlank()) {
                return Optional.of(describe() + " has no ticket");
            }
            if (until().isEmpty()) {
                return Optional.of(describe() + " has no date");
            }
            LocalDate recorded = GateBypasses.today(Clock.fixed(event.time(), java.time.ZoneOffset.UTC));
            if (until().get().isAfter(recorded.plusDays(policy.gates().quarantineMaxDays()))) {
                return Optional.of(describe() + " lasts beyond gates.quarantineMaxDays (" + policy.gates().quarantineMaxDays()
                        + " days from " + recorded + ")");
            }
            if (today.isAfter(until().get())) {
                return Optional.of(describe() + " expired on " + until().get());
            }
            return Optional.empty();
        }

        public String describe() {
            return "quarantine " + GateBypasses.shortId(event.id()) + " of " + test() + " (ticket " + ticket() + ", until "
                    + event.text("until").orElse("?") + ", by " + event.actor() + ")";
        }
    }

    private Quarantines() {
    }

    public static String subject(String service) {
        return SUBJECT_PREFIX + service;
    }

    /**
     * Quarantines {@code test} of {@code service} until {@code until}. Bad input — a missing service, test, ticket or
     * reason, a malformed date — is an {@link InputException}; a date in the past or more than
     * {@code gates.quarantineMaxDays} days ahead, or a test already quarantined, is refused.
     */
    public static Event add(Ledger ledger, Policy policy, String service, String test, String ticket, String until,
                            String reason, String actor, Clock clock) {
        require(actor, "the person quarantining it (--actor)");
        require(service, "the service (--service)");
        require(test, "the test (TEST_ID, as the unit gate names a failure: CLASSNAME.NAME)");
        require(ticket, "a ticket (--ticket)");
        require(until, "the date it lasts until (--until YYYY-MM-DD)");
        require(reason, "a reason (--reason)");
        if (!SERVICE.matcher(service).matches()) {
            throw new InputException("--service: '" + service + "' is not a service name (letters, digits, '.', '_', '-')");
        }
        LocalDate date = GateBypasses.date(until).orElseThrow(() -> new InputException("--until: '" + until
                + "' is not a date (YYYY-MM-DD)"));
        LocalDate today = GateBypasses.today(clock);
        int max = policy.gates().quarantineMaxDays();
        List<Refusal> refusals = new ArrayList<>();
        if (date.isBefore(today)) {
            refusals.add(new Refusal("quarantine.past", "--until " + date + " is in the past (today " + today + ")",
                    "quarantine until today or a later date"));
        } else if (date.isAfter(today.plusDays(max))) {
            refusals.add(new Refusal("quarantine.too-long", "--until " + date + " is more than " + max
                    + " days ahead (gates.quarantineMaxDays of the policy " + policy.source().describe() + ")",
                    "quarantine until " + today.plusDays(max) + " at the latest, and fix the test by then"));
        }
        List<Event> events = ledger.events(subject(service));
        standing(events, test).filter(q -> q.whyNot(policy, today).isEmpty()).ifPresent(q -> refusals.add(new Refusal(
                "quarantine.standing", q.describe() + " already stands", "lift it first (release-gate quarantine lift)")));
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        ObjectNode p = Json.object().put("test", test.strip()).put("ticket", ticket.strip()).put("until", date.toString())
                .put("reason", reason.strip());
        policy.stamp(p);
        return ledger.append(Event.draft(QUARANTINED, subject(service), Optional.empty(), actor, clock.instant(), p));
    }

    /** Ends the standing quarantine of {@code test} of {@code service} before its date. */
    public static Event lift(Ledger ledger, Policy policy, String service, String test, String reason, String actor,
                             Clock clock) {
        require(actor, "the person lifting it (--actor)");
        require(service, "the service (--service)");
        require(test, "the test (TEST_ID)");
        require(reason, "a reason (--reason)");
        Quarantine q = standing(ledger.events(subject(service)), test).orElseThrow(() -> new RefusedException(new Refusal(
                "quarantine.none", "no quarantine of " + test + " stands for " + service, "nothing to lift")));
        ObjectNode p = Json.object().put("quarantine", q.event().id()).put("test", q.test()).put("reason", reason.strip());
        policy.stamp(p);
        return ledger.append(Event.draft(LIFTED, subject(service), Optional.empty(), actor, clock.instant(), p));
    }

    /** The newest quarantine of {@code test} among a service's events that no lift answered, expired or not. */
    public static Optional<Quarantine> standing(List<Event> events, String test) {
        Optional<Quarantine> out = Optional.empty();
        for (Event e : events) {
            if (e.type().equals(QUARANTINED) && e.text("test").orElse("").equals(test)) {
                out = Optional.of(new Quarantine(e));
            } else if (e.type().equals(LIFTED) && out.isPresent() && e.text("quarantine").orElse("").equals(out.get().event().id())) {
                out = Optional.empty();
            }
        }
        return out;
    }

    /** Every quarantine of a service's events that no lift answered, one per test, oldest first. */
    public static List<Quarantine> all(List<Event> events) {
        java.util.LinkedHashSet<String> tests = new java.util.LinkedHashSet<>();
        events.stream().filter(e -> e.type().equals(QUARANTINED)).forEach(e -> tests.add(e.text("test").orElse("")));
        List<Quarantine> out = new ArrayList<>();
        tests.forEach(t -> standing(events, t).ifPresent(out::add));
        return out;
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InputException("a test quarantine needs " + what);
        }
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.gates.Quarantines;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** quarantine add | lift | list: a flaky test's failure does not block until a recorded, ticketed date. */
@Command(name = "quarantine", header = "Quarantine a flaky test of a service until a date, lift it, or list quarantines.",
        description = {"A unit failure of a quarantined test does not block the service's gate",
                "decisions until the quarantine's date; after it, the failure blocks again. Each",
                "quarantine is signed with the person's own --event-key and listed in the",
                "release record and notes of every release whose gates it held back.",
                "See docs/bypass.md."},
        subcommands = {QuarantineCommand.Add.class, QuarantineCommand.Lift.class, QuarantineCommand.ListQuarantines.class})
final class QuarantineCommand extends GroupCommand {

    /** The policy (for gates.quarantineMaxDays), the actor, the ledger. */
    abstract static class Base extends JsonCommand {
        @Option(names = "--service", required = true, paramLabel = "NAME", description = "The service (the releases' NAME).")
        String service;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who records it. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "The repository whose .release/policy.yaml (over the central policy) bounds the quarantine.")
        Path repo;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Mixin
        CommonOptions common;
    }

    @Command(name = "add", header = "Quarantine one flaky test of a service until a date, with a ticket.",
            description = {"TEST_ID is the id the unit gate gives a JUnit failure: CLASSNAME.NAME. Bad",
                    "input (exit 2): no ticket or reason, a malformed date. Refused (exit 1): a date",
                    "in the past, more than gates.quarantineMaxDays (default 30) days ahead, a test",
                    "already quarantined. Nothing is recorded unless the exit is 0."})
    static final class Add extends Base {
        @Parameters(index = "0", paramLabel = "TEST_ID", description = "The test, e.g. com.example.PaymentsTest.refunds.")
        String test;

        @Option(names = "--ticket", required = true, paramLabel = "ID", description = "The ticket that tracks fixing the test.")
        String ticket;

        @Option(names = "--until", required = true, paramLabel = "YYYY-MM-DD", description = "The last day the failure does not block.")
        String until;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why the test is flaky.")
        String reason;

        @Override
        int run(CliOutput out) {
            Policy policy = centralPolicy.policy(repo, null);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Event e = Quarantines.add(ctx.ledger(), policy, service, test, ticket, until, reason, actor, Clock.systemUTC());
                print(out, "quarantined: " + test + " of " + service + " until " + e.text("until").orElse("") + " (event " + e.id()
                        + ")", describe(new Quarantines.Quarantine(e), LocalDate.now(java.time.ZoneOffset.UTC)));
                return 0;
            }
        }
    }

    @Command(name = "lift", header = "End the quarantine of a test before its date: its failures block again.",
            description = "Refused (exit 1) when no quarantine of the test stands.")
    static final class Lift extends Base {
        @Parameters(index = "0", paramLabel = "TEST_ID", description = "The test.")
        String test;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why, e.g. the fix.")
        String reason;

        @Override
        int run(CliOutput out) {
            Policy policy = centralPolicy.policy(repo, null);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Event e = Quarantines.lift(ctx.ledger(), policy, service, test, reason, actor, Clock.systemUTC());
                print(out, "lifted: the quarantine of " + test + " of " + service + " (event " + e.id() + ")",
                        Json.object().put("event", e.id()).put("quarantine", e.text("quarantine").orElse("")).put("test", test)
                                .put("service", service));
                return 0;
            }
        }
    }

    @Command(name = "list", header = "List the quarantines that were not lifted, active or expired.", description = "Exit 0.")
    static final class ListQuarantines extends JsonCommand {
        @Option(names = "--service", paramLabel = "NAME", description = "Only this service's (default: every service).")
        String service;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                List<Event> events = service != null ? ctx.ledger().events(Quarantines.subject(service))
                        : ctx.ledger().events().stream().filter(e -> e.subject().startsWith(Quarantines.SUBJECT_PREFIX)).toList();
                java.util.Map<String, List<Event>> byService = new java.util.LinkedHashMap<>();
                events.forEach(e -> byService.computeIfAbsent(e.subject(), k -> new java.util.ArrayList<>()).add(e));
                LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
                ObjectNode doc = Json.object();
                ArrayNode all = doc.putArray("quarantines");
                StringBuilder text = new StringBuilder();
                for (List<Event> of : byService.values()) {
                    for (Quarantines.Quarantine q : Quarantines.all(of)) {
                        ObjectNode n = describe(q, today);
                        all.add(n);
                        text.append(String.format("%-8s %s %s until %s, ticket %s, by %s: %s%n", n.path("state").asText(), q.service(),
                                q.test(), q.event().text("until").orElse("?"), q.ticket(), q.event().actor(), q.reason()));
                    }
                }
                print(out, text.isEmpty() ? "no quarantined tests" : text.toString().stripTrailing(), doc);
                return 0;
            }
        }
    }

    static ObjectNode describe(Quarantines.Quarantine q, LocalDate today) {
        boolean active = q.until().map(u -> !today.isAfter(u)).orElse(false);
        return Json.object().put("event", q.event().id()).put("service", q.service()).put("test", q.test())
                .put("ticket", q.ticket()).put("until", q.event().text("until").orElse("")).put("reason", q.reason())
                .put("actor", q.event().actor()).put("time", q.event().time().toString()).put("state", active ? "active" : "expired");
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.gates.GateBypasses;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyResolver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** bypass request | approve | list: a gate's blocking findings of one digest pass only through a recorded bypass. */
@Command(name = "bypass", header = "Request, approve or list recorded gate bypasses of one digest.",
        description = {"A gate's blocking findings of one digest pass only through a recorded bypass:",
                "a request (gate, rationale, remediation date) and an approval by someone other",
                "than the requester, each signed with the person's own --event-key.",
                "See docs/bypass.md."},
        subcommands = {BypassCommand.Request.class, BypassCommand.Approve.class, BypassCommand.ListBypasses.class})
final class BypassCommand extends GroupCommand {

    /** What every bypass subcommand takes: where the ledger is, whose policy, who acts. */
    abstract static class Base extends JsonCommand {
        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who requests or approves. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "The release's git repository: its policy, meta/STRUCTURE.md, CODEOWNERS and history.")
        Path repo;

        @Option(names = "--policy", paramLabel = "FILE", description = {"Team policy, for dev or staging. Default:",
                "<repo>/.release/policy.yaml. Production uses the policy committed at the built commit."})
        Path policyFile;

        @Option(names = "--environment", defaultValue = "production", paramLabel = "ENV",
                description = "The environment whose policy decides (default: ${DEFAULT-VALUE}).")
        String environment;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Mixin
        CommonOptions common;

        Policy policy(ReleaseContext ctx, String subject) {
            return new PolicyResolver(repo).builtCommit(GovernanceCommands.ReleaseCommand.builtCommit(ctx, subject))
                    .environment(environment).explicit(Optional.ofNullable(policyFile)).central(centralPolicy.central()).call();
        }

        static Digest digest(String value, String option) {
            try {
                return Digest.parse(value);
            } catch (IllegalArgumentException e) {
                throw new InputException(option + ": " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "request", header = "Ask that one gate of one digest be bypassed until a remediation date.",
            description = {"Refused (exit 1): a release that was not built, a digest other than its built",
                    "one, a gate the policy lists in gates.neverBypass, a remediation date not after",
                    "today. Bad input (exit 2): an unknown gate, a malformed date or digest, a",
                    "missing rationale. Nothing is recorded unless the exit is 0."})
    static final class Request extends Base {
        @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The release.")
        String release;

        @Option(names = "--gate", required = true, paramLabel = "GATE", description = "The gate, e.g. sast.")
        String gate;

        @Option(names = "--digest", required = true, paramLabel = "sha256:...", description = "The exact built digest.")
        String digest;

        @Option(names = "--rationale", required = true, paramLabel = "TEXT", description = "Why the release may go with the findings.")
        String rationale;

        @Option(names = "--remediation", required = true, paramLabel = "YYYY-MM-DD",
                description = "The date by which the findings are fixed, after today; the bypass ends after it.")
        String remediation;

        @Option(names = "--ticket", paramLabel = "ID", description = "The ticket tracking the remediation.")
        String ticket;

        @Override
        int run(CliOutput out) {
            String[] nv = InspectCommand.parse(release);
            Digest d = digest(digest, "--digest");
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Policy policy = policy(ctx, nv[0] + "@" + nv[1]);
                Event e = GateBypasses.request(ctx.ledger(), policy, nv[0], nv[1], d, gate, actor, rationale, remediation,
                        Optional.ofNullable(ticket), Clock.systemUTC());
                print(out, "requested: bypass of gate " + gate + " for " + d + " (event " + e.id() + "), remediation by "
                        + e.text("remediation").orElse("") + "; it needs an approval by someone else: release-gate bypass approve "
                        + release + " --request " + e.id(), describe(e, List.of()));
                return 0;
            }
        }
    }

    @Command(name = "approve", header = "Approve a bypass request, as someone other than the requester.",
            description = {"The approver holds one of the policy's approval roles and did not author or",
                    "commit a change of the release (--repo). Refused (exit 1): self-approval, an",
                    "unknown request, a request for another digest (--digest), an author, no",
                    "approval role, a gate in gates.neverBypass, a passed remediation date."})
    static final class Approve extends Base {
        @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The release.")
        String release;

        @Option(names = "--request", required = true, paramLabel = "EVENT_ID",
                description = "The bypass-requested event (its id, or a unique prefix of at least 7 hex digits).")
        String request;

        @Option(names = "--digest", paramLabel = "sha256:...", description = "The digest you reviewed: refused unless it is the request's.")
        String digest;

        @Option(names = "--comment", paramLabel = "TEXT", description = "What the approval rests on.")
        String comment;

        @Override
        int run(CliOutput out) {
            String[] nv = InspectCommand.parse(release);
            Optional<Digest> expected = Optional.ofNullable(digest).map(v -> digest(v, "--digest"));
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                String subject = nv[0] + "@" + nv[1];
                Policy policy = policy(ctx, subject);
                List<Event> history = ctx.ledger().events(subject);
                Event e = GateBypasses.approve(ctx.ledger(), policy, nv[0], nv[1], request, expected, actor, comment,
                        GateBypasses.Approvers.of(policy, repo, history, nv[1]), Clock.systemUTC());
                Event req = history.stream().filter(x -> x.id().equals(e.text("request").orElse(""))).findFirst().orElseThrow();
                print(out, "approved: bypass " + req.id() + " of gate " + e.text("gate").orElse("") + " (event " + e.id()
                        + "); it applies to the next gate decision until " + req.text("remediation").orElse(""),
                        describe(req, List.of(e)));
                return 0;
            }
        }
    }

    @Command(name = "list", header = "List bypass requests: pending, approved or expired.",
            description = {"The requests of a release (default: of every release), each pending, approved",
                    "or expired (past its remediation date), with its events. Exit 0."})
    static final class ListBypasses extends JsonCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME@VERSION", description = "The release (default: every release).")
        String release;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                List<Event> events;
                if (release != null) {
                    String[] nv = InspectCommand.parse(release);
                    events = ctx.ledger().events(nv[0] + "@" + nv[1]);
                } else {
                    events = ctx.ledger().events().stream().filter(e -> e.type().equals(GateBypasses.REQUESTED)
                            || e.type().equals(GateBypasses.APPROVED)).toList();
                }
                Map<String, List<Event>> bySubject = new LinkedHashMap<>();
                events.forEach(e -> bySubject.computeIfAbsent(e.subject(), k -> new ArrayList<>()).add(e));
                ObjectNode doc = Json.object();
                ArrayNode all = doc.putArray("bypasses");
                StringBuilder text = new StringBuilder();
                LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
                for (List<Event> history : bySubject.values()) {
                    List<GateBypasses.Bypass> approved = GateBypasses.all(history);
                    for (Event req : history.stream().filter(e -> e.type().equals(GateBypasses.REQUESTED)).toList()) {
                        List<Event> approvals = approved.stream().filter(b -> b.request().id().equals(req.id()))
                                .map(GateBypasses.Bypass::approval).toList();
                        ObjectNode n = describe(req, approvals);
                        String state = state(req, approvals, today);
                        n.put("state", state);
                        all.add(n);
                        text.append(String.format("%-9s %s gate %s %s requested by %s, remediation by %s%s%s%n", state,
                                req.subject(), req.text("gate").orElse("?"), req.id().substring(0, 12), req.actor(),
                                req.text("remediation").orElse("?"), req.text("ticket").map(t -> ", ticket " + t).orElse(""),
                                approvals.isEmpty() ? "" : ", approved by " + String.join(", ",
                                        approvals.stream().map(Event::actor).toList())));
                    }
                }
                print(out, text.isEmpty() ? "no bypass requests" : text.toString().stripTrailing(), doc);
                return 0;
            }
        }

        private static String state(Event req, List<Event> approvals, LocalDate today) {
            Optional<LocalDate> due = Optional.ofNullable(req.text("remediation").orElse(null)).flatMap(t -> {
                try {
                    return Optional.of(LocalDate.parse(t));
                } catch (java.time.format.DateTimeParseException e) {
                    return Optional.empty();
                }
            });
            if (due.isEmpty() || today.isAfter(due.get())) {
                return "expired";
            }
            return approvals.isEmpty() ? "pending" : "approved";
        }
    }

    /** A request and its approvals as JSON. */
    static ObjectNode describe(Event req, List<Event> approvals) {
        ObjectNode n = Json.object().put("request", req.id()).put("release", req.subject())
                .put("digest", req.digest().map(Object::toString).orElse("")).put("gate", req.text("gate").orElse(""))
                .put("requester", req.actor()).put("rationale", req.text("rationale").orElse(""))
                .put("remediation", req.text("remediation").orElse("")).put("time", req.time().toString());
        req.text("ticket").ifPresent(t -> n.put("ticket", t));
        ArrayNode a = n.putArray("approvals");
        for (Event e : approvals) {
            ObjectNode x = a.addObject().put("event", e.id()).put("approver", e.actor()).put("time", e.time().toString());
            e.text("comment").ifPresent(c -> x.put("comment", c));
        }
        return n;
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.gates.Finding;
import io.releasegate.gates.PolicyException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.EmergencyReviews;
import io.releasegate.verify.VerifyProduction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** gate, exceptions, verify-production and emergencies. */
final class GateCommands {

    private GateCommands() {
    }

    @Command(name = "gate", header = "Decide the gates for one digest from its reports, exceptions and the policy.", description = "Decide the gates for one digest: every finding of the reports with its disposition "
            + "(blocking, below threshold, not affected per VEX, waived by exception X, bypassed by a recorded bypass, a "
            + "quarantined test), and the gates the policy declares not "
            + "applicable (gates.notApplicable). Exit 1 when the gates fail.")
    static final class Gate extends GovernanceCommands.ReleaseCommand {

        @Option(names = "--sarif", paramLabel = "FILE", description = "SAST results (SARIF 2.1.0). Repeatable.")
        List<Path> sarif = new ArrayList<>();

        @Option(names = "--vulns", paramLabel = "FILE", description = "Dependency vulnerabilities (CycloneDX/VEX or OSV-Scanner JSON). Repeatable.")
        List<Path> vulns = new ArrayList<>();

        @Option(names = "--sbom", paramLabel = "FILE", description = "SBOM for the license rule (CycloneDX or SPDX JSON). Repeatable.")
        List<Path> sbom = new ArrayList<>();

        @Option(names = "--junit", paramLabel = "FILE", description = "Test results (JUnit XML). Repeatable.")
        List<Path> junit = new ArrayList<>();

        @Option(names = "--not-applicable", paramLabel = "GATE=RATIONALE", description = "A gate that does not apply, e.g. "
                + "dast='no network endpoint': accepted only when the policy declares it (gates.notApplicable in "
                + ".release/policy.yaml; for production as committed at the built commit), and then the policy's rationale is "
                + "recorded; refused otherwise (gates.not-applicable-unconfigured). The policy's declarations apply without "
                + "this option. A gate with a result cannot become not applicable (gates.not-applicable-fixed); a report for "
                + "the gate decides it.")
        Map<String, String> notApplicable = new java.util.LinkedHashMap<>();

        @Option(names = "--passed", paramLabel = "GATE=true|false", description = "Result of a gate run by the pipeline itself, e.g. lint=true.")
        Map<String, Boolean> passed = new java.util.LinkedHashMap<>();

        @Option(names = "--scope", description = {"Decide the release-scope gates too (files, secrets, deps, flags) on --repo: from",
                "the last release tag to the commit the release was built from (docs/scope.md). Implied when gates.required names one."})
        boolean scope;

        @Option(names = "--branch", defaultValue = "main", paramLabel = "NAME", description = "Branch, for exception scopes.")
        String branch;

        @Option(names = "--environment", defaultValue = "production", paramLabel = "ENV", description = "Environment, for exception scopes.")
        String environment;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}", description = "Who runs the gates.")
        String actor;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Policy policy = policy(ctx, nv[0] + "@" + nv[1], environment);
                EvaluateGates g = new EvaluateGates(policy, ctx.ledger()).release(nv[0], nv[1], parsedDigest())
                        .sarif(sarif).vulnerabilities(vulns).sbom(sbom).junit(junit)
                        .exceptions(PolicyException.loadAll(repo.resolve(policy.exceptions().directory())))
                        .context(nv[0], branch, environment).actor(actor)
                        .bypassApprovers(io.releasegate.gates.GateBypasses.Approvers.of(policy, repo,
                                ctx.ledger().events(nv[0] + "@" + nv[1]), nv[1]));
                if (scope || io.releasegate.scope.ScopeFindings.required(policy)) {
                    g.scope(repo).store(ctx.store());
                }
                notApplicable.forEach(g::notApplicable);
                passed.forEach(g::passed);
                EvaluateGates.Decision d = g.call();
                if (json) {
                    ObjectNode doc = Json.object().put("pass", d.pass()).put("summary", d.summary()).put("event", d.eventId());
                    doc.set("checks", Json.tree(d.checks()));
                    ArrayNode fs = doc.putArray("findings");
                    d.findings().forEach(f -> fs.addObject().put("id", f.finding().id()).put("gate", f.finding().gate())
                            .put("severity", f.finding().severity().name().toLowerCase()).put("disposition",
                                    f.disposition().name().toLowerCase()).put("reason", f.reason()));
                    ArrayNode bs = doc.putArray("bypasses");
                    d.bypasses().forEach(b -> bs.addObject().put("gate", b.gate()).put("request", b.request().id())
                            .put("approval", b.approval().id()).put("requester", b.requester()).put("approver", b.approver())
                            .put("remediation", b.request().text("remediation").orElse("")));
                    ArrayNode qs = doc.putArray("quarantines");
                    d.quarantines().forEach(q -> qs.addObject().put("test", q.test()).put("event", q.event().id())
                            .put("ticket", q.ticket()).put("until", q.event().text("until").orElse("")));
                    output.document(doc);
                } else {
                    for (EvaluateGates.Dispositioned f : d.findings()) {
                        Finding x = f.finding();
                        output.out().println(String.format("%-15s %-8s %-8s %s%s: %s", f.disposition(), x.gate(),
                                x.severity(), x.id(), x.location().map(l -> " (" + l + ")").orElse(""), f.reason()));
                    }
                    for (EvaluateGates.Check c : d.checks()) {
                        output.out().println("gate " + c.gate() + ": " + c.result() + " - " + c.summary()
                                + c.rationale().map(r -> " (" + r + ")").orElse(""));
                    }
                    output.out().println(d.summary());
                    output.out().flush();
                }
                return d.pass() ? 0 : 1;
            }
        }
    }

    @Command(name = "exceptions", description = "Policy exceptions.", subcommands = {ExceptionsList.class, ExceptionsCheck.class})
    static final class Exceptions extends GroupCommand {
    }

    @Command(name = "list", description = "List the exceptions of a directory and whether each is usable today.")
    static final class ExceptionsList extends JsonCommand {

        @Option(names = "--dir", defaultValue = ".release/exceptions", paramLabel = "DIR", description = "Default: ${DEFAULT-VALUE}.")
        Path dir;

        @Override
        int run(CliOutput out) {
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            ArrayNode all = Json.mapper().createArrayNode();
            StringBuilder text = new StringBuilder();
            for (PolicyException x : PolicyException.loadAll(dir)) {
                String state = x.findings().isEmpty() ? "incomplete" : x.whyNot(new Finding(x.findings().get(0), "any",
                        Finding.Severity.HIGH, "", Optional.empty(), Optional.empty()),
                        x.repos().isEmpty() ? "" : x.repos().get(0), x.branches().isEmpty() ? "main" : x.branches().get(0).replace("*", "x"),
                        x.environments().isEmpty() ? "production" : x.environments().get(0), today).orElse("valid");
                text.append(x.id()).append("  ").append(x.type()).append("  owner ").append(x.owner()).append("  expires ")
                        .append(x.expires().map(Object::toString).orElse("-")).append("  covers ").append(x.findings())
                        .append("  -> ").append(state).append('\n');
                ObjectNode n = all.addObject().put("id", x.id()).put("type", x.type()).put("owner", x.owner()).put("state", state)
                        .put("file", x.file());
                x.expires().ifPresent(d -> n.put("expires", d.toString()));
                x.findings().forEach(f -> n.withArray("findings").add(f));
            }
            print(out, text.toString().strip(), Json.object().set("exceptions", all));
            return 0;
        }
    }

    @Command(name = "check", description = {"Read one exception file strictly (exit 2 on an unknown key or a bad date);",
            "an exception missing a required field is refused (exit 1, exception.incomplete), as the gate would."})
    static final class ExceptionsCheck extends JsonCommand {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        int run(CliOutput out) {
            PolicyException x = PolicyException.load(file);
            List<String> missing = x.missing();
            if (!missing.isEmpty()) {
                throw new io.releasegate.error.RefusedException(new io.releasegate.error.Refusal("exception.incomplete",
                        file + ": exception " + (x.id().isBlank() ? "(no id)" : x.id()) + " lacks " + missing
                                + ", so it waives nothing", "add the missing fields (README, Policy, approvals and promotion: Exceptions)"));
            }
            print(out, file + ": " + x.id() + " read", Json.object().put("file", file.toString()).put("id", x.id()).put("read", true));
            return 0;
        }
    }

    @Command(name = "verify-production", header = "Check that production runs the promoted digest, and run the checks.", description = {"Check that the digest tagged NAME/production:VERSION is the promoted one,",
            "run the smoke and monitoring checks, and check that the previous known-good digest is still in the store."})
    static final class Verify implements Callable<Integer>, Main.JsonAware {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME@VERSION")
        String release;

        @Option(names = "--check", paramLabel = "NAME=COMMAND", description = "A smoke/monitoring check (shell command; $RELEASE_DIGEST is set). Repeatable.")
        Map<String, String> checks = new java.util.LinkedHashMap<>();

        @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "Per check. Default: ${DEFAULT-VALUE}.")
        long timeout;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}")
        String actor;

        @Option(names = "--stage", paramLabel = "STAGE", description = {"A rollout stage (rollout.stages): verify what runs in",
                "production-STAGE instead of production. Only production's verification makes a digest known-good."})
        String stage;

        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "With --stage: the release's git repository (its committed .release/policy.yaml).")
        java.nio.file.Path repo;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Mixin
        CommonOptions common;

        @Mixin
        HelpOption help;

        CliOutput output;

        @Override
        public CliOutput output() {
            return output;
        }

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            if (timeout < 1) {
                throw new InputException("--timeout must be at least 1 second");
            }
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                VerifyProduction v = new VerifyProduction(ctx.store(), ctx.ledger()).release(nv[0], nv[1])
                        .timeout(Duration.ofSeconds(timeout)).actor(actor);
                if (stage != null) {
                    io.releasegate.policy.Policy policy = RolloutCommand.stagePolicy(ctx, repo, centralPolicy, nv[0] + "@" + nv[1]);
                    v.environment(io.releasegate.rollout.StageTarget.stage(policy, stage).environment(policy.production()));
                }
                checks.forEach(v::check);
                VerifyProduction.Result r = v.call();
                if (json) {
                    output.document(Json.tree(r));
                } else {
                    output.out().println((r.ok() ? "verified " : "NOT verified ") + release + (stage == null ? "" : " in stage "
                            + stage) + ": promoted " + r.promoted()
                            + ", tagged " + r.tagged().map(Object::toString).orElse("nothing"));
                    r.checks().forEach(c -> output.out().println("  check " + c.name() + ": " + (c.ok() ? "ok" : "FAILED (" + c.exitCode() + ")")));
                    output.out().println("  rollback: " + r.knownGood().map(k -> "known-good " + k).orElse("no earlier release")
                            + (r.rollbackReady() ? ", ready" : ", NOT ready"));
                    r.problems().forEach(p -> output.out().println("  problem: " + p));
                    output.out().flush();
                }
                return r.ok() ? 0 : 1;
            }
        }
    }

    @Command(name = "emergencies", description = "List emergency changes whose post-change review is overdue (exit 1 if any), or record a review.")
    static final class Emergencies extends JsonCommand {

        @Option(names = "--review", paramLabel = "EVENT", description = "Record the review of this emergency change.")
        String review;

        @Option(names = "--notes", paramLabel = "TEXT", description = "The review's findings (with --review).")
        String notes;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who reviews (with --review): someone who holds an approval role, not the change's approver.")
        String actor;

        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "The release's git repository: its .release/policy.yaml, meta/STRUCTURE.md and CODEOWNERS (the roles).")
        Path repo;

        @Option(names = "--policy", paramLabel = "FILE", description = "Team policy. Default: <repo>/.release/policy.yaml when present.")
        Path policyFile;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            Policy policy = centralPolicy.policy(repo, policyFile);
            RoleDirectory roles = RoleDirectory.resolve(policy, repo);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                if (review != null) {
                    Event e = EmergencyReviews.review(ctx.ledger(), policy, roles, review, actor, notes, Clock.systemUTC());
                    print(out, "reviewed " + review + " (event " + e.id() + ")", Json.object().put("reviewed", review).put("event", e.id()));
                    return 0;
                }
                List<Event> overdue = EmergencyReviews.overdue(ctx.ledger().events(), Clock.systemUTC().instant(), policy, roles);
                StringBuilder text = new StringBuilder();
                ArrayNode arr = Json.mapper().createArrayNode();
                for (Event e : overdue) {
                    text.append("OVERDUE ").append(e.id()).append(' ').append(e.subject()).append(" review due ")
                            .append(e.text("reviewDue").orElse("?")).append(": ").append(e.text("reason").orElse("")).append('\n');
                    arr.addObject().put("event", e.id()).put("subject", e.subject()).put("reviewDue", e.text("reviewDue").orElse(""))
                            .put("reason", e.text("reason").orElse(""));
                }
                text.append(overdue.size()).append(" emergency change(s) with an overdue review");
                print(out, text.toString(), Json.object().set("overdue", arr));
                return overdue.isEmpty() ? 0 : 1;
            }
        }
    }
}

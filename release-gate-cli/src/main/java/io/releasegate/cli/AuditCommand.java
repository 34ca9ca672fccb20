package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.ledger.Verification;
import io.releasegate.policy.Policy;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.signing.RevokedKeys;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", header = "Check the ledger, and each release against the store, as an auditor would.",
        description = {"Check the whole ledger as an auditor would: every event signed by whoever may assert it (per the",
                "trust configuration), the ledger an extension of every checkpoint published in the store, no freeze left",
                "standing past its last day (freeze.expired) and, with --repo, no hotfix commit overdue on main or a newer",
                "release branch (audit.forward-port-overdue).",
                "With NAME@VERSION or --all, per release too: who built it, who approved which digest, what was promoted",
                "where and when, and whether its artifact, signatures, SBOMs and provenance still verify against the store,",
                "each environment's tag still names the promoted digest, and a release in production is complete.",
                "Lists each finding; exit 1 when there is any. Reads only: nothing is recorded."})
final class AuditCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print the findings, the events' verifications and the checkpoints as JSON.")
    boolean json;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "NAME@VERSION",
            description = "Also audit this release against the store.")
    String release;

    @Option(names = "--all", description = "Also audit every release against the store.")
    boolean all;

    @Option(names = "--repo", paramLabel = "DIR",
            description = {"The git repository the releases were built from: each approval is checked against the authors and",
                    "committers of its release's changes (previous release tag to the built commit). Without it, or for a",
                    "release whose commit is not in it, authors are not checked and the report says so. Its hotfix forward",
                    "ports are checked too (its .release/policy.yaml's branches.forwardPortDays)."})
    java.nio.file.Path repo;

    @Mixin
    CommonOptions common;

    @Mixin
    HelpOption help;

    private CliOutput output;

    @Override
    public CliOutput output() {
        return output;
    }

    @Override
    public Integer call() {
        output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            Ledger ledger = ctx.ledger();
            List<Ledger.CheckpointStatus> checkpoints = ledger.checkpoints();
            ObjectNode doc = Json.object();
            doc.put("ledger", ledger.location());
            doc.put("trust", ledger.trust().source().toString());
            doc.put("trial", ledger.trust().trial());
            ArrayNode findings = doc.putArray("findings");
            List<Ledger.Entry> entries;
            try {
                entries = ledger.entries();
                ledger.head().ifPresent(h -> doc.put("head", h));
            } catch (RefusedException e) {
                // a rewritten history: the events cannot be listed as the ledger's, the checkpoints below say why
                entries = List.of();
                for (Refusal r : e.refusals()) {
                    findings.addObject().put("rule", r.rule()).put("message", r.evidence());
                }
            }
            ArrayNode events = doc.putArray("events");
            for (Ledger.Entry en : entries) {
                Event e = en.event();
                ObjectNode n = events.addObject().put("id", e.id()).put("type", e.type()).put("subject", e.subject())
                        .put("actor", e.actor()).put("time", e.time().toString());
                InspectCommand.verification(n, en.verification());
                if (en.verification() instanceof Verification.Rejected no) {
                    findings.addObject().put("rule", no.rule()).put("event", e.id()).put("message", "'" + e.type() + "' of "
                            + e.subject() + " by " + e.actor() + " is not believed: " + no.reason());
                }
                if (EventType.SIGNED.is(e)) {
                    ReleaseSignatures.keyFingerprint(e).flatMap(f -> ledger.trust().revoked().at(f, e.time())).ifPresent(r ->
                            findings.addObject().put("rule", RevokedKeys.RULE).put("event", e.id()).put("release", e.subject())
                                    .put("message", e.subject() + " (" + e.digest().map(Object::toString).orElse("?") + ") was signed at "
                                            + e.time() + " by key " + r.fingerprint() + ", revoked since " + r.since()
                                            + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")")));
                }
            }
            // a standing release halt, and whether its incident is past its severity's response time
            java.util.List<Event> halts = entries.stream().filter(en -> en.verification() instanceof Verification.Verified)
                    .map(Ledger.Entry::event).filter(e -> e.subject().equals(io.releasegate.promotion.ReleaseHalt.SUBJECT)).toList();
            java.util.Optional<Event> standing = io.releasegate.promotion.ReleaseHalt.active(halts);
            // the library default under the admin's central policy: the severity table and the environments
            Policy policy = standing.isPresent() || release != null || all ? io.releasegate.policy.PolicyLoader.load(
                    io.releasegate.policy.CentralPolicy.fromEnvironment(System.getenv()), java.util.Optional.empty()) : null;
            if (standing.isPresent()) {
                java.time.Clock clock = java.time.Clock.systemUTC();
                doc.set("halt", HaltCommand.describe(standing.get(), policy, clock));
                io.releasegate.promotion.ReleaseHalt.overdue(standing.get(), policy, clock.instant()).ifPresent(d ->
                        findings.addObject().put("rule", io.releasegate.promotion.ReleaseHalt.OVERDUE).put("event", standing.get().id())
                                .put("message", io.releasegate.promotion.ReleaseHalt.describe(standing.get()) + " stands " + d
                                        + " past the response time of severity " + standing.get().text("severity").orElse("?")));
            }
            // freezes nobody lifted past their last day; with --repo, hotfix commits overdue on main or a release branch
            java.util.List<Event> freezes = entries.stream().filter(en -> en.verification() instanceof Verification.Verified)
                    .map(Ledger.Entry::event).filter(e -> e.subject().equals(io.releasegate.train.Freeze.SUBJECT)).toList();
            for (io.releasegate.train.Freeze.Declared d : io.releasegate.train.Freeze.expired(freezes, java.time.Instant.now())) {
                findings.addObject().put("rule", "freeze.expired").put("event", d.event().id())
                        .put("message", d.describe() + " ended on " + d.to() + " and was never lifted");
            }
            if (repo != null) {
                Policy repoPolicy = io.releasegate.policy.PolicyLoader.load(io.releasegate.policy.CentralPolicy.fromEnvironment(
                        System.getenv()), java.util.Optional.of(repo.resolve(".release/policy.yaml")).filter(java.nio.file.Files::exists));
                try (io.releasegate.commits.History history = io.releasegate.commits.History.open(repo)) {
                    io.releasegate.report.ForwardPortHealth fp = io.releasegate.report.ForwardPortHealth.of(repo.toString(), history,
                            repoPolicy.branches().forwardPortDays(), java.time.Clock.systemUTC());
                    fp.error().ifPresent(e -> findings.addObject().put("rule", "audit.forward-port-unknown").put("message",
                            "the hotfix forward ports of " + repo + " cannot be judged: " + e));
                    for (io.releasegate.commits.ForwardPort.Missing m : fp.overdue()) {
                        findings.addObject().put("rule", "audit.forward-port-overdue").put("commit", m.commit())
                                .put("message", m.refusal().evidence());
                    }
                }
            }
            List<io.releasegate.verify.ReleaseAudit.Report> reports = List.of();
            java.util.Map<String, Boolean> authorsChecked = new java.util.HashMap<>();
            if (release != null || all) {
                String[] nv = release == null ? null : InspectCommand.parse(release);
                String wanted = nv == null ? null : nv[0] + "@" + nv[1];
                List<Policy.Environment> envs = policy.environments();
                try (io.releasegate.commits.History history = repo == null ? null : io.releasegate.commits.History.open(repo)) {
                    reports = io.releasegate.verify.ReleaseAudit.of(ctx.store(), ledger.trust().revoked(),
                            io.releasegate.verify.ReleaseAudit.believed(entries),
                            s -> wanted == null || s.equals(wanted), envs.get(envs.size() - 1).name(), built -> {
                                java.util.Optional<java.util.Set<String>> found = io.releasegate.verify.ReleaseAudit.authors(
                                        java.util.Optional.ofNullable(history), built);
                                authorsChecked.put(built.subject(), found.isPresent());
                                return found;
                            });
                }
                doc.put("authorsChecked", repo != null);
                if (wanted != null && reports.isEmpty()) {
                    throw new io.releasegate.error.InputException(wanted + " was not built (no believed 'built' event in "
                            + ledger.location() + ")");
                }
                ArrayNode rs = doc.putArray("releases");
                for (var r : reports) {
                    ObjectNode n = rs.addObject().put("release", r.release())
                            .put("authorsChecked", authorsChecked.getOrDefault(r.release(), false))
                            .put("digest", r.built().digest().map(Object::toString).orElse(""))
                            .put("commit", r.built().text("commit").orElse("")).put("builtBy", r.built().actor())
                            .put("builtAt", r.built().time().toString());
                    ArrayNode ap = n.putArray("approvals");
                    r.approvals().forEach(a -> ap.addObject().put("approver", a.actor()).put("role", a.text("role").orElse(""))
                            .put("digest", a.digest().map(Object::toString).orElse("")).put("time", a.time().toString()));
                    ArrayNode pr = n.putArray("promotions");
                    r.promotions().forEach(p -> pr.addObject().put("environment", p.text("environment").orElse(""))
                            .put("digest", p.digest().map(Object::toString).orElse("")).put("time", p.time().toString())
                            .put("rollback", p.payload().path("rollback").asBoolean(false)));
                    for (var f : r.findings()) {
                        findings.addObject().put("rule", f.rule()).put("release", f.release()).put("message", f.message());
                    }
                }
            }
            ArrayNode cps = doc.putArray("checkpoints");
            for (Ledger.CheckpointStatus c : checkpoints) {
                ObjectNode n = cps.addObject().put("size", c.size()).put("head", c.head()).put("where", c.where())
                        .put("ok", c.problem().isEmpty());
                c.problem().ifPresent(p -> {
                    n.put("problem", p);
                    findings.addObject().put("rule", "ledger.checkpoint").put("checkpoint", c.where())
                            .put("message", "the ledger does not extend checkpoint " + c.size() + ": " + p);
                });
            }
            if (json) {
                output.document(doc);
            } else {
                PrintWriter out = output.out();
                out.println("ledger  " + ledger.location() + " (" + entries.size() + " event(s), trust "
                        + (ledger.trust().trial() ? "trial" : ledger.trust().source().toString()) + ")");
                long believed = entries.stream().filter(en -> en.verification() instanceof Verification.Verified).count();
                out.println("events  " + believed + " of " + entries.size() + " signed by whoever may assert them");
                long good = checkpoints.stream().filter(c -> c.problem().isEmpty()).count();
                out.println("checkpoints  " + good + " of " + checkpoints.size() + " extended by the ledger"
                        + (checkpoints.isEmpty() ? " (none published in " + ctx.store().location() + ")" : ""));
                if (standing.isPresent()) {
                    out.println("halt  " + io.releasegate.promotion.ReleaseHalt.describe(standing.get()) + " stands");
                }
                for (var r : reports) {
                    out.println("release  " + r.release() + "  " + r.built().digest().map(Object::toString).orElse("?") + " built from "
                            + r.built().text("commit").orElse("?") + " by " + r.built().actor() + " at " + r.built().time());
                    r.approvals().forEach(a -> out.println("  approved by " + a.actor() + " (" + a.text("role").orElse("") + ") "
                            + a.digest().map(Object::toString).orElse("?") + " at " + a.time()));
                    r.promotions().forEach(p -> out.println("  promoted to " + p.text("environment").orElse("?") + " "
                            + p.digest().map(Object::toString).orElse("?") + " at " + p.time()
                            + (p.payload().path("rollback").asBoolean(false) ? " (rollback)" : "")));
                    if (!authorsChecked.getOrDefault(r.release(), false)) {
                        out.println("  approvers not checked against the authors: "
                                + (repo == null ? "no --repo given" : "its commit is not in " + repo));
                    }
                    out.println("  " + (r.findings().isEmpty() ? "still verifies against the store"
                            : r.findings().size() + " finding(s)"));
                }
                for (var f : findings) {
                    out.println("  FINDING " + f.path("rule").asText() + ": " + f.path("message").asText());
                }
                if (findings.isEmpty()) {
                    out.println("no findings");
                }
                out.flush();
            }
            return findings.isEmpty() ? 0 : 1;
        }
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.ReleaseAuthors;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.commits.History;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.ApproveEmergency;
import io.releasegate.policy.PolicyResolver;
import io.releasegate.promotion.EmergencyChange;
import io.releasegate.promotion.KnownGood;
import io.releasegate.manifest.PromoteSet;
import io.releasegate.manifest.ReleaseManifest;
import io.releasegate.promotion.PromoteDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** approve, promote and policy: the governance commands. */
final class GovernanceCommands {

    private GovernanceCommands() {
    }

    /** Shared options: the release, the workspace (policy, git history) and --json. */
    abstract static class ReleaseCommand implements Callable<Integer>, Main.JsonAware {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The release.")
        String release;

        @Option(names = "--digest", required = true, paramLabel = "sha256:...", description = "The exact artifact digest.")
        String digest;

        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "The release's git repository: its .release/policy.yaml, meta/STRUCTURE.md, CODEOWNERS and history.")
        Path repo;

        @Option(names = "--policy", paramLabel = "FILE", description = {"Team policy, for a dry run in dev or staging. Default:",
                "<repo>/.release/policy.yaml when present. Production uses the policy committed at the built commit (or the",
                "central policy); a --policy FILE that is not that policy is refused (policy.not-committed)."})
        Path policyFile;

        @Option(names = "--member-repo", paramLabel = "NAME=DIR", description = {"For a release manifest: the repository of",
                "member NAME (its committed policy, roles and authors), also when NAME's own release is named. Default: --repo."})
        java.util.Map<String, Path> memberRepos = new java.util.HashMap<>();

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

        /**
         * The policy of a decision about {@code environment} ({@link PolicyResolver}): production's is committed at the
         * commit the release was built from, as its built event says.
         */
        Policy policy(ReleaseContext ctx, String subject, String environment) {
            return new PolicyResolver(repoOf(subject.substring(0, subject.lastIndexOf('@')))).builtCommit(builtCommit(ctx, subject))
                    .environment(environment)
                    .explicit(Optional.ofNullable(policyFile)).central(centralPolicy.central()).call();
        }

        /**
         * The authors and committers of the release's changes, from the built commit's history in --repo; for a release
         * manifest, those of every member (each from its --member-repo), so that nobody who wrote a member approves the set.
         */
        Set<String> authors(ReleaseContext ctx, String name, String version) {
            Set<String> all = new java.util.HashSet<>(authors(ctx, name, version, repoOf(name)));
            java.util.List<Event> events = ctx.ledger().events(name + "@" + version);
            if (ReleaseManifest.built(events).isPresent()) {
                for (ReleaseManifest.Member m : ReleaseManifest.read(ctx.store(), name + "@" + version, events).members()) {
                    all.addAll(authors(ctx, m.name(), m.version(), repoOf(m.name())));
                }
            }
            return all;
        }

        private Set<String> authors(ReleaseContext ctx, String name, String version, Path dir) {
            Optional<String> commit = builtCommit(ctx, name + "@" + version);
            if (commit.isEmpty()) {
                return Set.of();
            }
            try (History h = History.open(dir)) {
                return ReleaseAuthors.of(h, commit.get(), version);
            }
        }

        /** The repository of a release: its --member-repo, else --repo. */
        Path repoOf(String member) {
            return memberRepos.getOrDefault(member, repo);
        }

        /** The governance of each subject of a set promotion: the set's from --repo, each member's from its repository. */
        PromoteSet.Governance governance(ReleaseContext ctx, String setName, String subject, String environment) {
            String service = subject.substring(0, subject.lastIndexOf('@'));
            String version = subject.substring(subject.lastIndexOf('@') + 1);
            Path dir = service.equals(setName) ? repo : repoOf(service);
            Policy p = new PolicyResolver(dir).builtCommit(builtCommit(ctx, subject)).environment(environment)
                    .explicit(service.equals(setName) ? Optional.ofNullable(policyFile) : Optional.empty())
                    .central(centralPolicy.central()).call();
            return new PromoteSet.Governance(p, RoleDirectory.resolve(p, dir), authors(ctx, service, version, dir));
        }

        /** The commit the release was built from, as its (believed) built event says. */
        static Optional<String> builtCommit(ReleaseContext ctx, String subject) {
            return ctx.ledger().events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE))
                    .findFirst().flatMap(e -> e.text("commit"));
        }

        Digest parsedDigest() {
            try {
                return Digest.parse(digest);
            } catch (IllegalArgumentException e) {
                throw new InputException(e.getMessage(), e);
            }
        }
    }

    @Command(name = "approve", description = {"Record one approval of one digest of a release (production by default).",
            "Refused (exit 1): no rationale, another digest, unknown role, approver not in the role, an author or committer",
            "of the release, the person who started it, or a second approval by the same person."})
    static final class Approve extends ReleaseCommand {

        @Option(names = "--approver", required = true, paramLabel = "ID", description = "Who approves (in Jenkins: the input submitter).")
        String approver;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "The approver's role, e.g. maintainer.")
        String role;

        @Option(names = "--rationale", required = true, paramLabel = "TEXT", description = "Why this may go out.")
        String rationale;

        @Option(names = "--environment", defaultValue = "production", paramLabel = "ENV", description = "Default: production.")
        String environment;

        @Option(names = "--no-go", paramLabel = "REASON", description = "Record a no-go decision instead of an approval.")
        String noGo;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                if (noGo != null) {
                    Event e = ApproveProduction.recordNoGo(ctx.ledger(), nv[0] + "@" + nv[1], parsedDigest(), approver, noGo,
                            environment, java.time.Clock.systemUTC(), () -> policy(ctx, nv[0] + "@" + nv[1], environment));
                    output.document(Json.object().put("decision", "no-go").put("event", e.id()));
                    return 0;
                }
                Policy policy = policy(ctx, nv[0] + "@" + nv[1], environment);
                Set<String> authors = authors(ctx, nv[0], nv[1]);
                ApproveProduction.Result r = new ApproveProduction(policy, ctx.ledger(), RoleDirectory.resolve(policy, repoOf(nv[0])))
                        .release(nv[0], nv[1]).digest(parsedDigest()).approver(approver).role(role).rationale(rationale)
                        .environment(environment).authors(authors).call();
                if (json) {
                    ObjectNode doc = Json.object().put("event", r.approval().id()).put("satisfied", r.status().satisfied())
                            .put("status", r.status().describe());
                    output.document(doc);
                } else {
                    output.out().println("approved " + release + " " + digest + " as " + role + " (" + r.status().describe()
                            + (r.status().satisfied() ? ": enough for " + environment : "") + ")");
                    output.out().flush();
                }
                return 0;
            }
        }
    }

    @Command(name = "promote", header = "Promote one digest to the next environment, under the policy.", description = {"Promote one digest to the next environment: the same manifest copied to",
            "NAME/ENV:VERSION in the store and a 'promoted' event. Refused (exit 1) for another digest, a skipped environment,",
            "missing evidence or approvals, or outside the change windows without a complete emergency record.",
            "A release manifest (manifest create) is promoted as one set: every member's digest, each under its own rules",
            "(--member-repo NAME=DIR for its repository), or none; a run interrupted half-way is completed by the next."})
    static final class Promote extends ReleaseCommand {

        @Option(names = "--to", required = true, paramLabel = "ENV", description = "Target environment.")
        String to;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who promotes. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Option(names = "--emergency", paramLabel = "FILE", description = "Emergency change record (JSON: reason, approver, scope, rollbackPlan, followUps).")
        Path emergency;

        @Option(names = "--rollback", description = "Roll back to this previously promoted digest.")
        boolean rollback;

        @Option(names = "--incident", paramLabel = "ID", description = "Incident reference (required with --rollback).")
        String incident;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            if (rollback && (incident == null || incident.isBlank())) {
                throw new InputException("--rollback needs --incident ID");
            }
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                if (ReleaseManifest.built(ctx.ledger().events(nv[0] + "@" + nv[1])).isPresent()) {
                    return promoteSet(ctx, nv[0], nv[1]);
                }
                Policy policy = policy(ctx, nv[0] + "@" + nv[1], to);
                PromoteDigest promote = new PromoteDigest(policy, ctx.store(), ctx.ledger()).release(nv[0], nv[1])
                        .digest(parsedDigest()).to(to).actor(actor);
                if (emergency != null) {
                    promote.emergency(Optional.of(EmergencyChange.read(emergency))).roles(RoleDirectory.resolve(policy, repoOf(nv[0])))
                            .authors(authors(ctx, nv[0], nv[1]));
                } else if (policy.previous(to).flatMap(p -> policy.stageOf(p.name())).isPresent()) {
                    // out of a rollout stage: its checklist's signer must hold a role and have written none of it
                    promote.roles(RoleDirectory.resolve(policy, repoOf(nv[0]))).authors(authors(ctx, nv[0], nv[1]));
                }
                PromoteDigest.Result r = promote
                        .rollback(rollback ? Optional.of(incident) : Optional.empty()).call();
                if (json) {
                    output.document(Json.tree(r));
                } else {
                    output.out().println(r.describe());
                    output.out().flush();
                }
                return 0;
            }
        }

        /** A release manifest: every member's digest, or none (an emergency goes member by member). */
        private int promoteSet(ReleaseContext ctx, String name, String version) {
            if (emergency != null) {
                throw new InputException(name + "@" + version + " is a release manifest: a set goes out inside a change window; "
                        + "promote the member that needs it alone as an emergency change");
            }
            PromoteSet.Result r = new PromoteSet(ctx.store(), ctx.ledger()).release(name, version).digest(parsedDigest()).to(to)
                    .actor(actor).governance(s -> governance(ctx, name, s, to))
                    .rollback(rollback ? Optional.of(incident) : Optional.empty()).call();
            if (json) {
                output.document(Json.tree(r));
            } else {
                output.out().println(r.describe());
                output.out().flush();
            }
            return 0;
        }
    }

    @Command(name = "emergency-approve", header = "Approve one emergency change of one digest (production by default).", description = {"Approve one emergency change of one digest (production by default):",
            "an emergency-approved event by the record's approver, signed with their own key (--event-key).",
            "Refused (exit 1): an incomplete record, no approver, an approver who holds none of the policy's roles,",
            "an author or committer of the release, or the person who started it."})
    static final class EmergencyApprove extends ReleaseCommand {

        @Option(names = "--record", required = true, paramLabel = "FILE",
                description = "The emergency change record (JSON: reason, approver, scope, rollbackPlan, followUps).")
        Path record;

        @Option(names = "--role", paramLabel = "ROLE", description = "The approver's role. Default: any of the policy's roles.")
        String role;

        @Option(names = "--environment", defaultValue = "production", paramLabel = "ENV", description = "Default: production.")
        String environment;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            EmergencyChange change = EmergencyChange.read(record);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Policy policy = policy(ctx, nv[0] + "@" + nv[1], environment);
                Event e = new ApproveEmergency(policy, ctx.ledger(), RoleDirectory.resolve(policy, repoOf(nv[0]))).release(nv[0], nv[1])
                        .digest(parsedDigest()).environment(environment).record(change).role(Optional.ofNullable(role))
                        .authors(authors(ctx, nv[0], nv[1])).call();
                if (json) {
                    output.document(Json.object().put("event", e.id()).put("approver", change.approver())
                            .put("environment", environment));
                } else {
                    output.out().println("emergency change of " + release + " " + digest + " approved by " + change.approver()
                            + " for " + environment + " (event " + e.id() + ")");
                    output.out().flush();
                }
                return 0;
            }
        }
    }

    @Command(name = "mark-bad", header = "Record that one digest of a release is bad: no rollback goes back to it.", description = {"Record that one digest of a release is bad (a 'marked-bad' event): no rollback",
            "goes back to it afterwards. A rollback takes only a known-good digest: verify-production passed in production",
            "and not marked bad since."})
    static final class MarkBad extends ReleaseCommand {

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why: the incident, what is wrong.")
        String reason;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who records it. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Override
        public Integer call() {
            output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
            String[] nv = InspectCommand.parse(release);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Event e = KnownGood.markBad(ctx.ledger(), nv[0] + "@" + nv[1], parsedDigest(), actor, reason,
                        java.time.Clock.systemUTC());
                if (json) {
                    output.document(Json.object().put("event", e.id()).put("digest", digest));
                } else {
                    output.out().println("marked bad: " + release + " " + digest + " (event " + e.id() + ")");
                    output.out().flush();
                }
                return 0;
            }
        }
    }

    @Command(name = "policy", description = "The release policy.", subcommands = {Explain.class, Check.class})
    static final class PolicyCommand extends GroupCommand {
    }

    @Command(name = "explain", description = "Print the effective policy: the library default with the team's policy over it.")
    static final class Explain extends JsonCommand {
        @Option(names = "--policy", paramLabel = "FILE", description = "Team policy. Default: .release/policy.yaml when present.")
        Path file;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Override
        int run(CliOutput out) {
            Policy p = centralPolicy.policy(Path.of("."), file);
            // the effective policy is a JSON document either way, with its digest (what events name it by)
            ObjectNode doc = Json.object().put("digest", p.digest().toString());
            doc.setAll((ObjectNode) Json.tree(p));
            out.document(doc);
            return 0;
        }
    }

    @Command(name = "check", description = {"Validate a team policy file; errors name the line and the key (exit 2); a policy",
            "that loosens the library's (or the central) policy in high-assurance mode is refused (exit 1, policy.loosened)."})
    static final class Check extends JsonCommand {
        @Parameters(index = "0", paramLabel = "FILE", defaultValue = ".release/policy.yaml", description = "Default: .release/policy.yaml.")
        Path file;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Override
        int run(CliOutput out) {
            Policy p = PolicyLoader.load(centralPolicy.central(), Optional.of(file));
            print(out, file + ": valid (policy " + p.digest() + ")", Json.object().put("file", file.toString()).put("valid", true)
                    .put("digest", p.digest().toString()));
            return 0;
        }
    }
}

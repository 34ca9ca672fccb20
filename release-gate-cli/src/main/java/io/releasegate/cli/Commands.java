package io.releasegate.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The top-level commands of {@code release-gate}, in the order {@code --help} lists them.
 *
 * <p>Start-up must not grow with the number of commands: {@link #commandLine} builds the real picocli model
 * only of the commands whose name appears among the arguments; every other command is a stand-in spec with
 * its name and the one-line summary {@code --help} prints (its {@code @Command} header, else the first line of
 * its description, as picocli lists a subcommand). {@code CommandsTest} checks this table against the commands' annotations.
 */
final class Commands {

    /** A top-level command: its name and the line {@code release-gate --help} shows for it. */
    record Entry(String name, String summary) {}

    static final List<Entry> ALL = List.of(
            new Entry("build-once", "Digest the build outputs, publish them as one OCI artifact NAME:VERSION and record a 'built' event."),
            new Entry("inspect", "Show what the store and the ledger know about a release, and who signed each event."),
            new Entry("audit", "Check the ledger, and each release against the store, as an auditor would."),
            new Entry("next-version", "The next release version from the last reachable vX.Y.Z tag and the Conventional Commits since."),
            new Entry("changelog", "A Keep a Changelog section for the commits between two refs."),
            new Entry("commits", "Commit message checks."),
            new Entry("scope", "Release-scope checks: required files, secrets, dependency changes and feature flags since the last release."),
            new Entry("branch", "Branch model checks."),
            new Entry("forward-port", "Hotfix forward ports to main and the release branches."),
            new Entry("tag", "Create the signed, annotated release tag vX.Y.Z on the commit recorded as built."),
            new Entry("release-notes", "Write docs/releases/vX.Y.Z.md from the policy's template and the release record."),
            new Entry("approve", "Record one approval of one digest of a release (production by default)."),
            new Entry("promote", "Promote one digest to the next environment, under the policy."),
            new Entry("manifest", "Release manifests: several services' releases pinned and promoted as one set."),
            new Entry("emergency-approve", "Approve one emergency change of one digest (production by default)."),
            new Entry("mark-bad", "Record that one digest of a release is bad: no rollback goes back to it."),
            new Entry("halt", "Record, lift or show a release halt: while it stands, promotions are refused."),
            new Entry("train", "Release trains: the next trains' dates, the cut at the cutoff, the go/no-go."),
            new Entry("freeze", "Record, lift or check a freeze of main: scope, dates and exit criteria, approved by a release manager."),
            new Entry("policy", "The release policy."),
            new Entry("gate", "Decide the gates for one digest from its reports, exceptions and the policy."),
            new Entry("exceptions", "Policy exceptions."),
            new Entry("bypass", "Request, approve or list recorded gate bypasses of one digest."),
            new Entry("quarantine", "Quarantine a flaky test of a service until a date, lift it, or list quarantines."),
            new Entry("rollout", "Progressive rollout: stage progress, stage evidence and health checks."),
            new Entry("verify-production", "Check that production runs the promoted digest, and run the checks."),
            new Entry("emergencies", "List emergency changes whose post-change review is overdue (exit 1 if any), or record a review."),
            new Entry("sign", "Sign files, or the artifact of a release, with a key or a certificate."),
            new Entry("verify", "Verify a file's signature, or the recorded signatures of a release."),
            new Entry("provenance", "SLSA Provenance v1 for a release, in a DSSE envelope signed with --key; records it."),
            new Entry("tlog-init", "Create a local transparency log for 'sign --tlog DIR'."),
            new Entry("sbom", "SBOM in CycloneDX 1.6 and/or SPDX 2.3 JSON, schema-validated and deterministic."),
            new Entry("verify-tag", "Verify the signature of an annotated tag (OpenPGP or SSH)."),
            new Entry("evidence", "Export the evidence bundle of a release, or verify one offline."),
            new Entry("record-run", "Record a pipeline run's outcome (branch, result, duration) for the delivery report."),
            new Entry("report", "Delivery health from the ledger: DORA metrics, CI pass rate, gates, evidence."),
            new Entry("demo", "The main job: walk a sample project through every Release Gate step."));

    private Commands() {}

    /** A new instance of the command called {@code name}; only this loads the command's class. */
    static Object create(String name) {
        return switch (name) {
            case "build-once" -> new BuildOnceCommand();
            case "inspect" -> new InspectCommand();
            case "audit" -> new AuditCommand();
            case "next-version" -> new NextVersionCommand();
            case "changelog" -> new ChangelogCommand();
            case "commits" -> new CommitsCommand();
            case "scope" -> new ScopeCommand();
            case "branch" -> new BranchCommand();
            case "forward-port" -> new ForwardPortCommand();
            case "tag" -> new TagCommand();
            case "release-notes" -> new ReleaseNotesCommand();
            case "approve" -> new GovernanceCommands.Approve();
            case "promote" -> new GovernanceCommands.Promote();
            case "manifest" -> new ManifestCommand();
            case "emergency-approve" -> new GovernanceCommands.EmergencyApprove();
            case "mark-bad" -> new GovernanceCommands.MarkBad();
            case "halt" -> new HaltCommand();
            case "train" -> new TrainCommand();
            case "freeze" -> new FreezeCommand();
            case "policy" -> new GovernanceCommands.PolicyCommand();
            case "gate" -> new GateCommands.Gate();
            case "exceptions" -> new GateCommands.Exceptions();
            case "bypass" -> new BypassCommand();
            case "quarantine" -> new QuarantineCommand();
            case "rollout" -> new RolloutCommand();
            case "verify-production" -> new GateCommands.Verify();
            case "emergencies" -> new GateCommands.Emergencies();
            case "sign" -> new SigningCommands.Sign();
            case "verify" -> new SigningCommands.Verify();
            case "provenance" -> new SigningCommands.ProvenanceCommand();
            case "tlog-init" -> new SigningCommands.TlogInit();
            case "sbom" -> new SbomCommand();
            case "verify-tag" -> new VerifyTagCommand();
            case "evidence" -> new EvidenceCommand();
            case "record-run" -> new RecordRunCommand();
            case "report" -> new ReportCommand();
            case "demo" -> new DemoCommand();
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    /**
     * The command line for {@code args}: the real model of every top-level command named among them (the one
     * to run, and for {@code help COMMAND} the one to describe), a stand-in for each of the others.
     */
    static CommandLine commandLine(Object root, String[] args) {
        return commandLine(root, List.of(args));
    }

    /** As {@link #commandLine(Object, String[])}, with the real model of exactly the commands in {@code real}. */
    static CommandLine commandLine(Object root, List<String> real) {
        CommandLine cl = new CommandLine(root);
        for (Entry e : ALL) {
            cl.addSubcommand(e.name(), real.contains(e.name()) ? new CommandLine(create(e.name())) : standIn(e));
        }
        cl.addSubcommand(new CommandLine.HelpCommand());
        return cl;
    }

    private static CommandLine standIn(Entry e) {
        CommandSpec spec = CommandSpec.create().name(e.name());
        spec.usageMessage().description(e.summary());
        return new CommandLine(spec);
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.BranchCheck;
import io.releasegate.commits.History;
import io.releasegate.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "branch", description = "Branch model checks.", subcommands = BranchCommand.Check.class)
final class BranchCommand extends GroupCommand {

    @Command(name = "check", description = {"Check the branch against the branch model: its name; a hotfix branch starts at a",
            "production tag, names PATCH+1 of it and carries nothing from main; after a release branch's cutoff only reverts,",
            "-x cherry-picks that carry the change of a commit on main (a pick that differs is listed as a finding), and fixes",
            "justified in .release/release-branch-fixes.yaml on main. Exit 1 with each violation, its commit and what would satisfy it."})
    static final class Check extends RepoCommand {

        @Option(names = "--branch", paramLabel = "NAME", description = "Branch name (e.g. $BRANCH_NAME). Default: the checked-out branch.")
        String branch;

        @Option(names = "--main", paramLabel = "REF", defaultValue = "main", description = "The trunk. Default: main.")
        String main;

        @Override
        int run(History history, CliOutput out) {
            BranchCheck.Result r = new BranchCheck(history).branch(branch).mainRef(main).call();
            if (out.json()) {
                ObjectNode doc = Json.object().put("branch", r.branch()).put("kind", r.kind()).put("ok", r.ok());
                ArrayNode arr = doc.putArray("violations");
                r.violations().forEach(v -> node(arr, v));
                ArrayNode findings = doc.putArray("findings");
                r.findings().forEach(v -> node(findings, v));
                out.document(doc);
            } else {
                for (BranchCheck.Violation v : r.violations()) {
                    out.out().println(v.rule() + ": " + v.message() + "; to proceed: " + v.remedy());
                }
                for (BranchCheck.Violation f : r.findings()) {
                    out.out().println("finding " + f.rule() + ": " + f.message() + "; " + f.remedy());
                }
                out.out().println(r.branch() + " (" + r.kind() + "): " + (r.ok() ? "follows the branch model"
                        : r.violations().size() + " violation(s)"));
                out.out().flush();
            }
            return r.ok() ? 0 : 1;
        }

        private static void node(ArrayNode arr, BranchCheck.Violation v) {
            ObjectNode n = arr.addObject().put("rule", v.rule()).put("message", v.message()).put("remedy", v.remedy());
            v.commit().ifPresent(c -> n.put("commit", c));
        }
    }
}

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
            "production tag; after a release branch's cutoff only fixes, reverts and -x cherry-picks of commits on main.",
            "Exit 1 with each violation and its commit."})
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
                r.violations().forEach(v -> {
                    ObjectNode n = arr.addObject().put("rule", v.rule()).put("message", v.message());
                    v.commit().ifPresent(c -> n.put("commit", c));
                });
                out.document(doc);
            } else {
                for (BranchCheck.Violation v : r.violations()) {
                    out.out().println(v.rule() + ": " + v.message());
                }
                out.out().println(r.branch() + " (" + r.kind() + "): " + (r.ok() ? "follows the branch model"
                        : r.violations().size() + " violation(s)"));
                out.out().flush();
            }
            return r.ok() ? 0 : 1;
        }
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.ConventionalCommits;
import io.releasegate.commits.History;
import io.releasegate.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "commits", description = "Commit message checks.", subcommands = CommitsCommand.Lint.class)
final class CommitsCommand extends GroupCommand {

    @Command(name = "lint", description = {"Report every commit in RANGE that is not a Conventional Commit 1.0 (merges are skipped).",
            "RANGE is FROM..TO or a single revision (its whole history). Exit 1 when any commit does not conform."})
    static final class Lint extends RepoCommand {

        @Parameters(index = "0", paramLabel = "RANGE", defaultValue = "HEAD", description = "e.g. v1.3.0..HEAD. Default: HEAD.")
        String range;

        @Override
        int run(History history, CliOutput out) {
            Optional<String> from = Optional.empty();
            String to = range;
            int dots = range.indexOf("..");
            if (dots >= 0) {
                from = Optional.of(range.substring(0, dots));
                to = range.substring(dots + 2).isEmpty() ? "HEAD" : range.substring(dots + 2);
            }
            List<History.Commit> commits = history.range(from, to);
            List<String[]> bad = new ArrayList<>();
            int checked = 0;
            for (History.Commit c : commits) {
                if (c.isMerge()) {
                    continue;
                }
                checked++;
                if (c.parsed() instanceof ConventionalCommits.Invalid inv) {
                    bad.add(new String[] {c.sha(), c.subject(), inv.reason()});
                }
            }
            if (out.json()) {
                ObjectNode doc = Json.object().put("range", range).put("checked", checked).put("ok", bad.isEmpty());
                ArrayNode arr = doc.putArray("violations");
                bad.forEach(b -> arr.addObject().put("commit", b[0]).put("subject", b[1]).put("reason", b[2]));
                out.document(doc);
            } else {
                for (String[] b : bad) {
                    out.out().println(b[0].substring(0, 7) + " \"" + b[1] + "\": " + b[2]);
                }
                out.out().println(checked + " commit(s) checked, " + bad.size() + " not conforming to Conventional Commits 1.0");
                out.out().flush();
            }
            return bad.isEmpty() ? 0 : 1;
        }
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.changelog.Changelog;
import io.releasegate.commits.History;
import io.releasegate.json.Json;
import io.releasegate.version.NextVersion;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "changelog", header = "A Keep a Changelog section for the commits between two refs.",
        description = {"A Keep a Changelog section for the commits between two refs, with PR numbers, tickets,",
                "breaking changes first and backports marked. Refused (exit 1) when a commit lacks a ticket reference."})
final class ChangelogCommand extends RepoCommand {

    @Option(names = "--from", paramLabel = "REF", description = "Start (exclusive). Default: the last release tag reachable from --to.")
    String from;

    @Option(names = "--to", paramLabel = "REF", defaultValue = "HEAD", description = "End (inclusive). Default: HEAD.")
    String to;

    @Option(names = "--version", paramLabel = "X.Y.Z", description = "Heading version. Default: Unreleased.")
    String version;

    @Option(names = "--bump", description = "Head the section with the next version (as next-version computes it).")
    boolean bump;

    @Option(names = "--no-require-tickets", description = "List commits without a ticket as problems instead of refusing.")
    boolean noRequireTickets;

    @Override
    int run(History history, CliOutput out) {
        Optional<String> heading = Optional.ofNullable(version);
        if (bump && heading.isEmpty()) {
            heading = Optional.of(new NextVersion(history).rev(to).call().version());
        }
        Changelog cmd = new Changelog(history).to(to).version(heading).requireTickets(!noRequireTickets);
        if (from != null) {
            cmd.from(Optional.of(from));
        }
        Changelog.Result r = cmd.call();
        if (out.json()) {
            ObjectNode doc = Json.object().put("heading", r.heading()).put("markdown", r.markdown()).put("to", r.to());
            r.from().ifPresent(f -> doc.put("from", f));
            doc.set("entries", Json.tree(r.entries()));
            ArrayNode problems = doc.putArray("problems");
            r.problems().forEach(p -> problems.add(Json.tree(p)));
            out.document(doc);
        } else {
            out.out().print(r.markdown());
            for (Changelog.Problem p : r.problems()) {
                out.err().println("warning: " + p.sha().substring(0, 7) + " \"" + p.subject() + "\": " + p.reason());
            }
            out.out().flush();
            out.err().flush();
        }
        return 0;
    }
}

package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.ForwardPort;
import io.releasegate.commits.History;
import io.releasegate.json.Json;
import io.releasegate.policy.Policy;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "forward-port", description = "Hotfix forward ports to main and the release branches.",
        subcommands = ForwardPortCommand.Check.class)
final class ForwardPortCommand extends GroupCommand {

    @Command(name = "check", description = {"List the commits of each hotfix vX.Y.Z (between the release it was cut from and its tag)",
            "not yet on main or on a release/A.B branch of its minor or newer: present means reachable (a merge), cherry-picked",
            "with -x and carrying the change (patch id), or the same patch id. Missing commits are listed (exit 0) until",
            "branches.forwardPortDays (default 5) after the hotfix tag; exit 1 when one is overdue."})
    static final class Check extends RepoCommand {

        @Option(names = "--since", paramLabel = "DAYS", description = "Only hotfixes tagged within the last DAYS days. Default: all.")
        Integer since;

        @Option(names = "--main", paramLabel = "REF", defaultValue = "main", description = "The trunk. Default: main.")
        String main;

        @Option(names = "--policy", paramLabel = "FILE", description = "Team policy. Default: <repo>/.release/policy.yaml when present.")
        Path policyFile;

        @Mixin
        CentralPolicyOptions centralPolicy;

        @Override
        int run(History history, CliOutput out) {
            Policy policy = centralPolicy.policy(repo, policyFile);
            int days = policy.branches().forwardPortDays();
            ForwardPort.Result r = new ForwardPort(history).mainRef(main).days(days).since(Optional.ofNullable(since)).call();
            int overdue = r.overdue().size();
            if (out.json()) {
                ObjectNode doc = Json.object().put("ok", overdue == 0).put("forwardPortDays", days).put("missing", r.missing().size())
                        .put("overdue", overdue);
                ArrayNode hotfixes = doc.putArray("hotfixes");
                for (ForwardPort.Hotfix h : r.hotfixes()) {
                    ObjectNode n = hotfixes.addObject().put("tag", h.tag()).put("base", h.base()).put("tagged", h.tagged().toString())
                            .put("due", h.due().toString());
                    h.commits().forEach(n.putArray("commits")::add);
                    h.exempt().forEach(n.putArray("exempt")::add);
                    h.targets().forEach(n.putArray("targets")::add);
                    ArrayNode present = n.putArray("present");
                    h.present().forEach(p -> present.addObject().put("commit", p.commit()).put("target", p.target())
                            .put("how", p.how().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).put("via", p.via())
                            .put("patchDiffers", p.patchDiffers()));
                    ArrayNode missing = n.putArray("missing");
                    h.missing().forEach(m -> missing.addObject().put("commit", m.commit()).put("subject", m.subject())
                            .put("target", m.target()).put("due", m.due().toString()).put("overdue", m.overdue()));
                }
                out.document(doc);
            } else {
                for (ForwardPort.Hotfix h : r.hotfixes()) {
                    out.out().println(h.tag() + " (cut from " + h.base() + ", tagged " + h.tagged() + ", due " + h.due() + "): "
                            + h.commits().size() + " commit(s), targets " + h.targets()
                            + (h.exempt().isEmpty() ? "" : ", " + h.exempt().size() + " justified as release-branch only"));
                    for (ForwardPort.Present p : h.present()) {
                        out.out().println("  on " + p.target() + ": " + p.commit().substring(0, 7) + " ("
                                + p.how().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " "
                                + p.via().substring(0, 7) + (p.patchDiffers() ? ", the patch differs" : "") + ")");
                    }
                    for (ForwardPort.Missing m : h.missing()) {
                        out.out().println("  " + (m.overdue() ? "OVERDUE" : "missing") + " on " + m.target() + ": " + m.shortSha()
                                + " \"" + m.subject() + "\"" + (m.overdue() ? "; " + m.refusal().rule() + ": " + m.refusal().remedy()
                                : " (due " + m.due() + ")"));
                    }
                }
                out.out().println(r.hotfixes().size() + " hotfix(es), " + r.missing().size() + " commit(s) missing, " + overdue
                        + " overdue (branches.forwardPortDays " + days + ")");
                out.out().flush();
            }
            return overdue == 0 ? 0 : 1;
        }
    }
}

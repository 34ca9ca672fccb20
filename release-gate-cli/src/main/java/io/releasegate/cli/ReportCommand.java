package io.releasegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.History;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.report.CommitTimes;
import io.releasegate.report.DeliveryReport;
import io.releasegate.report.DeliveryReports;
import io.releasegate.report.FlagHealth;
import io.releasegate.report.ReportHtml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** report: delivery health from the ledger. */
@Command(name = "report", header = "Delivery health from the ledger: DORA metrics, CI pass rate, gates, evidence.",
        description = {"Delivery health from the ledger's believed events, per service and overall, for whole months (UTC):",
                "deployment frequency, lead time for changes (from the first commit where --repo holds the release's history,",
                "else from its build), change failure rate, time to restore, the CI pass rate of main and release branches",
                "(from record-run), gate findings, time to remediate and exceptions, SBOM/provenance availability per",
                "production release, and the three largest contributors to lead time. Definitions: docs/report.md.",
                "Prints a summary (the whole document with --json); --out DIR writes report.json and report.html (charts,",
                "readable offline). Reads only: nothing is recorded."})
final class ReportCommand extends JsonCommand {

    @Option(names = "--month", paramLabel = "YYYY-MM", description = "Report this month only.")
    String month;

    @Option(names = "--from", paramLabel = "YYYY-MM", description = "The first month. Default: the month of the oldest event.")
    String from;

    @Option(names = "--to", paramLabel = "YYYY-MM", description = "The last month. Default: the month of the newest event.")
    String to;

    @Option(names = "--out", paramLabel = "DIR", description = "Write report.json and report.html into DIR (created when missing).")
    Path out;

    @Option(names = "--repo", paramLabel = "DIR", description = {"A git repository the releases were built from (repeatable): lead",
            "time starts at the first commit of each release's changes found there; its hotfix commits not yet forward-ported",
            "and the feature flags past their removal date in its registry are listed. The first one's .release/policy.yaml",
            "(over the central policy) names the environments. Default: none; lead time from the build."})
    List<Path> repos = new ArrayList<>();

    @Option(names = "--hotfix-days", paramLabel = "N", defaultValue = "7",
            description = "A patch release reaching production within N days of the previous one is a hotfix. Default: ${DEFAULT-VALUE}.")
    int hotfixDays;

    @Mixin
    CentralPolicyOptions centralPolicy;

    @Mixin
    CommonOptions common;

    @Override
    int run(CliOutput output) {
        if (month != null && (from != null || to != null)) {
            throw new InputException("give --month, or --from and --to, not both");
        }
        Optional<YearMonth> first = Optional.ofNullable(month != null ? month : from).map(m -> DeliveryReport.parseMonth(m,
                month != null ? "--month" : "--from"));
        Optional<YearMonth> last = month != null ? first : Optional.ofNullable(to).map(m -> DeliveryReport.parseMonth(m, "--to"));
        if (first.isPresent() && last.isPresent() && last.get().isBefore(first.get())) {
            throw new InputException("--to " + last.get() + " is before --from " + first.get());
        }
        if (hotfixDays < 0) {
            throw new InputException("--hotfix-days must be 0 or more, not " + hotfixDays);
        }
        Path policyRepo = repos.isEmpty() ? Path.of(".") : repos.get(0);
        Policy policy = centralPolicy.policy(policyRepo, null);
        List<History> histories = new ArrayList<>();
        try {
            for (Path r : repos) {
                histories.add(History.open(r));
            }
            ObjectNode doc;
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                doc = new DeliveryReports(ctx.ledger()).months(first, last)
                        .environments(policy)
                        .hotfixDays(hotfixDays).commits(CommitTimes.of(histories)).flags(flags(histories))
                        .forwardPorts(forwardPorts(histories)).call();
            }
            String wrote = "";
            if (out != null) {
                DeliveryReports.Written w = DeliveryReports.write(out, doc);
                wrote = "\nwrote " + w.json() + "\nwrote " + w.html();
            }
            print(output, summary(doc) + wrote, doc);
            return 0;
        } finally {
            histories.forEach(History::close);
        }
    }

    /** The feature flags past their removal date in each --repo's registry (its policy's scope.flagRegistry), as HEAD has it. */
    private List<FlagHealth> flags(List<History> histories) {
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        List<FlagHealth> out = new ArrayList<>();
        for (int i = 0; i < repos.size(); i++) {
            Path r = repos.get(i).toAbsolutePath().normalize();
            String name = r.getFileName() == null ? r.toString() : r.getFileName().toString();
            out.add(FlagHealth.of(name, histories.get(i), centralPolicy.policy(repos.get(i), null).scope().flagRegistry(), today));
        }
        return out;
    }

    /** The hotfix commits of each --repo not yet forward-ported (its policy's branches.forwardPortDays). */
    private List<io.releasegate.report.ForwardPortHealth> forwardPorts(List<History> histories) {
        List<io.releasegate.report.ForwardPortHealth> out = new ArrayList<>();
        for (int i = 0; i < repos.size(); i++) {
            Path r = repos.get(i).toAbsolutePath().normalize();
            String name = r.getFileName() == null ? r.toString() : r.getFileName().toString();
            out.add(io.releasegate.report.ForwardPortHealth.of(name, histories.get(i),
                    centralPolicy.policy(repos.get(i), null).branches().forwardPortDays(), java.time.Clock.systemUTC()));
        }
        return out;
    }

    /** A readable table of the headline figures. */
    static String summary(JsonNode doc) {
        StringBuilder b = new StringBuilder();
        String f = doc.at("/period/from").asText();
        String t = doc.at("/period/to").asText();
        b.append("delivery health ").append(f.equals(t) ? f : f + " to " + t).append(" (UTC): ")
                .append(doc.at("/ledger/believed").asInt()).append(" believed events");
        int notBelieved = doc.at("/ledger/notBelieved").asInt();
        if (notBelieved > 0) {
            b.append(", ").append(notBelieved).append(" not believed and left out");
        }
        b.append(" in ").append(doc.at("/ledger/location").asText()).append("\n\n");
        String row = "%-24s %8s %9s %12s %9s %12s %8s %10s %9s%n";
        b.append(String.format(Locale.ROOT, row, "service", "deploys", "rollbacks", "lead time", "failure", "restore",
                "CI main", "CI release", "evidence"));
        line(b, row, "all services", doc.path("overall"));
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("services").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            line(b, row, s.getKey(), s.getValue());
        }
        b.append("\ntop contributors to lead time:");
        for (JsonNode c : doc.path("leadTimeContributors")) {
            b.append("\n  ").append(c.path("stage").asText()).append(": ").append(ReportHtml.hours(c.path("totalSeconds")))
                    .append(" in all, ").append(ReportHtml.hours(c.path("meanSeconds"))).append(" per release (")
                    .append(ReportHtml.percent(c.path("share"))).append(")");
        }
        for (JsonNode r : doc.at("/flags/repositories")) {
            b.append("\nflags past their removal date in ").append(r.path("repository").asText()).append(": ");
            if (r.has("error")) {
                b.append("registry unreadable: ").append(r.path("error").asText());
            } else if (!r.path("present").asBoolean()) {
                b.append("no ").append(r.path("registry").asText());
            } else {
                b.append(r.path("overdue").size());
                for (JsonNode flag : r.path("overdue")) {
                    b.append("\n  ").append(flag.path("name").asText()).append(" (owner ").append(flag.path("owner").asText("-"))
                            .append(", escalation ").append(flag.path("escalation").asText()).append("): due ")
                            .append(flag.path("removal").asText()).append(", ").append(flag.path("daysOverdue").asInt())
                            .append(" day(s) overdue");
                }
            }
        }
        for (JsonNode r : doc.at("/forwardPorts/repositories")) {
            b.append("\nhotfixes not yet forward-ported in ").append(r.path("repository").asText()).append(": ");
            if (r.has("error")) {
                b.append("history unreadable: ").append(r.path("error").asText());
            } else {
                b.append(r.path("missing").size());
                for (JsonNode m : r.path("missing")) {
                    b.append("\n  ").append(m.path("overdue").asBoolean() ? "OVERDUE " : "").append(m.path("commit").asText(), 0, 12)
                            .append(" \"").append(m.path("subject").asText()).append("\" of ").append(m.path("hotfix").asText())
                            .append(" on ").append(m.path("target").asText()).append(", due ").append(m.path("due").asText());
                }
            }
        }
        JsonNode gates = doc.at("/overall/gates");
        b.append("\ngates: ").append(gates.path("evaluations").asInt()).append(" evaluations, ").append(gates.path("failed").asInt())
                .append(" failed; exceptions used ").append(gates.at("/exceptions/used")).append(", expired ")
                .append(gates.at("/exceptions/expired"));
        return b.toString();
    }

    private static void line(StringBuilder b, String row, String name, JsonNode m) {
        b.append(String.format(Locale.ROOT, row, name.length() > 24 ? name.substring(0, 23) + "…" : name,
                m.at("/deploymentFrequency/deployments").asText(), m.at("/deploymentFrequency/rollbacks").asText(),
                ReportHtml.hours(m.at("/leadTime/medianSeconds")), ReportHtml.percent(m.at("/changeFailureRate/rate")),
                ReportHtml.hours(m.at("/timeToRestore/medianSeconds")), ReportHtml.percent(m.at("/ci/main/rate")),
                ReportHtml.percent(m.at("/ci/release/rate")), ReportHtml.percent(m.at("/evidence/rate"))));
    }
}

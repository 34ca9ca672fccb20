package io.releasegate.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The delivery report as one static HTML page: summary tables and charts (trend per month, per service) drawn by
 * Apache ECharts, whose library is read from its WebJar on the classpath and inlined, so that the page is readable
 * offline, from a file, with no server (attached to a Jenkins build, mailed, archived).
 *
 * <p>Nothing from the ledger reaches the page unescaped: text in the tables is HTML-escaped, and the report's data is
 * embedded as JSON in a {@code <script type="application/json">} element with {@code <}, {@code >}, {@code &} and the
 * line separators written as JSON escapes, so that no field (a service name, an incident reference, an exception id)
 * can close that element or open another one. The charts take their labels from that data as text.
 */
public final class ReportHtml {

    private static final String WEBJAR = "META-INF/maven/org.webjars.npm/echarts/pom.properties";
    /** The chart elements the page draws, by id. */
    public static final List<String> CHARTS = List.of("chart-deployments", "chart-change-failure", "chart-lead-time",
            "chart-restore", "chart-ci", "chart-contributors", "chart-findings");

    private final String library;
    private final String libraryName;

    private ReportHtml(String library, String libraryName) {
        this.library = library;
        this.libraryName = libraryName;
    }

    /** With Apache ECharts from its WebJar on the classpath; an internal error when the WebJar is missing. */
    public static ReportHtml withEcharts() {
        ClassLoader cl = ReportHtml.class.getClassLoader();
        Properties p = new Properties();
        try (InputStream in = cl.getResourceAsStream(WEBJAR)) {
            if (in == null) {
                throw new IllegalStateException("the chart library (the echarts WebJar) is missing from the classpath: " + WEBJAR);
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = p.getProperty("version");
        String path = "META-INF/resources/webjars/echarts/" + version + "/dist/echarts.min.js";
        try (InputStream in = cl.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the chart library is missing from the classpath: " + path);
            }
            return new ReportHtml(new String(in.readAllBytes(), StandardCharsets.UTF_8), "Apache ECharts " + version);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** With another script in the library's place (tests: a page whose chart library is missing). */
    static ReportHtml withLibrary(String script, String name) {
        return new ReportHtml(script, name);
    }

    /** The page of a report document ({@link DeliveryReport#json}). */
    public String render(JsonNode report) {
        StringBuilder h = new StringBuilder(library.length() + 64 * 1024);
        String from = report.at("/period/from").asText();
        String to = report.at("/period/to").asText();
        String period = from.equals(to) ? from : from + " to " + to;
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Delivery health, ").append(esc(period)).append("</title>\n<style>\n").append(CSS).append("</style>\n")
                .append("</head>\n<body>\n<header>\n<h1>Delivery health</h1>\n<p class=\"sub\">")
                .append(esc(period)).append(" (UTC) &middot; ").append(esc(report.path("events").asText())).append(" believed ledger events");
        JsonNode ledger = report.path("ledger");
        if (ledger.isObject()) {
            h.append(" from ").append(esc(ledger.path("location").asText()));
            if (ledger.path("notBelieved").asInt() > 0) {
                h.append(" &middot; <strong>").append(ledger.path("notBelieved").asInt()).append(" not believed, left out</strong>");
            }
        }
        h.append(" &middot; generated ").append(esc(report.path("generatedAt").asText())).append("</p>\n</header>\n<main>\n");

        JsonNode o = report.path("overall");
        h.append("<section class=\"cards\">\n");
        card(h, "Deployment frequency", o.at("/deploymentFrequency/deployments").asText() + " deployments",
                number(o.at("/deploymentFrequency/perWeek")) + " per week, " + o.at("/deploymentFrequency/rollbacks").asText() + " rollbacks");
        card(h, "Lead time for changes", hours(o.at("/leadTime/medianSeconds")), "median of " + o.at("/leadTime/releases").asText()
                + " releases; mean " + hours(o.at("/leadTime/meanSeconds")));
        card(h, "Change failure rate", percent(o.at("/changeFailureRate/rate")), o.at("/changeFailureRate/failed").asText() + " of "
                + o.at("/changeFailureRate/deployments").asText() + " deployments failed");
        card(h, "Time to restore", hours(o.at("/timeToRestore/medianSeconds")), "median; " + o.at("/timeToRestore/restored").asText()
                + " of " + o.at("/timeToRestore/incidents").asText() + " incidents restored");
        card(h, "CI pass rate (main)", percent(o.at("/ci/main/rate")), o.at("/ci/main/passed").asText() + " of "
                + o.at("/ci/main/counted").asText() + " runs; release branches " + percent(o.at("/ci/release/rate")));
        card(h, "Evidence complete", percent(o.at("/evidence/rate")), o.at("/evidence/complete").asText() + " of "
                + o.at("/evidence/releases").asText() + " production releases with both SBOMs, provenance and a signature");
        h.append("</section>\n");

        h.append("<section class=\"charts\">\n");
        chart(h, "chart-deployments", "Deployments to production per month");
        chart(h, "chart-change-failure", "Change failure rate per month");
        chart(h, "chart-lead-time", "Lead time for changes, median per month (hours)");
        chart(h, "chart-restore", "Time to restore, median per month (hours)");
        chart(h, "chart-ci", "CI pass rate on main per month");
        chart(h, "chart-contributors", "Where lead time goes (hours, all production releases)");
        chart(h, "chart-findings", "Gate findings by severity");
        h.append("</section>\n");

        h.append("<section>\n<h2>Top contributors to lead time</h2>\n<table>\n<thead><tr><th>stage</th><th>total</th>"
                + "<th>mean per release</th><th>share</th></tr></thead>\n<tbody>\n");
        for (JsonNode c : report.path("leadTimeContributors")) {
            h.append("<tr><td>").append(esc(STAGE_NAMES.getOrDefault(c.path("stage").asText(), c.path("stage").asText())))
                    .append("</td><td>").append(hours(c.path("totalSeconds"))).append("</td><td>").append(hours(c.path("meanSeconds")))
                    .append("</td><td>").append(percent(c.path("share"))).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");

        h.append("<section>\n<h2>Per service</h2>\n<table>\n<thead><tr><th>service</th><th>deployments</th><th>rollbacks</th>"
                + "<th>lead time (median)</th><th>change failure rate</th><th>time to restore (median)</th><th>CI main</th>"
                + "<th>CI release</th><th>gate evaluations failed</th><th>blocking findings remediated</th><th>exceptions used</th>"
                + "<th>exceptions expired</th><th>evidence complete</th></tr></thead>\n<tbody>\n");
        serviceRow(h, "all services", o);
        for (Iterator<Map.Entry<String, JsonNode>> it = report.path("services").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            serviceRow(h, s.getKey(), s.getValue());
        }
        h.append("</tbody>\n</table>\n</section>\n");

        h.append("<section>\n<h2>Production deployments</h2>\n<table>\n<thead><tr><th>time</th><th>service</th><th>version</th>"
                + "<th>kind</th><th>failed</th><th>lead time</th><th>SBOM CycloneDX</th><th>SBOM SPDX</th><th>provenance</th>"
                + "<th>signature</th></tr></thead>\n<tbody>\n");
        for (JsonNode d : report.path("deployments")) {
            String kind = d.path("rollback").asBoolean() ? "rollback" + d.path("incident").asText().transform(i -> i.isEmpty() ? "" : " (" + i + ")")
                    : d.path("emergency").asBoolean() ? "emergency change" : d.path("hotfix").asBoolean() ? "hotfix" : "release";
            List<String> why = new java.util.ArrayList<>();
            d.path("failure").forEach(f -> why.add(f.asText()));
            h.append("<tr><td>").append(esc(d.path("time").asText())).append("</td><td>").append(esc(d.path("service").asText()))
                    .append("</td><td>").append(esc(d.path("version").asText())).append("</td><td>").append(esc(kind))
                    .append("</td><td>").append(why.isEmpty() ? "" : "<span class=\"bad\">" + esc(String.join(", ", why)) + "</span>")
                    .append("</td><td>").append(hours(d.at("/leadTime/totalSeconds")))
                    .append(d.at("/leadTime/from").asText().equals("build") ? " <span class=\"note\">(from build)</span>" : "");
            for (String e : List.of("cyclonedx", "spdx", "provenance", "signature")) {
                boolean has = d.path("evidence").path(e).asBoolean();
                h.append("</td><td class=\"").append(has ? "ok" : "bad").append("\">").append(has ? "yes" : "missing");
            }
            h.append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");

        h.append("<section>\n<h2>Incidents</h2>\n<table>\n<thead><tr><th>incident</th><th>service</th><th>severity</th>"
                + "<th>started</th><th>by</th><th>restored</th><th>time to restore</th></tr></thead>\n<tbody>\n");
        for (JsonNode i : report.path("incidents")) {
            h.append("<tr><td>").append(esc(i.path("id").asText())).append("</td><td>").append(esc(i.path("service").asText()))
                    .append("</td><td>").append(esc(i.path("severity").asText(""))).append("</td><td>").append(esc(i.path("start").asText()))
                    .append("</td><td>").append(esc(i.path("startedBy").asText())).append("</td><td>")
                    .append(i.path("restored").isNull() ? "<span class=\"bad\">open</span>" : esc(i.path("restored").asText()))
                    .append("</td><td>").append(hours(i.path("timeToRestoreSeconds"))).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");
        if (report.has("flags")) {
            h.append("<section>\n<h2>Feature flags past their removal date</h2>\n<table>\n<thead><tr><th>repository</th><th>flag</th>"
                    + "<th>owner</th><th>escalation</th><th>state</th><th>removal</th><th>days overdue</th><th>deviations</th></tr>"
                    + "</thead>\n<tbody>\n");
            for (JsonNode r : report.at("/flags/repositories")) {
                if (r.has("error")) {
                    h.append("<tr><td>").append(esc(r.path("repository").asText())).append("</td><td colspan=\"7\" class=\"bad\">")
                            .append(esc(r.path("error").asText())).append("</td></tr>\n");
                }
                for (JsonNode f : r.path("overdue")) {
                    h.append("<tr><td>").append(esc(r.path("repository").asText())).append("</td><td>").append(esc(f.path("name").asText()))
                            .append("</td><td>").append(f.path("owner").asText().isEmpty() ? "<span class=\"bad\">none</span>"
                                    : esc(f.path("owner").asText()))
                            .append("</td><td>").append(esc(f.path("escalation").asText())).append("</td><td>")
                            .append(esc(f.path("state").asText())).append("</td><td>").append(esc(f.path("removal").asText()))
                            .append("</td><td class=\"bad\">").append(f.path("daysOverdue").asInt()).append("</td><td>")
                            .append(f.path("deviations").asInt()).append("</td></tr>\n");
                }
            }
            h.append("</tbody>\n</table>\n</section>\n");
        }
        if (report.has("forwardPorts")) {
            h.append("<section>\n<h2>Hotfixes not yet forward-ported</h2>\n<table>\n<thead><tr><th>repository</th><th>hotfix</th>"
                    + "<th>commit</th><th>target</th><th>due</th><th>state</th></tr></thead>\n<tbody>\n");
            for (JsonNode r : report.at("/forwardPorts/repositories")) {
                if (r.has("error")) {
                    h.append("<tr><td>").append(esc(r.path("repository").asText())).append("</td><td colspan=\"5\" class=\"bad\">")
                            .append(esc(r.path("error").asText())).append("</td></tr>\n");
                }
                for (JsonNode m : r.path("missing")) {
                    h.append("<tr><td>").append(esc(r.path("repository").asText())).append("</td><td>").append(esc(m.path("hotfix").asText()))
                            .append("</td><td>").append(esc(m.path("commit").asText().substring(0, 12))).append(" ")
                            .append(esc(m.path("subject").asText())).append("</td><td>").append(esc(m.path("target").asText()))
                            .append("</td><td>").append(esc(m.path("due").asText())).append("</td><td>")
                            .append(m.path("overdue").asBoolean() ? "<span class=\"bad\">overdue</span>" : "due").append("</td></tr>\n");
                }
            }
            h.append("</tbody>\n</table>\n</section>\n");
        }
        h.append("<p class=\"note\">Definitions of every figure: docs/report.md. Charts: ").append(esc(libraryName)).append(".</p>\n");
        h.append("</main>\n");

        h.append("<script type=\"application/json\" id=\"report-data\">").append(jsonForScript(report)).append("</script>\n");
        h.append("<script>\n").append(scriptSafe(library)).append("\n</script>\n");
        h.append("<script>\n").append(APP).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void card(StringBuilder h, String title, String value, String detail) {
        h.append("<div class=\"card\"><div class=\"title\">").append(esc(title)).append("</div><div class=\"value\">")
                .append(esc(value)).append("</div><div class=\"detail\">").append(esc(detail)).append("</div></div>\n");
    }

    private static void chart(StringBuilder h, String id, String title) {
        h.append("<figure><figcaption>").append(esc(title)).append("</figcaption><div class=\"chart\" id=\"").append(id)
                .append("\"></div></figure>\n");
    }

    private static void serviceRow(StringBuilder h, String name, JsonNode m) {
        List<String> used = new java.util.ArrayList<>();
        m.at("/gates/exceptions/used").forEach(u -> used.add(u.asText()));
        List<String> expired = new java.util.ArrayList<>();
        m.at("/gates/exceptions/expired").forEach(u -> expired.add(u.asText()));
        h.append("<tr><td>").append(esc(name)).append("</td><td>").append(m.at("/deploymentFrequency/deployments").asInt())
                .append("</td><td>").append(m.at("/deploymentFrequency/rollbacks").asInt())
                .append("</td><td>").append(hours(m.at("/leadTime/medianSeconds")))
                .append("</td><td>").append(percent(m.at("/changeFailureRate/rate")))
                .append("</td><td>").append(hours(m.at("/timeToRestore/medianSeconds")))
                .append("</td><td>").append(percent(m.at("/ci/main/rate")))
                .append("</td><td>").append(percent(m.at("/ci/release/rate")))
                .append("</td><td>").append(m.at("/gates/failed").asInt()).append(" of ").append(m.at("/gates/evaluations").asInt())
                .append("</td><td>").append(m.at("/gates/timeToRemediate/remediated").asInt()).append(" of ")
                .append(m.at("/gates/timeToRemediate/blocking").asInt()).append(" (median ")
                .append(hours(m.at("/gates/timeToRemediate/medianSeconds"))).append(")")
                .append("</td><td>").append(esc(String.join(", ", used)))
                .append("</td><td>").append(expired.isEmpty() ? "" : "<span class=\"bad\">" + esc(String.join(", ", expired)) + "</span>")
                .append("</td><td>").append(percent(m.at("/evidence/rate"))).append("</td></tr>\n");
    }

    private static final Map<String, String> STAGE_NAMES = Map.of("development", "development (first commit to build)",
            "buildTest", "build and test (build to gates passed)", "stabilization", "stabilization (gates passed to pre-production)",
            "waitingForApproval", "waiting for approval (pre-production to last approval)",
            "releaseWindow", "release window (last approval to production)");

    public static String hours(JsonNode seconds) {
        if (seconds == null || seconds.isNull() || seconds.isMissingNode()) {
            return "–";
        }
        double h = seconds.asLong() / 3600.0;
        return h >= 48 ? String.format(Locale.ROOT, "%.1f d", h / 24) : String.format(Locale.ROOT, "%.1f h", h);
    }

    public static String percent(JsonNode rate) {
        return rate == null || rate.isNull() || rate.isMissingNode() ? "–" : String.format(Locale.ROOT, "%.1f %%", rate.asDouble() * 100);
    }

    static String number(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? "–" : String.format(Locale.ROOT, "%.2f", n.asDouble());
    }

    /** Text for HTML content and quoted attribute values. */
    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The document as JSON that is inert inside a {@code <script>} element: {@code <}, {@code >} and {@code &} (which
     * occur only inside JSON strings) and U+2028/U+2029 become JSON escapes, so no value can end the element.
     */
    static String jsonForScript(JsonNode doc) {
        String json = Json.compact(doc);
        StringBuilder b = new StringBuilder(json.length() + 64);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            switch (c) {
                case '<' -> b.append("\\u003c");
                case '>' -> b.append("\\u003e");
                case '&' -> b.append("\\u0026");
                case '\u2028' -> b.append("\\u2028");
                case '\u2029' -> b.append("\\u2029");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A script that cannot end its element early: any {@code </script} or {@code <!--} in it is broken up. */
    static String scriptSafe(String script) {
        return script.replaceAll("(?i)</(script)", "<\\\\/$1").replace("<!--", "<\\!--");
    }

    private static final String CSS = """
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; margin: 0; background: #f5f7fa; }
            header { background: #243b53; color: #fff; padding: 16px 28px; }
            header h1 { margin: 0; font-size: 22px; }
            .sub { margin: 4px 0 0; color: #d9e2ec; }
            main { padding: 16px 28px 40px; }
            .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; }
            .card { background: #fff; border-radius: 6px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
            .card .title { color: #627d98; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
            .card .value { font-size: 24px; font-weight: 600; margin: 4px 0; }
            .card .detail { color: #486581; font-size: 12px; }
            .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; margin-top: 16px; }
            figure { margin: 0; background: #fff; border-radius: 6px; padding: 10px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
            figcaption { font-weight: 600; margin-bottom: 4px; }
            .chart { width: 100%; height: 300px; }
            h2 { font-size: 17px; margin: 24px 0 8px; }
            table { border-collapse: collapse; background: #fff; width: 100%; font-size: 13px; }
            th, td { border-bottom: 1px solid #e4e7eb; padding: 5px 8px; text-align: left; vertical-align: top; }
            th { background: #f0f4f8; font-weight: 600; }
            .bad { color: #ba2525; font-weight: 600; }
            .ok { color: #2f8132; }
            .note { color: #627d98; font-size: 12px; }
            """;

    /** Draws the charts from the embedded data; marks the body with how many it drew. */
    private static final String APP = """
            (function () {
              'use strict';
              var data = JSON.parse(document.getElementById('report-data').textContent);
              var months = data.period.months;
              var services = Object.keys(data.services);
              var drawn = 0;
              function hours(s) { return s === null || s === undefined ? null : Math.round(s / 36) / 100; }
              function pct(r) { return r === null || r === undefined ? null : Math.round(r * 1000) / 10; }
              function perService(field, convert) {
                return services.map(function (s) {
                  return { name: s, type: 'line', connectNulls: false, symbolSize: 6,
                           data: data.months.map(function (m) { return convert(m.services[s] ? m.services[s][field] : null); }) };
                });
              }
              function draw(id, option) {
                var el = document.getElementById(id);
                var chart = echarts.init(el, null, { renderer: 'svg' });
                option.animation = false;
                option.tooltip = option.tooltip || { trigger: 'axis', renderMode: 'richText' };
                option.grid = option.grid || { left: 56, right: 24, top: 40, bottom: 32 };
                chart.setOption(option);
                drawn++;
              }
              var monthAxis = { type: 'category', data: months };
              draw('chart-deployments', {
                legend: { type: 'scroll', top: 0 }, xAxis: monthAxis, yAxis: { type: 'value', minInterval: 1 },
                series: services.map(function (s) {
                  return { name: s, type: 'bar', stack: 'deployments',
                           data: data.months.map(function (m) { return m.services[s] ? m.services[s].deployments : 0; }) };
                })
              });
              draw('chart-change-failure', {
                legend: { type: 'scroll', top: 0 }, xAxis: monthAxis,
                yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %' } },
                series: perService('changeFailureRate', pct)
              });
              draw('chart-lead-time', {
                legend: { type: 'scroll', top: 0 }, xAxis: monthAxis, yAxis: { type: 'value', name: 'h' },
                series: perService('leadTimeMedianSeconds', hours)
              });
              draw('chart-restore', {
                legend: { type: 'scroll', top: 0 }, xAxis: monthAxis, yAxis: { type: 'value', name: 'h' },
                series: services.map(function (s) {
                  return { name: s, type: 'bar',
                           data: data.months.map(function (m) { return hours(m.services[s] ? m.services[s].timeToRestoreMedianSeconds : null); }) };
                })
              });
              draw('chart-ci', {
                legend: { type: 'scroll', top: 0 }, xAxis: monthAxis,
                yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %' } },
                series: perService('ciPassRateMain', pct)
              });
              var stages = data.overall.leadTimeStages;
              draw('chart-contributors', {
                grid: { left: 150, right: 24, top: 16, bottom: 32 },
                xAxis: { type: 'value', name: 'h' },
                yAxis: { type: 'category', inverse: true, data: stages.map(function (s) { return s.stage; }) },
                series: [{ name: 'hours', type: 'bar', data: stages.map(function (s) { return hours(s.totalSeconds); }) }]
              });
              var severities = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];
              draw('chart-findings', {
                legend: { type: 'scroll', top: 0 },
                xAxis: { type: 'category', data: severities }, yAxis: { type: 'value', minInterval: 1 },
                series: services.map(function (s) {
                  var by = data.services[s].gates.findings.bySeverity;
                  return { name: s, type: 'bar', stack: 'findings', data: severities.map(function (sev) { return by[sev] || 0; }) };
                })
              });
              document.body.setAttribute('data-charts-drawn', String(drawn));
            })();
            """;
}

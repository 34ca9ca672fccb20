package io.releasegate.report;

import static io.releasegate.report.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.json.Json;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's page: escaped, self-contained, and drawn by the chart library in a real headless Chromium. */
class ReportHtmlTest {

    /** A field that would close the data element and run a script, and one that would run as an element's handler. */
    static final String SCRIPT = "</script><script>document.body.setAttribute('data-pwned','script')</script>";
    static final String IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">";

    @TempDir
    Path tmp;

    static ObjectNode standardReport() {
        return DeliveryReport.of(Scenario.standard(true).events(),
                DeliveryReport.Options.months(YearMonth.of(2026, 1), YearMonth.of(2026, 4)), CommitTimes.none()).json(at("05-01T00:00"));
    }

    /** The standard ledger plus a service, an incident, a finding and an exception named with markup. */
    static ObjectNode hostileReport() {
        Scenario s = Scenario.standard(true);
        String name = "evil" + SCRIPT;
        s.release(name, "1.0.0", at("02-01T09:00"), "c-evil");
        s.halt(at("02-04T09:00"), "INC-" + IMG, Optional.of("sev1" + SCRIPT));
        com.fasterxml.jackson.databind.node.ArrayNode f = Json.mapper().createArrayNode();
        Scenario.finding(f, "CVE" + IMG, "high", "waived", "waived by exception EX-" + IMG.replace(" ", "_"));
        s.gates(name + "@1.0.0", at("02-01T11:00"), true, f);
        s.run(name.replaceAll("[^a-z]", ""), "release/" + SCRIPT, "SUCCESS", at("02-02T09:00"), Optional.empty());
        return DeliveryReport.of(s.events(), DeliveryReport.Options.months(YearMonth.of(2026, 1), YearMonth.of(2026, 4)),
                CommitTimes.none()).json(at("05-01T00:00"));
    }

    @Test
    void noFieldOfTheLedgerReachesThePageAsMarkup() throws Exception {
        String html = ReportHtml.withEcharts().render(hostileReport());
        // exactly the page's three script elements: the data, the library, the charts
        assertThat(count(html, "<script")).isEqualTo(3);
        assertThat(count(html, "</script>")).isEqualTo(3);
        String markup = html.substring(0, html.indexOf("<script type=\"application/json\""));
        assertThat(markup).doesNotContain(SCRIPT).doesNotContain("<img").doesNotContain("onerror=\"");
        assertThat(markup).contains("evil&lt;/script&gt;&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;");
        // the data element holds the names as JSON escapes, and reads back as the same document
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"report-data\">(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).doesNotContain("<").doesNotContain(">").contains("evil\\u003c/script\\u003e");
        assertThat(Json.mapper().readTree(m.group(1)).path("services").has("evil" + SCRIPT)).isTrue();
    }

    @Test
    void theLibraryIsInlinedSoThePageNeedsNoServer() {
        String html = ReportHtml.withEcharts().render(standardReport());
        assertThat(html).doesNotContain("src=\"http").doesNotContain("src='http").doesNotContain("<link");
        assertThat(html).contains("Apache ECharts 5.3.1").contains("echarts.init");
        assertThat(html.length()).isGreaterThan(1_000_000); // the library itself, about 1 MB
        assertThat(ReportHtml.scriptSafe("a='</SCRIPT>';b='<!--'")).isEqualTo("a='<\\/SCRIPT>';b='<\\!--'");
    }

    @Test
    void chromiumDrawsEveryChartAndRunsNothingFromTheLedger() throws Exception {
        Chromium chromium = Chromium.find(tmp);
        Path page = tmp.resolve("report.html");
        Files.writeString(page, ReportHtml.withEcharts().render(hostileReport()), StandardCharsets.UTF_8);
        String dom = chromium.dumpDom(page);
        assertThat(dom).contains("data-charts-drawn=\"" + ReportHtml.CHARTS.size() + "\"");
        for (String id : ReportHtml.CHARTS) {
            String chart = element(dom, id);
            assertThat(chart).as(id).contains("<svg").contains("<path");
        }
        // the series are the services, drawn as text by the library; the months are the axis
        assertThat(element(dom, "chart-deployments")).contains(">payments<").contains(">ledger-api<").contains(">2026-04<");
        assertThat(element(dom, "chart-contributors")).contains(">waitingForApproval<");
        assertThat(dom).doesNotContain("data-pwned=\"");
        assertThat(dom).contains("evil&lt;/script&gt;&lt;script&gt;");

        Path png = chromium.screenshot(page, tmp.resolve("report.png"), 1280, 1400);
        // kept beside the build's other outputs for a look by eye
        Files.createDirectories(Path.of("target"));
        Files.copy(png, Path.of("target", "report-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1280);
        Set<Integer> colours = new HashSet<>();
        long ink = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff && rgb != 0xf5f7fa) {
                    ink++;
                }
            }
        }
        assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(50);
        assertThat(ink).as("pixels that are not background").isGreaterThan(img.getWidth() * (long) img.getHeight() / 4 / 20);
    }

    @Test
    void withoutTheChartLibraryTheBrowserCheckFails() throws Exception {
        Chromium chromium = Chromium.find(tmp);
        Path page = tmp.resolve("bare.html");
        Files.writeString(page, ReportHtml.withLibrary("/* no chart library */", "none").render(standardReport()));
        String dom = chromium.dumpDom(page);
        assertThat(dom).doesNotContain("data-charts-drawn=\"");
        for (String id : ReportHtml.CHARTS) {
            assertThat(element(dom, id)).as(id).doesNotContain("<svg");
        }
    }

    /** The element with {@code id} and everything up to the next chart's figure. */
    static String element(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        assertThat(start).as("element " + id).isNotNegative();
        int end = dom.indexOf("<figure", start);
        return dom.substring(start, end < 0 ? Math.min(dom.length(), start + 200_000) : end);
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}

package io.releasegate.gates;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.error.InputException;
import io.releasegate.gates.Finding.Severity;
import io.releasegate.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Readers of the reports the gates take: SARIF 2.1.0, CycloneDX vulnerabilities/VEX, OSV-Scanner JSON, SBOM licenses, JUnit XML. */
public final class Reports {

    private Reports() {
    }

    static JsonNode json(Path file, String kind) {
        try {
            return Json.mapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new InputException(kind + " report not found: " + file, e);
        } catch (IOException e) {
            throw new InputException(kind + " report " + file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** SAST findings from SARIF 2.1.0; severity from {@code security-severity} when present, else the level. */
    public static List<Finding> sarif(Path file) {
        JsonNode doc = json(file, "SARIF");
        if (!"2.1.0".equals(doc.path("version").asText()) || !doc.path("runs").isArray()) {
            throw new InputException(file + " is not a SARIF 2.1.0 log (version \"2.1.0\" and a runs array are required)");
        }
        List<Finding> out = new ArrayList<>();
        for (JsonNode run : doc.path("runs")) {
            Map<String, JsonNode> rules = new HashMap<>();
            for (JsonNode r : run.path("tool").path("driver").path("rules")) {
                rules.put(r.path("id").asText(), r);
            }
            for (JsonNode res : run.path("results")) {
                String ruleId = res.path("ruleId").asText(res.path("rule").path("id").asText("unknown-rule"));
                JsonNode rule = rules.getOrDefault(ruleId, Json.object());
                String sec = res.path("properties").path("security-severity").asText(rule.path("properties").path("security-severity").asText(""));
                Severity sev = sec.isEmpty() ? Severity.parse(res.path("level").asText(rule.path("defaultConfiguration").path("level").asText("warning")))
                        : Severity.fromScore(Double.parseDouble(sec));
                JsonNode loc = res.path("locations").path(0).path("physicalLocation");
                Optional<String> where = loc.isMissingNode() ? Optional.empty() : Optional.of(loc.path("artifactLocation").path("uri").asText()
                        + (loc.path("region").has("startLine") ? ":" + loc.path("region").path("startLine").asInt() : ""));
                out.add(new Finding(ruleId, "sast", sev, res.path("message").path("text").asText(ruleId), where, Optional.empty()));
            }
        }
        return out;
    }

    /** A CVSS score as OSV-Scanner writes it: a number from 0 to 10; anything else (NaN, -1, "7.=") is bad input. */
    private static double score(String text, Path file) {
        try {
            double d = Double.parseDouble(text.trim());
            if (d >= 0 && d <= 10) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InputException(file + ": max_severity '" + text + "' is not a CVSS score from 0 to 10");
    }

    /** Dependency vulnerabilities from a CycloneDX document's {@code vulnerabilities} (VEX analysis honoured) or OSV-Scanner JSON. */
    public static List<Finding> vulnerabilities(Path file) {
        JsonNode doc = json(file, "vulnerability");
        List<Finding> out = new ArrayList<>();
        if ("CycloneDX".equals(doc.path("bomFormat").asText())) {
            for (JsonNode v : doc.path("vulnerabilities")) {
                Severity sev = Severity.UNKNOWN;
                for (JsonNode r : v.path("ratings")) {
                    Severity s = r.has("severity") ? Severity.parse(r.path("severity").asText())
                            : r.has("score") ? Severity.fromScore(r.path("score").asDouble()) : Severity.UNKNOWN;
                    if (s.compareTo(sev) > 0) {
                        sev = s;
                    }
                }
                String affects = v.path("affects").path(0).path("ref").asText("");
                Optional<String> state = v.path("analysis").has("state") ? Optional.of(v.path("analysis").path("state").asText())
                        : Optional.empty();
                out.add(new Finding(v.path("id").asText(), "dependency", sev, v.path("description").asText(v.path("id").asText()),
                        affects.isEmpty() ? Optional.empty() : Optional.of(affects), state));
            }
            return out;
        }
        if (doc.has("results")) {
            for (JsonNode result : doc.path("results")) {
                for (JsonNode pkg : result.path("packages")) {
                    Map<String, Severity> groupSeverity = new HashMap<>();
                    for (JsonNode g : pkg.path("groups")) {
                        String max = g.path("max_severity").asText("");
                        for (JsonNode id : g.path("ids")) {
                            groupSeverity.put(id.asText(), max.isEmpty() ? Severity.UNKNOWN : Severity.fromScore(score(max, file)));
                        }
                    }
                    String where = pkg.path("package").path("name").asText() + "@" + pkg.path("package").path("version").asText();
                    for (JsonNode v : pkg.path("vulnerabilities")) {
                        String id = v.path("id").asText();
                        Severity sev = groupSeverity.getOrDefault(id, Severity.parse(v.path("database_specific").path("severity").asText("")));
                        out.add(new Finding(id, "dependency", sev, v.path("summary").asText(id), Optional.of(where), Optional.empty()));
                    }
                }
            }
            return out;
        }
        throw new InputException(file + " is neither a CycloneDX document with vulnerabilities nor OSV-Scanner JSON (a results array)");
    }

    /** Licenses of an SBOM (CycloneDX or SPDX JSON), as component -> SPDX ids or expression. */
    public static Map<String, String> licenses(Path file) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (io.releasegate.sbom.SbomComponents.Component c : io.releasegate.sbom.SbomComponents.read(json(file, "SBOM"),
                file.toString()).components()) {
            out.put(c.id(), c.license());
        }
        return out;
    }

    /** Test results from JUnit XML (a testsuite or testsuites root): one finding per failed or errored test case. */
    public static JUnit junit(Path file) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            Element root = b.parse(file.toFile()).getDocumentElement();
            if (!root.getTagName().equals("testsuite") && !root.getTagName().equals("testsuites")) {
                throw new InputException(file + " is not JUnit XML (root element " + root.getTagName() + ")");
            }
            NodeList cases = root.getElementsByTagName("testcase");
            List<Finding> failures = new ArrayList<>();
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                for (String kind : List.of("failure", "error")) {
                    NodeList n = c.getElementsByTagName(kind);
                    if (n.getLength() > 0) {
                        String id = c.getAttribute("classname") + "." + c.getAttribute("name");
                        failures.add(new Finding(id, "unit", Severity.HIGH, kind + ": " + ((Element) n.item(0)).getAttribute("message"),
                                Optional.of(id), Optional.empty()));
                    }
                }
            }
            return new JUnit(cases.getLength(), failures);
        } catch (InputException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new InputException("JUnit report not found: " + file, e);
        } catch (Exception e) {
            throw new InputException("JUnit report " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    public record JUnit(int tests, List<Finding> failures) {
        public JUnit {
            failures = List.copyOf(failures);
        }
    }
}

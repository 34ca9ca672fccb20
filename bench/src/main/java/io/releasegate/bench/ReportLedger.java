package io.releasegate.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.GitLedger;
import io.releasegate.report.PipelineRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A realistic ledger for the delivery report's benchmark, written through the ledger's own append (one signed commit per
 * event, trial trust, as {@code release-gate} writes it): 12 services over two years, each release built, with both
 * SBOMs, provenance, a signature, its gate decision (with findings), dev and staging, two approvals and production; some
 * rolled back under a halt, some hotfixed, some emergency changes; and a pipeline-finished event for every CI run.
 */
final class ReportLedger {

    private static final String[] SERVICES = {"payments", "ledger-api", "checkout", "accounts", "fraud", "notifications",
            "search", "catalog", "billing", "identity", "reporting", "gateway"};

    private ReportLedger() {
    }

    static void run(Path stateDir, int target) throws Exception {
        Random random = new Random(13);
        List<Event> events = new ArrayList<>(target + 64);
        Instant start = Instant.parse("2025-01-01T08:00:00Z");
        int[] minor = new int[SERVICES.length];
        int[] patch = new int[SERVICES.length];
        String[] lastGood = new String[SERVICES.length];
        Instant t = start;
        int incident = 0;
        while (events.size() < target) {
            int s = random.nextInt(SERVICES.length);
            String name = SERVICES[s];
            t = t.plus(Duration.ofMinutes(30 + random.nextInt(240)));
            boolean hotfix = lastGood[s] != null && random.nextInt(10) == 0;
            if (hotfix) {
                patch[s]++;
            } else {
                minor[s]++;
                patch[s] = 0;
            }
            String version = "1." + minor[s] + "." + patch[s];
            String subject = name + "@" + version;
            Optional<Digest> d = Optional.of(digest(subject));
            String commit = hex(subject + "#commit").substring(0, 40);
            // CI runs on main (or the hotfix branch) before the release
            for (int i = 0; i < 3; i++) {
                String branch = hotfix ? "hotfix/" + version + "-OPS-" + (100 + i) : i == 2 ? "release/1." + minor[s] : "main";
                String result = random.nextInt(8) == 0 ? "FAILURE" : random.nextInt(20) == 0 ? "UNSTABLE" : "SUCCESS";
                PipelineRun r = new PipelineRun(name, branch, PipelineRun.Result.valueOf(result), 300_000 + random.nextInt(600_000))
                        .stages(java.util.Map.of("build", 90_000L, "test", 200_000L, "gates", 40_000L))
                        .commit(Optional.of(commit)).run(Optional.of("https://jenkins.example.internal/job/" + name + "/" + events.size()));
                events.add(Event.draft(PipelineRun.EVENT_TYPE, PipelineRun.SUBJECT_PREFIX + name, Optional.empty(), "ci",
                        t.minus(Duration.ofMinutes(20 - i)), r.payload()));
            }
            ObjectNode built = Json.object().put("name", name).put("version", version).put("reference", name + ":" + version)
                    .put("store", "oci://registry.example.internal/team").put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                    .put("artifactType", "application/vnd.releasegate.artifact.v1").put("commit", commit);
            built.putArray("subjects").addObject().put("name", "target/" + name + "-" + version + ".jar").put("digest",
                    digest(subject + "#jar").toString());
            events.add(Event.draft("built", subject, d, "ci", t, built));
            for (String format : new String[] {"cyclonedx", "spdx"}) {
                events.add(Event.draft("sbom-generated", subject, d, "ci", t.plusSeconds(60), Json.object().put("format", format)
                        .put("specVersion", format.equals("spdx") ? "2.3" : "1.6").put("sbomDigest", digest(subject + format).toString())
                        .put("components", 80 + random.nextInt(100))));
            }
            events.add(Event.draft("provenance-generated", subject, d, "ci", t.plusSeconds(90), Json.object()
                    .put("predicateType", "https://slsa.dev/provenance/v1").put("attestationDigest", digest(subject + "#prov").toString())));
            events.add(Event.draft("signed", subject, d, "ci", t.plusSeconds(120), Json.object().put("target", subject)
                    .put("identity", "ci@example.com")));
            ObjectNode gate = Json.object().put("name", "gates").put("result", "pass").put("environment", "production");
            ArrayNode findings = gate.putArray("findings");
            if (random.nextInt(3) == 0) {
                findings.addObject().put("id", "CVE-2025-" + (1000 + random.nextInt(500))).put("gate", "dependency")
                        .put("severity", "medium").put("disposition", "below-threshold").put("reason", "medium is below the blocking threshold high");
            }
            if (random.nextInt(12) == 0) {
                findings.addObject().put("id", "CVE-2025-" + (2000 + random.nextInt(50))).put("gate", "dependency")
                        .put("severity", "high").put("disposition", "waived").put("reason", "waived by exception EX-" + random.nextInt(9));
            }
            events.add(Event.draft("gate-evaluated", subject, d, "ci", t.plus(Duration.ofMinutes(40)), gate));
            events.add(Event.draft("promoted", subject, d, "ci", t.plus(Duration.ofMinutes(50)), Json.object()
                    .put("environment", "dev").put("reference", name + "/dev:" + version).put("rollback", false)));
            Instant production;
            Optional<String> emergency = Optional.empty();
            if (!hotfix && random.nextInt(40) == 0) {
                events.add(Event.draft("emergency-approved", subject, d, "mia", t.plus(Duration.ofHours(1)), Json.object()
                        .put("environment", "production").put("reason", "outage").put("scope", name)));
                events.add(Event.draft("emergency-change", subject, d, "ci", t.plus(Duration.ofMinutes(70)), Json.object()
                        .put("environment", "production").put("reason", "outage").put("approver", "mia")));
                production = t.plus(Duration.ofMinutes(75));
                emergency = Optional.of("emergency");
            } else {
                events.add(Event.draft("promoted", subject, d, "ci", t.plus(Duration.ofHours(2)), Json.object()
                        .put("environment", "staging").put("reference", name + "/staging:" + version).put("rollback", false)));
                events.add(Event.draft("approved", subject, d, "mia", t.plus(Duration.ofHours(4 + random.nextInt(20))), Json.object()
                        .put("role", "maintainer").put("rationale", "tests green").put("environment", "production").put("version", version)));
                events.add(Event.draft("approved", subject, d, "dora", t.plus(Duration.ofHours(24 + random.nextInt(10))), Json.object()
                        .put("role", "domain-reviewer").put("rationale", "reviewed").put("environment", "production").put("version", version)));
                production = t.plus(Duration.ofHours(36 + random.nextInt(12)));
            }
            ObjectNode promoted = Json.object().put("environment", "production").put("reference", name + "/production:" + version)
                    .put("rollback", false);
            emergency.ifPresent(e -> promoted.put("emergency", e));
            events.add(Event.draft("promoted", subject, d, "ci", production, promoted));
            events.add(Event.draft("production-verified", subject, d, "ci", production.plusSeconds(300), Json.object()
                    .put("result", "pass").put("tagged", true)));
            if (lastGood[s] != null && random.nextInt(25) == 0) {
                String id = "INC-" + (++incident);
                events.add(Event.draft("halted", "release-gate:halt", Optional.empty(), "rm", production.plus(Duration.ofHours(2)),
                        Json.object().put("reason", "errors after " + subject).put("incident", id).put("severity", "sev2")));
                events.add(Event.draft("promoted", lastGood[s], Optional.of(digest(lastGood[s])), "ci",
                        production.plus(Duration.ofHours(3)), Json.object().put("environment", "production")
                                .put("reference", lastGood[s].replace("@", "/production:")).put("rollback", true).put("incident", id)));
                events.add(Event.draft("halt-lifted", "release-gate:halt", Optional.empty(), "lea", production.plus(Duration.ofHours(4)),
                        Json.object().put("reason", "rolled back").put("incident", id)));
            } else {
                lastGood[s] = subject;
            }
        }
        events.sort(Comparator.comparing(Event::time));
        List<Event> write = events.subList(0, target);
        long began = System.nanoTime();
        // written unpacked (gc.auto=0), then packed once at the end: the ledger a long life of appends leaves, packed as
        // it grows, without repacking it fifteen times on the way
        Path git = stateDir.resolve("ledger.git");
        try (org.eclipse.jgit.lib.Repository repo = org.eclipse.jgit.api.Git.init().setBare(true).setGitDir(git.toFile())
                .setInitialBranch("main").call().getRepository()) {
            repo.getConfig().setInt("gc", null, "auto", 0);
            repo.getConfig().save();
        }
        try (GitLedger ledger = GitLedger.open(GitLedger.Options.of("", stateDir))) {
            int n = 0;
            for (Event e : write) {
                ledger.append(e);
                if (++n % 5000 == 0) {
                    System.err.printf("%d events, %.0f s%n", n, (System.nanoTime() - began) / 1e9);
                }
            }
        }
        try (org.eclipse.jgit.api.Git g = org.eclipse.jgit.api.Git.open(git.toFile())) {
            g.getRepository().getConfig().unset("gc", null, "auto");
            g.getRepository().getConfig().save();
            g.gc().call();
        }
        System.out.printf("events=%d seconds=%.1f ledger=%s%n", write.size(), (System.nanoTime() - began) / 1e9, git);
    }

    static Digest digest(String s) {
        return Digest.parse("sha256:" + hex(s));
    }

    static String hex(String s) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.releasegate.demo;

import io.releasegate.commits.History;
import io.releasegate.error.InputException;
import io.releasegate.gates.Finding;
import io.releasegate.policy.Policy;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.sbom.Limits;
import io.releasegate.sbom.SbomComponents;
import io.releasegate.sbom.SbomDiff;
import io.releasegate.sbom.SbomFormat;
import io.releasegate.scope.DependencyChanges;
import io.releasegate.scope.LockfileChanges;
import io.releasegate.scope.ReleaseRange;
import io.releasegate.scope.RequiredFiles;
import io.releasegate.scope.SecretScan;
import io.releasegate.scope.SecretsAllowlist;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The demo's next release cycle on the sample project: one finding of each release-scope gate caught on a change
 * since the last release tag, and then resolved the way a team would — the required files added, a committed token
 * dropped before it was released and read from the environment instead, a downgrade and a denied license in a
 * lockfile undone, a feature flag used in code registered with its owner and removal date. Each check is the one
 * the gate makes (docs/scope.md).
 */
public final class ScopeWalkthrough {

    private final Path project;
    private final Policy policy;
    private final BiConsumer<String, String> step;
    private Instant when;

    public ScopeWalkthrough(Path project, Policy policy, Instant start, BiConsumer<String, String> step) {
        this.project = project;
        this.policy = policy;
        this.when = start;
        this.step = step;
    }

    public void run() {
        try (Git git = Git.open(project.toFile())) {
            files(git);
            secrets(git);
            deps(git);
            flags(git);
        } catch (IOException | GitAPIException e) {
            throw new InputException("the release-scope walkthrough failed in " + project + ": " + e.getMessage(), e);
        }
    }

    private void files(Git git) throws IOException, GitAPIException {
        RequiredFiles.Result before = requiredFiles(git);
        expect(!before.ok(), "the sample without CODEOWNERS, SECURITY.md and RELEASE.md passed gate files");
        step.accept("scope files", "caught: " + String.join(", ", before.problems().stream().filter(p -> !p.warning())
                .map(RequiredFiles.Problem::id).toList()));
        write("CODEOWNERS", "# owners of every path: the domain reviewers of a change\n* @payments-team\n");
        write("SECURITY.md", "# Security\n\nReport vulnerabilities to security@example.com; we answer within two working days.\n");
        write("RELEASE.md", "# Releasing\n\nReleases go through the golden pipeline: build once, gate, approve, promote the digest.\n");
        write("CHANGELOG.md", "# Changelog\n");
        commit(git, "docs: add CODEOWNERS, SECURITY.md, RELEASE.md and CHANGELOG.md");
        RequiredFiles.Result after = requiredFiles(git);
        expect(after.ok(), "gate files still fails after adding the files: " + after.problems());
        step.accept("scope files", "resolved: CODEOWNERS covers every path, SECURITY.md and RELEASE.md present ("
                + after.problems().size() + " warning(s))");
    }

    private RequiredFiles.Result requiredFiles(Git git) throws IOException {
        return new RequiredFiles(git.getRepository()).commit(git.getRepository().resolve("HEAD").name())
                .cover(policy.scope().codeownersCover()).call();
    }

    private void secrets(Git git) throws IOException, GitAPIException {
        String token = "ghp_" + random(36); // generated for this run, valid nowhere
        write("config/gateway.env", "GATEWAY_URL=https://gateway.example.com\nGATEWAY_TOKEN=" + token + "\n");
        commit(git, "feat: call the payment gateway");
        SecretScan.Result caught = secrets();
        expect(!caught.ok(), "a committed token passed gate secrets");
        SecretScan.SecretFinding f = caught.open().get(0);
        step.accept("scope secrets", "caught: " + f.location() + " " + f.title() + " (the secret itself is never shown)");
        // not released yet: the commit is dropped (and the token revoked where it was issued), the token comes from the environment
        git.reset().setMode(ResetCommand.ResetType.HARD).setRef("HEAD~1").call();
        write("config/gateway.env", "GATEWAY_URL=https://gateway.example.com\nGATEWAY_TOKEN=${GATEWAY_TOKEN}\n");
        commit(git, "feat: call the payment gateway with the token from the environment");
        SecretScan.Result after = secrets();
        expect(after.ok(), "gate secrets still fails after the commit was dropped: " + after.findings());
        step.accept("scope secrets", "resolved: the unreleased commit was dropped and the token is read from the environment; "
                + after.commits() + " commit(s) since the last release scanned, no secret");
    }

    private SecretScan.Result secrets() throws IOException {
        try (History h = History.open(project)) {
            return new SecretScan(h.repository()).range(ReleaseRange.resolve(h, Optional.empty()))
                    .allowlist(SecretsAllowlist.none(), List.of())
                    .context("payments", "main", "production", LocalDate.ofInstant(when, ZoneOffset.UTC)).call();
        }
    }

    private void deps(Git git) throws IOException, GitAPIException {
        byte[] base = lockfile("lodash@4.17.21:MIT", "escape-html@1.0.3:MIT");
        commit(git, "build: web assets with their lockfile");
        byte[] bad = lockfile("lodash@4.17.20:MIT", "escape-html@1.0.3:MIT", "readline-plus@2.0.0:GPL-3.0-only");
        commit(git, "build: add readline-plus, pin lodash");
        List<Finding> caught = DependencyChanges.findings(SbomDiff.of(sbom(base, "web@1"), sbom(bad, "web@2")), policy);
        List<String> blocking = caught.stream().filter(x -> x.severity() == Finding.Severity.HIGH).map(Finding::id).toList();
        expect(blocking.size() == 2, "gate deps did not block the downgrade and the GPL dependency: " + caught);
        step.accept("scope deps", "caught: " + String.join(", ", blocking) + " (" + lockfiles() + ")");
        byte[] good = lockfile("lodash@4.17.21:MIT", "escape-html@1.0.3:MIT", "readline-lite@1.2.0:MIT");
        commit(git, "build: readline-lite instead of readline-plus, lodash back to 4.17.21");
        List<Finding> after = DependencyChanges.findings(SbomDiff.of(sbom(base, "web@1"), sbom(good, "web@3")), policy);
        expect(after.stream().noneMatch(x -> x.severity() == Finding.Severity.HIGH), "gate deps still blocks: " + after);
        step.accept("scope deps", "resolved: lodash upgraded back, the GPL dependency replaced; for review: "
                + String.join(", ", after.stream().map(Finding::id).toList()));
    }

    private void flags(Git git) throws IOException, GitAPIException {
        write("src/main/java/com/example/payments/Payouts.java", """
                package com.example.payments;

                /** Instant payouts, behind a feature flag while they ramp up. */
                final class Payouts {
                    static boolean instant(Flags flags) {
                        return flags.isEnabled("instant-payouts");
                    }

                    interface Flags {
                        boolean isEnabled(String name);
                    }
                }
                """);
        commit(git, "feat(payouts): instant payouts behind a flag");
        io.releasegate.scope.FlagScan.Result caught = flagScan();
        expect(!caught.ok(Finding.Severity.HIGH), "a flag missing from the registry passed gate flags");
        step.accept("scope flags", "caught: " + String.join(", ", caught.problems().stream().map(p -> p.id()
                + p.location().map(l -> " (" + l + ")").orElse("")).toList()));
        LocalDate today = LocalDate.ofInstant(when, ZoneOffset.UTC);
        write("flags/registry.yaml", "flags:\n  - name: instant-payouts\n    owner: team-payments\n"
                + "    escalation: oncall-payments@example.com\n    created: " + today + "\n    state: default-off\n"
                + "    removal: " + today.plusDays(90) + "\n");
        commit(git, "feat(payouts): register the instant-payouts flag");
        io.releasegate.scope.FlagScan.Result after = flagScan();
        expect(after.ok(Finding.Severity.HIGH), "gate flags still fails after registering the flag: " + after.problems());
        step.accept("scope flags", "resolved: instant-payouts registered with its owner, escalation contact and removal date "
                + today.plusDays(90) + "; " + after.changes().size() + " registry change(s) for the release notes");
    }

    private io.releasegate.scope.FlagScan.Result flagScan() throws IOException {
        try (History h = History.open(project)) {
            return new io.releasegate.scope.FlagScan(h.repository()).range(ReleaseRange.resolve(h, Optional.empty()))
                    .policy(policy.scope()).clock(java.time.Clock.fixed(when, ZoneOffset.UTC)).call();
        }
    }

    /** Writes web/package-lock.json with these packages (name@version:license) and returns its bytes. */
    private byte[] lockfile(String... packages) throws IOException {
        StringBuilder b = new StringBuilder("{\n  \"name\": \"payments-web\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n"
                + "    \"\": {\"name\": \"payments-web\"}");
        for (String p : packages) {
            String name = p.substring(0, p.indexOf('@'));
            String version = p.substring(p.indexOf('@') + 1, p.indexOf(':'));
            b.append(",\n    \"node_modules/").append(name).append("\": {\"version\": \"").append(version)
                    .append("\", \"license\": \"").append(p.substring(p.indexOf(':') + 1)).append("\"}");
        }
        write("web/package-lock.json", b.append("\n  }\n}\n").toString());
        return Files.readAllBytes(project.resolve("web/package-lock.json"));
    }

    /** The CycloneDX SBOM of a lockfile's bytes, as generateSbom catalogs it. */
    private static SbomComponents.Document sbom(byte[] lockfile, String label) throws IOException {
        Path dir = Files.createTempDirectory("release-gate-demo-sbom-");
        try {
            Path f = Files.write(dir.resolve("package-lock.json"), lockfile);
            GenerateSbom.FilesResult r = GenerateSbom.ofFiles(List.of(f), Optional.of("payments-web"), Optional.empty(),
                    List.of(SbomFormat.CYCLONEDX), Optional.empty(), Limits.defaults());
            return SbomComponents.read(r.documents().get(0).bytes(), label);
        } finally {
            Files.deleteIfExists(dir.resolve("package-lock.json"));
            Files.deleteIfExists(dir);
        }
    }

    private String lockfiles() throws IOException {
        try (History h = History.open(project)) {
            List<LockfileChanges.Lockfile> l = new LockfileChanges(h.repository()).of(ReleaseRange.resolve(h, Optional.empty()));
            return String.join("; ", l.stream().map(x -> x.path() + " " + x.change() + " in " + x.commits().size() + " commit(s)").toList());
        }
    }

    private void write(String rel, String text) throws IOException {
        Path f = project.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.UTF_8);
    }

    private void commit(Git git, String message) throws GitAPIException {
        when = when.plusSeconds(600);
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("Alice Developer", "alice@example.com", when, ZoneOffset.UTC);
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    private static String random(int n) {
        String alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(alnum.charAt(r.nextInt(alnum.length())));
        }
        return b.toString();
    }

    private static void expect(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}

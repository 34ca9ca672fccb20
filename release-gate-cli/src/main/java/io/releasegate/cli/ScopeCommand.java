package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.commits.History;
import io.releasegate.gates.Finding;
import io.releasegate.gates.PolicyException;
import io.releasegate.json.Json;
import io.releasegate.policy.CommittedFiles;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.scope.FlagRegistry;
import io.releasegate.scope.FlagScan;
import io.releasegate.scope.ReleaseRange;
import io.releasegate.scope.RequiredFiles;
import io.releasegate.scope.SecretScan;
import io.releasegate.scope.SecretsAllowlist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** scope files | secrets | deps | flags: the release-scope checks the gate makes, run on their own. */
@Command(name = "scope", header = "Release-scope checks: required files, secrets, dependency changes and feature flags since the last release.",
        description = "Release-scope checks, also made by 'gate --scope' (gates files, secrets, deps and flags). See docs/scope.md.",
        subcommands = {ScopeCommand.FilesCommand.class, ScopeCommand.SecretsCommand.class, ScopeCommand.DepsCommand.class,
                ScopeCommand.FlagsCommand.class})
final class ScopeCommand extends GroupCommand {

    /** What both checks take: the range and the policy. */
    abstract static class ScopeBase extends RepoCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "RANGE", description = {"FROM..TO, or TO alone: from the last release",
                "tag reachable from TO (default HEAD: the release scope, as changelog and next-version compute it)."})
        String range;

        @Option(names = "--policy", paramLabel = "FILE", description = "Team policy. Default: <repo>/.release/policy.yaml when present.")
        Path policyFile;

        @Mixin
        CentralPolicyOptions centralPolicy;

        /** The team's policy over the admin's central one: a team may add covered paths, never drop the admin's. */
        Policy policy() {
            return centralPolicy.policy(repo, policyFile);
        }
    }

    @Command(name = "files", description = {"CODEOWNERS, SECURITY.md and RELEASE.md present and not empty at the last commit of the",
            "range, CODEOWNERS covering every path of the policy's scope.codeownersCover; CHANGELOG.md and docs/audit/ are",
            "warnings. Exit 1 when a required file is missing, empty or does not cover a path."})
    static final class FilesCommand extends ScopeBase {
        @Override
        int run(History history, CliOutput out) {
            ReleaseRange r = ReleaseRange.resolve(history, Optional.ofNullable(range));
            RequiredFiles.Result result = new RequiredFiles(history.repository()).commit(r.to())
                    .cover(policy().scope().codeownersCover()).call();
            if (out.json()) {
                ObjectNode doc = Json.object().put("ok", result.ok()).put("commit", result.commit()).put("files", result.files());
                doc.set("problems", Json.tree(result.problems()));
                out.document(doc);
            } else {
                for (RequiredFiles.Problem p : result.problems()) {
                    out.out().println((p.warning() ? "warning " : "FAIL    ") + p.id() + ": " + p.message());
                }
                out.out().println((result.ok() ? "ok" : "fail") + ": required files at " + r.to().substring(0, 12) + " ("
                        + result.files() + " files), " + result.problems().stream().filter(p -> !p.warning()).count()
                        + " problem(s), " + result.problems().stream().filter(RequiredFiles.Problem::warning).count() + " warning(s)");
                out.out().flush();
            }
            return result.ok() ? 0 : 1;
        }
    }

    @Command(name = "secrets", description = {"Scan the added lines of every commit of the range (not only the tip) for credentials.",
            "A finding names commit, path, line, rule, a fingerprint and a masked prefix, never the secret. An entry of the",
            "allowlist (scope.secretsAllowlist, as TO has it) silences a finding only with a valid exception for it.",
            "Exit 1 when a secret is not allowlisted or a file was too large to scan."})
    static final class SecretsCommand extends ScopeBase {
        @Option(names = "--allowlist", paramLabel = "FILE", description = "Allowlist file. Default: the policy's scope.secretsAllowlist as TO has it.")
        Path allowlistFile;

        @Option(names = "--exceptions", paramLabel = "DIR", description = "Exceptions that approve allowlist entries. Default: <repo>/<exceptions.directory>.")
        Path exceptionsDir;

        @Option(names = "--branch", defaultValue = "main", paramLabel = "NAME", description = "Branch, for exception scopes.")
        String branch;

        @Option(names = "--environment", defaultValue = "production", paramLabel = "ENV", description = "Environment, for exception scopes.")
        String environment;

        @Override
        int run(History history, CliOutput out) throws Exception {
            Policy policy = policy();
            ReleaseRange r = ReleaseRange.resolve(history, Optional.ofNullable(range));
            SecretsAllowlist allowlist;
            if (allowlistFile != null) {
                if (!Files.isRegularFile(allowlistFile)) {
                    throw new io.releasegate.error.InputException("allowlist file not found: " + allowlistFile);
                }
                allowlist = SecretsAllowlist.parse(allowlistFile.toString(), CommittedFiles.utf8(Files.readAllBytes(allowlistFile),
                        allowlistFile.toString()));
            } else {
                String path = policy.scope().secretsAllowlist();
                allowlist = CommittedFiles.read(repo, r.to(), path).map(t -> SecretsAllowlist.parse(path, t)).orElse(SecretsAllowlist.none());
            }
            var exceptions = PolicyException.loadAll(exceptionsDir != null ? exceptionsDir : repo.resolve(policy.exceptions().directory()));
            SecretScan.Result result = new SecretScan(history.repository()).range(r).allowlist(allowlist, exceptions)
                    .context(repo.toAbsolutePath().normalize().getFileName() == null ? "" : repo.toAbsolutePath().normalize().getFileName().toString(),
                            branch, environment, LocalDate.now(ZoneOffset.UTC)).call();
            if (out.json()) {
                ObjectNode doc = Json.object().put("ok", result.ok()).put("range", result.range()).put("commits", result.commits())
                        .put("binaries", result.binaries());
                ArrayNode fs = doc.putArray("findings");
                for (SecretScan.SecretFinding f : result.findings()) {
                    ObjectNode n = fs.addObject().put("id", f.id()).put("rule", f.rule()).put("commit", f.commit()).put("path", f.path())
                            .put("line", f.line()).put("fingerprint", f.fingerprint()).put("masked", f.masked()).put("encoded", f.encoded());
                    f.allowlisted().ifPresent(a -> n.put("allowlisted", a));
                    f.notAllowlisted().forEach(w -> n.withArray("notAllowlisted").add(w));
                }
                doc.set("unscanned", Json.tree(result.unscanned()));
                out.document(doc);
            } else {
                for (SecretScan.SecretFinding f : result.findings()) {
                    out.out().println((f.allowlisted().isPresent() ? "allowed " : "SECRET  ") + f.location() + " " + f.title()
                            + f.allowlisted().map(a -> " - " + a).orElse(""));
                    f.notAllowlisted().forEach(w -> out.out().println("        not allowlisted: " + w));
                }
                result.unscanned().forEach(u -> out.out().println("UNSCANNED " + u.commit().substring(0, 12) + ":" + u.path() + ": " + u.why()));
                out.out().println((result.ok() ? "ok" : "fail") + ": " + result.commits() + " commit(s) of " + result.range() + ", "
                        + result.open().size() + " secret(s), " + (result.findings().size() - result.open().size()) + " allowlisted, "
                        + result.unscanned().size() + " unscanned, " + result.binaries() + " binary file(s) skipped");
                out.out().flush();
            }
            return result.ok() ? 0 : 1;
        }
    }

    @Command(name = "deps", description = {"The dependency changes of the release scope: every lockfile and dependency manifest the range",
            "changed (Cargo.lock, package-lock.json, go.sum, pom.xml, poetry.lock, uv.lock, requirements*.txt, ...) with the",
            "commits that did; with --release N@V, also its recorded SBOM against the previous release's, read back from the",
            "store (gate deps' comparison; nothing is recorded). Exit 1 when a change blocks under the policy (a downgrade, a",
            "denied license, an SBOM whose stored bytes changed)."})
    static final class DepsCommand extends ScopeBase {
        @Option(names = "--release", paramLabel = "NAME@VERSION", description = {"Compare this release's SBOM with the previous",
                "release's; without RANGE, the scope is that of the commit it was built from."})
        String release;

        @Mixin
        CommonOptions common;

        @Override
        int run(History history, CliOutput out) {
            Policy policy = policy();
            if (release == null) {
                ReleaseRange r = ReleaseRange.resolve(history, Optional.ofNullable(range));
                var lockfiles = new io.releasegate.scope.LockfileChanges(history.repository()).of(r);
                return print(out, r, new io.releasegate.scope.DependencyChanges.Result("", Optional.empty(), Optional.empty(),
                        Optional.empty(), lockfiles, java.util.List.of(), java.util.List.of("no --release: lockfiles only")), policy);
            }
            String[] nv = InspectCommand.parse(release);
            try (io.releasegate.context.ReleaseContext ctx = io.releasegate.context.ReleaseContext.open(common.options())) {
                var events = ctx.ledger().events(nv[0] + "@" + nv[1]);
                io.releasegate.ledger.Event built = events.stream().filter(io.releasegate.ledger.EventType.BUILT::is).findFirst()
                        .orElseThrow(() -> new io.releasegate.error.InputException("the ledger has no 'built' event for " + release));
                String commit = built.text("commit").orElseThrow(() -> new io.releasegate.error.InputException(release
                        + " was built without a recorded commit: give RANGE"));
                ReleaseRange r = ReleaseRange.resolve(history, Optional.ofNullable(range).or(() -> Optional.of(commit)));
                var lockfiles = new io.releasegate.scope.LockfileChanges(history.repository()).of(r);
                var result = new io.releasegate.scope.DependencyChanges(ctx.ledger(), ctx.store(), policy).compare(nv[0], nv[1],
                        built.digest().orElseThrow(), events, r, lockfiles);
                return print(out, r, result, policy);
            }
        }

        private static int print(CliOutput out, ReleaseRange r, io.releasegate.scope.DependencyChanges.Result result, Policy policy) {
            io.releasegate.gates.Finding.Severity threshold = io.releasegate.gates.Finding.Severity.parse(policy.gates().blockAt());
            var blocking = result.findings().stream().filter(f -> f.severity().blocksAt(threshold)).toList();
            if (out.json()) {
                ObjectNode doc = result.payload().put("ok", blocking.isEmpty()).put("range", r.describe());
                ArrayNode fs = doc.putArray("findings");
                result.findings().forEach(f -> fs.addObject().put("id", f.id())
                        .put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT)).put("blocking", blocking.contains(f))
                        .put("title", f.title()));
                out.document(doc);
            } else {
                result.notes().forEach(n -> out.out().println("note: " + n));
                result.baseline().ifPresent(b -> out.out().println("compared with " + b.version() + " (" + b.digest() + ")"));
                result.diff().ifPresent(d -> d.markdown().forEach(out.out()::println));
                for (var l : result.lockfiles()) {
                    out.out().println("lockfile " + l.change() + " " + l.path() + ": " + String.join(", ", l.commits().stream()
                            .map(c -> c.commit() + " " + c.author() + " \"" + c.subject() + "\"").toList()));
                }
                result.findings().forEach(f -> out.out().println((blocking.contains(f) ? "BLOCK  " : "review ") + f.id() + ": " + f.title()));
                out.out().println((blocking.isEmpty() ? "ok" : "fail") + ": " + r.describe() + ", " + result.lockfiles().size()
                        + " lockfile(s) changed, " + result.diff().map(d -> d.changes().size() + " component change(s)").orElse("no SBOM comparison")
                        + ", " + blocking.size() + " blocking");
                out.out().flush();
            }
            return blocking.isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "flags", description = {"The feature-flag registry (scope.flagRegistry) and the code, as TO has them: a flag without",
            "an owner, a flag past its removal date (its last deviation's) and not removed, a flag referenced in code",
            "(scope.flagPattern) but not registered, a removed flag still referenced. Lists the registry's changes in the",
            "range, commit by commit. Exit 1 when a finding is at or above gates.blockAt or a file was too large to scan."})
    static final class FlagsCommand extends ScopeBase {
        @Override
        int run(History history, CliOutput out) {
            Policy policy = policy();
            ReleaseRange r = ReleaseRange.resolve(history, Optional.ofNullable(range));
            FlagScan.Result result = new FlagScan(history.repository()).range(r).policy(policy.scope()).call();
            Finding.Severity threshold = Finding.Severity.parse(policy.gates().blockAt());
            boolean ok = result.ok(threshold);
            if (out.json()) {
                ObjectNode doc = Json.object().put("ok", ok).put("range", result.range()).put("commit", result.commit())
                        .put("registry", result.registry()).put("registryPresent", result.registryPresent())
                        .put("flags", result.flags()).put("files", result.files()).put("binaries", result.binaries());
                ArrayNode ps = doc.putArray("findings");
                for (FlagScan.Problem p : result.problems()) {
                    ObjectNode n = ps.addObject().put("id", p.id()).put("flag", p.flag())
                            .put("severity", p.severity().name().toLowerCase(java.util.Locale.ROOT))
                            .put("blocking", p.severity().blocksAt(threshold)).put("message", p.message());
                    p.location().ifPresent(l -> n.put("location", l));
                }
                ArrayNode od = doc.putArray("overdue");
                for (FlagRegistry.Flag f : result.overdue()) {
                    od.addObject().put("name", f.name()).put("state", f.state().wire()).put("owner", f.owner().orElse(""))
                            .put("escalation", f.escalation()).put("removal", f.effectiveRemoval().map(Object::toString).orElse(""))
                            .put("deviations", f.deviations().size());
                }
                ArrayNode rs = doc.putArray("references");
                result.references().forEach(x -> rs.addObject().put("flag", x.flag()).put("path", x.path()).put("line", x.line()));
                ArrayNode cs = doc.putArray("changes");
                for (FlagScan.Change c : result.changes()) {
                    ObjectNode n = cs.addObject().put("commit", c.commit()).put("author", c.author()).put("time", c.time().toString())
                            .put("subject", c.subject()).put("flag", c.flag())
                            .put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT)).put("what", c.what());
                    ArrayNode fs = n.putArray("fields");
                    c.fields().forEach(f -> fs.addObject().put("field", f.field()).put("from", f.from()).put("to", f.to()));
                }
                ArrayNode us = doc.putArray("unscanned");
                result.unscanned().forEach(u -> us.addObject().put("id", u.id()).put("commit", u.commit()).put("path", u.path())
                        .put("why", u.why()));
                out.document(doc);
            } else {
                for (FlagScan.Problem p : result.problems()) {
                    out.out().println((p.severity().blocksAt(threshold) ? "FAIL    " : "warning ") + p.id() + " ("
                            + p.severity().name().toLowerCase(java.util.Locale.ROOT) + "): " + p.message());
                }
                result.unscanned().forEach(u -> out.out().println("UNSCANNED " + u.commit().substring(0, 12) + ":" + u.path() + ": " + u.why()));
                for (FlagScan.Change c : result.changes()) {
                    out.out().println("change  " + c.shortId() + " " + c.time() + " " + c.author() + ": "
                            + (c.flag().isEmpty() ? "" : c.flag() + " ") + c.what() + " - " + c.subject());
                }
                out.out().println((ok ? "ok" : "fail") + ": flags at " + r.to().substring(0, 12) + " (" + (result.registryPresent()
                        ? result.flags() + " registered in " + result.registry() : "no " + result.registry()) + ", "
                        + result.references().size() + " reference(s) in " + result.files() + " files), " + result.problems().size()
                        + " finding(s), " + result.overdue().size() + " overdue, " + result.unscanned().size() + " unscanned, "
                        + result.binaries() + " binary file(s) skipped; " + result.changes().size() + " change(s) in " + result.range());
                out.out().flush();
            }
            return ok ? 0 : 1;
        }
    }
}

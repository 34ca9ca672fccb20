package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.manifest.CreateManifest;
import io.releasegate.manifest.RecordIntegration;
import io.releasegate.manifest.ReleaseManifest;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** manifest: several services' releases pinned as one set, which {@code promote} promotes together. */
@Command(name = "manifest", header = "Release manifests: several services' releases pinned and promoted as one set.",
        description = {"Release manifests: several services' releases, each pinned to its digest, stored as an immutable",
                "OCI artifact NAME:VERSION and promoted as one set (release-gate promote NAME@VERSION --digest D --to ENV)."},
        subcommands = {ManifestCommand.Create.class, ManifestCommand.Show.class, ManifestCommand.Test.class})
final class ManifestCommand extends GroupCommand {

    @Command(name = "create", description = {"Pin each member release (NAME@VERSION, in promotion order: libraries before their",
            "dependants) to its built digest, commit, tag, SBOMs and provenance, and store the set as NAME:VERSION with a",
            "'built' event. The same members again: the same manifest. Other members under a built version: refused (exit 1),",
            "as is a member that was not built; bad input (fewer than two members, one service twice): exit 2."})
    static final class Create extends JsonCommand {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The set's name, e.g. platform.")
        String name;

        @Option(names = "--version", required = true, paramLabel = "VERSION", description = "The set's version, e.g. 2026.12.0.")
        String version;

        @Parameters(arity = "1..*", paramLabel = "MEMBER", description = "A member release, NAME@VERSION.")
        List<String> members;

        @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
                description = "The repository that declares the set (its HEAD is recorded, its policy governs the set).")
        Path repo;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who creates it. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                CreateManifest.Result r = new CreateManifest(ctx.store(), ctx.ledger()).name(name).version(version).members(members)
                        .actor(actor).commit(io.releasegate.build.BuildOnce.gitHead(repo)).call();
                ObjectNode doc = describe(r.manifest(), r.build().digest()).put("reference", r.build().reference())
                        .put("outcome", r.build().outcome().name().toLowerCase(java.util.Locale.ROOT)).put("event", r.build().eventId());
                print(out, r.manifest().subject() + " = " + r.build().digest() + " (" + r.build().reference() + ", "
                        + r.build().outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")\n" + text(r.manifest()), doc);
                return 0;
            }
        }
    }

    @Command(name = "show", description = {"Read a release manifest back from the store, every byte checked against the digest",
            "the ledger records and its members against the 'built' event; print its members. Refused (exit 1) when the",
            "stored set is not the recorded one."})
    static final class Show extends JsonCommand {
        @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The set.")
        String release;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            String[] nv = InspectCommand.parse(release);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                String subject = nv[0] + "@" + nv[1];
                var events = ctx.ledger().events(subject);
                ReleaseManifest m = ReleaseManifest.read(ctx.store(), subject, events);
                Digest d = ReleaseManifest.built(events).orElseThrow().digest().orElseThrow();
                print(out, subject + " = " + d + "\n" + text(m), describe(m, d));
                return 0;
            }
        }
    }

    @Command(name = "test", description = {"Record the outcome of an integration test run against exactly this set (JUnit XML):",
            "production takes the set only after a passing one (at least one test, none failed). Exit 0 when it passed, 1 when",
            "it did not (recorded either way); a digest other than the set's is refused (exit 1), nothing recorded."})
    static final class Test extends JsonCommand {
        @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The set.")
        String release;

        @Option(names = "--digest", required = true, paramLabel = "sha256:...", description = "The set's digest.")
        String digest;

        @Option(names = "--junit", required = true, paramLabel = "FILE", description = "The integration tests' JUnit XML report.")
        Path junit;

        @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
                description = "Who records it. Default: $RELEASE_GATE_ACTOR, else the OS user.")
        String actor;

        @Mixin
        CommonOptions common;

        @Override
        int run(CliOutput out) {
            String[] nv = InspectCommand.parse(release);
            Digest d;
            try {
                d = Digest.parse(digest);
            } catch (IllegalArgumentException e) {
                throw new InputException(e.getMessage(), e);
            }
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                RecordIntegration.Result r = RecordIntegration.record(ctx.store(), ctx.ledger(), nv[0] + "@" + nv[1], d, junit, actor,
                        java.time.Clock.systemUTC());
                print(out, "integration " + (r.pass() ? "pass" : "FAIL") + ": " + r.summary() + " (event " + r.eventId() + ")",
                        Json.object().put("result", r.pass() ? "pass" : "fail").put("tests", r.tests()).put("failures", r.failures())
                                .put("summary", r.summary()).put("event", r.eventId()));
                return r.pass() ? 0 : 1;
            }
        }
    }

    static ObjectNode describe(ReleaseManifest m, Digest digest) {
        ObjectNode doc = Json.object().put("name", m.name()).put("version", m.version()).put("digest", digest.toString());
        ArrayNode ms = doc.putArray("members");
        for (ReleaseManifest.Member x : m.members()) {
            ObjectNode n = ms.addObject().put("subject", x.subject()).put("digest", x.digest().toString());
            x.commit().ifPresent(c -> n.put("commit", c));
            x.tag().ifPresent(t -> n.put("tag", t));
            n.put("sboms", x.sboms().size()).put("provenance", x.provenance().size());
        }
        return doc;
    }

    static String text(ReleaseManifest m) {
        StringBuilder s = new StringBuilder();
        for (ReleaseManifest.Member x : m.members()) {
            s.append("  ").append(x.subject()).append("  ").append(x.digest()).append(x.tag().map(t -> "  " + t).orElse(""))
                    .append("  ").append(x.sboms().size()).append(" SBOM(s), ").append(x.provenance().size()).append(" provenance\n");
        }
        return s.toString().stripTrailing();
    }
}

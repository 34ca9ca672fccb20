package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.testing.TestRepo;
import io.releasegate.testing.TestTrust;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code manifest create|show|test} and {@code promote} of a set, as a platform team runs them: two services, each in
 * its own repository under its own committed policy, promoted together to production; and what the commands refuse.
 */
class ManifestCommandTest {

    @TempDir
    Path tmp;
    TestTrust trust;
    Path state;
    Path central;
    String pin;
    TestRepo lib;
    TestRepo app;
    TestRepo platform;
    String libDigest;
    String appDigest;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    Run as(Path key, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", state.toString(), "--trust", trust.file().toString(), "--event-key", key.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    Run ci(String... args) {
        return as(trust.ciKeyFile(), args);
    }

    TestRepo service(String name, String author, String email) throws Exception {
        TestRepo r = TestRepo.init(tmp.resolve(name));
        r.write(".release/policy.yaml", "approvals:\n  members:\n    maintainer:\n      people: [mia, max]\n"
                + "    domain-reviewer:\n      people: [dora]\n"
                + "gates:\n  notApplicable:\n    dast: no network endpoint\n");
        r.write(name + ".txt", name + "\n");
        r.commitAll("feat: " + name + "\n\nRefs: PLAT-1", author, email);
        return r;
    }

    String build(TestRepo r, String name, String version) throws Exception {
        Run b = ci("build-once", "--json", "--workspace", r.dir().toString(), "--actor", "rita", "--name", name, "--version",
                version, "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        String digest = b.json().path("digest").asText();
        try (Ledger l = GitLedger.open(GitLedger.Options.of("", state).withTrust(Optional.of(trust.file()))
                .withSigner(Optional.of(trust.ci())));
             io.releasegate.store.OciLayoutStore store = io.releasegate.store.OciLayoutStore.open(state.resolve("store"))) {
            io.releasegate.testing.Evidence.record(store, l, name, version, tmp.resolve("keys-" + name), java.time.Clock.systemUTC());
        }
        return digest;
    }

    @BeforeEach
    void services() throws Exception {
        trust = TestTrust.create(tmp.resolve("trust"), "mia", "dora", "max", "lena");
        state = tmp.resolve("state");
        // the admin's pinned central policy opens the change window all week, so that production is reachable any time
        central = Files.writeString(tmp.resolve("central.yaml"), "windows:\n  timezone: UTC\n  weekly:\n"
                + "    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n      from: \"00:00\"\n      to: \"23:59\"\n");
        pin = Digester.of(Files.readAllBytes(central)).toString();
        lib = service("svc-lib", "Lena Library", "lena@example.com");
        app = service("svc-app", "Alice Author", "alice@example.com");
        platform = service("platform", "Pat Platform", "pat@example.com");
        libDigest = build(lib, "svc-lib", "1.2.0");
        appDigest = build(app, "svc-app", "2.0.0");
    }

    List<String> repos(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--repo", platform.dir().toString(), "--member-repo", "svc-lib=" + lib.dir(), "--member-repo",
                "svc-app=" + app.dir(), "--central-policy", central.toString(), "--central-policy-digest", pin));
        return all;
    }

    Run promote(String digest, String env, String... extra) {
        List<String> args = repos("promote", "platform@2026.12.0", "--digest", digest, "--to", env, "--actor", "ci", "--json");
        args.addAll(List.of(extra));
        return ci(args.toArray(String[]::new));
    }

    Run approve(String who, String role, String subject, String digest) {
        return as(trust.sshKeyFile(who), repos("approve", subject, "--digest", digest, "--approver", who, "--role", role,
                "--rationale", "integration green; rollback plan reviewed").toArray(String[]::new));
    }

    static void refused(Run r, String rule) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains(rule);
    }

    @Test
    void aPlatformTeamPromotesTwoServicesAsOneSet() throws Exception {
        Run created = ci("manifest", "create", "--json", "--name", "platform", "--version", "2026.12.0", "--repo",
                platform.dir().toString(), "--actor", "ci", "svc-lib@1.2.0", "svc-app@2.0.0");
        assertThat(created.exit()).as(created.err()).isZero();
        String set = created.json().path("digest").asText();
        assertThat(created.json().path("members").findValuesAsText("digest")).containsExactly(libDigest, appDigest);
        assertThat(created.json().path("reference").asText()).isEqualTo("platform:2026.12.0");
        Run shown = ci("manifest", "show", "platform@2026.12.0");
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("svc-lib@1.2.0", "svc-app@2.0.0", set);

        // a set is promoted as a set, never as one release, and never as an emergency
        Path record = Files.writeString(tmp.resolve("emergency.json"), "{\"reason\": \"INC-7\", \"approver\": \"mia\", "
                + "\"scope\": \"all\", \"rollbackPlan\": \"promote 2026.11.0\", \"followUps\": [\"PLAT-9\"]}");
        Run emergency = promote(set, "dev", "--emergency", record.toString());
        assertThat(emergency.exit()).as(emergency.out() + emergency.err()).isEqualTo(2);
        assertThat(emergency.out() + emergency.err()).contains("is a release manifest");
        assertThat(promote(set, "dev").exit()).isZero();
        Run staging = promote(set, "staging");
        assertThat(staging.exit()).as(staging.err()).isZero();
        assertThat(staging.json().path("members").findValuesAsText("reference"))
                .containsExactly("svc-lib/staging:1.2.0", "svc-app/staging:2.0.0");

        // production: integration tests of exactly this set, approvals of each member and of the set
        Path green = Files.writeString(tmp.resolve("it.xml"), "<testsuite tests=\"2\"><testcase classname=\"it.Checkout\" "
                + "name=\"pays\"/><testcase classname=\"it.Checkout\" name=\"refunds\"/></testsuite>");
        Path red = Files.writeString(tmp.resolve("it-red.xml"), "<testsuite tests=\"1\"><testcase classname=\"it.Checkout\" "
                + "name=\"pays\"><failure message=\"502\"/></testcase></testsuite>");
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            Run r = approve(a[0], a[1], "svc-lib@1.2.0", libDigest);
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(approve(a[0], a[1], "svc-app@2.0.0", appDigest).exit()).isZero();
        }
        refused(promote(set, "production"), "promote.evidence-integration");
        Run failing = ci("manifest", "test", "platform@2026.12.0", "--digest", set, "--junit", red.toString(), "--actor", "ci");
        assertThat(failing.exit()).as(failing.out() + failing.err()).isEqualTo(1);
        assertThat(failing.out()).contains("FAIL");
        refused(ci("manifest", "test", "platform@2026.12.0", "--digest", appDigest, "--junit", green.toString(), "--actor", "ci"),
                "promote.digest-mismatch");
        Run passing = ci("manifest", "test", "platform@2026.12.0", "--digest", set, "--junit", green.toString(), "--actor", "ci",
                "--json");
        assertThat(passing.exit()).as(passing.err()).isZero();
        assertThat(passing.json().path("tests").asInt()).isEqualTo(2);
        refused(promote(set, "production"), "promote.approvals");
        // lena wrote svc-lib: she may not approve the set that carries it
        refused(approve("lena", "domain-reviewer", "platform@2026.12.0", set), "approval.");
        assertThat(approve("max", "maintainer", "platform@2026.12.0", set).exit()).isZero();
        assertThat(approve("dora", "domain-reviewer", "platform@2026.12.0", set).exit()).isZero();
        Run prod = promote(set, "production");
        assertThat(prod.exit()).as(prod.err()).isZero();
        assertThat(prod.json().path("members").findValuesAsText("reference"))
                .containsExactly("svc-lib/production:1.2.0", "svc-app/production:2.0.0");
        Run again = promote(set, "production");
        assertThat(again.json().path("alreadyThere").asBoolean()).isTrue();
        // every member's record shows the promotion as part of the set
        Run inspect = ci("inspect", "svc-app@2.0.0", "--json");
        assertThat(inspect.json().path("record").path("promotions").findValuesAsText("environment"))
                .containsExactly("dev", "staging", "production");
    }

    @Test
    void badInputIsExitTwoAndNothingIsRecorded() throws Exception {
        int before = events();
        Run one = ci("manifest", "create", "--name", "platform", "--version", "2026.12.0", "--actor", "ci", "svc-lib@1.2.0");
        assertThat(one.exit()).isEqualTo(2);
        assertThat(one.err()).contains("at least two members");
        Run twice = ci("manifest", "create", "--name", "platform", "--version", "2026.12.0", "--actor", "ci", "svc-lib@1.2.0",
                "svc-lib@1.2.0");
        assertThat(twice.exit()).isEqualTo(2);
        Run badVersion = ci("manifest", "create", "--name", "platform", "--version", "next", "--actor", "ci", "svc-lib@1.2.0",
                "svc-app@2.0.0");
        assertThat(badVersion.exit()).isEqualTo(2);
        refused(ci("manifest", "create", "--name", "platform", "--version", "2026.12.0", "--actor", "ci", "svc-lib@1.2.0",
                "svc-gone@9.9.9"), "manifest.member-not-built");
        refused(ci("manifest", "show", "svc-lib@1.2.0"), "manifest.unknown");
        assertThat(events()).isEqualTo(before);
        Run help = ci("manifest", "create", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--name", "MEMBER");
    }

    int events() {
        try (Ledger l = GitLedger.open(GitLedger.Options.of("", state).withTrust(Optional.of(trust.file())))) {
            return l.events().size();
        }
    }
}

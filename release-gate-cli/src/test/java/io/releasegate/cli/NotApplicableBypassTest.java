package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Digester;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.testing.TestRepo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Not applicable" as an insider tries to use it with the command line, git and file edits: to skip SAST on the
 * first gate run of a digest by declaring it not applicable, by declaring it only in the working tree, by committing
 * the declaration after the build, or in a team policy although the admin's central policy says SAST never is.
 * "Not applicable" is a property fixed before the run, by the policy committed at the built commit: each attempt is
 * refused by its rule, and nothing is recorded as passing.
 */
class NotApplicableBypassTest {

    static final String SUBJECT = "payments@1.0.0";
    static final String MEMBERS = "approvals:\n  members:\n    maintainer:\n      people: [mia]\n"
            + "    domain-reviewer:\n      people: [dora]\n";
    static final String DECLARED = MEMBERS + "gates:\n  notApplicable:\n    sast: the repository holds configuration only, no code\n"
            + "    dast: batch job without network endpoint\n";

    @TempDir
    Path tmp;
    TestRepo repo;
    String state;
    String digest;
    Path junit;
    Path osv;
    Path sbom;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }

        String all() {
            return out + err;
        }

        List<String> rules() throws Exception {
            return json().path("error").path("refusals").findValuesAsText("rule");
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** {@code gate} of the release with the reports the pipeline has (unit, dependency, license: no SAST report). */
    Run gate(String... extra) {
        List<String> all = new ArrayList<>(List.of("gate", SUBJECT, "--digest", digest, "--repo", repo.dir().toString(),
                "--state-dir", state, "--junit", junit.toString(), "--vulns", osv.toString(), "--sbom", sbom.toString(),
                "--actor", "ci", "--json"));
        all.addAll(List.of(extra));
        return run(all.toArray(String[]::new));
    }

    List<Event> events() {
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(Path.of(state)))) {
            return ctx.ledger().events(SUBJECT);
        }
    }

    boolean recordedAsPassing() {
        return events().stream().anyMatch(e -> e.type().equals("gate-evaluated") && e.text("result").orElse("").equals("pass"))
                || events().stream().anyMatch(e -> e.type().equals("check-recorded") && e.text("name").orElse("").equals("sast")
                        && !e.text("result").orElse("").equals("fail"));
    }

    /** Commits {@code policy} as the team's .release/policy.yaml, then builds the release from that commit. */
    void committedAndBuilt(String policy) throws Exception {
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), policy);
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        Run b = run("build-once", "--json", "--state-dir", state, "--workspace", repo.dir().toString(), "--actor", "ci",
                "--name", "payments", "--version", "1.0.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        digest = b.json().path("digest").asText();
    }

    @BeforeEach
    void reports() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        state = tmp.resolve("state").toString();
        junit = Files.writeString(tmp.resolve("junit.xml"), "<testsuite tests=\"1\"><testcase classname=\"A\" name=\"b\"/></testsuite>");
        osv = Files.writeString(tmp.resolve("osv.json"), "{\"results\": []}");
        sbom = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\": \"CycloneDX\", \"components\": []}");
    }

    @Test
    void aFirstRunDeclaringSastNotApplicableWithoutACommittedDeclarationIsRefused() throws Exception {
        committedAndBuilt(MEMBERS);
        Run r = gate("--not-applicable", "sast=no code of ours", "--not-applicable", "dast=batch job without network endpoint");
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.rules()).containsOnly("gates.not-applicable-unconfigured");
        JsonNode refusal = r.json().at("/error/refusals/0");
        assertThat(refusal.path("evidence").asText()).contains("gate sast").contains(".release/policy.yaml");
        assertThat(refusal.path("remedy").asText()).contains("gates.notApplicable").contains(".release/policy.yaml").contains("commit");
        assertThat(r.all()).contains("gate dast");
        // nothing is recorded: not a passing gate, not even the run
        assertThat(events()).extracting(Event::type).containsExactly("built");
    }

    @Test
    void aDeclarationOnlyInTheWorkingTreeOrCommittedAfterTheBuildIsRefusedForProduction() throws Exception {
        committedAndBuilt(MEMBERS);
        Path team = repo.dir().resolve(".release/policy.yaml");
        Files.writeString(team, DECLARED);

        // the working tree's file is not read for production: the argument is refused ...
        Run argument = gate("--not-applicable", "sast=no code of ours");
        assertThat(argument.exit()).as(argument.all()).isEqualTo(1);
        assertThat(argument.rules()).contains("gates.not-applicable-unconfigured");
        // ... naming it by --policy is refused too, since it is not the committed policy ...
        Run named = gate("--policy", team.toString(), "--not-applicable", "sast=no code of ours");
        assertThat(named.exit()).as(named.all()).isEqualTo(1);
        assertThat(named.rules()).containsOnly("policy.not-committed");
        assertThat(events()).extracting(Event::type).containsExactly("built");
        // ... and without the argument the declaration does not apply: SAST has no report, so the gates fail
        Run silent = gate();
        assertThat(silent.exit()).as(silent.all()).isEqualTo(1);
        assertThat(silent.json().path("pass").asBoolean(true)).isFalse();

        // committing the declaration after the build changes nothing for this release: it was built from the commit before
        repo.git("add", "-A");
        repo.git("-c", "user.name=Eve", "-c", "user.email=eve@example.com", "commit", "-q", "-m", "chore: sast does not apply");
        Run committedLater = gate("--not-applicable", "sast=no code of ours");
        assertThat(committedLater.exit()).as(committedLater.all()).isEqualTo(1);
        assertThat(committedLater.rules()).contains("gates.not-applicable-unconfigured");
        assertThat(recordedAsPassing()).isFalse();
    }

    @Test
    void aDeclarationCommittedBeforeTheBuildAppliesAndItsRationaleIsTheOneRecorded() throws Exception {
        committedAndBuilt(DECLARED);
        // the argument is redundant: accepted, but the committed rationale is what is recorded
        Run r = gate("--not-applicable", "sast=whatever I type here");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.json().path("pass").asBoolean()).isTrue();
        List<Event> sast = events().stream().filter(e -> e.type().equals("check-recorded") && e.text("name").orElse("").equals("sast"))
                .toList();
        assertThat(sast).singleElement().satisfies(e -> {
            assertThat(e.text("result")).contains("not-applicable");
            assertThat(e.text("rationale")).contains("the repository holds configuration only, no code");
        });
        assertThat(r.all()).doesNotContain("whatever I type here");
        // the committed declarations apply with no argument at all
        Run again = gate();
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(events().stream().filter(e -> e.type().equals("check-recorded") && e.text("name").orElse("").equals("dast"))
                .map(e -> e.text("rationale").orElse(""))).containsOnly("batch job without network endpoint");
    }

    @Test
    void aTeamPolicyCannotDeclareNotApplicableAGateTheCentralPolicyForbids() throws Exception {
        Path central = Files.writeString(tmp.resolve("central.yaml"), "gates:\n  neverNotApplicable: [sast]\n");
        String pin = Digester.of(Files.readAllBytes(central)).toString();
        committedAndBuilt(DECLARED);
        Run r = gate("--central-policy", central.toString(), "--central-policy-digest", pin, "--not-applicable", "sast=no code of ours");
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.rules()).containsOnly("policy.loosened");
        assertThat(r.json().at("/error/refusals/0/evidence").asText()).contains("gates.notApplicable.sast")
                .contains(".release/policy.yaml");
        // without the argument too: the committed policy itself is refused
        Run silent = gate("--central-policy", central.toString(), "--central-policy-digest", pin);
        assertThat(silent.rules()).containsOnly("policy.loosened");
        assertThat(events()).extracting(Event::type).containsExactly("built");

        // a team policy cannot empty the central policy's list either
        Path dropped = Files.writeString(tmp.resolve("dropped.yaml"), MEMBERS + "gates:\n  neverNotApplicable: []\n");
        Run check = run("policy", "check", dropped.toString(), "--central-policy", central.toString(), "--central-policy-digest", pin,
                "--json");
        assertThat(check.exit()).as(check.all()).isEqualTo(1);
        assertThat(check.rules()).containsOnly("policy.loosened");
        assertThat(check.all()).contains("gates.neverNotApplicable");
    }
}

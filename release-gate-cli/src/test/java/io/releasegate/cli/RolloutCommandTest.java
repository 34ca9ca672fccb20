package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout commands at the command line: the stages are environments promote knows, status shows each stage,
 * evidence and health checks of a digest that is not in the stage are refused (exit 1), bad input is exit 2, and
 * everything speaks JSON. The decisions themselves are tested in the core (RolloutBypassTest).
 */
class RolloutCommandTest {

    @TempDir
    Path tmp;
    TestRepo repo;
    String state;
    String digest;

    @BeforeEach
    void built() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia]
                rollout:
                  stages:
                    - name: canary
                      percent: 5
                      soak: 30m
                      evidence: [check]
                      health:
                        - name: error-rate
                          command: ["echo", "0.001"]
                          max: 0.01
                """);
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        state = tmp.resolve("state").toString();
        CliRun b = CliRun.of("build-once", "--json", "--state-dir", state, "--workspace", repo.dir().toString(), "--actor", "ci",
                "--name", "payments", "--version", "1.0.0", "*.txt");
        assertThat(b.exit()).as(b.err()).isZero();
        digest = b.json().path("digest").asText();
    }

    CliRun run(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--state-dir";
        all[args.length + 1] = state;
        all[args.length + 2] = "--repo";
        all[args.length + 3] = repo.dir().toString();
        return CliRun.of(all);
    }

    @Test
    void promoteKnowsTheStagesAndRefusesSkippingThem() throws Exception {
        CliRun canary = run("promote", "payments@1.0.0", "--digest", digest, "--to", "production-canary", "--actor", "ci", "--json");
        assertThat(canary.exit()).as(canary.out() + canary.err()).isEqualTo(1);
        assertThat(canary.json().path("error").path("refusals").findValuesAsText("rule")).contains("promote.skip-environment");
        CliRun production = run("promote", "payments@1.0.0", "--digest", digest, "--to", "production", "--actor", "ci", "--json");
        assertThat(production.exit()).isEqualTo(1);
        assertThat(production.out()).contains("production-canary, which comes before production");
        CliRun unknown = run("promote", "payments@1.0.0", "--digest", digest, "--to", "production-ring9", "--actor", "ci");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("production-canary");
    }

    @Test
    void statusShowsEachStageAndProduction() throws Exception {
        CliRun text = run("rollout", "status", "payments@1.0.0");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("not in production or any stage yet").contains("production-canary").contains("5%")
                .contains("requires [check]");
        JsonNode doc = run("rollout", "status", "payments@1.0.0", "--json").json();
        assertThat(doc.path("stages").findValuesAsText("environment")).containsExactly("production-canary", "production");
        assertThat(doc.path("stages").get(1).path("percent").asInt()).isEqualTo(100);
        assertThat(run("rollout", "status", "payments@9.9.9").exit()).isEqualTo(2);
    }

    @Test
    void evidenceAndChecksOfADigestThatIsNotInTheStageAreRefused() throws Exception {
        CliRun check = run("rollout", "check", "payments@1.0.0", "--digest", digest, "--stage", "canary", "--json");
        assertThat(check.exit()).as(check.out() + check.err()).isEqualTo(1);
        assertThat(check.json().path("error").path("refusals").findValuesAsText("rule")).containsExactly("rollout.not-in-stage");
        // the command goes last, after --: everything after it is the command's
        CliRun evidence = CliRun.of("rollout", "evidence", "payments@1.0.0", "--digest", digest, "--stage", "canary",
                "--state-dir", state, "--repo", repo.dir().toString(), "--check", "--", "echo", "ok");
        assertThat(evidence.exit()).isEqualTo(1);
        assertThat(evidence.err()).contains("rollout.not-in-stage").contains("never promoted to production-canary");
        CliRun verify = run("verify-production", "payments@1.0.0", "--stage", "canary");
        assertThat(verify.exit()).isEqualTo(2);
        assertThat(verify.err()).contains("never promoted to production-canary");
    }

    @Test
    void badInputIsExitTwo() throws Exception {
        CliRun unknown = run("rollout", "check", "payments@1.0.0", "--digest", digest, "--stage", "ring9");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown rollout stage 'ring9'").contains("[canary]");
        CliRun two = run("rollout", "evidence", "payments@1.0.0", "--digest", digest, "--stage", "canary",
                "--dashboard", "https://dash.example.test/d/1", "--checklist", "fine");
        assertThat(two.exit()).isEqualTo(2);
        assertThat(two.err()).contains("exactly one of");
        CliRun noCommand = run("rollout", "evidence", "payments@1.0.0", "--digest", digest, "--stage", "canary", "--check");
        assertThat(noCommand.exit()).isEqualTo(2);
        CliRun badDigest = run("rollout", "check", "payments@1.0.0", "--digest", "nope", "--stage", "canary");
        assertThat(badDigest.exit()).isEqualTo(2);
        CliRun unknownVerify = run("verify-production", "payments@1.0.0", "--stage", "ring9", "--json");
        assertThat(unknownVerify.exit()).isEqualTo(2);
        assertThat(unknownVerify.json().path("error").toString()).contains("unknown rollout stage");
    }

    @Test
    void everyRolloutCommandHasHelp() {
        for (String sub : new String[] {"status", "evidence", "check"}) {
            CliRun help = CliRun.of("rollout", sub, "--help");
            assertThat(help.exit()).as(sub).isZero();
            assertThat(help.out()).contains("--json");
        }
        CliRun group = CliRun.of("rollout");
        assertThat(group.exit()).isZero();
        assertThat(group.out()).contains("status").contains("evidence").contains("check");
    }
}

package io.releasegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.json.Json;
import io.releasegate.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** release-gate scope flags: exit codes 0, 1 and 2, --json, and bad input that records nothing. */
class ScopeFlagsCommandTest {

    @TempDir
    Path tmp;
    TestRepo repo;

    void write(String path, String text) throws Exception {
        repo.write(path, text);
    }

    void commit(String message) {
        repo.commitAll(message, "Alice", "alice@example.com");
    }

    static String flag(String name, String state, String removal) {
        return "  - name: " + name + "\n    owner: team-a\n    escalation: oncall@example.com\n    created: 2020-01-01\n    state: "
                + state + "\n" + (removal == null ? "" : "    removal: " + removal + "\n");
    }

    @BeforeEach
    void init() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        write("README.md", "# app\n");
        commit("chore: start");
        repo.tag("v1.0.0");
        write("flags/registry.yaml", "flags:\n" + flag("new-checkout", "ramping", "2099-01-15"));
        write("src/App.java", "class App { boolean b = ff.isEnabled(\"new-checkout\"); }\n");
        commit("feat(checkout): the new checkout behind a flag");
    }

    @Test
    void aCleanRegistryIsExitZeroAndItsChangesAreListed() throws Exception {
        CliRun text = CliRun.of("scope", "flags", "--repo", repo.dir().toString());
        assertThat(text.exit()).as(text.out() + text.err()).isZero();
        assertThat(text.out()).contains("ok: flags at", "1 registered in flags/registry.yaml", "0 finding(s)")
                .contains("new-checkout added", "Alice <alice@example.com>", "feat(checkout): the new checkout behind a flag");
        CliRun json = CliRun.of("scope", "flags", "--repo", repo.dir().toString(), "--json");
        assertThat(json.exit()).isZero();
        JsonNode doc = json.json();
        assertThat(doc.get("ok").asBoolean()).isTrue();
        assertThat(doc.get("flags").asInt()).isEqualTo(1);
        assertThat(doc.get("references").get(0).get("path").asText()).isEqualTo("src/App.java");
        assertThat(doc.get("changes").get(0).get("kind").asText()).isEqualTo("added");
        assertThat(doc.get("changes").get(0).get("author").asText()).isEqualTo("Alice <alice@example.com>");
        assertThat(CliRun.of("scope", "--help").out()).contains("files", "secrets", "flags");
    }

    @Test
    void theReleaseNotesListTheRegistrysChangesSinceTheLastRelease() throws Exception {
        write("flags/registry.yaml", "flags:\n" + flag("new-checkout", "full", "2099-01-15"));
        write("app.jar", "app");
        repo.git("add", "-A");
        repo.git("-c", "user.name=Bob", "-c", "user.email=bob@example.com", "commit", "-q", "-m", "feat(checkout): at 100%");
        String state = tmp.resolve("state").toString();
        CliRun built = CliRun.of("build-once", "--state-dir", state, "--workspace", repo.dir().toString(), "--actor", "ci", "--name", "web",
                "--version", "1.1.0", "app.jar");
        assertThat(built.exit()).as(built.out() + built.err()).isZero();
        Path notes = tmp.resolve("notes.md");
        CliRun r = CliRun.of("release-notes", "web@1.1.0", "--state-dir", state, "--repo", repo.dir().toString(), "--summary", "Checkout.",
                "--risks", "none", "--rollback-plan", "promote 1.0.0", "--out", notes.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        String md = Files.readString(notes);
        assertThat(md).contains("## Feature flags\n\n- `new-checkout` added (state ramping, owner team-a, removal 2099-01-15): "
                + "Alice <alice@example.com>, ").contains("- `new-checkout` state ramping -> full: Bob <bob@example.com>, ")
                .contains("feat(checkout): at 100%");
    }

    @Test
    void theDeliveryReportListsTheFlagsPastTheirRemovalDateOfEachRepo() throws Exception {
        write("flags/registry.yaml", "flags:\n" + flag("new-checkout", "ramping", "2021-01-15") + flag("later", "full", "2099-01-15"));
        commit("chore: overdue");
        String state = tmp.resolve("state").toString();
        write("app.jar", "app");
        commit("chore: app");
        assertThat(CliRun.of("build-once", "--state-dir", state, "--workspace", repo.dir().toString(), "--actor", "ci", "--name", "web",
                "--version", "1.1.0", "app.jar").exit()).isZero();
        CliRun json = CliRun.of("report", "--state-dir", state, "--repo", repo.dir().toString(), "--json");
        assertThat(json.exit()).as(json.out() + json.err()).isZero();
        JsonNode flags = json.json().path("flags");
        assertThat(flags.path("overdue").asInt()).isEqualTo(1);
        assertThat(flags.at("/repositories/0/overdue/0/name").asText()).isEqualTo("new-checkout");
        CliRun text = CliRun.of("report", "--state-dir", state, "--repo", repo.dir().toString());
        assertThat(text.out()).contains("flags past their removal date in repo: 1", "new-checkout (owner team-a, escalation "
                + "oncall@example.com): due 2021-01-15");
        // without --repo there is no flags section
        assertThat(CliRun.of("report", "--state-dir", state, "--json").json().has("flags")).isFalse();
    }

    @Test
    void findingsAreExitOneAndEachBlocksAtTheDefaultThreshold() throws Exception {
        write("flags/registry.yaml", "flags:\n" + flag("new-checkout", "ramping", "2021-01-15") + flag("old-search", "removed", null));
        write("src/App.java", "class App { boolean b = ff.isEnabled(\"new-checkout\") && ff.isEnabled(\"ghost\")"
                + " && ff.isEnabled(\"old-search\"); }\n");
        commit("chore: more flags");
        CliRun json = CliRun.of("scope", "flags", "--repo", repo.dir().toString(), "--json");
        assertThat(json.exit()).as(json.out() + json.err()).isEqualTo(1);
        JsonNode doc = json.json();
        assertThat(doc.get("ok").asBoolean()).isFalse();
        assertThat(doc.get("findings").findValuesAsText("id")).containsExactlyInAnyOrder("flags.overdue:new-checkout",
                "flags.unregistered:ghost", "flags.removed-referenced:old-search");
        assertThat(doc.get("overdue").get(0).get("name").asText()).isEqualTo("new-checkout");
        for (JsonNode f : doc.get("findings")) {
            assertThat(f.get("blocking").asBoolean()).as(f.toString()).isTrue();
        }
        CliRun text = CliRun.of("scope", "flags", "--repo", repo.dir().toString());
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.out()).contains("FAIL    flags.overdue:new-checkout", "FAIL    flags.unregistered:ghost",
                "FAIL    flags.removed-referenced:old-search", "src/App.java:1");
        // the earlier range has none of it
        assertThat(CliRun.of("scope", "flags", "v1.0.0..HEAD~1", "--repo", repo.dir().toString()).exit()).isZero();
    }

    @Test
    void badInputIsExitTwoNamingTheInputAndNothingIsRecorded() throws Exception {
        String head = repo.head();
        CliRun range = CliRun.of("scope", "flags", "v9.9.9..HEAD", "--repo", repo.dir().toString(), "--json");
        assertThat(range.exit()).isEqualTo(2);
        assertThat(range.out() + range.err()).contains("v9.9.9");

        write("flags/registry.yaml", "flags:\n" + flag("new-checkout", "ramping", "2099-01-15") + "    colour: blue\n");
        commit("chore: a key the registry does not know");
        CliRun malformed = CliRun.of("scope", "flags", "--repo", repo.dir().toString());
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.out() + malformed.err()).contains("flags/registry.yaml@", "unknown key 'colour'");

        Files.write(repo.dir().resolve("flags/registry.yaml"), "flags:\n  - name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        commit("chore: latin-1");
        CliRun latin = CliRun.of("scope", "flags", "--repo", repo.dir().toString());
        assertThat(latin.exit()).isEqualTo(2);
        assertThat(latin.out() + latin.err()).contains("flags/registry.yaml@", "not valid UTF-8");

        Files.write(repo.dir().resolve("flags/registry.yaml"), new byte[] {'x', 0, 1, 2});
        commit("chore: binary");
        CliRun binary = CliRun.of("scope", "flags", "--repo", repo.dir().toString());
        assertThat(binary.exit()).isEqualTo(2);
        assertThat(binary.out() + binary.err()).contains("flags/registry.yaml@", "binary");

        String refs = repo.git("for-each-ref");
        assertThat(CliRun.of("scope", "flags", "nope..HEAD", "--repo", repo.dir().toString()).exit()).isEqualTo(2);
        Path policy = Files.writeString(tmp.resolve("p.yaml"), "scope:\n  flagPattern: ['(a)(b)']\n");
        CliRun badPolicy = CliRun.of("scope", "flags", "HEAD~3", "--repo", repo.dir().toString(), "--policy", policy.toString());
        assertThat(badPolicy.exit()).isEqualTo(2);
        // nothing written: no commit, no ref, no file in the working tree
        assertThat(repo.git("rev-list", "--count", head + "..HEAD")).isEqualTo("3");
        assertThat(repo.git("for-each-ref")).isEqualTo(refs);
        assertThat(repo.git("status", "--porcelain")).isEmpty();
    }
}

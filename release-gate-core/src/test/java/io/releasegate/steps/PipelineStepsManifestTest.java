package io.releasegate.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.context.ReleaseContext;
import io.releasegate.demo.SampleProject;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.testing.Git;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest steps as a pipeline calls them ({@link Step#call}): the set read from the committed set file, created once
 * and found again, its integration test recorded (a failing one refused), promoteDigest of the set delegated to the set
 * promotion with each member's governance from its checkout, and approveProduction of the set counting the members'
 * authors. The set promotion's own rules are PromoteSetTest's.
 */
class PipelineStepsManifestTest {

    static final String POLICY = "approvals:\n  members:\n    maintainer:\n      people: [mia, alice]\n"
            + "    domain-reviewer:\n      people: [dora]\n";

    @TempDir
    Path tmp;
    Path state;
    Path platform;
    Map<String, Object> payments;
    Map<String, Object> notifier;

    @BeforeEach
    void twoMembersBuiltAndAPlatformRepository() throws Exception {
        state = tmp.resolve("state");
        payments = member("payments");
        notifier = member("notifier");
        platform = Files.createDirectories(tmp.resolve("platform"));
        Git.run(platform, "init", "-q", "-b", "main");
        Files.createDirectories(platform.resolve(".release"));
        Files.writeString(platform.resolve(".release/policy.yaml"), POLICY);
        Files.writeString(platform.resolve("platform.yaml"), "version: 2026.12.0\nmembers:\n  - payments@1.0.0\n  - notifier@1.0.0\n");
        commit(platform, "Pia Platform", "pia@example.com", "chore: the platform set");
    }

    /** A service's repository (the sample's, with its own policy) and its release 1.0.0, built from its HEAD. */
    Map<String, Object> member(String name) throws Exception {
        SampleProject sample = SampleProject.create(tmp.resolve(name), Instant.parse("2026-11-02T09:00:00Z"));
        Path dir = sample.directory();
        Files.createDirectories(dir.resolve(".release"));
        Files.writeString(dir.resolve(".release/policy.yaml"), POLICY);
        Files.writeString(dir.resolve("NAME"), name + "\n");
        commit(dir, "Rita Releaser", "rita@example.com", "chore: " + name + " policy");
        String jar = sample.build("1.0.0");
        return Step.BUILD_ONCE.call(Map.of("name", name, "version", "1.0.0", "artifacts", jar), env(dir, "jenkins"), TrustedInputs.none());
    }

    static void commit(Path dir, String name, String email, String message) {
        Git.run(dir, "add", "-A");
        Git.run(dir, "-c", "user.name=" + name, "-c", "user.email=" + email, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message);
    }

    /** Each member's repository checked out where the golden pipeline puts it. */
    void checkOutMembers() {
        for (String m : List.of("payments", "notifier")) {
            Path into = platform.resolve(PipelineSteps.MEMBER_CHECKOUTS).resolve(m);
            Git.run(tmp, "clone", "-q", tmp.resolve(m).toString(), into.toString());
        }
    }

    StepEnvironment env(Path workspace, String actor) {
        return StepEnvironment.of(workspace, state, actor);
    }

    Map<String, Object> call(Step step, Map<String, ?> args, String actor) {
        return step.call(args, env(platform, actor), TrustedInputs.none());
    }

    List<Event> events(String subject) {
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(state))) {
            return ctx.ledger().events(subject);
        }
    }

    Path junit(int tests, int failures) throws Exception {
        StringBuilder s = new StringBuilder("<testsuite name=\"platform-it\" tests=\"" + tests + "\">");
        for (int i = 0; i < tests; i++) {
            s.append("<testcase classname=\"it.Checkout\" name=\"t").append(i).append("\">")
                    .append(i < failures ? "<failure message=\"502 from notifier\"/>" : "").append("</testcase>");
        }
        Path f = platform.resolve("target/it-" + tests + "-" + failures + ".xml");
        Files.createDirectories(f.getParent());
        return Files.writeString(f, s.append("</testsuite>").toString());
    }

    @Test
    void theSetFileIsReadCreatedOnceAndFoundAgain() {
        Map<String, Object> set = call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins");
        assertThat(set).containsEntry("name", "platform").containsEntry("version", "2026.12.0").containsEntry("outcome", "published");
        assertThat((String) set.get("digest")).matches("sha256:[0-9a-f]{64}");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> members = (List<Map<String, Object>>) set.get("members");
        assertThat(members).extracting(m -> m.get("subject")).containsExactly("payments@1.0.0", "notifier@1.0.0");
        assertThat(members.get(0)).containsEntry("digest", payments.get("digest")).containsEntry("commit", payments.get("commit"));
        // what the set's production approvals need, by the platform repository's policy
        assertThat(set.get("approvals")).isEqualTo(Map.of("count", 2, "roles", List.of("domain-reviewer", "maintainer")));
        // the same set again: the same manifest, nothing recorded
        int before = events("platform@2026.12.0").size();
        assertThat(call(Step.MANIFEST_CREATE, Map.of("name", "platform", "file", "platform.yaml"), "jenkins"))
                .containsEntry("digest", set.get("digest")).containsEntry("outcome", "unchanged");
        assertThat(events("platform@2026.12.0")).hasSize(before);
        // the platform repository's HEAD is recorded with the set
        assertThat(events("platform@2026.12.0").get(0).text("commit")).contains(Git.run(platform, "rev-parse", "HEAD").trim());
        // read back by manifestShow, checked against its built event
        Map<String, Object> shown = call(Step.MANIFEST_SHOW, Map.of("name", "platform", "version", "2026.12.0"), "jenkins");
        assertThat(shown).containsEntry("digest", set.get("digest")).containsEntry("members", set.get("members"))
                .doesNotContainKey("outcome");
        assertThatThrownBy(() -> call(Step.MANIFEST_SHOW, Map.of("name", "payments", "version", "1.0.0"), "jenkins"))
                .isInstanceOf(InputException.class).hasMessageContaining("is not a release manifest");
    }

    @Test
    void aChangedMemberListUnderTheSameVersionIsRefusedAndAMemberNotBuiltIsNamed() throws Exception {
        call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins");
        Files.writeString(platform.resolve("platform.yaml"), "version: 2026.12.0\nmembers:\n  - payments@1.0.0\n  - notifier@1.0.1\n");
        assertThatThrownBy(() -> call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins"))
                .isInstanceOf(RefusedException.class).hasMessageContaining("manifest.member-not-built")
                .hasMessageContaining("notifier@1.0.1");
        assertThatThrownBy(() -> call(Step.MANIFEST_CREATE, Map.of("name", "platform", "version", "2026.12.0",
                "members", List.of("notifier@1.0.0", "payments@1.0.0")), "jenkins"))
                .isInstanceOf(RefusedException.class).hasMessageContaining("immutable-version");
        // a new version is a new set
        assertThat(call(Step.MANIFEST_CREATE, Map.of("name", "platform", "version", "2026.12.1",
                "members", List.of("notifier@1.0.0", "payments@1.0.0")), "jenkins")).containsEntry("outcome", "published");
    }

    @Test
    void theArgumentsAndTheSetFileAreCheckedStrictly() throws Exception {
        assertThatThrownBy(() -> call(Step.MANIFEST_CREATE, Map.of("name", "platform", "memebrs", "x"), "jenkins"))
                .isInstanceOf(InputException.class).hasMessageContaining("manifestCreate: unknown argument(s) [memebrs]");
        assertThatThrownBy(() -> call(Step.MANIFEST_CREATE, Map.of("name", "platform", "members", List.of("payments@1.0.0")), "jenkins"))
                .isInstanceOf(InputException.class).hasMessageContaining("version and members together");
        assertThatThrownBy(() -> call(Step.MANIFEST_CREATE, Map.of("name", "platform", "file", "nope.yaml"), "jenkins"))
                .isInstanceOf(InputException.class).hasMessageContaining("nope.yaml is not in the workspace");
        Files.writeString(platform.resolve("platform.yaml"), "version: 2026.12.0\nmembers: [payments@1.0.0, notifier@1.0.0]\nowner: me\n");
        assertThatThrownBy(() -> call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins"))
                .isInstanceOf(InputException.class).hasMessageContaining("unknown key 'owner'");
        Files.writeString(platform.resolve("platform.yaml"), "members: [payments@1.0.0, notifier@1.0.0]\n");
        assertThatThrownBy(() -> call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins"))
                .isInstanceOf(InputException.class).hasMessageContaining("missing version");
        assertThatThrownBy(() -> call(Step.MANIFEST_TEST, Map.of("name", "platform", "version", "2026.12.0", "digest",
                payments.get("digest")), "jenkins")).isInstanceOf(InputException.class).hasMessageContaining("'junit' is required");
        assertThat(events("platform@2026.12.0")).isEmpty();
    }

    @Test
    void aFailingIntegrationTestIsRecordedAndRefusedAndOnlyThisSetsDigestIsTested() throws Exception {
        Map<String, Object> set = call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins");
        Map<String, Object> args = new HashMap<>(Map.of("name", "platform", "version", "2026.12.0", "digest", set.get("digest"),
                "junit", platform.relativize(junit(3, 1)).toString()));
        assertThatThrownBy(() -> call(Step.MANIFEST_TEST, args, "jenkins")).isInstanceOf(RefusedException.class)
                .hasMessageContaining("promote.evidence-integration").hasMessageContaining("3 test(s), 1 failed");
        assertThat(events("platform@2026.12.0").get(events("platform@2026.12.0").size() - 1).text("result")).contains("fail");
        args.put("digest", payments.get("digest"));
        args.put("junit", platform.relativize(junit(3, 0)).toString());
        assertThatThrownBy(() -> call(Step.MANIFEST_TEST, args, "jenkins")).isInstanceOf(RefusedException.class)
                .hasMessageContaining("promote.digest-mismatch");
        args.put("digest", set.get("digest"));
        assertThat(call(Step.MANIFEST_TEST, args, "jenkins")).containsEntry("pass", true).containsEntry("tests", 3)
                .containsEntry("failures", 0);
    }

    @Test
    void promoteDigestOfASetPromotesEveryMemberUnderItsCheckoutsGovernance() {
        Map<String, Object> set = call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins");
        Map<String, Object> dev = Map.of("name", "platform", "version", "2026.12.0", "digest", set.get("digest"), "to", "dev");
        // without the members' repositories, their policy and authors are unknown: nothing is decided
        assertThatThrownBy(() -> call(Step.PROMOTE_DIGEST, dev, "jenkins")).isInstanceOf(InputException.class)
                .hasMessageContaining("member payments has no checkout at release-gate/members/payments");
        checkOutMembers();
        // a set goes out inside a change window: never as an emergency change
        Map<String, Object> emergency = new HashMap<>(dev);
        emergency.put("emergency", Map.of("reason", "outage", "scope", "all", "rollbackPlan", "promote the last set", "followUps", "review"));
        assertThatThrownBy(() -> Step.PROMOTE_DIGEST.call(emergency, env(platform, "jenkins"), TrustedInputs.none().emergencyApprover("mia")))
                .isInstanceOf(InputException.class).hasMessageContaining("is a release manifest");

        Map<String, Object> out = call(Step.PROMOTE_DIGEST, dev, "jenkins");

        assertThat(out).containsEntry("environment", "dev").containsEntry("reference", "platform/dev:2026.12.0")
                .containsEntry("alreadyThere", false);
        assertThat(out.get("members")).isEqualTo(List.of(
                Map.of("reference", "payments/dev:1.0.0", "digest", payments.get("digest")),
                Map.of("reference", "notifier/dev:1.0.0", "digest", notifier.get("digest"))));
        for (String s : List.of("payments@1.0.0", "notifier@1.0.0")) {
            assertThat(events(s)).filteredOn(e -> e.type().equals("promoted")).singleElement()
                    .satisfies(e -> assertThat(e.text("set")).contains("platform@2026.12.0"));
        }
        assertThat(call(Step.PROMOTE_DIGEST, dev, "jenkins")).containsEntry("alreadyThere", true);
        // skipping staging is refused for the set as for any release
        Map<String, Object> production = new HashMap<>(dev);
        production.put("to", "production");
        assertThatThrownBy(() -> call(Step.PROMOTE_DIGEST, production, "jenkins")).isInstanceOf(RefusedException.class)
                .hasMessageContaining("promote.skip-environment").hasMessageContaining("promote.evidence-integration");
    }

    @Test
    void anApprovalOfTheSetByAMembersAuthorIsRefused() {
        Map<String, Object> set = call(Step.MANIFEST_CREATE, Map.of("name", "platform"), "jenkins");
        Map<String, Object> approval = Map.of("name", "platform", "version", "2026.12.0", "digest", set.get("digest"),
                "role", "maintainer", "rationale", "integration green");
        // alice wrote the payments sample's changes, none of the platform repository's
        assertThatThrownBy(() -> call(Step.APPROVE_PRODUCTION, approval, "alice"))
                .isInstanceOf(InputException.class).hasMessageContaining("no checkout at release-gate/members/");
        checkOutMembers();
        assertThatThrownBy(() -> call(Step.APPROVE_PRODUCTION, approval, "alice"))
                .isInstanceOf(RefusedException.class).hasMessageContaining("approval.author");
        assertThat(call(Step.APPROVE_PRODUCTION, approval, "mia")).containsEntry("satisfied", false);
        assertThat(events("platform@2026.12.0")).filteredOn(e -> e.type().equals("approved")).extracting(Event::actor)
                .containsExactly("mia");
    }
}

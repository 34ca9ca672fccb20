package io.releasegate.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.KnownGood;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.Evidence;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import io.releasegate.verify.ReleaseAudit;
import io.releasegate.verify.VerifyProduction;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Release manifests: several services promoted as one set, all or nothing, with every bypass the set must stop: a
 * member failing its own rules, approvals or integration tests of another set, an approver who wrote a member, a
 * manifest promoted as a single release, tampered stored bytes, a changed set under the same version, a library after
 * its dependant, and a process that dies between members.
 */
class PromoteSetTest {

    static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final Set<String> LIB_AUTHORS = Set.of("Lena Library", "lena@example.com");
    static final Set<String> APP_AUTHORS = Set.of("Alice Author", "alice@example.com");

    @TempDir
    Path tmp;
    TestRepo repo;
    Policy policy;
    RoleDirectory roles;
    OciLayoutStore store;
    Ledger ledger;
    BuildResult lib;
    BuildResult app;

    @BeforeEach
    void members() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.commitAs("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com");
        Files.createDirectories(repo.dir().resolve(".release"));
        Files.writeString(repo.dir().resolve(".release/policy.yaml"), """
                approvals:
                  members:
                    maintainer:
                      people: [mia, alice, lena, ci]
                    domain-reviewer:
                      people: [dora, lena]
                """);
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        roles = RoleDirectory.resolve(policy, repo.dir());
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        ledger = TestLedgers.embedded(tmp.resolve("state"));
        lib = member("svc-lib", "1.2.0", null);
        app = member("svc-app", "2.0.0", "1.2.0");
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    /** A service's release with all its evidence; {@code libVersion}: it bundles svc-lib at that version. */
    BuildResult member(String name, String version, String libVersion) throws Exception {
        Path ws = Files.createDirectories(repo.dir().resolve("out/" + name + "-" + version));
        jar(ws.resolve(name + ".jar"), name, version);
        if (libVersion != null) {
            jar(ws.resolve("svc-lib-" + libVersion + ".jar"), "svc-lib", libVersion);
        }
        BuildResult b = new BuildOnce(store, ledger).name(name).version(version).workspace(ws).outputs(List.of("*.jar"))
                .actor("ci").clock(MONDAY).call();
        Evidence.record(store, ledger, name, version, tmp.resolve("keys-" + name + version), MONDAY);
        return b;
    }

    static void jar(Path file, String artifactId, String version) throws Exception {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("META-INF/maven/com.example/" + artifactId + "/pom.properties"));
            jar.write(("groupId=com.example\nartifactId=" + artifactId + "\nversion=" + version + "\n").getBytes());
            jar.closeEntry();
        }
    }

    CreateManifest.Result create(String version, String... members) {
        return new CreateManifest(store, ledger).name("platform").version(version).members(List.of(members)).actor("ci")
                .clock(MONDAY).call();
    }

    PromoteSet.Governance governance(String subject) {
        Set<String> authors = subject.startsWith("svc-lib@") ? LIB_AUTHORS : subject.startsWith("svc-app@") ? APP_AUTHORS : Set.of();
        return new PromoteSet.Governance(policy, roles, authors);
    }

    PromoteSet promote(Ledger l, CreateManifest.Result set, String env) {
        return new PromoteSet(store, l).release("platform", set.manifest().version()).digest(set.build().digest()).to(env)
                .actor("ci").governance(this::governance).clock(MONDAY);
    }

    PromoteSet promote(CreateManifest.Result set, String env) {
        return promote(ledger, set, env);
    }

    void approve(String name, String version, Digest digest, Set<String> authors) {
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            new ApproveProduction(policy, ledger, roles).release(name, version).digest(digest).approver(a[0]).role(a[1])
                    .rationale("integration green; rollback plan reviewed").authors(authors).clock(MONDAY).call();
        }
    }

    void approveMembers() {
        approve("svc-lib", "1.2.0", lib.digest(), LIB_AUTHORS);
        approve("svc-app", "2.0.0", app.digest(), APP_AUTHORS);
    }

    Path junit(int tests, int failures) throws Exception {
        StringBuilder s = new StringBuilder("<testsuite name=\"platform-it\" tests=\"" + tests + "\">");
        for (int i = 0; i < tests; i++) {
            s.append("<testcase classname=\"it.Checkout\" name=\"t").append(i).append("\">")
                    .append(i < failures ? "<failure message=\"502 from svc-app\"/>" : "").append("</testcase>");
        }
        return Files.writeString(tmp.resolve("it-" + tests + "-" + failures + ".xml"), s.append("</testsuite>").toString());
    }

    /** The set in staging, tested and approved: ready for production. */
    CreateManifest.Result ready() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        promote(set, "dev").call();
        promote(set, "staging").call();
        assertThat(RecordIntegration.record(store, ledger, "platform@2026.12.0", set.build().digest(), junit(3, 0), "ci", MONDAY)
                .pass()).isTrue();
        approveMembers();
        approve("platform", "2026.12.0", set.build().digest(), Set.of());
        return set;
    }

    List<Event> promoted(String subject, String env) {
        return ledger.events(subject).stream().filter(e -> e.type().equals("promoted")
                && e.text("environment").orElse("").equals(env)).toList();
    }

    List<String> rules(Throwable t) {
        return ((RefusedException) t).refusals().stream().map(Refusal::rule).toList();
    }

    /** Nothing of the set reached {@code env}: no event, no tag. */
    void nothingIn(String env) {
        for (String s : List.of("svc-lib@1.2.0", "svc-app@2.0.0", "platform@2026.12.0")) {
            assertThat(promoted(s, env)).as(s + " in " + env).isEmpty();
        }
        assertThat(ledger.events("platform@2026.12.0")).noneMatch(e -> e.type().equals(PromoteSet.STARTED)
                && e.text("environment").orElse("").equals(env));
        assertThat(store.fetchManifest("svc-lib/" + env, "1.2.0")).isEmpty();
        assertThat(store.fetchManifest("svc-app/" + env, "2.0.0")).isEmpty();
    }

    @Test
    void theSetGoesOutTogetherThroughEveryEnvironment() throws Exception {
        CreateManifest.Result set = ready();
        PromoteSet.Result prod = promote(set, "production").call();
        assertThat(prod.members()).extracting(PromoteDigest.Result::reference)
                .containsExactly("svc-lib/production:1.2.0", "svc-app/production:2.0.0");
        for (String env : List.of("dev", "staging", "production")) {
            assertThat(promoted("svc-lib@1.2.0", env)).singleElement().satisfies(e -> assertThat(e.text("set")).contains("platform@2026.12.0"));
            assertThat(promoted("svc-app@2.0.0", env)).hasSize(1);
            assertThat(promoted("platform@2026.12.0", env)).hasSize(1);
        }
        assertThat(store.fetchManifest("svc-app/production", "2.0.0").orElseThrow().digest()).isEqualTo(app.digest());
        assertThat(store.fetchManifest("platform/production", "2026.12.0").orElseThrow().digest()).isEqualTo(set.build().digest());
        // the set's event names the members' events, and every member's event the decision it carries out
        Event setEvent = promoted("platform@2026.12.0", "production").get(0);
        assertThat(setEvent.payload().path("members")).hasSize(2);
        String intent = setEvent.text("intent").orElseThrow();
        assertThat(promoted("svc-app@2.0.0", "production").get(0).text("intent")).contains(intent);
        // again: nothing new
        int before = ledger.events().size();
        assertThat(promote(set, "production").call().alreadyThere()).isTrue();
        assertThat(ledger.events()).hasSize(before);
    }

    @Test
    void oneMemberFailingItsOwnRulesMovesNothing() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        promote(set, "dev").call();
        promote(set, "staging").call();
        RecordIntegration.record(store, ledger, "platform@2026.12.0", set.build().digest(), junit(3, 0), "ci", MONDAY);
        approve("svc-lib", "1.2.0", lib.digest(), LIB_AUTHORS); // svc-app has no approvals
        approve("platform", "2026.12.0", set.build().digest(), Set.of());
        assertThatThrownBy(() -> promote(set, "production").call()).isInstanceOf(RefusedException.class)
                .satisfies(t -> assertThat(((RefusedException) t).refusals()).anySatisfy(r -> {
                    assertThat(r.rule()).isEqualTo("promote.approvals");
                    assertThat(r.evidence()).startsWith("svc-app@2.0.0: ");
                }));
        nothingIn("production");
    }

    @Test
    void productionNeedsAPassingIntegrationTestOfExactlyThisSet() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        promote(set, "dev").call();
        promote(set, "staging").call();
        approveMembers();
        approve("platform", "2026.12.0", set.build().digest(), Set.of());
        assertThatThrownBy(() -> promote(set, "production").call()).satisfies(t -> assertThat(rules(t))
                .containsExactly("promote.evidence-integration"));
        // a test of another set (another version of a member: another manifest digest) proves nothing about this one
        member("svc-app", "2.0.1", "1.2.0");
        CreateManifest.Result other = create("2026.12.1", "svc-lib@1.2.0", "svc-app@2.0.1");
        RecordIntegration.record(store, ledger, "platform@2026.12.1", other.build().digest(), junit(3, 0), "ci", MONDAY);
        assertThatThrownBy(() -> RecordIntegration.record(store, ledger, "platform@2026.12.0", other.build().digest(),
                junit(3, 0), "ci", MONDAY)).satisfies(t -> assertThat(rules(t)).containsExactly("promote.digest-mismatch"));
        assertThatThrownBy(() -> promote(set, "production").call()).satisfies(t -> assertThat(rules(t))
                .containsExactly("promote.evidence-integration"));
        // a failing run, and a report without tests, do not pass
        assertThat(RecordIntegration.record(store, ledger, "platform@2026.12.0", set.build().digest(), junit(3, 1), "ci", MONDAY)
                .pass()).isFalse();
        assertThat(RecordIntegration.record(store, ledger, "platform@2026.12.0", set.build().digest(), junit(0, 0), "ci", MONDAY)
                .pass()).isFalse();
        assertThatThrownBy(() -> promote(set, "production").call()).satisfies(t -> assertThat(((RefusedException) t).refusals())
                .singleElement().satisfies(r -> assertThat(r.evidence()).contains("did not pass")));
        nothingIn("production");
        RecordIntegration.record(store, ledger, "platform@2026.12.0", set.build().digest(), junit(3, 0), "ci", MONDAY);
        assertThat(promote(set, "production").call().members()).hasSize(2);
    }

    @Test
    void approvalsAreBoundToTheManifestDigestAndComeFromPeopleWhoWroteNoMember() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        promote(set, "dev").call();
        promote(set, "staging").call();
        RecordIntegration.record(store, ledger, "platform@2026.12.0", set.build().digest(), junit(2, 0), "ci", MONDAY);
        approveMembers();
        // the members' approvals do not approve the set
        assertThatThrownBy(() -> promote(set, "production").call()).satisfies(t -> assertThat(rules(t))
                .containsExactly("promote.approvals"));
        // lena wrote svc-lib; her approval of the set, recorded by a caller that did not say so, does not count
        new ApproveProduction(policy, ledger, roles).release("platform", "2026.12.0").digest(set.build().digest()).approver("lena")
                .role("domain-reviewer").rationale("looks fine").authors(Set.of()).clock(MONDAY).call();
        new ApproveProduction(policy, ledger, roles).release("platform", "2026.12.0").digest(set.build().digest()).approver("mia")
                .role("maintainer").rationale("looks fine").authors(Set.of()).clock(MONDAY).call();
        assertThatThrownBy(() -> promote(set, "production").call()).satisfies(t -> assertThat(rules(t))
                .containsExactly("promote.approvals"));
        nothingIn("production");
    }

    @Test
    void aManifestIsNeverPromotedAsASingleReleaseNorApprovedForAnotherDigest() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        assertThatThrownBy(() -> new PromoteDigest(policy, store, ledger).release("platform", "2026.12.0")
                .digest(set.build().digest()).to("dev").actor("ci").clock(MONDAY).call())
                .satisfies(t -> assertThat(rules(t)).containsExactly(PromoteDigest.SET_ONLY));
        assertThatThrownBy(() -> promote(set, "dev").digest(app.digest()).call())
                .satisfies(t -> assertThat(rules(t)).contains("promote.digest-mismatch"));
        assertThatThrownBy(() -> promote(set, "staging").call())
                .satisfies(t -> assertThat(rules(t)).contains("promote.skip-environment"));
        // a member planned as part of a set takes no emergency change
        assertThatThrownBy(() -> new PromoteDigest(policy, store, ledger).release("svc-app", "2.0.0").digest(app.digest())
                .to("dev").actor("ci").clock(MONDAY).emergency(Optional.of(new io.releasegate.promotion.EmergencyChange("INC-1",
                        "mia", "svc-app", "promote 1.9.0 again", List.of("review")))).plan())
                .satisfies(t -> assertThat(rules(t)).containsExactly(PromoteDigest.SET_EMERGENCY));
        nothingIn("dev");
    }

    @Test
    void storedBytesThatAreNotTheRecordedSetAreRefused() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        Digest file = set.build().subjects().get(0).digest();
        Path blob = tmp.resolve("state/store/blobs/sha256/" + file.hex());
        String doc = Files.readString(blob);
        Files.writeString(blob, doc.replace(app.digest().toString(), lib.digest().toString()));
        assertThatThrownBy(() -> promote(set, "dev").call()).satisfies(t -> assertThat(rules(t))
                .containsExactly("store.digest-mismatch"));
        nothingIn("dev");
    }

    @Test
    void aChangedSetIsANewVersionAndTheSameSetIsTheSameManifest() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        assertThat(create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0").build().digest()).isEqualTo(set.build().digest());
        member("svc-app", "2.0.1", "1.2.0");
        assertThatThrownBy(() -> create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.1"))
                .satisfies(t -> assertThat(rules(t)).containsExactly("build.immutable-version"));
        assertThat(ReleaseManifest.read(store, "platform@2026.12.0", ledger.events("platform@2026.12.0")).members())
                .extracting(ReleaseManifest.Member::subject).containsExactly("svc-lib@1.2.0", "svc-app@2.0.0");
    }

    @Test
    void badMembersAreRefusedBeforeAnythingIsWritten() throws Exception {
        int before = ledger.events().size();
        assertThatThrownBy(() -> create("2026.12.0", "svc-lib@1.2.0")).isInstanceOf(InputException.class)
                .hasMessageContaining("at least two members");
        assertThatThrownBy(() -> create("2026.12.0", "svc-lib@1.2.0", "svc-lib@1.2.0")).isInstanceOf(InputException.class)
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> create("2026.12.0", "svc-lib@1.2.0", "svc-app")).isInstanceOf(InputException.class)
                .hasMessageContaining("NAME@VERSION");
        assertThatThrownBy(() -> create("2026.12.0", "svc-lib@1.2.0", "svc-ghost@1.0.0"))
                .satisfies(t -> assertThat(rules(t)).containsExactly(CreateManifest.MEMBER_NOT_BUILT));
        assertThat(ledger.events()).hasSize(before);
        assertThat(store.tags("platform")).isEmpty();
        create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        assertThatThrownBy(() -> new CreateManifest(store, ledger).name("mega").version("1.0.0")
                .members(List.of("platform@2026.12.0", "svc-app@2.0.0")).actor("ci").call())
                .satisfies(t -> assertThat(rules(t)).containsExactly(CreateManifest.NESTED));
    }

    @Test
    void theDocumentIsSchemaValidAndPinsWhatTheLedgerSays() throws Exception {
        CreateManifest.Result set = create("2026.12.0", "svc-lib@1.2.0", "svc-app@2.0.0");
        JsonSchema schema;
        try (InputStream in = ReleaseManifest.class.getResourceAsStream("/io/releasegate/schemas/release-manifest-v1.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        JsonNode doc = Json.mapper().readTree(set.manifest().bytes());
        assertThat(schema.validate(doc)).isEmpty();
        JsonNode appMember = doc.path("members").get(1);
        assertThat(appMember.path("digest").asText()).isEqualTo(app.digest().toString());
        assertThat(appMember.path("commit").asText()).isEqualTo(repo.head()).hasSize(40);
        assertThat(appMember.path("sboms")).hasSize(2);
        assertThat(appMember.path("provenance")).hasSize(1);
        // what is stored is what was described
        assertThat(ReleaseManifest.read(store, "platform@2026.12.0", ledger.events("platform@2026.12.0")))
                .isEqualTo(set.manifest());
    }

    @Test
    void aLibraryComesBeforeItsDependantsAndAtTheMajorVersionTheyWereBuiltAgainst() throws Exception {
        CreateManifest.Result wrong = create("2026.12.0", "svc-app@2.0.0", "svc-lib@1.2.0");
        assertThatThrownBy(() -> promote(wrong, "dev").call()).satisfies(t -> {
            assertThat(rules(t)).containsExactly(SetOrder.ORDER);
            assertThat(((RefusedException) t).refusals().get(0).remedy()).endsWith("svc-lib, svc-app");
        });
        member("svc-lib", "3.0.0", null);
        CreateManifest.Result major = create("2026.12.1", "svc-lib@3.0.0", "svc-app@2.0.0");
        assertThatThrownBy(() -> promote(major, "dev").call()).satisfies(t -> assertThat(rules(t)).containsExactly(SetOrder.MAJOR));
        assertThat(promoted("svc-app@2.0.0", "dev")).isEmpty();
    }

    @Test
    void aProcessThatDiesBeforeTheDecisionIsRecordedLeavesNothing() throws Exception {
        CreateManifest.Result set = ready();
        assertThatThrownBy(() -> promote(io.releasegate.testing.FailingLedger.after(ledger, 0), set, "production").call())
                .isInstanceOf(InputException.class).hasMessageContaining("injected");
        nothingIn("production");
        // decided afresh next time
        assertThat(promote(set, "production").call().resumed()).isFalse();
    }

    /** The ledger dies after the decision, after the first member's event, after both: the next run completes the set. */
    @Test
    void eachCrashPointIsCompleted() throws Exception {
        for (int k = 1; k <= 3; k++) {
            tearDownAndRebuild();
            CreateManifest.Result set = ready();
            int at = k;
            assertThatThrownBy(() -> promote(io.releasegate.testing.FailingLedger.after(ledger, at), set, "production").call())
                    .isInstanceOf(InputException.class);
            // the audit names the half-done set until it is completed
            assertThat(setFindings()).as("crash after " + k).containsExactly(ReleaseAudit.SET_INCOMPLETE);
            // a promotion elsewhere waits for it
            assertThatThrownBy(() -> promote(set, "staging").call()).satisfies(t -> assertThat(rules(t))
                    .containsExactly(PromoteSet.INCOMPLETE));
            assertThat(promote(set, "production").call().resumed()).as("crash after " + k).isTrue();
            for (String s : List.of("svc-lib@1.2.0", "svc-app@2.0.0", "platform@2026.12.0")) {
                assertThat(promoted(s, "production")).as(s + " after a crash after " + k + " append(s)").hasSize(1);
            }
            assertThat(setFindings()).isEmpty();
        }
    }

    /** The audit's findings of the set, by rule (a set in production needs no SBOM or signature of its own). */
    List<String> setFindings() {
        return ReleaseAudit.of(store, ledger.trust().revoked(), ledger.events(), s -> s.equals("platform@2026.12.0"), "production",
                b -> Optional.empty()).stream().flatMap(r -> r.findings().stream()).map(f -> f.refusal().rule()).toList();
    }

    void tearDownAndRebuild() throws Exception {
        ledger.close();
        Path fresh = Files.createTempDirectory(tmp, "round");
        tmp = fresh;
        members();
    }

    @Test
    void aRollbackPromotesAPriorKnownGoodSetAgain() throws Exception {
        CreateManifest.Result first = ready();
        promote(first, "production").call();
        for (String[] m : new String[][] {{"svc-lib", "1.2.0"}, {"svc-app", "2.0.0"}}) {
            assertThat(new VerifyProduction(store, ledger).release(m[0], m[1]).check("health", "true").workdir(tmp).call().ok()).isTrue();
        }
        PromoteSet.Result back = promote(first, "production").rollback(Optional.of("INC-12")).call();
        assertThat(back.rollback()).isTrue();
        assertThat(promoted("svc-app@2.0.0", "production")).hasSize(2)
                .last().satisfies(e -> assertThat(e.text("incident")).contains("INC-12"));
        // a member marked bad since: the set is not known-good any more
        KnownGood.markBad(ledger, "svc-app@2.0.0", app.digest(), "ci", "INC-13: leaks connections", MONDAY);
        assertThatThrownBy(() -> promote(first, "production").rollback(Optional.of("INC-14")).call())
                .satisfies(t -> assertThat(rules(t)).containsExactly(KnownGood.RULE));
        // a set that never ran there is no rollback target
        member("svc-app", "2.0.1", "1.2.0");
        CreateManifest.Result never = create("2026.12.1", "svc-lib@1.2.0", "svc-app@2.0.1");
        assertThatThrownBy(() -> promote(never, "production").rollback(Optional.of("INC-15")).call())
                .satisfies(t -> assertThat(rules(t)).contains(KnownGood.RULE));
    }
}

package io.releasegate.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.commits.BranchCheck;
import io.releasegate.commits.History;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.testing.Evidence;
import io.releasegate.testing.TestLedgers;
import io.releasegate.testing.TestRepo;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Release trains against real git repositories, a real store and the ledger: the schedule, the cut at the cutoff, the
 * release branch during stabilization, the go/no-go, a freeze of main, and the bypasses each must stop: a cut before
 * the cutoff or at a commit after it, a stray release branch, a release manager who wrote the changes, an evidence item
 * answered by hand, a go for another digest, production without a go, a tag moved away from the built commit, a deleted
 * train file, a freeze nobody recorded or nobody lifted.
 */
class TrainTest {

    /** Monday 30 November 2026, 12:00 UTC: the first cutoff. Go/no-go Thursday 10:00, production Thursday 11:00. */
    static final String TRAIN = """
            version: 1
            train: payments
            timezone: UTC
            cadence: 2w
            cutoff: "2026-11-30T12:00"
            stabilization: 2d
            goNoGo: "10:00"
            production: "11:00"
            attendees: [alice, bob, dora]
            captain: carol
            releaseManagers: [bob, alice]
            """;
    static final Instant CUTOFF = Instant.parse("2026-11-30T12:00:00Z");
    static final Clock AFTER_CUTOFF = Clock.fixed(Instant.parse("2026-11-30T13:00:00Z"), ZoneOffset.UTC);
    static final Clock MEETING = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
    static final Clock PRODUCTION = Clock.fixed(Instant.parse("2026-12-03T11:00:00Z"), ZoneOffset.UTC);
    static final Set<String> AUTHORS = Set.of("Alice Author", "alice@example.com", "alice");
    static final Map<String, Boolean> ALL_YES;

    static {
        Map<String, Boolean> m = new LinkedHashMap<>();
        GoNoGo.ANSWERED.keySet().forEach(k -> m.put(k, true));
        ALL_YES = Map.copyOf(m);
    }

    @TempDir
    Path tmp;
    TestRepo repo;
    Policy policy;
    OciLayoutStore store;
    Ledger ledger;
    String beforeCutoff;
    String afterCutoff;

    @BeforeEach
    void repository() throws Exception {
        repo = TestRepo.init(tmp.resolve("repo"));
        repo.write(".release/policy.yaml", """
                approvals:
                  members:
                    maintainer:
                      people: [mia]
                    domain-reviewer:
                      people: [dora]
                """);
        repo.write(TrainConfig.FILE, TRAIN);
        repo.commitAt("chore: the release policy and the train", "Carol Captain", "carol@example.com",
                Instant.parse("2026-11-01T09:00:00Z"));
        repo.tag("v1.4.0");
        beforeCutoff = repo.commitAt("feat: refunds\n\nRefs: PAY-1", "Alice Author", "alice@example.com",
                Instant.parse("2026-11-30T09:00:00Z"));
        afterCutoff = repo.commitAt("feat: payouts\n\nRefs: PAY-2", "Alice Author", "alice@example.com",
                Instant.parse("2026-11-30T14:00:00Z"));
        policy = PolicyLoader.load(Optional.of(repo.dir().resolve(".release/policy.yaml")));
        store = OciLayoutStore.open(tmp.resolve("state/store"));
        ledger = TestLedgers.embedded(tmp.resolve("state"));
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    TrainConfig config() {
        return TrainConfig.parse(TrainConfig.FILE, TRAIN);
    }

    TrainCut.Result cut(Clock clock, Optional<String> at) {
        try (History h = History.open(repo.dir())) {
            return new TrainCut(config(), h, ledger, policy).actor("ci").commit(at).clock(clock).call();
        }
    }

    static List<String> rules(Throwable t) {
        return ((RefusedException) t).refusals().stream().map(Refusal::rule).toList();
    }

    List<Event> cuts() {
        return TrainCut.cuts(ledger.events(TrainCut.subject("payments")));
    }

    // ------------------------------------------------------------------ the train file and its schedule

    @Test
    void theScheduleFollowsFromTheFirstCutoffAndTheCadence() {
        TrainConfig c = config();
        TrainConfig.Occurrence first = c.occurrence(0);
        assertThat(first.id()).isEqualTo("payments-2026-11-30");
        assertThat(first.cutoff()).isEqualTo(CUTOFF);
        assertThat(first.stabilizationEnds()).isEqualTo(Instant.parse("2026-12-02T12:00:00Z"));
        assertThat(first.goNoGo()).isEqualTo(Instant.parse("2026-12-03T10:00:00Z"));
        assertThat(first.production()).isEqualTo(Instant.parse("2026-12-03T11:00:00Z"));
        assertThat(c.occurrence(1).cutoff()).isEqualTo(Instant.parse("2026-12-14T12:00:00Z"));
        assertThat(c.current(Instant.parse("2026-12-15T00:00:00Z")).orElseThrow().id()).isEqualTo("payments-2026-12-14");
        assertThat(c.current(Instant.parse("2026-11-29T00:00:00Z"))).isEmpty();
        assertThat(c.upcoming(Instant.parse("2026-12-04T00:00:00Z"), 2)).extracting(TrainConfig.Occurrence::id)
                .containsExactly("payments-2026-12-14", "payments-2026-12-28");
        assertThat(c.byId("payments-2026-12-28").orElseThrow().index()).isEqualTo(2);
        assertThat(c.byId("payments-2026-12-29")).isEmpty();
    }

    @Test
    void aTrainInAnotherTimeZoneKeepsItsLocalTimesAcrossDaylightSaving() {
        TrainConfig c = TrainConfig.parse("t", TRAIN.replace("timezone: UTC", "timezone: Europe/Paris")
                .replace("2026-11-30T12:00", "2027-03-22T12:00"));
        assertThat(c.occurrence(0).cutoff()).isEqualTo(Instant.parse("2027-03-22T11:00:00Z"));
        assertThat(c.occurrence(1).cutoff()).as("after the switch to summer time").isEqualTo(Instant.parse("2027-04-05T10:00:00Z"));
    }

    @Test
    void aTrainFileThatSaysSomethingElseIsRefusedNamingTheKey() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(TRAIN + "captian: bob\n", "captian: unknown key");
        bad.put(TRAIN.replace("goNoGo: \"10:00\"", "goNoGo: 10:00"), "goNoGo: quote the time");
        bad.put(TRAIN.replace("releaseManagers: [bob, alice]\n", ""), "releaseManagers: missing");
        bad.put(TRAIN.replace("releaseManagers: [bob, alice]", "releaseManagers: []"), "at least one release manager");
        bad.put(TRAIN + "releaseBranch: false\n", "skipBranchRationale: a train without a release branch");
        bad.put(TRAIN.replace("stabilization: 2d", "stabilization: 14d"), "before the next cutoff");
        bad.put(TRAIN.replace("cadence: 2w", "cadence: 36h"), "whole days or weeks");
        bad.put(TRAIN.replace("production: \"11:00\"", "production: \"09:00\""), "must come after the go/no-go");
        bad.put(TRAIN.replace("timezone: UTC", "timezone: Mars/Olympus"), "unknown time zone");
        bad.put(TRAIN.replace("version: 1", "version: 2"), "unsupported version");
        bad.put("- a list\n", "must be a mapping");
        bad.put(TRAIN.replace("cutoff: \"2026-11-30T12:00\"", "cutoff: \"next monday\""), "not a local date and time");
        bad.forEach((text, message) -> assertThatThrownBy(() -> TrainConfig.parse(TrainConfig.FILE, text))
                .as(message).isInstanceOf(InputException.class).hasMessageContaining(message));
    }

    @Test
    void thePublishedSchemaAgreesWithTheParser() throws Exception {
        JsonSchema schema;
        try (InputStream in = TrainConfig.class.getResourceAsStream("/io/releasegate/schemas/release-train-v1.schema.json")) {
            assertThat(in).isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        assertThat(schema.validate(yaml.readTree(TRAIN))).isEmpty();
        String skipping = TRAIN + "releaseBranch: false\nskipBranchRationale: a library released from main\nfreezeMain: true\n";
        TrainConfig.parse("t", skipping);
        assertThat(schema.validate(yaml.readTree(skipping))).isEmpty();
        for (String bad : List.of(TRAIN + "captian: bob\n", TRAIN + "releaseBranch: false\n",
                TRAIN.replace("releaseManagers: [bob, alice]", "releaseManagers: []"), TRAIN.replace("cadence: 2w", "cadence: soon"))) {
            JsonNode doc = yaml.readTree(bad);
            assertThat(schema.validate(doc)).as(bad).isNotEmpty();
            assertThatThrownBy(() -> TrainConfig.parse("t", bad)).isInstanceOf(InputException.class);
        }
    }

    // ------------------------------------------------------------------ train cut

    @Test
    void theCutTakesMainsLastCommitBeforeTheCutoffAndRecordsIt() {
        TrainCut.Result r = cut(AFTER_CUTOFF, Optional.empty());
        assertThat(r.commit()).isEqualTo(beforeCutoff);
        assertThat(r.version()).isEqualTo("1.5.0");
        assertThat(r.branch()).contains("release/1.5");
        assertThat(repo.git("rev-parse", "release/1.5")).as("the git CLI sees the branch").isEqualTo(beforeCutoff);
        assertThat(r.alreadyCut()).isFalse();
        assertThat(cuts()).singleElement().satisfies(e -> {
            assertThat(e.text("train")).contains("payments-2026-11-30");
            assertThat(e.text("line")).contains("1.5");
            assertThat(e.text("production")).contains("2026-12-03T11:00:00Z");
        });
        TrainCut.Result again = cut(AFTER_CUTOFF, Optional.empty());
        assertThat(again.alreadyCut()).isTrue();
        assertThat(cuts()).hasSize(1);
    }

    @Test
    void aCutBeforeTheCutoffOrAfterTheProductionTimeIsRefused() {
        assertThatThrownBy(() -> cut(Clock.fixed(Instant.parse("2026-11-30T11:59:00Z"), ZoneOffset.UTC), Optional.empty()))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.before-cutoff"));
        assertThatThrownBy(() -> cut(Clock.fixed(Instant.parse("2026-12-03T11:01:00Z"), ZoneOffset.UTC), Optional.empty()))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.missed"))
                .hasMessageContaining("payments-2026-12-14");
        assertThat(cuts()).isEmpty();
        assertThat(repo.git("branch", "--list", "release/*")).isEmpty();
    }

    @Test
    void aCutoffCommitFromAfterTheCutoffOrOffMainIsRefused() {
        assertThatThrownBy(() -> cut(AFTER_CUTOFF, Optional.of(afterCutoff)))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.cutoff-commit")).hasMessageContaining("after the cutoff");
        repo.git("checkout", "-q", "-b", "feature/PAY-3", beforeCutoff);
        String side = repo.commitAt("feat: side\n\nRefs: PAY-3", "Alice Author", "alice@example.com",
                Instant.parse("2026-11-30T10:00:00Z"));
        repo.git("checkout", "-q", "main");
        assertThatThrownBy(() -> cut(AFTER_CUTOFF, Optional.of(side)))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.cutoff-commit")).hasMessageContaining("not on main");
        assertThat(cuts()).isEmpty();
    }

    @Test
    void aStrayReleaseBranchIsNotTakenOverAndNothingIsRecorded() {
        repo.git("branch", "release/1.5", afterCutoff);
        assertThatThrownBy(() -> cut(AFTER_CUTOFF, Optional.empty()))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.branch-exists"));
        assertThat(cuts()).isEmpty();
        assertThat(repo.git("rev-parse", "release/1.5")).isEqualTo(afterCutoff);
    }

    @Test
    void aTrainWithoutReleaseBranchRecordsItsRationale() {
        repo.git("checkout", "-q", "main");
        String text = TRAIN + "releaseBranch: false\nskipBranchRationale: a one-service train, shipped from the cutoff commit\n";
        try (History h = History.open(repo.dir())) {
            TrainCut.Result r = new TrainCut(TrainConfig.parse("t", text), h, ledger, policy).actor("ci").clock(AFTER_CUTOFF).call();
            assertThat(r.branch()).isEmpty();
        }
        assertThat(repo.git("branch", "--list", "release/*")).isEmpty();
        assertThat(cuts().get(0).text("skipBranchRationale")).contains("a one-service train, shipped from the cutoff commit");
    }

    @Test
    void aCutWithNothingToReleaseIsRefused() {
        repo.git("tag", "-a", "v1.5.0", beforeCutoff, "-m", "release v1.5.0");
        assertThatThrownBy(() -> cut(AFTER_CUTOFF, Optional.empty()))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.nothing-to-release"));
        assertThat(cuts()).isEmpty();
    }

    // ------------------------------------------------------------------ the release branch during stabilization

    BranchCheck.Result check(String branch) {
        try (History h = History.open(repo.dir())) {
            return new BranchCheck(h).branch(branch).rev(branch).call();
        }
    }

    @Test
    void duringStabilizationTheReleaseBranchTakesOnlyClassifiedCherryPicksFromMain() {
        cut(AFTER_CUTOFF, Optional.empty());
        repo.git("checkout", "-q", "main");
        String fix = repo.commitAt("fix: rounding of refunds\n\nRefs: PAY-9", "Alice Author", "alice@example.com",
                Instant.parse("2026-12-01T09:00:00Z"));
        repo.git("checkout", "-q", "release/1.5");
        repo.git("cherry-pick", "-x", fix);
        assertThat(check("release/1.5").violations()).extracting(BranchCheck.Violation::rule)
                .containsExactly("train.pick-unclassified");
        // as a person adds them: git puts the trailers after the (cherry picked from commit …) line
        repo.git("commit", "-q", "--amend", "--no-edit", "--trailer", "Ticket: PAY-9", "--trailer", "Risk: medium");
        assertThat(repo.git("log", "-1", "--format=%B")).contains("(cherry picked from commit " + fix + ")\nTicket: PAY-9\nRisk: medium");
        assertThat(check("release/1.5").violations()).isEmpty();
        repo.git("commit", "-q", "--amend", "-m", "fix: rounding of refunds\n\nTicket: PAY-9\nRisk: negligible\n"
                + "(cherry picked from commit " + fix + ")");
        assertThat(check("release/1.5").violations()).extracting(BranchCheck.Violation::rule)
                .containsExactly("train.pick-unclassified");
        repo.git("reset", "-q", "--hard", "HEAD~1");
        repo.commitAt("fix: a fix made on the branch\n\nTicket: PAY-10\nRisk: low", "Alice Author", "alice@example.com",
                Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(check("release/1.5").violations()).extracting(BranchCheck.Violation::rule).containsExactly("train.pick-only");
    }

    // ------------------------------------------------------------------ go/no-go and production

    /** The release cut by the train, built from its branch with all its evidence, tagged, in staging, approved. */
    BuildResult candidate() throws Exception {
        return candidate("ci");
    }

    BuildResult candidate(String releaser) throws Exception {
        cut(AFTER_CUTOFF, Optional.empty());
        repo.git("checkout", "-q", "release/1.5");
        repo.tag("v1.5.0");
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("payments.jar"), "payments 1.5.0");
        BuildResult b = new BuildOnce(store, ledger).name("payments").version("1.5.0").workspace(ws).outputs(List.of("*.jar"))
                .commit(Optional.of(beforeCutoff)).actor(releaser).clock(AFTER_CUTOFF).call();
        Evidence.record(store, ledger, "payments", "1.5.0", tmp.resolve("keys"), AFTER_CUTOFF);
        promote(b.digest(), "dev", AFTER_CUTOFF);
        promote(b.digest(), "staging", AFTER_CUTOFF);
        RoleDirectory roles = RoleDirectory.resolve(policy, repo.dir());
        for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
            new ApproveProduction(policy, ledger, roles).release("payments", "1.5.0").digest(b.digest()).approver(a[0])
                    .role(a[1]).rationale("staging green; rollback plan reviewed").authors(AUTHORS).clock(MEETING).call();
        }
        return b;
    }

    PromoteDigest.Result promote(Digest digest, String env, Clock clock) {
        return new PromoteDigest(policy, store, ledger).release("payments", "1.5.0").digest(digest).to(env).actor("ci")
                .roles(RoleDirectory.resolve(policy, repo.dir())).authors(AUTHORS).clock(clock).call();
    }

    /** The go/no-go of {@code who}, under the train file {@code text}, at the meeting. */
    GoNoGo.Result decide(String who, String decision, Digest digest, Map<String, Boolean> answers, String text) {
        try (History h = History.open(repo.dir())) {
            return new GoNoGo(TrainConfig.parse(TrainConfig.FILE, text), policy, ledger, h).release("payments", "1.5.0")
                    .digest(digest).decision(decision).actor(who).answers(answers)
                    .rollbackPlan("promote 1.4.0 again (known-good)").reason(decision.equals(GoNoGo.GO) ? "" : "refunds break")
                    .authors(AUTHORS).clock(MEETING).call();
        }
    }

    GoNoGo.Result go(String who, Digest digest) {
        return decide(who, GoNoGo.GO, digest, ALL_YES, TRAIN);
    }

    @Test
    void productionOfATrainReleaseNeedsAGoForItsExactDigest() throws Exception {
        BuildResult b = candidate();
        assertThatThrownBy(() -> promote(b.digest(), "production", PRODUCTION))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.no-go-decision"));
        GoNoGo.Result r = go("bob", b.digest());
        assertThat(r.checklist()).extracting(GoNoGo.Item::id).containsExactly("candidate", "gates", "sbom-provenance", "signatures",
                "window", "cut", "known-issues", "rollback-tested", "support-ready", "stakeholders-informed", "release-notes");
        assertThat(r.checklist()).allMatch(GoNoGo.Item::yes);
        assertThat(r.event().actor()).isEqualTo("bob");
        assertThat(r.event().payload().path("checklist").get(0).path("source").asText()).isEqualTo("evidence");
        assertThat(promote(b.digest(), "production", PRODUCTION).alreadyThere()).isFalse();
    }

    @Test
    void aNoGoStopsProductionAndALaterNoGoOverridesAGo() throws Exception {
        BuildResult b = candidate();
        go("bob", b.digest());
        decide("bob", GoNoGo.NO_GO, b.digest(), Map.of(), TRAIN);
        assertThatThrownBy(() -> promote(b.digest(), "production", PRODUCTION))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.no-go")).hasMessageContaining("refunds break");
    }

    @Test
    void onlyAReleaseManagerWhoDidNotWriteTheChangesDecides() throws Exception {
        BuildResult b = candidate();
        assertThatThrownBy(() -> go("mallory", b.digest()))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.not-release-manager"));
        assertThatThrownBy(() -> go("alice", b.digest()))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.self-approval"));
        assertThat(ledger.events("payments@1.5.0")).noneMatch(e -> e.type().equals(GoNoGo.TYPE));
    }

    @Test
    void theReleaseManagerWhoStartedTheReleaseDoesNotDecideIt() throws Exception {
        BuildResult b = candidate("bob");
        assertThatThrownBy(() -> go("bob", b.digest())).satisfies(t -> assertThat(rules(t)).containsExactly("train.releaser"));
    }

    @Test
    void aGoNeedsEveryItemAndNoAnswerStandsInForEvidence() throws Exception {
        BuildResult b = candidate();
        Map<String, Boolean> missing = new LinkedHashMap<>(ALL_YES);
        missing.remove("rollback-tested");
        assertThatThrownBy(() -> decide("bob", GoNoGo.GO, b.digest(), missing, TRAIN))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.go-unsupported"))
                .hasMessageContaining("rollback-tested (not answered)");
        Map<String, Boolean> forged = new LinkedHashMap<>(ALL_YES);
        forged.put("gates", true);
        assertThatThrownBy(() -> decide("bob", GoNoGo.GO, b.digest(), forged, TRAIN))
                .isInstanceOf(InputException.class).hasMessageContaining("answered from evidence");
        Digest other = Digest.parse("sha256:" + "ab".repeat(32));
        assertThatThrownBy(() -> go("bob", other)).satisfies(t -> assertThat(rules(t)).containsExactly("train.digest-mismatch"));
        assertThat(ledger.events("payments@1.5.0")).noneMatch(e -> e.type().equals(GoNoGo.TYPE));
    }

    @Test
    void aTagMovedAwayFromTheBuiltCommitFailsTheCandidateItem() throws Exception {
        BuildResult b = candidate();
        repo.git("tag", "-d", "v1.5.0");
        repo.git("tag", "-a", "v1.5.0", afterCutoff, "-m", "moved");
        assertThatThrownBy(() -> go("bob", b.digest()))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.go-unsupported"))
                .hasMessageContaining("candidate (v1.5.0 names " + afterCutoff.substring(0, 12));
    }

    @Test
    void aPlannedProductionOutsideTheChangeWindowFailsTheWindowItem() throws Exception {
        BuildResult b = candidate();
        String late = TRAIN.replace("production: \"11:00\"", "production: \"18:00\"");
        assertThatThrownBy(() -> decide("bob", GoNoGo.GO, b.digest(), ALL_YES, late))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.go-unsupported")).hasMessageContaining("window (");
    }

    @Test
    void deletingTheTrainFileDoesNotFreeAReleaseFromItsGo() throws Exception {
        BuildResult b = candidate();
        repo.git("checkout", "-q", "main");
        repo.git("rm", "-q", TrainConfig.FILE);
        repo.git("commit", "-q", "-m", "chore: no more trains");
        assertThatThrownBy(() -> promote(b.digest(), "production", PRODUCTION))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.no-go-decision"));
    }

    // ------------------------------------------------------------------ freezes of main

    Event freeze(String who, LocalDate from, LocalDate to, Clock clock) {
        return Freeze.declare(ledger, config(), who, "main", from, to, Freeze.DEFAULT_ALLOW, "zero open sev1 bugs",
                "stabilizing payments 1.5", policy, clock);
    }

    List<String> freezeRules(Clock clock) {
        try (History h = History.open(repo.dir())) {
            return Freeze.check(h, "main", "main", ledger.events(Freeze.SUBJECT), ZoneOffset.UTC, clock.instant()).stream()
                    .map(Freeze.Violation::rule).toList();
        }
    }

    @Test
    void aFreezeIsRecordedByAReleaseManagerAndRefusesWhatItDoesNotAllow() {
        assertThatThrownBy(() -> freeze("mallory", LocalDate.parse("2026-11-30"), LocalDate.parse("2026-12-03"), AFTER_CUTOFF))
                .satisfies(t -> assertThat(rules(t)).containsExactly("train.not-release-manager"));
        freeze("bob", LocalDate.parse("2026-11-30"), LocalDate.parse("2026-12-03"), AFTER_CUTOFF);
        assertThatThrownBy(() -> freeze("bob", LocalDate.parse("2026-12-02"), LocalDate.parse("2026-12-05"), AFTER_CUTOFF))
                .satisfies(t -> assertThat(rules(t)).containsExactly("freeze.standing"));
        assertThat(freezeRules(AFTER_CUTOFF)).as("the commits of the 30th landed during the freeze")
                .containsExactly("freeze.violated", "freeze.violated");
        repo.git("reset", "-q", "--hard", "HEAD~2");
        repo.commitAt("fix: a fix may land\n\nRefs: PAY-4", "Alice Author", "alice@example.com", Instant.parse("2026-12-01T09:00:00Z"));
        assertThat(freezeRules(AFTER_CUTOFF)).isEmpty();
        repo.git("checkout", "-q", "-b", "feature/PAY-5");
        String feat = repo.commitAt("feat: sneaked in\n\nRefs: PAY-5", "Alice Author", "alice@example.com",
                Instant.parse("2026-11-20T09:00:00Z"));
        repo.git("checkout", "-q", "main");
        Map<String, String> at = Map.of("GIT_COMMITTER_DATE", Instant.parse("2026-12-01T10:00:00Z").getEpochSecond() + " +0000");
        io.releasegate.testing.Git.run(repo.dir(), at, "merge", "-q", "--no-ff", "-m", "Merge feature/PAY-5", "feature/PAY-5");
        try (History h = History.open(repo.dir())) {
            assertThat(Freeze.check(h, "main", "main", ledger.events(Freeze.SUBJECT), ZoneOffset.UTC, AFTER_CUTOFF.instant()))
                    .as("a merge landing during the freeze brings in what it merges, however old")
                    .singleElement().satisfies(v -> assertThat(v.commit()).contains(feat));
        }
    }

    @Test
    void aFreezeNobodyLiftedPastItsDateIsRefusedUntilLifted() {
        freeze("bob", LocalDate.parse("2026-11-30"), LocalDate.parse("2026-12-03"), AFTER_CUTOFF);
        repo.git("reset", "-q", "--hard", "HEAD~2");
        Clock later = Clock.fixed(Instant.parse("2026-12-07T09:00:00Z"), ZoneOffset.UTC);
        assertThat(freezeRules(later)).containsExactly("freeze.expired");
        Freeze.lift(ledger, config(), "alice", "main", "zero open sev1 bugs since the 2nd", policy, later);
        assertThat(freezeRules(later)).isEmpty();
        assertThatThrownBy(() -> Freeze.lift(ledger, config(), "alice", "main", "again", policy, later))
                .satisfies(t -> assertThat(rules(t)).containsExactly("freeze.unrecorded"));
    }

    @Test
    void aTrainThatFreezesMainIsNotCutWithoutARecordedFreeze() {
        String freezing = TRAIN + "freezeMain: true\n";
        try (History h = History.open(repo.dir())) {
            TrainCut c = new TrainCut(TrainConfig.parse("t", freezing), h, ledger, policy).actor("ci").clock(AFTER_CUTOFF);
            assertThatThrownBy(c::call).satisfies(t -> assertThat(rules(t)).containsExactly("freeze.unrecorded"));
            assertThat(cuts()).isEmpty();
            assertThat(repo.git("branch", "--list", "release/*")).isEmpty();
            freeze("bob", LocalDate.parse("2026-11-30"), LocalDate.parse("2026-12-03"), AFTER_CUTOFF);
            assertThat(c.call().branch()).contains("release/1.5");
        }
    }
}

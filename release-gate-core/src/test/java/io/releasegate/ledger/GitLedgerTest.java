package io.releasegate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.testing.Git;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitLedgerTest {

    static final Digest D = Digest.parse("sha256:" + "c".repeat(64));
    static final Instant T = Instant.parse("2026-11-02T10:15:30Z");

    @TempDir
    Path tmp;

    static Event draft(String type, String subject, String note) {
        return Event.draft(type, subject, Optional.of(D), "alice", T, Json.object().put("note", note));
    }

    // ------------------------------------------------------------------------------ reading and writing

    @Test
    void appendsOneCommitPerEventAndReadsThemBackInOrder() {
        Event a;
        Event b;
        Event c;
        try (GitLedger ledger = GitLedger.open("", tmp.resolve("state"))) {
            assertThat(ledger.events()).isEmpty();
            assertThat(ledger.head()).isEmpty();
            a = ledger.append(draft("built", "payments@1.0.0", "a"));
            b = ledger.append(Event.draft("known-issue", "payments@1.0.0", Optional.empty(), "bob smith", T.plusSeconds(5),
                    Json.object().put("text", "slow")));
            c = ledger.append(draft("built", "orders@2.0.0", "c"));
            assertThat(a.id()).matches("[0-9a-f]{40}");
            assertThat(ledger.head()).contains(c.id());
            List<Event> all = ledger.events();
            assertThat(all).containsExactly(a, b, c);
            assertThat(all.get(0).digest()).contains(D);
            assertThat(all.get(0).time()).isEqualTo(T);
            assertThat(all.get(1).digest()).isEmpty();
            assertThat(all.get(1).actor()).isEqualTo("bob smith");
            assertThat(all.get(1).type()).isEqualTo("known-issue");
            assertThat(all.get(1).time()).isEqualTo(T.plusSeconds(5));
            assertThat(all.get(0).payload().path("note").asText()).isEqualTo("a");
            assertThat(ledger.events("payments@1.0.0")).containsExactly(a, b);
            assertThat(ledger.events("orders@2.0.0")).containsExactly(c);
            assertThat(ledger.events("nothing@0.0.0")).isEmpty();
        }
        // reopened, the same history
        try (GitLedger ledger = GitLedger.open("", tmp.resolve("state"))) {
            assertThat(ledger.events()).containsExactly(a, b, c);
        }
        // the git CLI sees the same history: ids are its commits, one per event, readable messages and event.json
        Path git = tmp.resolve("state/ledger.git");
        assertThat(cli(git, "log", "--format=%H", "main").lines().toList()).containsExactly(c.id(), b.id(), a.id());
        assertThat(cli(git, "log", "--format=%s", "main").lines().toList())
                .containsExactly("built orders@2.0.0 " + D, "known-issue payments@1.0.0 -", "built payments@1.0.0 " + D);
        assertThat(cli(git, "log", "-1", "--format=%(trailers)", b.id()))
                .contains("Event-Type: known-issue", "Subject: payments@1.0.0", "Digest: -", "Actor: bob smith");
        assertThat(cli(git, "log", "-1", "--format=%an <%ae> %aI|%cn <%ce> %cI", b.id()).trim())
                .isEqualTo("bob smith <bob_smith@release-gate> 2026-11-02T10:15:35+00:00|bob smith <bob_smith@release-gate> 2026-11-02T10:15:35+00:00");
        assertThat(cli(git, "ls-tree", "--name-only", "main").trim()).isEqualTo("event.json");
        JsonNode doc = parse(cli(git, "show", "main~2:event.json"));
        assertThat(doc.path("schema").asText()).isEqualTo(Event.SCHEMA);
        assertThat(doc.path("type").asText()).isEqualTo("built");
        assertThat(doc.path("subject").asText()).isEqualTo("payments@1.0.0");
        assertThat(doc.path("digest").asText()).isEqualTo(D.toString());
        assertThat(doc.path("actor").asText()).isEqualTo("alice");
        assertThat(doc.path("time").asText()).isEqualTo("2026-11-02T10:15:30Z");
        assertThat(doc.path("payload").path("note").asText()).isEqualTo("a");
        assertThat(parse(cli(git, "show", "main~1:event.json")).has("digest")).isFalse();
        cli(git, "fsck", "--strict", "--no-dangling");
    }

    @Test
    void theLedgerPacksItsLooseObjectsAsGitWouldAndLosesNothing() throws Exception {
        Path git = tmp.resolve("state/ledger.git");
        List<Event> appended = new ArrayList<>();
        try (GitLedger ledger = GitLedger.open("", tmp.resolve("state"))) {
            appended.add(ledger.append(draft("built", "payments@1.0.0", "first")));
            // git's own threshold, lowered: gc --auto packs once more than 1 loose object is in objects/17
            cli(git, "config", "gc.auto", "1");
        }
        try (GitLedger ledger = GitLedger.open("", tmp.resolve("state"))) {
            for (int i = 0; i < 3000 && !packed(git); i++) {
                appended.add(ledger.append(draft("built", "payments@1.0." + i, "n" + i)));
            }
            assertThat(packed(git)).as("packed after %d events", appended.size()).isTrue();
            assertThat(ledger.events()).containsExactlyElementsOf(appended);
        }
        String counts = cli(git, "count-objects", "-v");
        assertThat(counts).containsPattern("(?m)^in-pack: [1-9]");
        assertThat(loose(git)).as(counts).isLessThan(appended.size() * 3 / 2);
        cli(git, "fsck", "--strict", "--no-dangling");
        try (GitLedger ledger = GitLedger.open("", tmp.resolve("state"))) {
            assertThat(ledger.events()).containsExactlyElementsOf(appended);
        }
    }

    static boolean packed(Path git) throws IOException {
        try (var s = Files.list(git.resolve("objects/pack"))) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".pack"));
        }
    }

    static long loose(Path git) throws IOException {
        try (var s = Files.walk(git.resolve("objects"))) {
            return s.filter(p -> p.getParent().getFileName().toString().matches("[0-9a-f]{2}")).count();
        }
    }

    @Test
    void theEmbeddedLedgerIsABareRepositoryInTheStateDirectoryThatRefusesRewritesPushedToIt() {
        assertThat(GitLedger.Options.of("").stateDir()).isEqualTo(Path.of(".release-gate"));
        Path state = tmp.resolve("state");
        try (GitLedger ledger = GitLedger.open(GitLedger.Options.of("", state))) {
            assertThat(ledger.location()).isEqualTo(state.resolve("ledger.git").toString());
            ledger.append(draft("built", "svc@1.0.0", "1"));
            ledger.append(draft("built", "svc@1.0.1", "2"));
        }
        Path git = state.resolve("ledger.git");
        assertThat(cli(git, "rev-parse", "--is-bare-repository").trim()).isEqualTo("true");
        assertThat(cli(git, "symbolic-ref", "HEAD").trim()).isEqualTo("refs/heads/main");
        assertThat(cli(git, "config", "receive.denyNonFastForwards").trim()).isEqualTo("true");
        assertThat(cli(git, "config", "receive.denyDeletes").trim()).isEqualTo("true");
        assertThat(cli(git, "reflog", "main").lines().count()).isEqualTo(2);

        // a team member with plain git can neither force-push nor delete main
        Path clone = tmp.resolve("clone");
        Git.run(tmp, "clone", "-q", git.toString(), clone.toString());
        Git.run(clone, "reset", "-q", "--hard", "HEAD~1");
        Git.run(clone, "commit", "-q", "--allow-empty", "-m", "rewritten");
        assertThat(exitCode(clone, "push", "-q", "--force", "origin", "main")).isNotZero();
        assertThat(exitCode(clone, "push", "-q", "origin", ":main")).isNotZero();
        try (GitLedger ledger = GitLedger.open("", state)) {
            assertThat(ledger.events()).extracting(e -> e.payload().path("note").asText()).containsExactly("1", "2");
        }
    }

    @Test
    void aMissingOrEmptyLocalPathBecomesABareLedger() throws Exception {
        Path missing = tmp.resolve("deep/er/ledger.git");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        for (Path p : List.of(missing, empty)) {
            try (GitLedger l = GitLedger.open(p.toString(), tmp.resolve("state"))) {
                l.append(draft("built", "svc@1.0.0", "x"));
            }
            assertThat(cli(p, "rev-parse", "--is-bare-repository").trim()).isEqualTo("true");
            assertThat(cli(p, "rev-list", "--count", "main").trim()).isEqualTo("1");
        }
        // and an existing bare repository made by git is used as it is
        Path made = tmp.resolve("made.git");
        Git.run(tmp, "init", "-q", "--bare", made.toString());
        try (GitLedger l = GitLedger.open(made.toString(), tmp.resolve("state"))) {
            l.append(draft("built", "svc@1.0.0", "y"));
            assertThat(l.events()).hasSize(1);
        }
    }

    @Test
    void aLocalPathThatIsNotAGitRepositoryIsAnInputError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("notgit"));
        Files.writeString(dir.resolve("README"), "hello");
        assertThatThrownBy(() -> GitLedger.open(dir.toString(), tmp.resolve("state")))
                .isInstanceOf(InputException.class).hasMessageContaining("not a git repository").hasMessageContaining(dir.toString());
        assertThat(dir.resolve("HEAD")).doesNotExist();
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> GitLedger.open(file.toString(), tmp.resolve("state")))
                .isInstanceOf(InputException.class).hasMessageContaining("not a directory");
        Path work = tmp.resolve("work");
        Git.run(tmp, "init", "-q", work.toString());
        assertThatThrownBy(() -> GitLedger.open(work.toString(), tmp.resolve("state")))
                .isInstanceOf(InputException.class).hasMessageContaining("working tree").hasMessageContaining("bare");
    }

    @Test
    void anUnknownEventSchemaIsAClearErrorNamingTheCommit() throws Exception {
        Path repo = tmp.resolve("r.git");
        try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state"))) {
            l.append(draft("built", "svc@1.0.0", "1"));
        }
        Path clone = tmp.resolve("clone");
        Git.run(tmp, "clone", "-q", repo.toString(), clone.toString());
        Files.writeString(clone.resolve("event.json"), Files.readString(clone.resolve("event.json"))
                .replace("event/v1", "event/v9"));
        Git.run(clone, "commit", "-q", "-am", "odd");
        Git.run(clone, "push", "-q", "origin", "main");
        String odd = cli(repo, "rev-parse", "main").trim();
        try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state"))) {
            assertThatThrownBy(l::events).isInstanceOf(InputException.class)
                    .hasMessageContaining("event/v9").hasMessageContaining(odd).hasMessageContaining(repo.toString());
        }
    }

    @Test
    void subjectsAndActorsMustBeOneLineSoThatTheCommitTrailersCannotBeForged() {
        try (GitLedger l = GitLedger.open("", tmp.resolve("state"))) {
            assertThatThrownBy(() -> l.append(draft("built", "svc@1.0.0\n\nActor: release-manager", "x")))
                    .isInstanceOf(InputException.class).hasMessageContaining("one line");
            assertThatThrownBy(() -> l.appendIfHead(Event.draft("approved", "svc@1.0.0", Optional.empty(), "mallory\nActor: bob",
                    T, Json.object()), Optional.empty())).isInstanceOf(InputException.class);
            assertThat(l.events()).isEmpty();
        }
    }

    @Test
    void appendIfHeadAppendsOnlyOnTheExpectedHead() {
        try (GitLedger l = GitLedger.open("", tmp.resolve("state"))) {
            Event first = l.appendIfHead(draft("built", "svc@1.0.0", "1"), Optional.empty()).orElseThrow();
            assertThat(l.appendIfHead(draft("built", "svc@1.0.0", "stale"), Optional.empty())).isEmpty();
            Event second = l.appendIfHead(draft("built", "svc@1.0.0", "2"), Optional.of(first.id())).orElseThrow();
            assertThat(l.events()).containsExactly(first, second);
        }
    }

    // ------------------------------------------------------------------------------ concurrency

    @Test
    void concurrentLocalWritersNeverLoseOrDuplicateAnEvent() throws Exception {
        Path repo = tmp.resolve("shared.git");
        int writers = 4;
        int each = 15;
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        runConcurrently(writers, id -> {
            // separate instances and state dirs, as separate processes would have
            try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state" + id))) {
                for (int i = 0; i < each; i++) {
                    ids.add(l.append(draft("built", "svc@1.0." + i, "w" + id + "-" + i)).id());
                }
            }
        });
        assertHistory(repo, writers * each, ids);
    }

    @Test
    void anotherJvmAndTheGitCliAppendConcurrentlyWithoutLossOrForce() throws Exception {
        Path repo = tmp.resolve("shared.git");
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state"))) {
            ids.add(l.append(draft("built", "svc@0.0.1", "first")).id());
        }
        // a second JVM running GitLedger, and plain git plumbing doing compare-and-swap with update-ref
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LedgerWriterMain.class.getName(), repo.toString(), tmp.resolve("jvm-state").toString(), "30", "jvm")
                .redirectError(tmp.resolve("jvm.err").toFile()).start();
        Path script = Files.writeString(tmp.resolve("cli-writer.sh"), """
                set -e
                R="$1"; N="$2"; SCHEMA="$3"
                read go
                i=1
                while [ "$i" -le "$N" ]; do
                  while :; do
                    head=$(git --git-dir="$R" rev-parse --verify -q refs/heads/main)
                    blob=$(printf '{"schema":"%s","type":"built","subject":"svc@9.9.9","actor":"cli","time":"2026-11-02T10:15:30Z","payload":{"note":"cli-%s"}}\\n' "$SCHEMA" "$i" | git --git-dir="$R" hash-object -w --stdin)
                    tree=$(printf '100644 blob %s\\tevent.json\\n' "$blob" | git --git-dir="$R" mktree)
                    commit=$(git --git-dir="$R" -c user.name=cli -c user.email=cli@release-gate commit-tree "$tree" -p "$head" -m "built svc@9.9.9 -")
                    if git --git-dir="$R" update-ref refs/heads/main "$commit" "$head" 2>/dev/null; then break; fi
                  done
                  i=$((i+1))
                done
                """);
        ProcessBuilder cliBuilder = new ProcessBuilder("sh", script.toString(), repo.toString(), "20", Event.SCHEMA)
                .redirectErrorStream(true);
        cliBuilder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        cliBuilder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process cliWriter = cliBuilder.start();
        try {
            // wait until the other JVM is up, then start everyone together
            String ready = new String(jvm.getInputStream().readNBytes("ready\n".length()), StandardCharsets.UTF_8);
            assertThat(ready).as("second JVM: " + readQuietly(tmp.resolve("jvm.err"))).isEqualTo("ready\n");
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> local = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int id = w;
                local.add(pool.submit(() -> {
                    go.await();
                    try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state" + id))) {
                        for (int i = 1; i <= 15; i++) {
                            ids.add(l.append(draft("built", "svc@1.0." + i, "t" + id + "-" + i)).id());
                        }
                    }
                    return null;
                }));
            }
            for (Process p : List.of(jvm, cliWriter)) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write("go\n".getBytes(StandardCharsets.UTF_8));
                }
            }
            go.countDown();
            for (Future<?> f : local) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            String jvmOut = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(jvm.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(jvm.exitValue()).as("second JVM: " + readQuietly(tmp.resolve("jvm.err"))).isZero();
            ids.addAll(jvmOut.lines().toList());
            String cliOut = new String(cliWriter.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cliWriter.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(cliWriter.exitValue()).as(cliOut).isZero();
        } finally {
            jvm.destroyForcibly();
            cliWriter.destroyForcibly();
        }
        assertThat(ids).hasSize(1 + 30 + 30);
        Set<String> notes = assertHistory(repo, 1 + 30 + 30 + 20, ids);
        assertThat(notes).contains("jvm-1", "jvm-30", "cli-1", "cli-20", "t0-15", "t1-15");
        // what plain git appended is kept but not believed: only the signed appends count
        try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state"))) {
            Map<Boolean, Long> byBelief = l.entries().stream().collect(Collectors.partitioningBy(
                    en -> en.verification().verified(), Collectors.counting()));
            assertThat(byBelief).containsEntry(true, 61L).containsEntry(false, 20L);
            assertThat(l.entries()).filteredOn(en -> !en.verification().verified())
                    .allSatisfy(en -> assertThat(en.event().actor()).isEqualTo("cli"));
            assertThatThrownBy(() -> l.events("svc@9.9.9")).hasMessageContaining("event.unsigned");
            assertThat(l.events("svc@1.0.1")).hasSize(2);
        }
    }

    /** A writer killed while it held the branch's lock leaves {@code main.lock}: it must not block every later append. */
    @Test
    void aRefLockLeftByAKilledWriterDoesNotBlockTheNextAppend() throws Exception {
        Path state = tmp.resolve("state");
        try (GitLedger l = GitLedger.open("", state)) {
            l.append(draft("built", "svc@1.0.0", "first"));
        }
        Path lock = state.resolve("ledger.git/refs/heads/main.lock");
        Files.writeString(lock, "0".repeat(40) + "\n");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(60)));
        try (GitLedger l = GitLedger.open("", state)) {
            l.append(draft("built", "svc@1.0.1", "after an old lock"));
            assertThat(l.events()).hasSize(2);
        }
        assertThat(lock).doesNotExist();
        // a lock left a moment ago: waited for until it is stale, then removed
        Files.writeString(lock, "0".repeat(40) + "\n");
        long t0 = System.nanoTime();
        try (GitLedger l = GitLedger.open("", state)) {
            l.append(draft("built", "svc@1.0.2", "after a fresh lock"));
            assertThat(l.events()).hasSize(3);
        }
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(GitLedger.STALE_LOCK.minusMillis(200))
                .isLessThan(GitLedger.STALE_LOCK.plusSeconds(10));
        assertThat(cli(state.resolve("ledger.git"), "rev-list", "--count", "main").trim()).isEqualTo("3");
    }

    /**
     * Pushing to a remote reached as {@code file://}, the pushing process updates the remote's refs itself: killed
     * half-way, it leaves its lock in the remote, which must not block every later append either.
     */
    @Test
    void aRefLockAKilledPusherLeftInAFileRemoteDoesNotBlockTheNextAppend() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", "-b", "main", remote.toString());
        String url = remote.toUri().toString();
        try (GitLedger l = GitLedger.open(url, tmp.resolve("state-a"))) {
            l.append(draft("built", "svc@1.0.0", "first"));
        }
        Path lock = remote.resolve("refs/heads/main.lock");
        Files.writeString(lock, "0".repeat(40) + "\n");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(60)));
        try (GitLedger l = GitLedger.open(url, tmp.resolve("state-b"))) {
            l.append(draft("built", "svc@1.0.1", "after the pusher's lock"));
            assertThat(l.events()).hasSize(2);
        }
        assertThat(lock).doesNotExist();
        assertThat(cli(remote, "rev-list", "--count", "main").trim()).isEqualTo("2");
    }

    @Test
    void concurrentWritersToAGitRemoteSerializeByCompareAndSwap() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        Git.run(tmp, "--git-dir", remote.toString(), "config", "core.logAllRefUpdates", "always");
        String url = remote.toUri().toString(); // file:///...
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        runConcurrently(2, id -> {
            try (GitLedger l = GitLedger.open(url, tmp.resolve("state" + id))) {
                for (int i = 0; i < 25; i++) {
                    ids.add(l.append(draft("built", "svc@1." + id + "." + i, "w" + id + "-" + i)).id());
                }
            }
        });
        assertHistory(remote, 50, ids);
        try (GitLedger reader = GitLedger.open(url, tmp.resolve("reader"))) {
            assertThat(reader.events()).extracting(Event::id).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(reader.events("svc@1.1.24")).hasSize(1);
            assertThat(reader.head()).contains(cli(remote, "rev-parse", "main").trim());
        }
    }

    @Test
    void aWriterWhoseIdenticalEventAnotherPushedFirstLosesTheRaceInsteadOfFailing() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        String url = remote.toUri().toString();
        try (GitLedger first = GitLedger.open(url, tmp.resolve("first"));
             GitLedger second = GitLedger.open(url, tmp.resolve("second"))) {
            Event built = first.append(draft("built", "svc@1.0.0", "built"));
            // both decide on the same head and record the same promotion, in the same second: byte for byte one commit
            Ledger.Snapshot seen = second.snapshot(Set.of("svc@1.0.0"));
            assertThat(seen.head()).contains(built.id());
            Event promoted = first.appendUnlessChanged(draft("promoted", "svc@1.0.0", "dev"), Optional.of(built.id()),
                    Set.of("svc@1.0.0")).orElseThrow();
            // the remote already holds that very commit: the second writer lost the race, and decides again
            assertThat(second.appendUnlessChanged(draft("promoted", "svc@1.0.0", "dev"), seen.head(), Set.of("svc@1.0.0")))
                    .isEmpty();
            // an event about another subject meanwhile leaves a decision standing: appended on the newer head
            Event other = first.append(draft("built", "svc@2.0.0", "other"));
            Event approved = second.appendUnlessChanged(draft("approved", "svc@1.0.0", "after"), Optional.of(promoted.id()),
                    Set.of("svc@1.0.0")).orElseThrow();
            assertThat(second.events()).extracting(Event::id)
                    .containsExactly(built.id(), promoted.id(), other.id(), approved.id());
        }
    }

    @Test
    void writersSharingOneStateDirectoryShareTheRemoteCacheSafely() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        // no background gc after a push: it would still be writing packs when the test's directory is removed
        Git.run(tmp, "--git-dir", remote.toString(), "config", "gc.auto", "0");
        Git.run(tmp, "--git-dir", remote.toString(), "config", "receive.autogc", "false");
        String url = remote.toUri().toString();
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        runConcurrently(3, id -> {
            try (GitLedger l = GitLedger.open(url, tmp.resolve("same"))) {
                for (int i = 0; i < 8; i++) {
                    ids.add(l.append(draft("built", "svc@1.0.0", "w" + id + "-" + i)).id());
                }
            }
        });
        assertHistory(remote, 24, ids);
    }

    // ------------------------------------------------------------------------------ ssh

    @Test
    void sshRemotesAreReachedThroughTheSshProgramAsGitDoes() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        Path log = tmp.resolve("ssh.log");
        // stands in for ssh: records its arguments and runs the remote command (git-upload-pack/git-receive-pack) here
        Path fakeSsh = executable("fake-ssh", "#!/bin/sh\n"
                + "printf '%s\\n' \"$*\" >> '" + log + "'\n"
                + "for last; do :; done\n"
                + "exec sh -c \"$last\"\n");
        List<String> ssh = List.of(fakeSsh.toString());
        String url = "ssh://git@ledger.example:2222" + remote;
        // one ledger reached under three names (ssh, scp-like, path): a configured trust, as a team sharing one has
        io.releasegate.testing.TestTrust trust = io.releasegate.testing.TestTrust.create(tmp.resolve("trust"));
        checkerTrust = Optional.of(trust.file());
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        runConcurrently(2, id -> {
            try (GitLedger l = GitLedger.open(GitLedger.Options.of(url, tmp.resolve("state" + id)).withSshCommand(ssh)
                    .withTrust(checkerTrust).withSigner(Optional.of(trust.ci())))) {
                for (int i = 0; i < 8; i++) {
                    ids.add(l.append(draft("built", "svc@1.0.0", "w" + id + "-" + i)).id());
                }
            }
        });
        assertHistory(remote, 16, ids);
        String calls = Files.readString(log);
        assertThat(calls).contains("-p 2222 git@ledger.example git-upload-pack '" + remote + "'")
                .contains("-p 2222 git@ledger.example git-receive-pack '" + remote + "'");

        // the scp-like form reads the same ledger
        try (GitLedger l = GitLedger.open(GitLedger.Options.of("git@ledger.example:" + remote, tmp.resolve("scp"))
                .withSshCommand(ssh).withTrust(checkerTrust))) {
            assertThat(l.events()).extracting(Event::id).containsExactlyInAnyOrderElementsOf(ids);
        }
        assertThat(Files.readString(log)).contains("git@ledger.example git-upload-pack '" + remote + "'");
    }

    @Test
    void anSshFailureIsAnInputErrorWithWhatSshSaid() throws Exception {
        Path denied = executable("denied-ssh", "#!/bin/sh\necho 'Permission denied (publickey).' >&2\nexit 255\n");
        String url = "ssh://git@ledger.example/team/ledger.git";
        try (GitLedger l = GitLedger.open(GitLedger.Options.of(url, tmp.resolve("state")).withSshCommand(List.of(denied.toString())))) {
            assertThatThrownBy(l::events).isInstanceOf(InputException.class)
                    .hasMessageContaining(url).hasMessageContaining("Permission denied");
            assertThatThrownBy(() -> l.append(draft("built", "svc@1.0.0", "x"))).isInstanceOf(InputException.class);
        }
        assertThat(tmp.resolve("state/ledger-witness")).doesNotExist();

        // a host that ssh would read as an option is never handed to it
        Path log = tmp.resolve("never.log");
        Path recording = executable("recording-ssh", "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexit 255\n");
        for (String hostile : List.of("ssh://-oProxyCommand=touch%20pwned/x.git", "-oProxyCommand@host:x.git")) {
            assertThatThrownBy(() -> {
                try (GitLedger l = GitLedger.open(GitLedger.Options.of(hostile, tmp.resolve("state"))
                        .withSshCommand(List.of(recording.toString())))) {
                    l.events();
                }
            }).isInstanceOf(InputException.class);
        }
        assertThat(log).doesNotExist();
    }

    @Test
    void theSshProgramIsChosenFromTheEnvironmentAsGitChoosesIt() {
        assertThat(GitLedger.Options.sshCommand(Map.of())).containsExactly("ssh");
        assertThat(GitLedger.Options.sshCommand(Map.of("GIT_SSH", "/opt/wrapper.sh"))).containsExactly("/opt/wrapper.sh");
        assertThat(GitLedger.Options.sshCommand(Map.of("GIT_SSH", "/opt/wrapper.sh", "GIT_SSH_COMMAND", "ssh -i key")))
                .containsExactly("sh", "-c", "ssh -i key \"$@\"", "ssh");
        ProgramSshSessionFactory openSsh = new ProgramSshSessionFactory(List.of("ssh"));
        assertThat(openSsh.command(uri("ssh://git@h:22/x.git"), "git@h", "git-upload-pack '/x.git'"))
                .containsExactly("ssh", "-o", "BatchMode=yes", "-p", "22", "git@h", "git-upload-pack '/x.git'");
        ProgramSshSessionFactory wrapper = new ProgramSshSessionFactory(List.of("/opt/wrapper.sh"));
        assertThat(wrapper.command(uri("git@h:x.git"), "git@h", "git-upload-pack 'x.git'"))
                .containsExactly("/opt/wrapper.sh", "git@h", "git-upload-pack 'x.git'");
    }

    // ------------------------------------------------------------------------------ rewrite detection

    @Test
    void aRewrittenLocalHistoryIsRefusedForReadingAndWriting() {
        Path state = tmp.resolve("state");
        Path repo = state.resolve("ledger.git");
        String last;
        try (GitLedger l = GitLedger.open("", state)) {
            l.append(draft("built", "svc@1.0.0", "1"));
            l.append(draft("approved", "svc@1.0.0", "2"));
            last = l.append(draft("promoted", "svc@1.0.0", "3")).id();
        }
        // someone drops the last two events
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", "main~2");
        String rewritten = cli(repo, "rev-parse", "main").trim();
        try (GitLedger l = GitLedger.open("", state)) {
            assertRefused(l::events, last, rewritten, repo.toString());
            assertRefused(l::head, last, rewritten, repo.toString());
            assertRefused(() -> l.append(draft("built", "svc@2.0.0", "x")), last, rewritten, repo.toString());
            assertRefused(() -> l.appendIfHead(draft("built", "svc@2.0.0", "y"), Optional.of(rewritten)), last, rewritten,
                    repo.toString());
        }
        assertThat(cli(repo, "rev-list", "--count", "main").trim()).isEqualTo("1");
        assertThat(cli(repo, "rev-parse", "main").trim()).isEqualTo(rewritten);
    }

    @Test
    void aDeletedLocalBranchIsRefusedAndNotRecreated() {
        Path state = tmp.resolve("state");
        Path repo = state.resolve("ledger.git");
        try (GitLedger l = GitLedger.open("", state)) {
            l.append(draft("built", "svc@1.0.0", "1"));
        }
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "-d", "refs/heads/main");
        try (GitLedger l = GitLedger.open("", state)) {
            assertThatThrownBy(l::events).isInstanceOf(RefusedException.class).hasMessageContaining("main branch is gone");
            assertThatThrownBy(() -> l.append(draft("built", "svc@2.0.0", "x"))).isInstanceOf(RefusedException.class);
            assertThatThrownBy(() -> l.appendIfHead(draft("built", "svc@2.0.0", "y"), Optional.empty()))
                    .isInstanceOf(RefusedException.class);
        }
        assertThat(exitCode(tmp, "--git-dir", repo.toString(), "rev-parse", "--verify", "-q", "refs/heads/main")).isNotZero();
    }

    @Test
    void aForcePushedOrDeletedRemoteHistoryIsRefusedButForwardMovesAreAccepted() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        String url = remote.toUri().toString();
        try (GitLedger mine = GitLedger.open(url, tmp.resolve("mine")); GitLedger theirs = GitLedger.open(url, tmp.resolve("theirs"))) {
            Event first = mine.append(draft("built", "svc@1.0.0", "1"));
            Event second = theirs.append(draft("approved", "svc@1.0.0", "2")); // forward move by another writer: fine
            assertThat(mine.events()).containsExactly(first, second);
            assertThat(mine.head()).contains(second.id());

            // force-push an amended history from a clone
            Path clone = tmp.resolve("clone");
            Git.run(tmp, "clone", "-q", url, clone.toString());
            Git.run(clone, "commit", "-q", "--amend", "-m", "approved svc@1.0.0 by nobody");
            Git.run(clone, "push", "-q", "--force", "origin", "main");
            String forced = cli(remote, "rev-parse", "main").trim();
            assertRefused(mine::events, second.id(), forced, url);
            assertRefused(() -> mine.append(draft("promoted", "svc@1.0.0", "3")), second.id(), forced, url);
            assertThat(cli(remote, "rev-parse", "main").trim()).isEqualTo(forced);
            assertThat(cli(remote, "rev-list", "--count", "main").trim()).isEqualTo("2");

            Git.run(tmp, "--git-dir", remote.toString(), "update-ref", "-d", "refs/heads/main");
            assertThatThrownBy(theirs::events).isInstanceOf(RefusedException.class).hasMessageContaining("main branch is gone");
            assertThatThrownBy(() -> theirs.append(draft("promoted", "svc@1.0.0", "3"))).isInstanceOf(RefusedException.class);
            assertThat(exitCode(tmp, "--git-dir", remote.toString(), "rev-parse", "--verify", "-q", "refs/heads/main")).isNotZero();
        }
        // a writer that never saw the old history has nothing to compare with, and starts the ledger anew
        try (GitLedger fresh = GitLedger.open(url, tmp.resolve("fresh"))) {
            assertThat(fresh.events()).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------ unreachable

    @Test
    void aPushWhoseAnswerIsLostAfterTheRemoteTookItIsRecordedOnceAndReportedAsRecorded() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        Git.run(tmp, "init", "-q", "--bare", served.resolve("ledger.git").toString());
        try (io.releasegate.testing.GitHttpServer http = io.releasegate.testing.GitHttpServer.start(served, "ci", "pw")) {
            String url = http.url("ledger.git").replace("://", "://ci:pw@");
            try (GitLedger l = GitLedger.open(url, tmp.resolve("state"))) {
                Event first = l.append(draft("built", "svc@1.0.0", "first"));
                http.loseNextPushAnswers(1);
                // the remote took the event, the answer was lost: the event is there once, and this append says so
                Event second = l.append(draft("approved", "svc@1.0.0", "second"));
                assertThat(cli(served.resolve("ledger.git"), "rev-list", "main").lines().toList())
                        .containsExactly(second.id(), first.id());
                http.loseNextPushAnswers(1);
                Optional<Event> third = l.appendUnlessChanged(draft("promoted", "svc@1.0.0", "third"), Optional.of(second.id()),
                        Set.of("svc@1.0.0"));
                assertThat(third).isPresent();
                assertThat(l.events()).extracting(Event::id).containsExactly(first.id(), second.id(), third.get().id());
            }
        }
    }

    @Test
    void aPasswordInTheRemoteUrlIsNeverInAMessage() {
        String url = "http://release-ci:s3cret-token@127.0.0.1:1/ledger.git";
        try (GitLedger l = GitLedger.open(url, tmp.resolve("state"))) {
            assertThat(l.location()).isEqualTo("http://release-ci@127.0.0.1:1/ledger.git");
            for (ThrowingCallable call : List.<ThrowingCallable>of(l::head, l::events,
                    () -> l.append(draft("built", "svc@1.0.0", "x")))) {
                assertThatThrownBy(call).isInstanceOf(InputException.class)
                        .hasMessageContaining("http://release-ci@127.0.0.1:1/ledger.git")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-token"));
            }
        }
    }

    @Test
    void anUnreachableRemoteIsAnInputErrorNamingItAndNothingIsWritten() {
        Path missing = tmp.resolve("missing.git");
        for (String url : List.of("file://" + missing, "http://127.0.0.1:1/ledger.git")) {
            Path state = tmp.resolve("state");
            try (GitLedger l = GitLedger.open(url, state)) {
                assertThatThrownBy(() -> l.append(draft("built", "svc@1.0.0", "x")))
                        .isInstanceOf(InputException.class).hasMessageContaining(url);
                assertThatThrownBy(l::events).isInstanceOf(InputException.class).hasMessageContaining(url);
                assertThatThrownBy(l::head).isInstanceOf(InputException.class);
            }
            assertThat(state.resolve("ledger-witness")).doesNotExist();
            Path cache = state.resolve("ledger-cache").resolve(GitLedger.shortHash(url) + ".git");
            assertThat(cli(cache, "for-each-ref").trim()).isEmpty();
            assertThat(cli(cache, "count-objects").trim()).startsWith("0 objects");
        }
        assertThat(missing).doesNotExist();
    }

    // ------------------------------------------------------------------------------ support

    /** The trust the history checker reads with; empty: the ledger's trial trust. */
    Optional<Path> checkerTrust = Optional.empty();

    interface Writer {
        void run(int id) throws Exception;
    }

    private static void runConcurrently(int writers, Writer writer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                tasks.add(() -> {
                    start.await();
                    writer.run(id);
                    return null;
                });
            }
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> t : tasks) {
                futures.add(pool.submit(t));
            }
            start.countDown();
            for (Future<Void> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The repository's main holds exactly n events: a linear history (at most one parent each), every id a
     * writer was given is in it, no duplicate notes, fsck clean, and - where the repository keeps a reflog -
     * every update of main was a fast-forward by one commit (nothing forced). Returns the notes.
     */
    private Set<String> assertHistory(Path repo, int n, List<String> ids) {
        Map<String, String> parentOf = new HashMap<>();
        List<String> lines = cli(repo, "log", "--format=%H %P", "main").lines().toList();
        assertThat(lines).hasSize(n);
        for (String line : lines) {
            String[] parts = line.split(" ");
            assertThat(parts.length).as("parents of " + parts[0]).isLessThanOrEqualTo(2);
            parentOf.put(parts[0], parts.length == 2 ? parts[1] : "0".repeat(40));
        }
        assertThat(parentOf.keySet()).containsAll(ids);
        assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
        Set<String> notes = new HashSet<>();
        try (GitLedger l = GitLedger.open(GitLedger.Options.of(repo.toString(), tmp.resolve("checker-" + repo.getFileName()))
                .withTrust(checkerTrust))) {
            // every event, believed or not (the git plumbing writer does not sign)
            List<Event> events = l.entries().stream().map(Ledger.Entry::event).toList();
            assertThat(events).hasSize(n);
            for (Event e : events) {
                assertThat(notes.add(e.payload().path("note").asText())).as("duplicate " + e).isTrue();
            }
        }
        Path reflog = repo.resolve("logs/refs/heads/main");
        if (Files.exists(reflog)) {
            List<String> entries = readQuietly(reflog).lines().toList();
            assertThat(entries).hasSize(n);
            for (String entry : entries) {
                String[] parts = entry.split(" ");
                assertThat(parentOf.get(parts[1])).as("reflog entry " + entry).isEqualTo(parts[0]);
            }
        }
        Git.run(tmp, "--git-dir", repo.toString(), "fsck", "--strict", "--no-dangling");
        return notes;
    }

    private static void assertRefused(ThrowingCallable call, String lastSeen, String head, String location) {
        assertThatThrownBy(call).isInstanceOf(RefusedException.class).satisfies(e -> {
            Refusal r = ((RefusedException) e).refusals().get(0);
            assertThat(r.rule()).isEqualTo("ledger.append-only");
            assertThat(r.evidence()).contains(lastSeen).contains(head).contains(location);
            assertThat(r.remedy()).contains(lastSeen);
        });
    }

    private String cli(Path gitDir, String... args) {
        List<String> all = new ArrayList<>(List.of("--git-dir", gitDir.toString()));
        all.addAll(List.of(args));
        return Git.run(tmp, all.toArray(String[]::new));
    }

    /** Exit code of a git command expected to fail, with the same isolated configuration as {@link Git}. */
    private static int exitCode(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=Release Test", "-c", "user.email=test@example.com"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        try {
            Process p = pb.start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private Path executable(String name, String content) throws IOException {
        Path p = Files.writeString(tmp.resolve(name), content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static org.eclipse.jgit.transport.URIish uri(String s) {
        try {
            return new org.eclipse.jgit.transport.URIish(s);
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}

package io.releasegate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.testing.Git;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    @Test
    void appendsOneCommitPerEventAndReadsThemBackInOrder() {
        try (GitLedger ledger = GitLedger.open("", tmp.resolve("state"))) {
            assertThat(ledger.events()).isEmpty();
            assertThat(ledger.head()).isEmpty();
            Event a = ledger.append(draft("built", "payments@1.0.0", "a"));
            Event b = ledger.append(Event.draft("known-issue", "payments@1.0.0", Optional.empty(), "bob", T.plusSeconds(5),
                    Json.object().put("text", "slow")));
            Event c = ledger.append(draft("built", "orders@2.0.0", "c"));
            assertThat(a.id()).matches("[0-9a-f]{40}");
            assertThat(ledger.head()).contains(c.id());
            List<Event> all = ledger.events();
            assertThat(all).containsExactly(a, b, c);
            assertThat(all.get(1).digest()).isEmpty();
            assertThat(all.get(1).actor()).isEqualTo("bob");
            assertThat(all.get(0).payload().path("note").asText()).isEqualTo("a");
            assertThat(ledger.events("payments@1.0.0")).containsExactly(a, b);
        }
        // the git CLI sees the same history, one commit per event, with readable messages and event.json
        Path git = tmp.resolve("state/ledger.git");
        assertThat(Git.run(tmp, "--git-dir", git.toString(), "log", "--format=%s").lines().toList())
                .containsExactly("built orders@2.0.0 " + D, "known-issue payments@1.0.0 -", "built payments@1.0.0 " + D);
        String doc = Git.run(tmp, "--git-dir", git.toString(), "show", "main~2:event.json");
        assertThat(doc).contains("\"schema\" : \"" + Event.SCHEMA + "\"").contains("\"actor\" : \"alice\"");
        assertThat(Git.run(tmp, "--git-dir", git.toString(), "log", "-1", "--format=%an %ad", "--date=iso-strict", "main~2"))
                .startsWith("alice 2026-11-02T10:15:30");
        Git.run(tmp, "--git-dir", git.toString(), "fsck", "--strict");
    }

    @Test
    void aLocalPathThatIsNotAGitRepositoryIsAnInputError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("notgit"));
        Files.writeString(dir.resolve("README"), "hello");
        assertThatThrownBy(() -> GitLedger.open(dir.toString(), tmp.resolve("state")))
                .isInstanceOf(InputException.class).hasMessageContaining("not a git repository");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> GitLedger.open(file.toString(), tmp.resolve("state")))
                .isInstanceOf(InputException.class).hasMessageContaining("not a directory");
    }

    @Test
    void concurrentLocalWritersNeverLoseOrDuplicateAnEvent() throws Exception {
        Path repo = tmp.resolve("shared.git");
        int writers = 4;
        int each = 15;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                tasks.add(() -> {
                    // separate instances and state dirs: as separate processes would be
                    try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state" + id))) {
                        for (int i = 0; i < each; i++) {
                            l.append(draft("built", "svc@1.0." + i, "w" + id + "-" + i));
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertHistory(repo, writers * each);
    }

    @Test
    void aConcurrentGitCliWriterIsNeitherLostNorOverwritten() throws Exception {
        Path repo = tmp.resolve("shared.git");
        try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state"))) {
            l.append(draft("built", "svc@0.0.1", "first"));
            // another process appends a commit with plain git plumbing, compare-and-swap on main
            String head = Git.run(tmp, "--git-dir", repo.toString(), "rev-parse", "main").trim();
            Path doc = tmp.resolve("event.json");
            Files.write(doc, GitLedger.document(draft("known-issue", "svc@0.0.1", "from git")));
            String blob = Git.run(tmp, "--git-dir", repo.toString(), "hash-object", "-w", doc.toString()).trim();
            Path treeSpec = Files.writeString(tmp.resolve("tree"), "100644 blob " + blob + "\tevent.json\n");
            String tree = new String(new ProcessBuilder("sh", "-c", "git --git-dir=" + repo + " mktree < " + treeSpec)
                    .start().getInputStream().readAllBytes()).trim();
            String commit = Git.run(tmp, "--git-dir", repo.toString(), "commit-tree", tree, "-p", head, "-m", "known-issue svc@0.0.1 -").trim();
            Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", commit, head);
            Event mine = l.append(draft("built", "svc@0.0.2", "after"));
            List<Event> all = l.events();
            assertThat(all).extracting(e -> e.payload().path("note").asText()).containsExactly("first", "from git", "after");
            assertThat(all.get(2)).isEqualTo(mine);
        }
    }

    @Test
    void concurrentWritersToAGitRemoteSerializeByCompareAndSwap() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        String url = remote.toUri().toString(); // file:///...
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int id = w;
                tasks.add(() -> {
                    try (GitLedger l = GitLedger.open(url, tmp.resolve("state" + id))) {
                        for (int i = 0; i < 12; i++) {
                            l.append(draft("built", "svc@1." + id + "." + i, "w" + id + "-" + i));
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertHistory(remote, 24);
        try (GitLedger reader = GitLedger.open(url, tmp.resolve("reader"))) {
            assertThat(reader.events()).hasSize(24);
        }
    }

    @Test
    void aRewrittenLocalHistoryIsRefusedForReadingAndWriting() {
        Path state = tmp.resolve("state");
        Path repo = state.resolve("ledger.git");
        try (GitLedger l = GitLedger.open("", state)) {
            l.append(draft("built", "svc@1.0.0", "1"));
            l.append(draft("approved", "svc@1.0.0", "2"));
            l.append(draft("promoted", "svc@1.0.0", "3"));
        }
        // someone drops the last two events
        Git.run(tmp, "--git-dir", repo.toString(), "update-ref", "refs/heads/main", "main~2");
        try (GitLedger l = GitLedger.open("", state)) {
            assertThatThrownBy(l::events).isInstanceOf(RefusedException.class)
                    .satisfies(e -> assertThat(((RefusedException) e).refusals().get(0).rule()).isEqualTo("ledger.append-only"))
                    .hasMessageContaining("rewritten");
            assertThatThrownBy(() -> l.append(draft("built", "svc@2.0.0", "x"))).isInstanceOf(RefusedException.class);
        }
        assertThat(Git.run(tmp, "--git-dir", repo.toString(), "rev-list", "--count", "main").trim()).isEqualTo("1");
    }

    @Test
    void aForcePushedOrDeletedRemoteHistoryIsRefusedButForwardMovesAreAccepted() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.run(tmp, "init", "-q", "--bare", remote.toString());
        String url = remote.toUri().toString();
        try (GitLedger mine = GitLedger.open(url, tmp.resolve("mine")); GitLedger theirs = GitLedger.open(url, tmp.resolve("theirs"))) {
            mine.append(draft("built", "svc@1.0.0", "1"));
            theirs.append(draft("approved", "svc@1.0.0", "2")); // forward move by another writer: fine
            assertThat(mine.events()).hasSize(2);

            // force-push an amended history from a clone
            Path clone = tmp.resolve("clone");
            Git.run(tmp, "clone", "-q", url, clone.toString());
            Git.run(clone, "commit", "-q", "--amend", "-m", "approved svc@1.0.0 by nobody");
            Git.run(clone, "push", "-q", "--force", "origin", "main");
            assertThatThrownBy(mine::events).isInstanceOf(RefusedException.class).hasMessageContaining("ledger.append-only");
            assertThatThrownBy(() -> mine.append(draft("promoted", "svc@1.0.0", "3"))).isInstanceOf(RefusedException.class);

            Git.run(tmp, "--git-dir", remote.toString(), "update-ref", "-d", "refs/heads/main");
            assertThatThrownBy(theirs::events).isInstanceOf(RefusedException.class).hasMessageContaining("main branch is gone");
        }
    }

    @Test
    void anUnreachableRemoteIsAnInputErrorNamingIt() {
        for (String url : List.of("file://" + tmp.resolve("missing.git"), "http://127.0.0.1:1/ledger.git")) {
            try (GitLedger l = GitLedger.open(url, tmp.resolve("state"))) {
                assertThatThrownBy(() -> l.append(draft("built", "svc@1.0.0", "x")))
                        .isInstanceOf(InputException.class).hasMessageContaining(url);
                assertThatThrownBy(l::events).isInstanceOf(InputException.class);
            }
        }
    }

    @Test
    void anUnknownEventSchemaIsAClearError() throws Exception {
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
        try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("state"))) {
            assertThatThrownBy(l::events).isInstanceOf(InputException.class).hasMessageContaining("event/v9");
        }
    }

    /** n events, linear history (each commit at most one parent), no duplicate payloads, fsck clean. */
    private void assertHistory(Path repo, int n) {
        String parents = Git.run(tmp, "--git-dir", repo.toString(), "log", "--format=%p", "main");
        List<String> lines = parents.lines().toList();
        assertThat(lines).hasSize(n);
        assertThat(lines).allSatisfy(p -> assertThat(p.split(" ").length).isLessThanOrEqualTo(1));
        Set<String> notes = new HashSet<>();
        try (GitLedger l = GitLedger.open(repo.toString(), tmp.resolve("checker"))) {
            for (Event e : l.events()) {
                assertThat(notes.add(e.payload().path("note").asText())).as("duplicate " + e).isTrue();
            }
        }
        assertThat(notes).hasSize(n);
        Git.run(tmp, "--git-dir", repo.toString(), "fsck", "--strict");
    }
}

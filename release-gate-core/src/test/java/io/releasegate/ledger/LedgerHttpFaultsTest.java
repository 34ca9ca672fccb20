package io.releasegate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.testing.FaultProxy;
import io.releasegate.testing.FaultProxy.Fault;
import io.releasegate.testing.Git;
import io.releasegate.testing.GitHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote ledger over HTTP (git's own http-backend) through a fault-injecting proxy: a push or a fetch that fails
 * (5xx, 429, a reset, a body cut short) is a clear error naming the ledger, never its password, with nothing recorded
 * on the remote, and the next run records the event once; a push the remote took whose answer was lost is recorded
 * once, not twice; a redirect to another host carries no credentials there. The remote is checked with the git CLI.
 */
class LedgerHttpFaultsTest {

    static final String USER = "ledger-ci";
    static final String PASSWORD = "not-a-real-password-7f3a";
    static final Digest D = Digest.parse("sha256:" + "ab".repeat(32));

    @TempDir
    Path tmp;

    Path remote;
    GitHttpServer http;
    FaultProxy proxy;
    String url;
    int states;

    @BeforeEach
    void remoteLedger() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        remote = served.resolve("ledger.git");
        Git.run(tmp, "init", "-q", "--bare", "-b", "main", remote.toString());
        Git.run(tmp, "--git-dir", remote.toString(), "config", "gc.auto", "0");
        Git.run(tmp, "--git-dir", remote.toString(), "config", "receive.autogc", "false");
        http = GitHttpServer.start(served, USER, PASSWORD);
        proxy = FaultProxy.start(http.url("").replaceAll("/$", ""));
        url = proxy.origin().replace("://", "://" + USER + ":" + PASSWORD + "@") + "/ledger.git";
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        http.close();
    }

    /** A ledger client as a new CI run has it: its own state directory. */
    private GitLedger client() {
        return GitLedger.open(url, tmp.resolve("state" + states++));
    }

    private static Event draft(String subject) {
        return Event.draft("built", subject, Optional.of(D), "ci", Instant.parse("2026-12-01T10:00:00Z"),
                Json.object().put("note", subject));
    }

    /** The remote's history, as the git CLI reads it: one subject per event. */
    private List<String> remoteSubjects() throws Exception {
        if (Git.run(tmp, "--git-dir", remote.toString(), "for-each-ref", "refs/heads/main").isBlank()) {
            return List.of();
        }
        String out = Git.run(tmp, "--git-dir", remote.toString(), "log", "--format=%s", "main").trim();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    private void assertNoPassword(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
        }
    }

    @Test
    void aPushAnswered503IsAClearErrorNothingIsRecordedAndTheNextRunRecordsItOnce() throws Exception {
        try (GitLedger l = client()) {
            l.append(draft("svc@1.0.0"));
        }
        proxy.inject(Fault.status("POST", "git-receive-pack", 1_000, 503, "1"));
        try (GitLedger l = client()) {
            assertThatThrownBy(() -> l.append(draft("svc@1.0.1"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("ledger").satisfies(this::assertNoPassword);
        }
        assertThat(remoteSubjects()).hasSize(1);
        proxy.clear();
        try (GitLedger l = client()) {
            l.append(draft("svc@1.0.1"));
            assertThat(l.events("svc@1.0.1")).hasSize(1);
        }
        assertThat(remoteSubjects()).hasSize(2);
        Git.run(tmp, "--git-dir", remote.toString(), "fsck", "--strict");
    }

    @Test
    void theLedgerIsNeverNamedWithItsPassword() throws Exception {
        try (GitLedger l = client()) {
            assertThat(l.location()).isEqualTo(proxy.origin().replace("://", "://" + USER + "@") + "/ledger.git");
        }
    }

    @Test
    void a429OnTheRefsIsAClearErrorAndNothingIsRecorded() throws Exception {
        proxy.inject(Fault.status("GET", "info/refs", 1_000, 429, "5"));
        try (GitLedger l = client()) {
            assertThatThrownBy(() -> l.append(draft("svc@1.0.0"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("ledger").satisfies(this::assertNoPassword);
        }
        assertThat(remoteSubjects()).isEmpty();
    }

    @Test
    void aRemoteThatAnswersPastTheTimeoutIsAClearErrorAndNothingIsRecorded() throws Exception {
        try (GitLedger l = client()) {
            l.append(draft("svc@1.0.0"));
        }
        proxy.inject(Fault.delay("*", "/ledger.git/", 1_000, 4_000));
        long t0 = System.nanoTime();
        try (GitLedger l = client().transportTimeout(1)) {
            assertThatThrownBy(() -> l.append(draft("svc@1.0.1"))).isInstanceOf(InputException.class)
                    .hasMessageContaining("ledger").satisfies(this::assertNoPassword);
        }
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).as("the timeout, not the answer, ends it")
                .isLessThan(java.time.Duration.ofSeconds(30));
        proxy.clear();
        Thread.sleep(4_500); // the held answers drain
        assertThat(remoteSubjects()).hasSize(1);
        try (GitLedger l = client()) {
            l.append(draft("svc@1.0.1"));
        }
        assertThat(remoteSubjects()).hasSize(2);
    }

    @Test
    void aPushTheRemoteTookWhoseAnswerWasLostIsRecordedOnceNotTwice() throws Exception {
        try (GitLedger l = client()) {
            l.append(draft("svc@1.0.0"));
        }
        proxy.inject(Fault.acceptThenDrop("POST", "git-receive-pack", 1));
        String id;
        try (GitLedger l = client()) {
            id = l.append(draft("svc@1.0.1")).id();
        }
        assertThat(proxy.applied(FaultProxy.Kind.ACCEPT_THEN_DROP)).isEqualTo(1);
        assertThat(remoteSubjects()).hasSize(2);
        assertThat(Git.run(tmp, "--git-dir", remote.toString(), "rev-parse", "main").trim()).isEqualTo(id);
        try (GitLedger l = client()) {
            assertThat(l.events("svc@1.0.1")).extracting(Event::id).containsExactly(id);
        }
    }

    @Test
    void aFetchResetMidwayIsAClearErrorAndTheNextReadSeesTheWholeLedger() throws Exception {
        try (GitLedger l = client()) {
            for (int i = 0; i < 5; i++) {
                l.append(draft("svc@1.0." + i));
            }
        }
        for (FaultProxy.Kind kind : List.of(FaultProxy.Kind.RESET_MID_BODY, FaultProxy.Kind.TRUNCATE)) {
            proxy.clear();
            proxy.inject(kind == FaultProxy.Kind.TRUNCATE ? Fault.truncate("POST", "git-upload-pack", 1_000)
                    : Fault.reset("POST", "git-upload-pack", 1_000));
            try (GitLedger l = client()) {
                assertThatThrownBy(l::events).as(kind.toString()).isInstanceOf(InputException.class)
                        .hasMessageContaining("ledger").satisfies(this::assertNoPassword);
            }
            assertThat(proxy.applied(kind)).isPositive();
        }
        proxy.clear();
        try (GitLedger l = client()) {
            assertThat(l.events()).hasSize(5);
        }
    }

    @Test
    void aRedirectToAnotherHostCarriesNoCredentialsThere() throws Exception {
        try (GitLedger l = client()) {
            l.append(draft("svc@1.0.0"));
        }
        try (FaultProxy other = FaultProxy.start(http.url("").replaceAll("/$", ""))) {
            proxy.inject(Fault.redirect("*", "/ledger.git", 1_000, "http://localhost:" + other.port()));
            try (GitLedger l = client()) {
                try {
                    l.append(draft("svc@1.0.1"));
                } catch (InputException refused) {
                    assertNoPassword(refused);
                }
            }
            assertThat(other.log()).as("requests that reached the other host").noneMatch(r -> r.contains("[authorization]"));
        }
        assertThat(remoteSubjects()).hasSizeLessThanOrEqualTo(2);
    }
}

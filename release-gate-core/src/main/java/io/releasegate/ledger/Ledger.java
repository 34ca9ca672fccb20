package io.releasegate.ledger;

import java.util.List;
import java.util.Optional;

/**
 * The append-only record of facts about artifacts. Each appended event is one commit in a git
 * repository; the history is the audit trail. Appends from concurrent writers serialize by
 * compare-and-swap on the branch; nothing is ever forced or rewritten.
 */
public interface Ledger extends AutoCloseable {

    /** Where the ledger is: a local path or a git remote URL. */
    String location();

    /**
     * Appends one event and returns it with its id (the commit). Retries on a concurrently moved
     * head; throws a {@link io.releasegate.error.RefusedException} with rule
     * {@code ledger.append-only} when the history no longer descends from the head last seen here.
     */
    Event append(Event draft);

    /**
     * Appends only if the ledger's head is still {@code expectedHead} (empty: the ledger is still empty),
     * for decisions that depend on everything recorded so far; empty when another event got in first,
     * in which case the caller re-reads and decides again.
     */
    Optional<Event> appendIfHead(Event draft, Optional<String> expectedHead);

    /** Every event, oldest first. */
    List<Event> events();

    /** Events whose subject is {@code name@version}, oldest first. */
    List<Event> events(String subject);

    /** The commit id of the newest event, empty for an empty ledger. */
    Optional<String> head();

    @Override
    void close();
}

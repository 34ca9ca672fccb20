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

    /** Every event, oldest first. */
    List<Event> events();

    /** Events whose subject is {@code name@version}, oldest first. */
    List<Event> events(String subject);

    /** The commit id of the newest event, empty for an empty ledger. */
    Optional<String> head();

    @Override
    void close();
}

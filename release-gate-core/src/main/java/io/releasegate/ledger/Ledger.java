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

    /** One event and whether it is believed. */
    record Entry(Event event, Verification verification) {
    }

    /**
     * Every event, oldest first; refused ({@link io.releasegate.error.RefusedException}, rule {@code event.*})
     * when any of them is not signed by someone the trust configuration allows to assert it.
     */
    List<Event> events();

    /**
     * Events whose subject is {@code name@version}, oldest first; refused when any of them is not signed by
     * someone allowed to assert it.
     */
    List<Event> events(String subject);

    /** Every event with its {@link Verification}, oldest first, believed or not: for inspection and audit. */
    List<Entry> entries();

    /** One published checkpoint of the ledger's head and what checking it against the ledger found. */
    record CheckpointStatus(long size, String head, String where, Optional<String> problem) {
    }

    /**
     * Every checkpoint published for this ledger, smallest first, each checked: signed by the CI identity, and its
     * head is the ledger's event of that number. Empty when checkpoints are not published anywhere.
     */
    default List<CheckpointStatus> checkpoints() {
        return List.of();
    }

    /**
     * Writes the history up to the event {@code tip} as a git bundle (v2, ref {@code refs/heads/main}), which
     * {@code git bundle verify} and {@code git clone} read with no tool of ours.
     */
    default void bundle(String tip, java.io.OutputStream out) {
        throw new io.releasegate.error.InputException("ledger " + location() + " cannot be exported as a git bundle");
    }

    /** Whose signatures this ledger believes. */
    LedgerTrust trust();

    /** The commit id of the newest event, empty for an empty ledger. */
    Optional<String> head();

    @Override
    void close();
}

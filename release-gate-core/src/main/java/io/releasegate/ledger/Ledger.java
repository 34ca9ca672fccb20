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

    /**
     * Appends unless an event about one of {@code subjects} was recorded after {@code seenHead} (empty: since the
     * ledger was empty), for decisions that rest on those subjects' events only: a head moved by events about other
     * subjects does not change the decision, so the append is retried on the new head as {@link #append} retries; empty
     * when an event about one of the subjects got in first, in which case the caller re-reads and decides again. The
     * default is the stricter {@link #appendIfHead}.
     */
    default Optional<Event> appendUnlessChanged(Event draft, Optional<String> seenHead, java.util.Set<String> subjects) {
        return appendIfHead(draft, seenHead);
    }

    /** The head and, as of that head, the events about each of a few subjects, oldest first. */
    record Snapshot(Optional<String> head, java.util.Map<String, List<Event>> events) {
        public Snapshot {
            events = java.util.Map.copyOf(events);
        }

        /** The events about {@code subject}, which must be one of those read. */
        public List<Event> about(String subject) {
            List<Event> e = events.get(subject);
            if (e == null) {
                throw new IllegalArgumentException(subject + " was not read");
            }
            return e;
        }
    }

    /**
     * One read for a decision: the head and the events about each of {@code subjects} as of that head, refused as
     * {@link #events(String)} refuses. The default reads the head first, so that the events are at least as new.
     */
    default Snapshot snapshot(java.util.Set<String> subjects) {
        Optional<String> head = head();
        java.util.Map<String, List<Event>> events = new java.util.HashMap<>();
        for (String s : subjects) {
            events.put(s, events(s));
        }
        return new Snapshot(head, events);
    }

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

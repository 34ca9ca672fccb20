package io.releasegate.testing;

import io.releasegate.error.InputException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import java.util.List;
import java.util.Optional;

/**
 * Fault injection around a real ledger: reads work, every append fails as a killed process or lost network would (after
 * {@code allowed} appends that go through, with {@link #after}).
 */
public final class FailingLedger implements Ledger {

    private final Ledger delegate;
    private int allowed;

    public FailingLedger(Ledger delegate) {
        this(delegate, 0);
    }

    private FailingLedger(Ledger delegate, int allowed) {
        this.delegate = delegate;
        this.allowed = allowed;
    }

    /** A ledger whose first {@code appends} appends go through and every later one fails. */
    public static FailingLedger after(Ledger delegate, int appends) {
        return new FailingLedger(delegate, appends);
    }

    private void spend() {
        if (allowed-- <= 0) {
            throw new InputException("ledger unreachable (injected)");
        }
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public Event append(Event draft) {
        spend();
        return delegate.append(draft);
    }

    @Override
    public Optional<Event> appendIfHead(Event draft, Optional<String> expectedHead) {
        spend();
        return delegate.appendIfHead(draft, expectedHead);
    }

    @Override
    public Optional<Event> appendUnlessChanged(Event draft, Optional<String> seenHead, java.util.Set<String> subjects) {
        spend();
        return delegate.appendUnlessChanged(draft, seenHead, subjects);
    }

    @Override
    public Snapshot snapshot(java.util.Set<String> subjects) {
        return delegate.snapshot(subjects);
    }

    @Override
    public List<Event> events() {
        return delegate.events();
    }

    @Override
    public List<Event> events(String subject) {
        return delegate.events(subject);
    }

    @Override
    public List<Entry> entries() {
        return delegate.entries();
    }

    @Override
    public io.releasegate.ledger.LedgerTrust trust() {
        return delegate.trust();
    }

    @Override
    public Optional<String> head() {
        return delegate.head();
    }

    @Override
    public void close() {
        // the delegate belongs to the caller
    }
}

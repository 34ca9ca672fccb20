package io.releasegate.testing;

import io.releasegate.error.InputException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import java.util.List;
import java.util.Optional;

/** Fault injection around a real ledger: reads work, every append fails as a killed process or lost network would. */
public final class FailingLedger implements Ledger {

    private final Ledger delegate;

    public FailingLedger(Ledger delegate) {
        this.delegate = delegate;
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public Event append(Event draft) {
        throw new InputException("ledger unreachable (injected)");
    }

    @Override
    public Optional<Event> appendIfHead(Event draft, Optional<String> expectedHead) {
        throw new InputException("ledger unreachable (injected)");
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

package io.releasegate.testing;

import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import java.nio.file.Path;

/** Real git ledgers for tests. */
public final class TestLedgers {

    private TestLedgers() {
    }

    /** The embedded ledger of a state directory, as the CLI opens it by default. */
    public static Ledger embedded(Path stateDir) {
        return GitLedger.open("", stateDir);
    }
}

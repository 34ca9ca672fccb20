package io.releasegate.ledger;

import io.releasegate.json.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A second writer in its own JVM: {@code LedgerWriterMain LEDGER STATE_DIR COUNT PREFIX} waits for a line
 * on standard input, then appends COUNT events whose payload notes are PREFIX-1 .. PREFIX-COUNT and prints
 * each event id. Exit 0 when all were appended.
 */
public final class LedgerWriterMain {

    private LedgerWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        String ledger = args[0];
        Path state = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        String prefix = args[3];
        try (GitLedger l = GitLedger.open(ledger, state)) {
            l.head(); // open and check before the start signal, so that the appends overlap the other writers
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            for (int i = 1; i <= count; i++) {
                Event e = l.append(Event.draft("built", "svc@2.0.0", Optional.empty(), prefix,
                        Instant.parse("2026-11-02T10:15:30Z").plusSeconds(i), Json.object().put("note", prefix + "-" + i)));
                System.out.println(e.id());
            }
        }
    }
}

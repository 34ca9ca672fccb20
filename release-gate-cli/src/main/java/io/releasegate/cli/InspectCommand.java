package io.releasegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.ledger.Verification;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.record.ReleaseRecords;
import io.releasegate.store.OciNames;
import io.releasegate.store.StoredManifest;
import io.releasegate.version.SemVer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", header = "Show what the store and the ledger know about a release, and who signed each event.",
        description = {"Show what the store and the ledger know about NAME:VERSION: the stored manifest, the ledger",
                "events with who signed each, and the release record projected from the believed ones. Exit 1 on a",
                "store/ledger disagreement or an event not signed by whoever may assert it."})
final class InspectCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME:VERSION", description = "The release, as name:version or name@version.")
    String reference;

    @Option(names = "--json", description = "Print the result as JSON (the release record under \"record\").")
    boolean json;

    @Mixin
    CommonOptions common;

    @Mixin
    HelpOption help;

    private CliOutput output;

    @Override
    public CliOutput output() {
        return output;
    }

    /** Splits name:version / name@version. */
    static String[] parse(String ref) {
        int at = ref.lastIndexOf('@');
        int colon = ref.lastIndexOf(':');
        int split = Math.max(at, colon);
        if (split <= 0 || split == ref.length() - 1) {
            throw new InputException("expected NAME:VERSION or NAME@VERSION, got '" + ref + "'");
        }
        String name = OciNames.repository(ref.substring(0, split));
        String version = SemVer.parse(ref.substring(split + 1)).toString();
        return new String[] {name, version};
    }

    @Override
    public Integer call() {
        output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        String[] nv = parse(reference);
        String name = nv[0];
        String version = nv[1];
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            Optional<StoredManifest> manifest = ctx.store().fetchManifest(name, OciNames.tagForVersion(version));
            // every event is listed with its verification; only believed ones count for the record
            List<Ledger.Entry> entries = ctx.ledger().entries();
            List<Event> all = entries.stream().filter(en -> en.verification() instanceof Verification.Verified)
                    .map(Ledger.Entry::event).toList();
            List<Ledger.Entry> mineEntries = entries.stream()
                    .filter(en -> en.event().subject().equals(name + "@" + version)).toList();
            List<Event> mine = mineEntries.stream().map(Ledger.Entry::event).toList();
            long unbelieved = mineEntries.stream().filter(en -> en.verification() instanceof Verification.Rejected).count();
            if (manifest.isEmpty() && mine.isEmpty()) {
                throw new InputException("nothing is known about " + name + "@" + version + ": no tag in store "
                        + ctx.store().location() + " and no events in ledger " + ctx.ledger().location());
            }
            Optional<ReleaseRecord> record = ReleaseRecordProjection.project(name, version, all,
                    ctx.ledger().location(), ctx.ledger().head());
            Optional<String> disagreement = Optional.empty();
            if (manifest.isPresent() && record.isPresent()
                    && !manifest.get().digest().toString().equals(record.get().artifact().digest())) {
                disagreement = Optional.of("store tag names " + manifest.get().digest() + " but the ledger recorded "
                        + record.get().artifact().digest());
            } else if (manifest.isEmpty() && record.isPresent()) {
                disagreement = Optional.of("the ledger recorded a build but store " + ctx.store().location()
                        + " has no tag " + name + ":" + version);
            } else if (manifest.isPresent() && record.isEmpty()) {
                disagreement = Optional.of("the store has the tag but the ledger holds no 'built' event; run the same "
                        + "build-once again to record it");
            }
            ObjectNode doc = Json.object();
            doc.put("name", name);
            doc.put("version", version);
            ObjectNode store = doc.putObject("store");
            store.put("location", ctx.store().location());
            store.put("present", manifest.isPresent());
            if (manifest.isPresent()) {
                JsonNode m = Json.mapper().readTree(manifest.get().bytes());
                store.put("digest", manifest.get().digest().toString());
                store.put("mediaType", manifest.get().mediaType());
                store.set("manifest", m);
            }
            ObjectNode ledger = doc.putObject("ledger");
            ledger.put("location", ctx.ledger().location());
            ArrayNode events = ledger.putArray("events");
            for (Ledger.Entry en : mineEntries) {
                Event e = en.event();
                ObjectNode n = events.addObject().put("id", e.id()).put("type", e.type()).put("actor", e.actor())
                        .put("time", e.time().toString());
                e.digest().ifPresent(d -> n.put("digest", d.toString()));
                n.set("payload", e.payload());
                verification(n.putObject("verification"), en.verification());
            }
            ledger.put("unbelieved", unbelieved);
            disagreement.ifPresent(d -> doc.put("disagreement", d));
            ReleaseRecords records = new ReleaseRecords();
            if (record.isPresent()) {
                doc.set("record", Json.mapper().readTree(records.write(record.get()))); // validated against the schema
            }
            if (json) {
                output.document(doc);
            } else {
                PrintWriter out = output.out();
                out.println(name + "@" + version);
                out.println("  store   " + ctx.store().location() + ": "
                        + manifest.map(m -> "tag " + OciNames.tagForVersion(version) + " -> " + m.digest()).orElse("no tag"));
                out.println("  ledger  " + ctx.ledger().location() + ": " + mine.size() + " event(s)");
                for (Ledger.Entry en : mineEntries) {
                    Event e = en.event();
                    out.println("    " + e.time() + "  " + e.type() + " by " + e.actor()
                            + e.digest().map(d -> "  " + d.shortForm()).orElse("") + "  (" + e.id().substring(0, 12) + ")  "
                            + describe(en.verification()));
                }
                if (unbelieved > 0) {
                    out.println("  WARNING: " + unbelieved + " event(s) are not signed by whoever may assert them; they do "
                            + "not count, and a release whose history holds them is refused");
                }
                disagreement.ifPresent(d -> out.println("  WARNING: store and ledger disagree: " + d));
                record.ifPresent(r -> {
                    out.println("  release record:");
                    out.print(records.write(r).indent(4));
                });
                out.flush();
            }
            return disagreement.isPresent() || unbelieved > 0 ? 1 : 0;
        } catch (java.io.IOException e) {
            throw new InputException("stored manifest is not JSON: " + e.getMessage(), e);
        }
    }

    /** A verification as JSON fields: believed, and who signed (signer, key, attested) or why not (rule, reason). */
    static ObjectNode verification(ObjectNode n, Verification v) {
        if (v instanceof Verification.Verified ok) {
            return n.put("believed", true).put("signer", ok.principal()).put("key", ok.key()).put("attested", ok.attested());
        }
        Verification.Rejected no = (Verification.Rejected) v;
        return n.put("believed", false).put("rule", no.rule()).put("reason", no.reason());
    }

    static String describe(Verification v) {
        if (v instanceof Verification.Verified ok) {
            return (ok.attested() ? "attested by " : "signed by ") + ok.principal();
        }
        Verification.Rejected no = (Verification.Rejected) v;
        return "NOT BELIEVED (" + no.rule() + "): " + no.reason();
    }
}

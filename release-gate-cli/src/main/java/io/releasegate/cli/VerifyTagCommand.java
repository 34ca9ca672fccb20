package io.releasegate.cli;

import io.releasegate.commits.History;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.signing.SignatureCheckFailed;
import io.releasegate.signing.TagVerifier;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify-tag", header = "Verify the signature of an annotated tag (OpenPGP or SSH).", description = {"Verify the signature of an annotated tag: OpenPGP (ours or git tag -s) against a",
        "keyring, SSH (gpg.format=ssh) against an allowed-signers file whose principal must be the tagger;",
        "with --release, record the outcome. Exit 1 when unsigned, unknown signer, or not matching."})
final class VerifyTagCommand extends RepoCommand {

    @Parameters(index = "0", paramLabel = "TAG", description = "e.g. v1.4.0")
    String tag;

    @Option(names = "--keyring", paramLabel = "FILE", description = "Armored public keys (gpg --armor --export), for OpenPGP-signed tags.")
    Path keyring;

    @Option(names = "--allowed-signers", paramLabel = "FILE",
            description = "OpenSSH allowed-signers file (as gpg.ssh.allowedSignersFile), for SSH-signed tags.")
    Path allowedSigners;

    @Option(names = "--release", paramLabel = "NAME@VERSION", description = "Record the verification for this release.")
    String release;

    @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}")
    String actor;

    @Mixin
    CommonOptions common;

    @Override
    int run(History history, CliOutput out) {
        TagVerifier verifier = TagVerifier.of(Optional.ofNullable(keyring), Optional.ofNullable(allowedSigners));
        Optional<TagVerifier.Verified> ok;
        String reason = "";
        try {
            ok = Optional.of(verifier.verify(history.repository(), tag));
        } catch (SignatureCheckFailed e) {
            ok = Optional.empty();
            reason = e.getMessage();
        }
        if (release != null) {
            String[] nv = InspectCommand.parse(release);
            try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
                Optional<Event> built = ctx.ledger().events(nv[0] + "@" + nv[1]).stream().filter(e -> e.type().equals("built")).findFirst();
                var p = Json.object().put("target", "tag " + tag);
                ok.ifPresent(v -> p.put("identity", v.signer()));
                if (ok.isEmpty()) {
                    p.put("reason", reason);
                }
                ctx.ledger().append(Event.draft(ok.isPresent() ? "signature-verified" : "signature-failed", nv[0] + "@" + nv[1],
                        built.flatMap(Event::digest), actor, Clock.systemUTC().instant(), p));
            }
        }
        if (ok.isEmpty()) {
            throw new RefusedException(new Refusal(reason.substring(0, reason.indexOf(':')), reason.substring(reason.indexOf(':') + 2),
                    "release tags are created and signed by CI with a key in the keyring or the allowed-signers file"));
        }
        if (out.json()) {
            out.document(Json.object().put("verified", true).put("tag", tag).put("object", ok.get().object())
                    .put("signer", ok.get().signer()));
        } else {
            out.out().println("verified " + tag + " -> " + ok.get().object() + ", signed by " + ok.get().signer());
            out.out().flush();
        }
        return 0;
    }
}

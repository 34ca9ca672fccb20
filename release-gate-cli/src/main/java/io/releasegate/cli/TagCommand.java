package io.releasegate.cli;

import io.releasegate.commits.History;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.signing.OpenPgpSigner;
import io.releasegate.tag.TagRelease;
import io.releasegate.version.NextVersion;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tag", header = "Create the signed, annotated release tag vX.Y.Z on the commit recorded as built.", description = {"Create the signed, annotated release tag vX.Y.Z on the commit recorded as built,",
        "push it, and record a 'tagged' event. Refused (exit 1) if the tag exists here or on the remote, if the commit",
        "is not the built one, if the version does not follow from the history, or if nothing was built."})
final class TagCommand extends RepoCommand {

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Artifact name.")
    String name;

    @Option(names = "--version", required = true, paramLabel = "X.Y.Z", description = "The release version.")
    String version;

    @Option(names = "--signing-key", required = true, paramLabel = "KEY.asc",
            description = "Armored OpenPGP secret key (gpg --armor --export-secret-keys).")
    Path signingKey;

    @Option(names = "--passphrase-env", paramLabel = "VAR", defaultValue = "RELEASE_GATE_SIGNING_PASSPHRASE",
            description = "Environment variable holding the key's passphrase. Default: ${DEFAULT-VALUE} (empty when unset).")
    String passphraseEnv;

    @Option(names = "--commit", paramLabel = "SHA", description = "Commit to tag; must be the built one. Default: the built commit.")
    String commit;

    @Option(names = "--branch", paramLabel = "NAME", description = "Branch being released (for hotfix versions).")
    String branch;

    @Option(names = "--scheme", defaultValue = "semver", paramLabel = "semver|calver", description = "Versioning scheme.")
    String scheme;

    @Option(names = "--remote", paramLabel = "REMOTE", description = "Push the tag to this remote (name or URL).")
    String remote;

    @Option(names = "--actor", paramLabel = "ID", defaultValue = "${env:RELEASE_GATE_ACTOR:-${sys:user.name}}",
            description = "Who tags (the tagger). Default: $RELEASE_GATE_ACTOR, else the OS user.")
    String actor;

    @Option(names = "--actor-email", paramLabel = "EMAIL", description = "Tagger e-mail. Default: ACTOR@release-gate.")
    String actorEmail;

    @Mixin
    CommonOptions common;

    @Override
    int run(History history, CliOutput out) {
        String pass = System.getenv(passphraseEnv);
        OpenPgpSigner signer = OpenPgpSigner.fromArmoredSecretKey(signingKey, pass == null ? new char[0] : pass.toCharArray());
        NextVersion.Scheme s = "calver".equalsIgnoreCase(scheme) ? NextVersion.Scheme.CALVER : NextVersion.Scheme.SEMVER;
        if (!"calver".equalsIgnoreCase(scheme) && !"semver".equalsIgnoreCase(scheme)) {
            throw new InputException("--scheme must be semver or calver, not " + scheme);
        }
        try (ReleaseContext ctx = ReleaseContext.open(common.options())) {
            TagRelease.Result r = new TagRelease(history, ctx.ledger()).name(name).version(version)
                    .commit(Optional.ofNullable(commit)).branch(Optional.ofNullable(branch)).scheme(s).signer(signer)
                    .actor(actor, actorEmail != null ? actorEmail : actor.replaceAll("[^A-Za-z0-9._-]", "_") + "@release-gate")
                    .remote(Optional.ofNullable(remote)).call();
            if (out.json()) {
                out.document(Json.tree(r));
            } else {
                out.out().println("tagged " + r.tag() + " on " + r.commit() + " (signed by " + r.signer() + ")"
                        + (r.pushed() ? ", pushed to " + remote : ""));
                out.out().println("  ledger   tagged event " + r.eventId());
                out.out().flush();
            }
            return 0;
        }
    }
}

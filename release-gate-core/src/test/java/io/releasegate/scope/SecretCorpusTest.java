package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.commits.History;
import io.releasegate.testing.Git;
import io.releasegate.testing.SecretCorpus;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recall and false positives on a generated, labelled history (the bench runs the same corpus beside secretlint). */
class SecretCorpusTest {

    @TempDir
    Path tmp;

    @Test
    void findsThePlantedSecretsOfEveryKindAndNoneOfTheLookAlikes() {
        SecretCorpus.Corpus corpus = SecretCorpus.generate(tmp.resolve("corpus"), 5_000, 220, 300, 20261207L);
        assertThat(Git.run(corpus.dir(), "rev-list", "--count", "main").trim()).isEqualTo("5000");
        Set<String> kinds = corpus.planted().stream().map(SecretCorpus.Planted::kind).collect(Collectors.toSet());
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(20);
        assertThat(corpus.planted().stream().filter(SecretCorpus.Planted::removedLater)).hasSizeGreaterThanOrEqualTo(40);

        SecretScan.Result r;
        try (History h = History.open(corpus.dir())) {
            r = new SecretScan(h.repository()).range(ReleaseRange.resolve(h, Optional.of("main"))).call();
        }
        assertThat(r.commits()).isEqualTo(5_000);
        Set<String> expected = corpus.planted().stream().map(p -> p.path() + ":" + p.fingerprint()).collect(Collectors.toSet());
        Set<String> found = new HashSet<>();
        List<SecretScan.SecretFinding> falsePositives = new java.util.ArrayList<>();
        for (SecretScan.SecretFinding f : r.findings()) {
            if (expected.contains(f.path() + ":" + f.fingerprint())) {
                found.add(f.path() + ":" + f.fingerprint());
            } else {
                falsePositives.add(f);
            }
        }
        List<String> missed = corpus.planted().stream().filter(p -> !found.contains(p.path() + ":" + p.fingerprint()))
                .map(p -> p.kind() + " in " + p.path()).toList();
        assertThat(missed).as("missed").isEmpty();
        assertThat(falsePositives).as("false positives").isEmpty();
        String output = r.toString();
        corpus.planted().forEach(p -> assertThat(output).doesNotContain(p.value().substring(0, Math.min(p.value().length(), 20))));
    }
}

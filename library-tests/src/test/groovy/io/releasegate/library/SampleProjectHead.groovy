package io.releasegate.library

import java.nio.file.Path

/** HEAD of a repository, read with the git CLI (independently of JGit). */
class SampleProjectHead {
    static String of(Path repo) {
        def p = new ProcessBuilder('git', 'rev-parse', 'HEAD').directory(repo.toFile()).start()
        def out = p.inputStream.text.trim()
        assert p.waitFor() == 0
        out
    }
}

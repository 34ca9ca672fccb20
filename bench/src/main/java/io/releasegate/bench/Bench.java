package io.releasegate.bench;

/** Entry point of the benchmark commands; see bench/README.md. */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        System.err.println("usage: java -jar release-gate-bench.jar <benchmark> [args]");
        System.exit(2);
    }
}

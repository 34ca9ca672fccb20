package io.releasegate.golden

/** The team's deploy and smoke commands for an environment, given the digest that goes there. */
class Deployments implements Serializable {

    private final def steps
    private final GoldenConfig config

    Deployments(def steps, GoldenConfig config) {
        this.steps = steps
        this.config = config
    }

    void deploy(String environment, String digest) {
        run(config.commandFor('deploy', environment), environment, digest)
    }

    /** The smoke check of dev or staging (production's is run and recorded by verify-production). */
    void smoke(String environment, String digest) {
        if (environment != 'production') {
            run(config.commandFor('smoke', environment), environment, digest)
        }
    }

    private void run(String command, String environment, String digest) {
        if (command) {
            steps.withEnv(["RELEASE_DIGEST=${digest}", "RELEASE_ENVIRONMENT=${environment}"]) { steps.sh command }
        }
    }
}

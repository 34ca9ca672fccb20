import io.releasegate.golden.GoldenConfig

/**
 * The golden pipeline. In a Jenkinsfile:
 *
 *   @Library('golden@v1.4.0') _
 *   goldenPipeline(name: 'payments', version: '1.4.0', build: 'mvn -B package', artifacts: 'target/*.jar')
 *
 * See goldenPipeline.txt for every option.
 */
def call(Map cfg = [:]) {
    def config = new GoldenConfig(cfg)
    def result = [:]
    node {
        stage('lint') {
            if (config.has('lint')) {
                sh config.get('lint')
            } else {
                echo 'lint: no lint command configured'
            }
        }
        stage('unit-test') {
            if (config.has('unitTest')) {
                sh config.get('unitTest')
            } else {
                echo 'unit-test: no unit test command configured'
            }
        }
        stage('build') {
            sh config.get('build')
            result = buildOnce(config.buildOnceArgs())
            echo "build: ${result.reference} is ${result.digest} (${result.outcome})"
        }
    }
    return result
}

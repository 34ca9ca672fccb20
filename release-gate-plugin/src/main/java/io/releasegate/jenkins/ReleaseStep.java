package io.releasegate.jenkins;

import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * What every Release Gate step shares: where the evidence lives, and the credentials of a registry store. Empty means the controller's default
 * (Manage Jenkins » System » Release Gate), and when that is empty too, the embedded store and ledger
 * under the workspace's {@code .release-gate/}.
 */
public abstract class ReleaseStep extends Step {

    private String store = "";
    private String ledger = "";
    private String storeCredentials = "";

    static String clean(String value) {
        return value == null ? "" : value.trim();
    }

    /** A core call of {@code command} for this step: its store, ledger and store credentials, else the controller's. */
    CoreRun core(StepContext context, Command command) {
        return new CoreRun(context, command).locations(store, ledger).storeCredentials(storeCredentials);
    }

    public String getStore() {
        return store;
    }

    @DataBoundSetter
    public void setStore(String store) {
        this.store = clean(store);
    }

    public String getLedger() {
        return ledger;
    }

    @DataBoundSetter
    public void setLedger(String ledger) {
        this.ledger = clean(ledger);
    }

    public String getStoreCredentials() {
        return storeCredentials;
    }

    /** Username/password credentials id for a registry store; empty: the controller's default store credentials. */
    @DataBoundSetter
    public void setStoreCredentials(String storeCredentials) {
        this.storeCredentials = clean(storeCredentials);
    }
}

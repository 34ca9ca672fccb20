package io.releasegate.jenkins;

import java.io.Serializable;

/** Registry username and password for one remoting call; never persisted, never printed. */
record RegistryLogin(String username, String password) implements Serializable {

    @Override
    public String toString() {
        return "RegistryLogin[username=" + username + ", password=****]";
    }
}

package io.releasegate.store;

import java.util.Objects;

/** A registry user and password or token. The secret never appears in {@link #toString()}. */
public record RegistryCredentials(String username, String secret) {

    public RegistryCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + ", secret=****]";
    }
}

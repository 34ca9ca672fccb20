package io.releasegate.jenkins;

/**
 * An armored OpenPGP secret key and its passphrase (empty: an unprotected key), from the Credentials plugin, held for
 * one call and never printed.
 */
record ArmoredKey(byte[] armored, char[] passphrase) {

    @Override
    public String toString() {
        return "ArmoredKey[****]";
    }
}

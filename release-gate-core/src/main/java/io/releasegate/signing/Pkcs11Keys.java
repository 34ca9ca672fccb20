package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.security.auth.login.LoginException;

/**
 * A signing key that stays in a PKCS#11 token (an HSM, a smart card, SoftHSM2), used through the JDK's SunPKCS11
 * provider: the token is found by its label (or slot id), the session is logged in with the PIN from
 * {@link KeySecrets}, and the private key labelled {@code object} signs inside the token.
 *
 * <p>SunPKCS11's key store lists a private key only together with a certificate of the same {@code CKA_ID} on the token;
 * the certificate also gives the public key (its fingerprint, the weak-key rule, the signature scheme). Finding a token
 * by label needs the JDK's PKCS#11 wrapper ({@code --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED},
 * which the {@code release-gate} command and its jar's manifest give); with {@code slot-id=} it is not needed.
 */
public final class Pkcs11Keys {

    private static final String WRAPPER = "sun.security.pkcs11.wrapper.";
    private static final long CKF_OS_LOCKING_OK = 0x2L;

    private Pkcs11Keys() {
    }

    /** Opens the key; every failure (module, token, PIN, key) is an input error that names it and never the PIN. */
    public static KeySigner open(Pkcs11Uri uri, KeySecrets secrets) {
        String module = uri.modulePath().or(secrets::module).orElseThrow(() -> new InputException(
                "no PKCS#11 module for " + uri.describe() + ": give module-path= in the URI or $" + KeySecrets.MODULE_ENV));
        if (!Files.isRegularFile(Path.of(module))) {
            throw new InputException("PKCS#11 module not found: " + module);
        }
        char[] pin = secrets.pin().orElseThrow(() -> new InputException("the token's PIN for " + uri.describe() + ": give it in $"
                + KeySecrets.PIN_ENV + " or a file (--pin-file FILE); never in the URI or as an argument"));
        try {
            long slot = uri.slotId().isPresent() ? uri.slotId().get() : slot(module, uri);
            Provider provider;
            try {
                provider = Security.getProvider("SunPKCS11").configure("--name=ReleaseGate\nlibrary = \"" + module + "\"\nslot = "
                        + slot + "\n");
            } catch (ProviderException | IllegalArgumentException e) {
                throw new InputException("cannot open slot " + slot + " of PKCS#11 module " + module + ": " + root(e), e);
            }
            try {
                // a token stays logged in for the whole process: log out first, so that this PIN is the one checked
                ((AuthProvider) provider).logout();
            } catch (LoginException ignored) {
                // not logged in
            }
            KeyStore ks;
            try {
                ks = KeyStore.getInstance("PKCS11", provider);
                ks.load(null, pin);
            } catch (IOException e) {
                throw new InputException("the token " + uri.describe() + " refused the login: " + root(e)
                        + " (a wrong PIN, or a locked token)", e);
            } catch (GeneralSecurityException | ProviderException e) {
                throw new InputException("cannot open the token " + uri.describe() + ": " + root(e), e);
            }
            Key key;
            Certificate cert;
            try {
                key = ks.getKey(uri.object(), null);
                cert = ks.getCertificate(uri.object());
            } catch (GeneralSecurityException e) {
                throw new InputException("cannot read the key " + uri.describe() + ": " + root(e), e);
            }
            if (!(key instanceof PrivateKey privateKey) || cert == null) {
                List<String> aliases;
                try {
                    aliases = new ArrayList<>(Collections.list(ks.aliases()));
                } catch (GeneralSecurityException e) {
                    aliases = List.of();
                }
                throw new InputException("the token has no private key labelled '" + uri.object() + "' with a certificate of the "
                        + "same CKA_ID (" + uri.describe() + "; keys with certificates on the token: " + aliases + ")");
            }
            PublicKey publicKey = cert.getPublicKey();
            KeyFiles.requireStrong(publicKey, "the token's key " + uri.describe());
            return new KeySigner(privateKey, Optional.of(publicKey), Optional.of(provider), SignatureScheme.forKey(publicKey));
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    /** The slot holding the URI's token, found with the JDK's PKCS#11 wrapper by label (and serial, manufacturer, model). */
    private static long slot(String module, Pkcs11Uri uri) {
        try {
            Class<?> p11 = Class.forName(WRAPPER + "PKCS11");
            Class<?> initArgs = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
            Object init = initArgs.getConstructor().newInstance();
            initArgs.getField("flags").setLong(init, CKF_OS_LOCKING_OK);
            Object lib = p11.getMethod("getInstance", String.class, String.class, initArgs, boolean.class)
                    .invoke(null, module, "C_GetFunctionList", init, false);
            long[] slots = (long[]) p11.getMethod("C_GetSlotList", boolean.class).invoke(lib, true);
            List<String> seen = new ArrayList<>();
            for (long s : slots) {
                Object info = p11.getMethod("C_GetTokenInfo", long.class).invoke(lib, s);
                String label = text(info, "label");
                seen.add(label);
                if (uri.token().map(label::equals).orElse(true) && uri.serial().map(text(info, "serialNumber")::equals).orElse(true)
                        && uri.manufacturer().map(text(info, "manufacturerID")::equals).orElse(true)
                        && uri.model().map(text(info, "model")::equals).orElse(true)) {
                    return s;
                }
            }
            throw new InputException("no token " + uri.describe() + " in PKCS#11 module " + module + " (tokens present: " + seen
                    + "): was it removed, or is its label different?");
        } catch (InvocationTargetException e) {
            throw new InputException("the PKCS#11 module " + module + " failed: " + root(e.getCause()), e.getCause());
        } catch (RuntimeException | ReflectiveOperationException e) {
            if (e instanceof InputException ie) {
                throw ie;
            }
            throw new InputException("cannot look a token up by its label in this JVM (" + e.getClass().getSimpleName() + "): run Java "
                    + "with --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED (the release-gate command does), "
                    + "or name the slot in the URI with slot-id=N", e);
        }
    }

    private static String text(Object info, String field) throws ReflectiveOperationException {
        return new String((char[]) info.getClass().getField(field).get(info)).stripTrailing();
    }

    private static String root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}

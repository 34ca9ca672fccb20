package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A PKCS#11 URI (RFC 7512) naming a private key in a token: {@code pkcs11:token=LABEL;object=LABEL[;slot-id=N]
 * [;serial=…][;manufacturer=…][;model=…][;type=private][?module-path=/path/to/module.so]}. Values are
 * percent-decoded (UTF-8). The PIN never travels in the URI: {@code pin-value} and {@code pin-source} are refused
 * (the PIN comes from {@link KeySecrets}); error messages never repeat the URI, which may hold one.
 */
public record Pkcs11Uri(Optional<String> token, String object, Optional<Long> slotId, Optional<String> serial,
                        Optional<String> manufacturer, Optional<String> model, Optional<String> modulePath) {

    private static final String SCHEME = "pkcs11:";
    private static final Set<String> PATH = Set.of("token", "object", "slot-id", "serial", "manufacturer", "model", "type", "id",
            "library-manufacturer", "library-description", "library-version", "slot-description", "slot-manufacturer");
    private static final Set<String> QUERY = Set.of("module-path", "module-name", "pin-source", "pin-value");

    /** Whether {@code reference} is a PKCS#11 URI rather than a file. */
    public static boolean is(String reference) {
        return reference.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    public static Pkcs11Uri parse(String uri) {
        if (!is(uri)) {
            throw new InputException("not a PKCS#11 URI (pkcs11:token=…;object=…)");
        }
        String rest = uri.substring(SCHEME.length());
        int q = rest.indexOf('?');
        Map<String, String> path = attributes(q < 0 ? rest : rest.substring(0, q), ';', PATH, "path");
        Map<String, String> query = attributes(q < 0 ? "" : rest.substring(q + 1), '&', QUERY, "query");
        if (query.containsKey("module-name")) {
            throw new InputException("the PKCS#11 URI's module-name is not looked up: give the module's file with module-path= or $"
                    + KeySecrets.MODULE_ENV);
        }
        if (path.containsKey("type") && !"private".equals(path.get("type"))) {
            throw new InputException("the PKCS#11 URI names an object of type '" + path.get("type") + "'; signing takes type=private");
        }
        if (path.containsKey("id")) {
            throw new InputException("the PKCS#11 URI's id= is not used to select the key: name it by its label, object=LABEL");
        }
        String object = path.get("object");
        if (object == null || object.isEmpty()) {
            throw new InputException("the PKCS#11 URI names no key: give object=LABEL (the key's CKA_LABEL)");
        }
        Optional<Long> slot = Optional.ofNullable(path.get("slot-id")).map(s -> {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new InputException("the PKCS#11 URI's slot-id is not a number: " + s, e);
            }
        });
        if (!path.containsKey("token") && slot.isEmpty()) {
            throw new InputException("the PKCS#11 URI names no token: give token=LABEL (or slot-id=N)");
        }
        return new Pkcs11Uri(Optional.ofNullable(path.get("token")), object, slot, Optional.ofNullable(path.get("serial")),
                Optional.ofNullable(path.get("manufacturer")), Optional.ofNullable(path.get("model")),
                Optional.ofNullable(query.get("module-path")).or(() -> Optional.ofNullable(path.get("module-path"))));
    }

    /** The URI without secrets, for messages and records. */
    public String describe() {
        StringBuilder sb = new StringBuilder(SCHEME);
        token.ifPresent(t -> sb.append("token=").append(t).append(';'));
        slotId.ifPresent(s -> sb.append("slot-id=").append(s).append(';'));
        return sb.append("object=").append(object).toString();
    }

    private static Map<String, String> attributes(String part, char separator, Set<String> known, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (part.isEmpty()) {
            return out;
        }
        for (String attr : part.split(separator == '&' ? "&" : ";", -1)) {
            if (attr.isEmpty()) {
                continue;
            }
            int eq = attr.indexOf('=');
            if (eq <= 0) {
                throw new InputException("the PKCS#11 URI has a " + where + " attribute without a value (NAME=VALUE)");
            }
            String name = attr.substring(0, eq).toLowerCase(java.util.Locale.ROOT);
            if (name.equals("pin-value") || name.equals("pin-source")) {
                throw new InputException("a PIN in the PKCS#11 URI (pin-value, pin-source) is refused: give it in $" + KeySecrets.PIN_ENV
                        + " or a file (--pin-file FILE)");
            }
            if (!known.contains(name) && !name.startsWith("x-") && !(where.equals("path") && name.equals("module-path"))) {
                throw new InputException("the PKCS#11 URI has an unknown " + where + " attribute '" + name + "'; known: "
                        + new java.util.TreeSet<>(known));
            }
            String value = decode(attr.substring(eq + 1), name);
            if (out.put(name, value) != null) {
                throw new InputException("the PKCS#11 URI repeats the attribute '" + name + "'");
            }
        }
        return out;
    }

    /** Percent-decoding as RFC 3986 defines it (no '+' for space), the bytes read as UTF-8. */
    static String decode(String value, String name) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length() || Character.digit(value.charAt(i + 1), 16) < 0 || Character.digit(value.charAt(i + 2), 16) < 0) {
                    throw new InputException("the PKCS#11 URI's " + name + " has a '%' not followed by two hex digits");
                }
                bytes.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
                i += 2;
            } else if (c > 0x7e || c < 0x21) {
                throw new InputException("the PKCS#11 URI's " + name + " has a character that must be percent-encoded");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new InputException("the PKCS#11 URI's " + name + " is not UTF-8 once percent-decoded", e);
        }
    }
}

package io.releasegate.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reading of the small text manifests (lockfiles, package databases) the catalogers parse, bounded in size. */
final class Manifests {

    /** No lockfile or package database is read beyond this size; larger input is refused with a warning. */
    static final int MAX_BYTES = 64 << 20;

    private Manifests() {
    }

    /** The text of {@code in}, or empty with a warning when it is larger than {@link #MAX_BYTES} or unreadable. */
    static Optional<String> read(String path, InputStream in, List<String> warnings) {
        try {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                warnings.add(path + ": larger than " + MAX_BYTES + " bytes; not cataloged");
                return Optional.empty();
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            warnings.add(path + ": cannot be read (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    /**
     * The document in {@code in} parsed with {@code mapper} (JSON, TOML…), or empty with a warning when it is too large,
     * unreadable or not valid {@code format}.
     */
    static Optional<com.fasterxml.jackson.databind.JsonNode> readTree(String path, InputStream in, List<String> warnings,
                                                                     com.fasterxml.jackson.databind.ObjectMapper mapper, String format) {
        Optional<String> text = read(path, in, warnings);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.readTree(text.get()));
        } catch (IOException e) {
            warnings.add(path + ": not valid " + format + " (" + e.getMessage().lines().findFirst().orElse("") + "); not cataloged");
            return Optional.empty();
        }
    }

    /** Base64 (standard or URL-safe, padded or not) to lower-case hex, or empty when it is not base64. */
    static Optional<String> base64ToHex(String b64) {
        try {
            String s = b64.trim().replace('-', '+').replace('_', '/');
            while (s.length() % 4 != 0) {
                s += "=";
            }
            return Optional.of(HexFormat.of().formatHex(Base64.getDecoder().decode(s)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * RFC 822 style fields (Python core metadata, a dpkg status stanza) up to the first empty line, as lower-cased
     * field name to values in order, continuation lines joined with a newline.
     */
    static Map<String, List<String>> headers(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String field = null;
        StringBuilder value = new StringBuilder();
        for (String line : text.replace("\r\n", "\n").split("\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.startsWith(" ") || line.startsWith("\t")) && field != null) {
                value.append('\n').append(line.strip());
                continue;
            }
            if (field != null) {
                out.computeIfAbsent(field, k -> new ArrayList<>()).add(value.toString().strip());
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                field = null;
                continue;
            }
            field = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            value = new StringBuilder(line.substring(colon + 1).trim());
        }
        if (field != null) {
            out.computeIfAbsent(field, k -> new ArrayList<>()).add(value.toString().strip());
        }
        return out;
    }
}

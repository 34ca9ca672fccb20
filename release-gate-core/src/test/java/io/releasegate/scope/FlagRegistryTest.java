package io.releasegate.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.releasegate.error.InputException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry parser: strict, line-numbered, hostile input refused; the published schema agrees with it. */
class FlagRegistryTest {

    static final String SCHEMA = "/io/releasegate/schemas/flag-registry-v1.schema.json";

    static final String VALID = String.join("\n",
            "flags:",
            "  - name: new-checkout",
            "    owner: team-payments",
            "    escalation: oncall-payments@example.com",
            "    created: 2026-10-01",
            "    state: ramping",
            "    removal: 2027-01-15",
            "    deviations:",
            "      - rationale: waiting for the Q1 migration",
            "        newRemoval: 2027-03-01",
            "        approvedBy: alice@example.com",
            "  - name: old-search",
            "    owner: team-search",
            "    escalation: oncall-search@example.com",
            "    created: 2025-01-10",
            "    state: removed",
            "  - name: dark-mode",
            "    owner: ''",
            "    escalation: oncall-web@example.com",
            "    created: 2026-11-01",
            "    state: default-off",
            "    removal: 2027-06-30",
            "");

    static JsonSchema schema() throws Exception {
        try (InputStream in = FlagRegistry.class.getResourceAsStream(SCHEMA)) {
            assertThat(in).as(SCHEMA).isNotNull();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    static JsonNode yaml(String text) throws Exception {
        JsonNode n = new ObjectMapper(new YAMLFactory()).readTree(text);
        return n == null || n.isMissingNode() ? new ObjectMapper().createObjectNode() : n;
    }

    @Test
    void aValidRegistryParsesAndValidates() throws Exception {
        FlagRegistry r = FlagRegistry.parse("flags/registry.yaml", VALID);
        assertThat(r.flags()).extracting(FlagRegistry.Flag::name).containsExactly("new-checkout", "old-search", "dark-mode");
        FlagRegistry.Flag checkout = r.flag("new-checkout").orElseThrow();
        assertThat(checkout.state()).isEqualTo(FlagRegistry.State.RAMPING);
        assertThat(checkout.line()).isEqualTo(2);
        assertThat(checkout.effectiveRemoval()).contains(LocalDate.of(2027, 3, 1));
        assertThat(checkout.deviations()).singleElement().satisfies(d -> assertThat(d.approvedBy()).contains("alice@example.com"));
        assertThat(r.flag("old-search").orElseThrow().removal()).isEmpty();
        // a blank owner parses: it is the gate's finding, not a malformed file
        assertThat(r.flag("dark-mode").orElseThrow().owner()).isEmpty();
        assertThat(schema().validate(yaml(VALID))).as("schema violations").isEmpty();
        assertThat(FlagRegistry.parse("r.yaml", "").flags()).isEmpty();
        assertThat(FlagRegistry.parse("r.yaml", "flags: []\n").flags()).isEmpty();
        assertThat(schema().validate(yaml("flags: []\n"))).isEmpty();
        // an owner key left out altogether parses and validates too
        String noOwner = VALID.replace("    owner: team-search\n", "");
        assertThat(FlagRegistry.parse("r.yaml", noOwner).flag("old-search").orElseThrow().owner()).isEmpty();
        assertThat(schema().validate(yaml(noOwner))).isEmpty();
    }

    /** Each is rejected by the parser (naming the file and line) and by the schema. */
    @Test
    void theParserAndTheSchemaRejectTheSameRegistries() throws Exception {
        JsonSchema schema = schema();
        record Bad(String text, String message) {
        }
        List<Bad> bad = List.of(
                new Bad(VALID.replace("    state: ramping\n", "    state: ramping\n    colour: blue\n"), "r.yaml:7: flag 'new-checkout': unknown key 'colour'"),
                new Bad(VALID.replace("    escalation: oncall-payments@example.com\n", ""), "flag 'new-checkout': missing escalation"),
                new Bad(VALID.replace("    created: 2026-10-01\n", ""), "missing created"),
                new Bad(VALID.replace("    state: ramping\n", "    state: half\n"), "r.yaml:6: flag 'new-checkout': state 'half'"),
                new Bad(VALID.replace("    removal: 2027-01-15\n", ""), "a flag not removed needs its removal date"),
                new Bad(VALID.replace("    removal: 2027-01-15\n", "    removal: next year\n"), "r.yaml:7: flag 'new-checkout': removal: 'next year' is not a date"),
                new Bad(VALID.replace("      - rationale: waiting for the Q1 migration\n        newRemoval", "      - newRemoval"),
                        "deviation 1 (a deviation records why and the new date): missing rationale"),
                new Bad(VALID.replace("        newRemoval: 2027-03-01\n", ""), "missing newRemoval"),
                new Bad(VALID.replace("        approvedBy: alice@example.com\n", "        approvedBy: alice@example.com\n        ticket: X-1\n"),
                        "unknown key 'ticket'"),
                new Bad(VALID.replace("  - name: old-search", "  - name: ''"), "missing name"),
                new Bad("flags:\n  - just a name\n", "r.yaml:2: a flag must be a mapping"),
                new Bad("flags: {a: 1}\n", "flags must be a list"),
                new Bad("toggles: []\n", "r.yaml:1: the registry: unknown key 'toggles'"));
        for (Bad b : bad) {
            Throwable t = catchThrowable(() -> FlagRegistry.parse("r.yaml", b.text()));
            assertThat(t).as(b.text()).isInstanceOf(InputException.class).hasMessageContaining(b.message());
            assertThat(schema.validate(yaml(b.text()))).as("schema accepts what the parser rejects:\n" + b.text()).isNotEmpty();
        }
        // a name registered twice: the parser's rule (a schema cannot say it of objects' keys)
        assertThatThrownBy(() -> FlagRegistry.parse("r.yaml", VALID + VALID.substring("flags:\n".length())))
                .isInstanceOf(InputException.class).hasMessageContaining("registered twice");
    }

    @Test
    void hostileAndUnreadableBytesAreInputErrorsNamingTheFile() {
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 0; i < 30; i++) {
            bomb.append("b").append(i).append(": &b").append(i).append(" [*a, *a, *a, *a, *a, *a, *a, *a]\n");
        }
        assertThatThrownBy(() -> FlagRegistry.parse("flags/registry.yaml", bomb.toString())).isInstanceOf(InputException.class)
                .hasMessageContaining("flags/registry.yaml");
        byte[] latin1 = "flags:\n  - name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> FlagRegistry.parse("flags/registry.yaml", latin1)).isInstanceOf(InputException.class)
                .hasMessageContaining("flags/registry.yaml").hasMessageContaining("not valid UTF-8");
        byte[] binary = {'f', 'l', 0, 1, 2, 3};
        assertThatThrownBy(() -> FlagRegistry.parse("flags/registry.yaml", binary)).isInstanceOf(InputException.class)
                .hasMessageContaining("flags/registry.yaml").hasMessageContaining("binary");
        assertThatThrownBy(() -> FlagRegistry.parse("flags/registry.yaml", "flags: [\n")).isInstanceOf(InputException.class)
                .hasMessageContaining("flags/registry.yaml:").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> FlagRegistry.parse("r.yaml", new byte[FlagRegistry.MAX_BYTES + 1]))
                .isInstanceOf(InputException.class).hasMessageContaining("larger than");
    }
}

package io.releasegate.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.releasegate.error.InputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SbomDiffTest {

    static String cdx(String... components) {
        return "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"metadata\":{\"component\":{\"name\":\"app\",\"version\":\"2.0.0\"}},"
                + "\"components\":[" + String.join(",", components) + "]}";
    }

    static String npm(String name, String version, String license) {
        return "{\"type\":\"library\",\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"purl\":\"pkg:npm/" + name + "@" + version
                + "\",\"licenses\":[{\"license\":{\"id\":\"" + license + "\"}}]}";
    }

    static String spdx(String... packages) {
        return "{\"spdxVersion\":\"SPDX-2.3\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"documentDescribes\":[\"SPDXRef-app\"],\"packages\":["
                + "{\"SPDXID\":\"SPDXRef-app\",\"name\":\"app\",\"versionInfo\":\"1.0.0\",\"licenseConcluded\":\"NOASSERTION\"}"
                + (packages.length == 0 ? "" : ",") + String.join(",", packages) + "]}";
    }

    static String spdxNpm(String id, String name, String version, String license) {
        return "{\"SPDXID\":\"SPDXRef-" + id + "\",\"name\":\"" + name + "\",\"versionInfo\":\"" + version + "\",\"licenseConcluded\":\""
                + license + "\",\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\","
                + "\"referenceLocator\":\"pkg:npm/" + name + "@" + version + "\"}]}";
    }

    static SbomComponents.Document doc(String json, String label) {
        return SbomComponents.read(json.getBytes(StandardCharsets.UTF_8), label);
    }

    @Test
    void addedRemovedUpgradedDowngradedAndRelicensedAcrossCycloneDxAndSpdx() {
        SbomComponents.Document before = doc(spdx(spdxNpm("a", "lodash", "4.17.21", "MIT"), spdxNpm("b", "left-pad", "1.3.0", "WTFPL"),
                spdxNpm("c", "chalk", "5.3.0", "MIT"), spdxNpm("d", "ms", "2.1.3", "MIT")), "old.spdx.json");
        SbomComponents.Document after = doc(cdx(npm("lodash", "4.17.20", "MIT"), npm("chalk", "5.4.1", "MIT"),
                npm("ms", "2.1.3", "Apache-2.0"), npm("gpl-thing", "1.0.0", "GPL-3.0-only")), "new.cdx.json");

        SbomDiff d = SbomDiff.of(before, after);

        assertThat(d.of(SbomDiff.Kind.DOWNGRADED)).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("lodash");
            assertThat(c.describe()).isEqualTo("lodash 4.17.21 -> 4.17.20");
        });
        assertThat(d.of(SbomDiff.Kind.UPGRADED)).extracting(SbomDiff.Change::describe).containsExactly("chalk 5.3.0 -> 5.4.1");
        assertThat(d.of(SbomDiff.Kind.REMOVED)).extracting(SbomDiff.Change::key).containsExactly("pkg:npm/left-pad");
        assertThat(d.of(SbomDiff.Kind.ADDED)).singleElement().satisfies(c -> {
            assertThat(c.key()).isEqualTo("pkg:npm/gpl-thing");
            assertThat(c.newDependency()).isTrue();
            assertThat(c.toLicense()).contains("GPL-3.0-only");
        });
        assertThat(d.of(SbomDiff.Kind.RELICENSED)).extracting(SbomDiff.Change::describe).containsExactly("ms 2.1.3: license MIT -> Apache-2.0");
        assertThat(d.newLicenses()).containsExactly("Apache-2.0", "GPL-3.0-only");
        assertThat(d.unchanged()).isEqualTo(1);
        // the described package (the release itself) is not a dependency
        assertThat(d.changes()).noneMatch(c -> c.name().equals("app"));
        assertThat(d.toJson().path("downgraded").get(0).path("from").asText()).isEqualTo("4.17.21");
        assertThat(d.markdown()).contains("- downgraded lodash 4.17.21 -> 4.17.20", "- new license GPL-3.0-only");
    }

    @Test
    void anotherVersionOfAKnownDependencyIsNotANewDependency() {
        SbomDiff d = SbomDiff.of(doc(cdx(npm("ms", "2.1.3", "MIT")), "a"),
                doc(cdx(npm("ms", "2.1.3", "MIT"), npm("ms", "2.0.0", "MIT")), "b"));
        assertThat(d.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(SbomDiff.Kind.ADDED);
            assertThat(c.newDependency()).isFalse();
        });
        assertThat(SbomDiff.of(doc(cdx(npm("ms", "2.1.3", "MIT")), "a"), doc(cdx(npm("ms", "2.1.3", "MIT")), "b")).empty()).isTrue();
    }

    @Test
    void nestedCycloneDxComponentsAreComponents() {
        String nested = "{\"name\":\"outer\",\"version\":\"1\",\"purl\":\"pkg:maven/g/outer@1\",\"components\":[" + npm("inner", "2.0.0", "MIT") + "]}";
        assertThat(doc(cdx(nested), "n").components()).extracting(SbomComponents.Component::key)
                .containsExactly("pkg:maven/g/outer", "pkg:npm/inner");
    }

    @Test
    void scopedNpmAndQualifiedPurlsKeyWithoutVersionQualifiersOrSubpath() {
        assertThat(SbomComponents.key(java.util.Optional.of("pkg:npm/%40babel/core@7.24.0"), "", "x")).isEqualTo("pkg:npm/%40babel/core");
        assertThat(SbomComponents.key(java.util.Optional.of("pkg:npm/@babel/core@7.24.0"), "", "x")).isEqualTo("pkg:npm/@babel/core");
        assertThat(SbomComponents.key(java.util.Optional.of("pkg:npm/@babel/core"), "", "x")).isEqualTo("pkg:npm/@babel/core");
        assertThat(SbomComponents.key(java.util.Optional.of("pkg:deb/debian/curl@7.88.1-10?arch=amd64#sub"), "", "x"))
                .isEqualTo("pkg:deb/debian/curl");
        assertThat(SbomComponents.key(java.util.Optional.empty(), "org.example", "lib")).isEqualTo("org.example/lib");
    }

    @Test
    void aListedSpdxIdGivenAsALicenseNameIsThatIdSoTheLicenseRuleSeesIt() {
        String named = "{\"name\":\"copyleft\",\"version\":\"1\",\"licenses\":[{\"license\":{\"name\":\"GPL-3.0-only\"}}]}";
        String compound = "{\"name\":\"dual\",\"version\":\"1\",\"licenses\":[{\"license\":{\"name\":\"MIT OR AGPL-3.0-only\"}}]}";
        String free = "{\"name\":\"inhouse\",\"version\":\"1\",\"licenses\":[{\"license\":{\"name\":\"Our own terms\"}}]}";
        assertThat(doc(cdx(named, compound, free), "n").components()).extracting(SbomComponents.Component::license)
                .containsExactly("GPL-3.0-only", "(MIT OR AGPL-3.0-only)", "LicenseRef-Our-own-terms");
        io.releasegate.policy.Policy policy = io.releasegate.policy.PolicyLoader.load(java.util.Optional.empty(), java.util.Optional.empty());
        assertThat(policy.gates().licenseProblem("GPL-3.0-only")).isPresent();
        assertThat(policy.gates().licenseProblem("(MIT OR AGPL-3.0-only)")).hasValueSatisfying(p -> assertThat(p.id()).isEqualTo("AGPL-3.0-only"));
        assertThat(policy.gates().licenseProblem("LicenseRef-Our-own-terms")).isEmpty();
    }

    @Test
    void badInputIsAnInputErrorNamingTheFile() {
        assertThatThrownBy(() -> doc("{\"hello\":1}", "x.json")).isInstanceOf(InputException.class)
                .hasMessageContaining("x.json is neither a CycloneDX nor an SPDX JSON document");
        assertThatThrownBy(() -> doc("not json", "y.json")).isInstanceOf(InputException.class).hasMessageContaining("y.json is not a JSON SBOM");
        assertThatThrownBy(() -> SbomComponents.read(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00}, "bin")).isInstanceOf(InputException.class)
                .hasMessageContaining("bin");
        assertThatThrownBy(() -> doc("[1,2]", "arr.json")).isInstanceOf(InputException.class).hasMessageContaining("arr.json");
        String deep = "{\"name\":\"d\",\"components\":[".repeat(80) + "]}".repeat(80);
        assertThatThrownBy(() -> doc(cdx(deep), "deep.json")).isInstanceOf(InputException.class).hasMessageContaining("nested");
    }

    @Test
    void versionOrderAcrossEcosystems() {
        List<String> ascending = List.of("0.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-rc.1", "1.0.0-SNAPSHOT",
                "1.0.0", "1.0.0-sp1", "1.0.1", "1.2", "1.10", "1:0.1", "2:0.0.1");
        for (int i = 0; i < ascending.size(); i++) {
            for (int j = 0; j < ascending.size(); j++) {
                assertThat(Integer.signum(Versions.ORDER.compare(ascending.get(i), ascending.get(j))))
                        .as(ascending.get(i) + " vs " + ascending.get(j)).isEqualTo(Integer.signum(Integer.compare(i, j)));
            }
        }
        assertThat(Versions.ORDER.compare("1.0", "1.0.0")).isZero();
        assertThat(Versions.ORDER.compare("v2.0.0", "2.0.0")).isZero();
        assertThat(Versions.ORDER.compare("1.0.0+build.5", "1.0.0")).isZero();
        assertThat(Versions.ORDER.compare("5.3.Final", "5.3")).isZero();
        assertThat(Versions.ORDER.compare("7.88.1-10+deb12u5", "7.88.1-10")).isZero();
        assertThat(Versions.ORDER.compare("1.0~beta1", "1.0")).isNegative();
        assertThat(Versions.ORDER.compare("2!1.0", "3.0")).isPositive();
    }

    @Test
    void versionOrderIsATotalOrderOnGeneratedVersions() {
        Random random = new Random(20261207);
        String[] parts = {"0", "1", "2", "10", "alpha", "beta", "rc", "sp", "final", "snapshot", "m", "x"};
        String[] seps = {".", "-", "~", "_", ""};
        List<String> versions = new ArrayList<>();
        for (int n = 0; n < 300; n++) {
            StringBuilder v = new StringBuilder(random.nextInt(4) == 0 ? "1:" : "");
            int len = 1 + random.nextInt(5);
            for (int k = 0; k < len; k++) {
                v.append(k == 0 ? "" : seps[random.nextInt(seps.length)]).append(parts[random.nextInt(parts.length)]);
            }
            versions.add(v.toString());
        }
        for (String a : versions) {
            assertThat(Versions.ORDER.compare(a, a)).isZero();
            for (String b : versions) {
                int ab = Versions.ORDER.compare(a, b);
                assertThat(Integer.signum(ab)).as(a + " vs " + b).isEqualTo(-Integer.signum(Versions.ORDER.compare(b, a)));
            }
        }
        for (int n = 0; n < 20_000; n++) {
            String a = versions.get(random.nextInt(versions.size()));
            String b = versions.get(random.nextInt(versions.size()));
            String c = versions.get(random.nextInt(versions.size()));
            if (Versions.ORDER.compare(a, b) <= 0 && Versions.ORDER.compare(b, c) <= 0) {
                assertThat(Versions.ORDER.compare(a, c)).as(a + " <= " + b + " <= " + c).isLessThanOrEqualTo(0);
            }
        }
    }
}

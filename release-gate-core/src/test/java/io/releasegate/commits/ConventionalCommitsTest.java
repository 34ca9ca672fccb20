package io.releasegate.commits;

import static org.assertj.core.api.Assertions.assertThat;

import io.releasegate.commits.ConventionalCommits.Invalid;
import io.releasegate.commits.ConventionalCommits.Merge;
import io.releasegate.commits.ConventionalCommits.Parsed;
import io.releasegate.commits.ConventionalCommits.Valid;
import org.junit.jupiter.api.Test;

class ConventionalCommitsTest {

    static ConventionalCommit valid(String message) {
        Parsed p = ConventionalCommits.parse(message);
        assertThat(p).as(message).isInstanceOf(Valid.class);
        return ((Valid) p).commit();
    }

    @Test
    void readsTypeScopeBangBodyAndFooters() {
        ConventionalCommit c = valid("""
                feat(api)!: accept ISO currency codes

                Amounts now carry their currency.
                Second body line.

                Refs: PAY-101
                Risk: medium
                Owners: @payments-team
                BREAKING CHANGE: the amount field is now an object
                  {"value": 1, "currency": "EUR"}
                Reviewed-by: Carol
                """);
        assertThat(c.type()).isEqualTo("feat");
        assertThat(c.scope()).contains("api");
        assertThat(c.breaking()).isTrue();
        assertThat(c.description()).isEqualTo("accept ISO currency codes");
        assertThat(c.body()).isEqualTo("Amounts now carry their currency.\nSecond body line.");
        assertThat(c.footer("Refs")).containsExactly("PAY-101");
        assertThat(c.footer("risk")).containsExactly("medium");
        assertThat(c.footer("Owners")).containsExactly("@payments-team");
        assertThat(c.breakingNotes()).singleElement().asString()
                .startsWith("the amount field is now an object").contains("\"currency\"");
        assertThat(c.footer("Reviewed-by")).containsExactly("Carol");
    }

    @Test
    void breakingChangeByFooterAloneAndByBangAlone() {
        assertThat(valid("fix: x\n\nBREAKING-CHANGE: y").breaking()).isTrue();
        ConventionalCommit bang = valid("refactor!: drop Java 11");
        assertThat(bang.breaking()).isTrue();
        assertThat(bang.breakingNotes()).containsExactly("drop Java 11");
        assertThat(valid("fix: x\n\nbody mentions BREAKING CHANGE: in prose").breaking()).isFalse();
    }

    @Test
    void readsCherryPickAndRevertAndMerge() {
        ConventionalCommit pick = valid("fix(rounding): half-even\n\nRefs: PAY-117\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)");
        assertThat(pick.cherryPickedFrom()).contains("0123456789abcdef0123456789abcdef01234567");
        assertThat(pick.footer("Refs")).containsExactly("PAY-117");

        ConventionalCommit revert = valid("Revert \"feat: add coupons\"\n\nThis reverts commit abcdef0123456789abcdef0123456789abcdef01.\n");
        assertThat(revert.type()).isEqualTo("revert");
        assertThat(revert.description()).isEqualTo("feat: add coupons");
        assertThat(revert.footer("Refs")).containsExactly("abcdef0123456789abcdef0123456789abcdef01");

        assertThat(ConventionalCommits.parse("Merge pull request #42 from team/feature-x")).isInstanceOf(Merge.class);
        assertThat(ConventionalCommits.parse("Merge branch 'main' into release/1.4")).isInstanceOf(Merge.class);
    }

    @Test
    void invalidMessagesSayWhy() {
        assertThat(reason("update stuff")).contains("no 'type: description' header");
        assertThat(reason("feat:missing space")).contains("single space");
        assertThat(reason("feat(): empty scope")).contains("scope");
        assertThat(reason("fix: ")).isNotNull();
        assertThat(reason("feat: subject\nno blank line")).contains("blank line");
        assertThat(reason("")).contains("empty");
        assertThat(reason("WIP stuff: later")).contains("single word");
    }

    static String reason(String message) {
        Parsed p = ConventionalCommits.parse(message);
        assertThat(p).as(message).isInstanceOf(Invalid.class);
        return ((Invalid) p).reason();
    }
}

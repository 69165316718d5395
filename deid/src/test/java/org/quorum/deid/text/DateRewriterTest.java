package org.quorum.deid.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DateRewriterTest {

    private final DateRewriter rewriter = new DateRewriter(2025);

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "2021-03-04|10|2021-03-14",
                "2021-12-28 10:22|10|2022-01-07 10:22",
                "03/04/2021|-3|03/01/2021",
                "3/4/21|30|4/3/21",
                "4.3.2021|1|5.3.2021",
                "March 3rd, 2021|10|March 13th, 2021",
                "Mar 3 2021|31|Apr 3 2021",
                "3 March 2021|-3|28 February 2021",
                "03-Mar-2021|1|04-Mar-2021",
                "Thursday, March 4, 2021|1|Friday, March 5, 2021",
                "March 2021|31|April 2021",
                "3rd of March|1|4th of March",
                "Sunday|2|Tuesday"
            })
    void shifted_dates_keep_their_spelling(String original, int offset, String expected) {
        assertThat(rewriter.rewrite(original, DatePolicy.DATE_SHIFT, offset)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "2021-03-04|2021",
                "March 3rd, 2021|2021",
                "3/4/21|2021",
                "1927-05-21|1935 or earlier"
            })
    void safe_harbor_keeps_the_year_and_aggregates_years_revealing_an_age_over_89(
            String original, String expected) {
        assertThat(rewriter.rewrite(original, DatePolicy.SAFE_HARBOR, null)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"3rd of March", "Sunday"})
    void safe_harbor_has_nothing_to_keep_of_a_date_without_year(String original) {
        assertThat(rewriter.rewrite(original, DatePolicy.SAFE_HARBOR, null)).isEmpty();
    }
}

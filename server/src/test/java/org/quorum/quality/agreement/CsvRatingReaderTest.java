package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

class CsvRatingReaderTest {

    @Test
    void reads_rater_names_and_one_unit_per_row_with_empty_cells_missing() {
        RatingTable table = CsvRatingReader.parseRatings("A,B,C\nyes,no,\n,,maybe\n");

        assertThat(table.raterNames()).containsExactly("A", "B", "C");
        assertThat(table.unitCount()).isEqualTo(2);
        assertThat(table.value(0, 0)).isEqualTo("yes");
        assertThat(table.value(0, 2)).isNull();
        assertThat(table.value(1, 0)).isNull();
        assertThat(table.value(1, 2)).isEqualTo("maybe");
    }

    @Test
    void quoted_cells_may_hold_commas_quotes_and_line_breaks() {
        RatingTable table =
                CsvRatingReader.parseRatings(
                        "\"Dr. A, MD\",\"B\"\n\"left, upper\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n");

        assertThat(table.raterNames()).containsExactly("Dr. A, MD", "B");
        assertThat(table.value(0, 0)).isEqualTo("left, upper");
        assertThat(table.value(0, 1)).isEqualTo("say \"hi\"");
        assertThat(table.value(1, 0)).isEqualTo("two\nlines");
        assertThat(table.describeUnit(1)).isEqualTo("line 3");
    }

    @Test
    void crlf_line_ends_a_bom_and_no_trailing_newline_read_like_plain_lf() {
        RatingTable plain = CsvRatingReader.parseRatings("A,B\n1,2\n3,\n");
        RatingTable windows = CsvRatingReader.parseRatings("\uFEFFA,B\r\n1,2\r\n3,");

        assertThat(windows.raterNames()).containsExactly("A", "B");
        assertThat(windows.unitCount()).isEqualTo(plain.unitCount());
        for (int u = 0; u < plain.unitCount(); u++) {
            for (int r = 0; r < plain.raterCount(); r++) {
                assertThat(windows.value(u, r)).isEqualTo(plain.value(u, r));
            }
        }
    }

    @Test
    void comment_lines_and_empty_lines_are_skipped_and_cells_trimmed() {
        RatingTable table = CsvRatingReader.parseRatings("# source: test\nA, B\n\n 1 , 2\n# end\n");

        assertThat(table.raterNames()).containsExactly("A", "B");
        assertThat(table.unitCount()).isEqualTo(1);
        assertThat(table.value(0, 0)).isEqualTo("1");
        assertThat(table.describeUnit(0)).isEqualTo("line 4");
    }

    @Test
    void reads_a_utf8_file(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ratings.csv");
        Files.writeString(file, "Zoë,José\nnormal,anormal\n", StandardCharsets.UTF_8);

        RatingTable table = CsvRatingReader.readRatings(file);

        assertThat(table.raterNames()).containsExactly("Zoë", "José");
    }

    @Test
    void a_row_with_too_few_cells_is_rejected_naming_its_line() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A,B,C\n1,2,3\n1,2\n"))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("line 3 has 2 cells but the header names 3 raters")
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.RAGGED_ROW);
    }

    @Test
    void a_row_with_too_many_cells_is_rejected() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A,B\n1,2,\n"))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("line 2 has 3 cells");
    }

    @Test
    void a_single_rater_column_is_rejected() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A\n1\n2\n"))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("at least two raters")
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.TOO_FEW_RATERS);
    }

    @Test
    void a_header_without_units_is_rejected() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A,B\n"))
                .isInstanceOf(InvalidRatingDataException.class)
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.NO_UNITS);
    }

    @Test
    void an_empty_file_is_rejected_for_lacking_a_header() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("\uFEFF\n"))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("no header row");
    }

    @Test
    void repeated_or_blank_rater_names_are_rejected() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A,A\n1,2\n"))
                .hasMessageContaining("'A' appears twice");
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A,\n1,2\n"))
                .hasMessageContaining("column 2 has no rater name");
    }

    @Test
    void an_unclosed_quote_is_rejected_naming_where_it_opened() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A,B\n1,\"2\n3,4\n"))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("line 2, column 2")
                .hasMessageContaining("never closed")
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.MALFORMED_CSV);
    }

    @Test
    void text_after_a_closing_quote_is_rejected() {
        assertThatThrownBy(() -> CsvRatingReader.parseRatings("A,B\n\"1\"x,2\n"))
                .hasMessageContaining("after a closing quote");
    }

    @Test
    void numeric_check_names_line_column_and_rater_of_the_first_text_value() {
        RatingTable table = CsvRatingReader.parseRatings("A,B\n1,2\n3,high\n");

        assertThatThrownBy(() -> table.requireNumeric("the interval level"))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessage(
                        "line 3, column 2 (rater 'B'): 'high' is not a number, and the interval"
                                + " level needs numeric ratings");
    }

    @Test
    void selecting_an_unknown_rater_lists_the_known_ones() {
        RatingTable table = CsvRatingReader.parseRatings("A,B\n1,2\n");

        assertThatThrownBy(() -> table.selectRaters(List.of("A", "Z")))
                .hasMessageContaining("no rater named 'Z'")
                .hasMessageContaining("[A, B]");
    }

    @Test
    void pair_counts_add_up_repeated_pairs_and_reject_bad_counts() {
        ContingencyTable table = CsvRatingReader.parsePairCounts("a,b,n\nx,y,2\nx,y,3\ny,y,1\n");

        assertThat(table.count(0, 1)).isEqualTo(5);
        assertThat(table.count(1, 1)).isEqualTo(1);
        assertThatThrownBy(() -> CsvRatingReader.parsePairCounts("a,b,n\nx,y,-2\n"))
                .hasMessageContaining("line 2, column 3");
    }
}

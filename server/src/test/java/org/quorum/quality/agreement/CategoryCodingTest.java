package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CategoryCodingTest {

    @Test
    void numbers_are_ordered_numerically() {
        CategoryCoding coding = CategoryCoding.of(List.of("10", "9", "-1", "2.5"));

        assertThat(coding.labels()).containsExactly("-1", "2.5", "9", "10");
        assertThat(coding.numericValues()).get().isEqualTo(new double[] {-1, 2.5, 9, 10});
    }

    @Test
    void spellings_of_the_same_number_are_one_category_labelled_as_first_seen() {
        CategoryCoding coding = CategoryCoding.of(List.of("1.0", "2", "1", "+2"));

        assertThat(coding.labels()).containsExactly("1.0", "2");
        assertThat(coding.codeOf("1")).isEqualTo(coding.codeOf("1.0"));
        assertThat(coding.codeOf("+2")).isEqualTo(1);
    }

    @Test
    void any_text_value_makes_the_order_lexicographic() {
        CategoryCoding coding = CategoryCoding.of(List.of("9", "10", "n/a"));

        assertThat(coding.isNumeric()).isFalse();
        assertThat(coding.labels()).containsExactly("10", "9", "n/a");
    }

    @Test
    void java_special_number_spellings_are_not_numbers() {
        assertThat(CategoryCoding.isNumber("NaN")).isFalse();
        assertThat(CategoryCoding.isNumber("Infinity")).isFalse();
        assertThat(CategoryCoding.isNumber("0x1p3")).isFalse();
        assertThat(CategoryCoding.isNumber("1d")).isFalse();
        assertThat(CategoryCoding.isNumber("1e999")).isFalse();
        assertThat(CategoryCoding.isNumber("1e-3")).isTrue();
        assertThat(CategoryCoding.isNumber(".5")).isTrue();
    }
}

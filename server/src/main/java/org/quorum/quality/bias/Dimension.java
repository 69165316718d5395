package org.quorum.quality.bias;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A demographic dimension of the bias report, with its code on the wire. */
public enum Dimension {
    AGE_BAND("age-band", "Age band"),
    SEX("sex", "Sex"),
    RACE("race", "Race"),
    ETHNICITY("ethnicity", "Ethnicity");

    private final String code;
    private final String title;

    Dimension(String code, String title) {
        this.code = code;
        this.title = title;
    }

    /** The stratifier code ({@code quorum-quality-stratifier}). */
    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public static Optional<Dimension> ofCode(String code) {
        return Arrays.stream(values())
                .filter(d -> d.code.equals(code.trim().toLowerCase(Locale.ROOT)))
                .findFirst();
    }
}

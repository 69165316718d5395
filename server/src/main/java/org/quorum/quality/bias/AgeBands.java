package org.quorum.quality.bias;

import java.util.ArrayList;
import java.util.List;
import org.quorum.quality.QualityException;

/**
 * Age bands given by their lower bounds: {@code [18, 65]} makes {@code 0-17}, {@code 18-64} and
 * {@code 65+}.
 *
 * @param lowerBounds strictly increasing ages above 0
 */
public record AgeBands(List<Integer> lowerBounds) {

    /** 0-17, 18-64, 65+: the bands of the default (US Census 2020) reference. */
    public static final AgeBands DEFAULT = new AgeBands(List.of(18, 65));

    public AgeBands {
        lowerBounds = List.copyOf(lowerBounds);
        int previous = 0;
        for (int bound : lowerBounds) {
            if (bound <= previous) {
                throw QualityException.badParameter(
                        "ageBands",
                        lowerBounds,
                        "give increasing ages above 0, the lower bounds of the bands after the"
                                + " first, e.g. 18,45,65");
            }
            previous = bound;
        }
    }

    /** Bands from {@code "18,45,65"}. */
    public static AgeBands parse(String spec) {
        List<Integer> bounds = new ArrayList<>();
        for (String part : spec.split(",")) {
            try {
                bounds.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw QualityException.badParameter(
                        "ageBands", spec, "give whole ages separated by commas, e.g. 18,45,65");
            }
        }
        return new AgeBands(bounds);
    }

    /** The keys of all bands, youngest first. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        int from = 0;
        for (int bound : lowerBounds) {
            keys.add(from + "-" + (bound - 1));
            from = bound;
        }
        keys.add(from + "+");
        return keys;
    }

    /** The key of the band holding {@code age} (≥ 0). */
    public String bandOf(int age) {
        int from = 0;
        for (int bound : lowerBounds) {
            if (age < bound) {
                return from + "-" + (bound - 1);
            }
            from = bound;
        }
        return from + "+";
    }
}

package org.quorum.quality.bias;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.quorum.quality.QualityException;

/**
 * The share of each demographic group in the population a data set should represent, per dimension.
 * A dimension without shares is reported without reference (nothing is flagged).
 *
 * <p><b>Default: the 2020 US Census</b> (see {@link #US_CENSUS_2020}), for the default age bands:
 *
 * <ul>
 *   <li>race, OMB categories, "alone" counts of the 2020 Census redistricting data (P.L. 94-171):
 *       White 61.6 %, Black or African American 12.4 %, Asian 6.0 %, American Indian and Alaska
 *       Native 1.1 %, Native Hawaiian and Other Pacific Islander 0.2 %, Two or more races 10.2 %.
 *       "Some Other Race alone" (8.4 %) is not an OMB category (US Core has no ombCategory code for
 *       it), so it is left out and the six shares are rescaled to sum to 1;
 *   <li>ethnicity: Hispanic or Latino 18.7 %, Not Hispanic or Latino 81.3 % (same source);
 *   <li>age: under 18 22.1 % (redistricting data: 77.9 % adults), 65 and over 16.8 % (2020 Census
 *       Demographic and Housing Characteristics, May 2023), 18-64 the remaining 61.1 %;
 *   <li>sex: female 50.5 %, male 49.5 % (2020 Census Demographic Profile, rounded).
 * </ul>
 *
 * <p>With other age bands the default has no age reference; give one with the {@code reference}
 * parameter.
 *
 * @param shares per dimension, the share (0-1) of each group key
 * @param source where the shares come from, for the report
 */
public record ReferenceDistribution(Map<Dimension, Map<String, Double>> shares, String source) {

    public static final String US_CENSUS_2020 =
            "US Census 2020 (race and ethnicity: redistricting data P.L. 94-171, race rescaled"
                    + " without Some Other Race; age: redistricting data and DHC; sex: Demographic"
                    + " Profile)";

    public ReferenceDistribution {
        EnumMap<Dimension, Map<String, Double>> copy = new EnumMap<>(Dimension.class);
        shares.forEach(
                (dimension, groups) ->
                        copy.put(
                                dimension,
                                Collections.unmodifiableMap(new LinkedHashMap<>(groups))));
        shares = Collections.unmodifiableMap(copy);
    }

    /** The 2020 US Census shares; the age reference only when {@code bands} are the default. */
    public static ReferenceDistribution usCensus2020(AgeBands bands) {
        Map<Dimension, Map<String, Double>> shares = new EnumMap<>(Dimension.class);
        Map<String, Double> race = new LinkedHashMap<>();
        race.put("2106-3", 61.6);
        race.put("2054-5", 12.4);
        race.put("2028-9", 6.0);
        race.put("1002-5", 1.1);
        race.put("2076-8", 0.2);
        race.put(Group.MULTIPLE_RACES, 10.2);
        double raceTotal = race.values().stream().mapToDouble(Double::doubleValue).sum();
        race.replaceAll((k, v) -> v / raceTotal);
        shares.put(Dimension.RACE, race);
        shares.put(Dimension.ETHNICITY, ordered("2135-2", 0.187, "2186-5", 0.813));
        shares.put(Dimension.SEX, ordered("female", 0.505, "male", 0.495));
        if (bands.equals(AgeBands.DEFAULT)) {
            shares.put(Dimension.AGE_BAND, ordered("0-17", 0.221, "18-64", 0.611, "65+", 0.168));
        }
        return new ReferenceDistribution(shares, US_CENSUS_2020);
    }

    /**
     * This distribution with some dimensions replaced. Each spec is {@code dimension:group=share},
     * e.g. {@code sex:female=0.5} or {@code race:2028-9=0.15}; the specs of a dimension replace all
     * of its default shares, and are used as given (not rescaled).
     *
     * @throws QualityException ({@code BAD_PARAMETER}) naming the first bad spec
     */
    public ReferenceDistribution withOverrides(List<String> specs) {
        if (specs.isEmpty()) {
            return this;
        }
        Map<Dimension, Map<String, Double>> replaced = new EnumMap<>(Dimension.class);
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            int equals = spec.lastIndexOf('=');
            if (colon < 1 || equals < colon + 2 || equals == spec.length() - 1) {
                throw badSpec(spec);
            }
            Dimension dimension =
                    Dimension.ofCode(spec.substring(0, colon)).orElseThrow(() -> badSpec(spec));
            double share;
            try {
                share = Double.parseDouble(spec.substring(equals + 1).trim());
            } catch (NumberFormatException e) {
                throw badSpec(spec);
            }
            if (!(share >= 0 && share <= 1)) {
                throw badSpec(spec);
            }
            replaced.computeIfAbsent(dimension, d -> new LinkedHashMap<>())
                    .put(spec.substring(colon + 1, equals).trim(), share);
        }
        replaced.forEach(
                (dimension, groups) -> {
                    double total = groups.values().stream().mapToDouble(Double::doubleValue).sum();
                    if (total > 1.000001) {
                        throw QualityException.badParameter(
                                "reference",
                                dimension.code() + " " + groups,
                                "the shares of one dimension must not sum to more than 1");
                    }
                });
        Map<Dimension, Map<String, Double>> merged = new EnumMap<>(Dimension.class);
        merged.putAll(shares);
        merged.putAll(replaced);
        return new ReferenceDistribution(merged, source + "; overridden: " + replaced.keySet());
    }

    private static QualityException badSpec(String spec) {
        return QualityException.badParameter(
                "reference",
                spec,
                "write dimension:group=share with a dimension of age-band, sex, race, ethnicity"
                        + " and a share between 0 and 1, e.g. sex:female=0.5 or"
                        + " race:2028-9=0.06");
    }

    /** The shares of one dimension, empty when it has no reference. */
    public Map<String, Double> shares(Dimension dimension) {
        return shares.getOrDefault(dimension, Map.of());
    }

    /** The share of one group, if the reference has one. */
    public OptionalDouble share(Dimension dimension, String key) {
        Double share = shares(dimension).get(key);
        return share == null ? OptionalDouble.empty() : OptionalDouble.of(share);
    }

    private static Map<String, Double> ordered(Object... keysAndShares) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndShares.length; i += 2) {
            map.put((String) keysAndShares[i], (Double) keysAndShares[i + 1]);
        }
        return map;
    }
}

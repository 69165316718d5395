package org.quorum.quality.bias;

import java.util.Map;

/**
 * A demographic group.
 *
 * @param dimension its dimension
 * @param key its key, as used in reference distributions: an age band ({@code 18-64}), a gender
 *     code ({@code female}), an OMB race or ethnicity code ({@code 2106-3}), or {@code multiple}
 *     for two or more races
 * @param system the code system of {@code key}, or {@code null} for age bands and {@code multiple}
 * @param display a human-readable name
 */
public record Group(Dimension dimension, String key, String system, String display) {

    public static final String ADMINISTRATIVE_GENDER = "http://hl7.org/fhir/administrative-gender";
    public static final String OMB = "urn:oid:2.16.840.1.113883.6.238";
    public static final String MULTIPLE_RACES = "multiple";

    /** OMB categories (US Core race / ethnicity ombCategory), in the order reports list them. */
    static final Map<String, String> RACE_DISPLAYS =
            orderedMap(
                    "2106-3",
                    "White",
                    "2054-5",
                    "Black or African American",
                    "2028-9",
                    "Asian",
                    "1002-5",
                    "American Indian or Alaska Native",
                    "2076-8",
                    "Native Hawaiian or Other Pacific Islander",
                    MULTIPLE_RACES,
                    "Two or more races");

    static final Map<String, String> ETHNICITY_DISPLAYS =
            orderedMap("2135-2", "Hispanic or Latino", "2186-5", "Not Hispanic or Latino");

    static final Map<String, String> SEX_DISPLAYS =
            orderedMap("female", "Female", "male", "Male", "other", "Other");

    /** The group of {@code key} in {@code dimension}, with its system and display. */
    public static Group of(Dimension dimension, String key) {
        return switch (dimension) {
            case AGE_BAND -> new Group(dimension, key, null, key);
            case SEX ->
                    new Group(
                            dimension,
                            key,
                            ADMINISTRATIVE_GENDER,
                            SEX_DISPLAYS.getOrDefault(key, key));
            case RACE ->
                    new Group(
                            dimension,
                            key,
                            MULTIPLE_RACES.equals(key) ? null : OMB,
                            RACE_DISPLAYS.getOrDefault(key, key));
            case ETHNICITY ->
                    new Group(dimension, key, OMB, ETHNICITY_DISPLAYS.getOrDefault(key, key));
        };
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        java.util.LinkedHashMap<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}

package org.quorum.dicom.store;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.quorum.dicom.store.index.IndexedAttribute;

/**
 * One QIDO-RS search, parsed from the query parameters of PS3.18 §8.3.4 and §10.6.1.2: matching
 * keys (by keyword or 8-digit hex tag), {@code includefield}, {@code limit}, {@code offset} and
 * {@code fuzzymatching}.
 *
 * @param level what the search returns
 * @param study the study the search is scoped to ({@code /studies/{study}/series}), if any
 * @param series the series it is scoped to, if any
 * @param matches the matching keys with a non-empty value (empty values match everything)
 * @param includes attributes asked for beyond the default return set
 * @param includeAll {@code includefield=all}
 * @param warnings keys that are valid DICOM attributes but not supported here (ignored, reported)
 * @param allowedStudies when present, only these studies may match (case-bound readers)
 */
public record DicomQuery(
        QueryLevel level,
        Optional<String> study,
        Optional<String> series,
        Map<IndexedAttribute, String> matches,
        Set<IndexedAttribute> includes,
        boolean includeAll,
        int limit,
        int offset,
        boolean fuzzy,
        List<String> warnings,
        Optional<Set<String>> allowedStudies) {

    /** The most results one response carries. */
    public static final int MAX_LIMIT = 1000;

    private static final Pattern HEX_TAG = Pattern.compile("[0-9A-Fa-f]{8}");
    private static final Pattern DATE_RANGE = Pattern.compile("(\\d{8})?(-(\\d{8})?)?");
    private static final Pattern TIME_RANGE =
            Pattern.compile("(\\d{2,6}(\\.\\d{1,6})?)?(-(\\d{2,6}(\\.\\d{1,6})?)?)?");
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    /**
     * Parses the query parameters of one request.
     *
     * @throws InvalidDicomQueryException naming the parameter that is wrong
     */
    public static DicomQuery parse(
            QueryLevel level,
            Optional<String> study,
            Optional<String> series,
            Map<String, List<String>> parameters)
            throws InvalidDicomQueryException {
        Map<IndexedAttribute, String> matches = new LinkedHashMap<>();
        Set<IndexedAttribute> includes = EnumSet.noneOf(IndexedAttribute.class);
        List<String> warnings = new ArrayList<>();
        boolean includeAll = false;
        int limit = MAX_LIMIT;
        int offset = 0;
        boolean fuzzy = false;
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String key = parameter.getKey();
            for (String value : parameter.getValue()) {
                switch (key) {
                    case "includefield" -> {
                        for (String field : value.split(",")) {
                            if (field.isBlank()) {
                                continue;
                            }
                            if (field.trim().equalsIgnoreCase("all")) {
                                includeAll = true;
                            } else {
                                resolve(field.trim(), "includefield")
                                        .ifPresentOrElse(includes::add, () -> warnings.add(field));
                            }
                        }
                    }
                    case "limit" -> limit = Math.min(number(key, value), MAX_LIMIT);
                    case "offset" -> offset = number(key, value);
                    case "fuzzymatching" -> fuzzy = bool(key, value);
                    default -> {
                        Optional<IndexedAttribute> attribute = resolve(key, "matching key");
                        if (attribute.isEmpty()
                                || attribute.get().match() == IndexedAttribute.Match.NONE) {
                            warnings.add(key);
                        } else if (attribute.get().level().compareTo(level) > 0) {
                            throw new InvalidDicomQueryException(
                                    key
                                            + " is a "
                                            + attribute
                                                    .get()
                                                    .level()
                                                    .name()
                                                    .toLowerCase(Locale.ROOT)
                                            + "-level key; search "
                                            + (attribute.get().level() == QueryLevel.SERIES
                                                    ? "/series"
                                                    : "/instances")
                                            + " to match on it");
                        } else if (!value.isEmpty()) {
                            check(key, attribute.get(), value);
                            matches.put(attribute.get(), value);
                        }
                    }
                }
            }
        }
        return new DicomQuery(
                level,
                study,
                series,
                Map.copyOf(matches),
                Set.copyOf(includes),
                includeAll,
                limit,
                offset,
                fuzzy,
                List.copyOf(warnings),
                Optional.empty());
    }

    /** The same search, narrowed to the given studies. */
    public DicomQuery restrictedTo(Set<String> studies) {
        return new DicomQuery(
                level,
                study,
                series,
                matches,
                includes,
                includeAll,
                limit,
                offset,
                fuzzy,
                warnings,
                Optional.of(Set.copyOf(studies)));
    }

    /** Whether a result carries {@code attribute}. */
    public boolean returns(IndexedAttribute attribute) {
        return attribute.level().compareTo(level) <= 0
                && (includeAll || attribute.returnedByDefault() || includes.contains(attribute));
    }

    private static Optional<IndexedAttribute> resolve(String key, String what)
            throws InvalidDicomQueryException {
        int tag;
        if (HEX_TAG.matcher(key).matches()) {
            tag = (int) Long.parseLong(key, 16);
        } else {
            AttributeTag named = DicomDictionary.StandardDictionary.getTagFromName(key);
            if (named == null) {
                throw new InvalidDicomQueryException(
                        "Unknown "
                                + what
                                + " '"
                                + key
                                + "': use a DICOM keyword such as PatientID or a tag such as"
                                + " 00100020");
            }
            tag = (named.getGroup() << 16) | named.getElement();
        }
        return IndexedAttribute.byTag(tag);
    }

    private static void check(String key, IndexedAttribute attribute, String value)
            throws InvalidDicomQueryException {
        switch (attribute.match()) {
            case RANGE -> {
                Pattern pattern = attribute.vr().equals("DA") ? DATE_RANGE : TIME_RANGE;
                if (!pattern.matcher(value).matches() || value.equals("-")) {
                    throw new InvalidDicomQueryException(
                            key
                                    + " must be a "
                                    + (attribute.vr().equals("DA")
                                            ? "date YYYYMMDD"
                                            : "time HHMMSS")
                                    + " or a range a-b, -b or a-");
                }
            }
            case UID_LIST -> {
                for (String uid : uids(value)) {
                    if (!UID.matcher(uid).matches() || uid.length() > 64) {
                        throw new InvalidDicomQueryException(
                                key + " must be a UID or a comma-separated list of UIDs");
                    }
                }
            }
            default -> {}
        }
    }

    /** The UIDs of a UID list value (PS3.18 §8.3.4.1: comma; PS3.4: backslash). */
    public static List<String> uids(String value) {
        return List.of(value.split("[,\\\\]"));
    }

    private static int number(String key, String value) throws InvalidDicomQueryException {
        try {
            int number = Integer.parseInt(value);
            if (number < 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new InvalidDicomQueryException(key + " must be a whole number 0 or more");
        }
    }

    private static boolean bool(String key, String value) throws InvalidDicomQueryException {
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new InvalidDicomQueryException(key + " must be true or false");
    }
}

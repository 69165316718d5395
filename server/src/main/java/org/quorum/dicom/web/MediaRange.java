package org.quorum.dicom.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One media range of an Accept or Content-Type header (RFC 9110 §8.3.1, §12.5.1), parsed leniently:
 * DICOMweb clients send {@code type=application/dicom} both quoted and unquoted (a "/" is not a
 * token character, so strict parsers reject the unquoted form).
 */
record MediaRange(String type, String subtype, Map<String, String> parameters) {

    static List<MediaRange> parseList(List<String> headers) {
        List<MediaRange> ranges = new ArrayList<>();
        if (headers == null || headers.isEmpty()) {
            ranges.add(new MediaRange("*", "*", Map.of()));
            return ranges;
        }
        for (String header : headers) {
            for (String element : split(header, ',')) {
                if (!element.isBlank()) {
                    ranges.add(parse(element));
                }
            }
        }
        return ranges;
    }

    static MediaRange parse(String value) {
        List<String> pieces = split(value, ';');
        String full = pieces.get(0).trim().toLowerCase(Locale.ROOT);
        int slash = full.indexOf('/');
        if (slash <= 0 || slash == full.length() - 1) {
            throw DicomWebException.badRequest("Malformed media type '" + safe(full) + "'");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String piece : pieces.subList(1, pieces.size())) {
            int equals = piece.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = piece.substring(0, equals).trim().toLowerCase(Locale.ROOT);
            String parameter = piece.substring(equals + 1).trim();
            if (parameter.length() >= 2 && parameter.startsWith("\"") && parameter.endsWith("\"")) {
                parameter =
                        parameter.substring(1, parameter.length() - 1).replaceAll("\\\\(.)", "$1");
            }
            parameters.put(name, parameter);
        }
        return new MediaRange(full.substring(0, slash), full.substring(slash + 1), parameters);
    }

    boolean isWildcard() {
        return type.equals("*");
    }

    /** Whether this range admits {@code type/subtype}. */
    boolean admits(String otherType, String otherSubtype) {
        return (type.equals("*") || type.equals(otherType))
                && (subtype.equals("*") || subtype.equals(otherSubtype));
    }

    String parameter(String name) {
        return parameters.get(name);
    }

    /** Splits at {@code separator} outside quoted strings. */
    private static List<String> split(String value, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < value.length()) {
                current.append(c).append(value.charAt(++i));
                continue;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static String safe(String text) {
        String cleaned = text.replaceAll("[^A-Za-z0-9/+.*-]", "?");
        return cleaned.length() > 60 ? cleaned.substring(0, 60) : cleaned;
    }
}

package org.quorum.deid.text.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.PhiType;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Microsoft presidio-research's synthetic sentences ({@code presidio_synth_dev.json}): each record
 * has {@code full_text} and {@code spans[{entity_type, entity_value, start_position,
 * end_position}]}.
 *
 * <p>Presidio labels more than Safe Harbor asks for. The mapping onto our types: PERSON → NAME;
 * STREET_ADDRESS, ZIP_CODE and GPE below state level → ADDRESS; ORGANIZATION → ORGANIZATION;
 * CREDIT_CARD, IBAN_CODE → ACCOUNT; DATE_TIME → DATE; PHONE_NUMBER → PHONE; EMAIL_ADDRESS → EMAIL;
 * DOMAIN_NAME → URL; US_SSN → SSN; IP_ADDRESS → IP; US_DRIVER_LICENSE → LICENSE; AGE over 89 → AGE.
 * Not PHI (counted neither way): TITLE, NRP (nationality, religion, politics), AGE of 89 or less,
 * GPE that is a country, state or province (164.514(b)(2)(i)(B) lets states stay), and GPE "nan", a
 * missing value the generator wrote out.
 *
 * <p><b>Split</b> (made before any rule was changed for issue 11): a record belongs to the held-out
 * part when the first byte of SHA-256 of its {@code full_text} (UTF-8) is odd, else to the tuning
 * part. Deterministic, independent of the file's order, and identical texts fall on the same side.
 * Rules are tuned on {@link Part#TUNING} only; misses of {@link Part#HELD_OUT} are never printed.
 */
public final class PresidioCorpus {

    private static final Pattern MISSING_VALUE = Pattern.compile("\\bnan\\b");

    /** Which records of the file to load. */
    public enum Part {
        /** The records rules may be tuned on. */
        TUNING,
        /** The records kept for measuring only. */
        HELD_OUT,
        /** Every record. */
        ALL
    }

    private PresidioCorpus() {}

    /** Every record. */
    public static List<LabelledText> load(Path file, PhiLexicon lexicon) throws IOException {
        return load(file, lexicon, Part.ALL);
    }

    public static List<LabelledText> load(Path file, PhiLexicon lexicon, Part part)
            throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        List<LabelledText> texts = new ArrayList<>();
        int index = 0;
        for (JsonNode record : root) {
            String text = record.path("full_text").asText();
            if (part != Part.ALL && part != partOf(text)) {
                index++;
                continue;
            }
            List<GoldSpan> gold = new ArrayList<>();
            for (JsonNode span : record.path("spans")) {
                String label = span.path("entity_type").asText();
                String value = span.path("entity_value").asText();
                int start = span.path("start_position").asInt();
                int end = span.path("end_position").asInt();
                if (end <= start || end > text.length()) {
                    continue;
                }
                addWithoutMissingValues(gold, map(label, value, start, end, lexicon), text);
            }
            texts.add(new LabelledText("presidio-" + index++, text, gold, KnownPhi.empty()));
        }
        return texts;
    }

    /** The part a record belongs to, from its text alone (see the class comment). */
    public static Part partOf(String fullText) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(fullText.getBytes(StandardCharsets.UTF_8));
            return (digest[0] & 1) == 1 ? Part.HELD_OUT : Part.TUNING;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    // The generator wrote a missing state as "nan" inside addresses: not PHI, not text anyone
    // wrote.
    private static void addWithoutMissingValues(List<GoldSpan> gold, GoldSpan span, String text) {
        if (!span.isPhi()) {
            gold.add(span);
            return;
        }
        Matcher nan = MISSING_VALUE.matcher(text).region(span.start(), span.end());
        int from = span.start();
        while (nan.find()) {
            if (nan.start() > from) {
                gold.add(new GoldSpan(from, nan.start(), span.label(), span.type()));
            }
            gold.add(new GoldSpan(nan.start(), nan.end(), "generator's \"nan\"", null));
            from = nan.end();
        }
        if (from < span.end()) {
            gold.add(new GoldSpan(from, span.end(), span.label(), span.type()));
        }
    }

    private static GoldSpan map(
            String label, String value, int start, int end, PhiLexicon lexicon) {
        return switch (label) {
            case "PERSON" -> new GoldSpan(start, end, label, PhiType.NAME);
            case "STREET_ADDRESS", "ZIP_CODE" -> new GoldSpan(start, end, label, PhiType.ADDRESS);
            case "GPE" ->
                    isCountryOrState(value, lexicon)
                            ? new GoldSpan(start, end, "GPE (country/state)", null)
                            : new GoldSpan(start, end, "GPE (city/town)", PhiType.ADDRESS);
            case "ORGANIZATION" -> new GoldSpan(start, end, label, PhiType.ORGANIZATION);
            case "CREDIT_CARD", "IBAN_CODE" -> new GoldSpan(start, end, label, PhiType.ACCOUNT);
            case "DATE_TIME" -> new GoldSpan(start, end, label, PhiType.DATE);
            case "PHONE_NUMBER" -> new GoldSpan(start, end, label, PhiType.PHONE);
            case "EMAIL_ADDRESS" -> new GoldSpan(start, end, label, PhiType.EMAIL);
            case "DOMAIN_NAME" -> new GoldSpan(start, end, label, PhiType.URL);
            case "US_SSN" -> new GoldSpan(start, end, label, PhiType.SSN);
            case "IP_ADDRESS" -> new GoldSpan(start, end, label, PhiType.IP);
            case "US_DRIVER_LICENSE" -> new GoldSpan(start, end, label, PhiType.LICENSE);
            case "AGE" ->
                    isOver89(value)
                            ? new GoldSpan(start, end, "AGE (over 89)", PhiType.AGE)
                            : new GoldSpan(start, end, "AGE (89 or less)", null);
            default -> new GoldSpan(start, end, label, null); // TITLE, NRP
        };
    }

    private static boolean isCountryOrState(String value, PhiLexicon lexicon) {
        String trimmed = value.strip();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        return lower.equals("nan")
                || lexicon.isCountryOrState(lower)
                || trimmed.matches("[A-Z]{2}");
    }

    private static boolean isOver89(String value) {
        String digits = value.replaceAll("\\D", "");
        return !digits.isEmpty() && digits.length() <= 3 && Integer.parseInt(digits) > 89;
    }
}

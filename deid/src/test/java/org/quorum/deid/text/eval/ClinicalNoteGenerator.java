package org.quorum.deid.text.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.quorum.deid.text.FhirKnownPhiReader;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.PhiType;

/**
 * A second, independent source of labelled clinical notes (issue 11): discharge summaries,
 * radiology reports, nursing notes, referral letters and phone messages, filled from templates with
 * PHI in varied written forms and with clinical terms that are not PHI, each with its gold span.
 * Everything is in {@code src/test/resources/org/quorum/deid/text/eval/notes/} (see its README).
 *
 * <p>Splits, fixed before any rule was tuned: names, organisation stems and clinical terms go to
 * the tuning or the held-out pool by SHA-256 of the value (odd first byte = held out); templates
 * sit in {@code templates/tuning} or {@code templates/held-out}; seeds 1 to n are for tuning,
 * 1,000,001 on are held out. {@link Set#TUNING} uses tuning templates, pools and seeds; {@link
 * Set#HELD_OUT_SEEDS} tuning templates with held-out pools and seeds; {@link Set#HELD_OUT} held-out
 * templates, pools and seeds.
 *
 * <p>Placeholders: {@code PT PT_FULL PT_TITLE PT_LASTFIRST PT_FIRST PT_LAST PT_INIT REL REL_FIRST
 * DR NURSE STAFF NURSE_INIT PT_INIT_STAFF DATE DATE_NY DATE_ORD_N AGE AGE_OLD PHONE PHONE_EXT FAX
 * MRN ACC ACCT HPN SSN ORG_EMP ORG_CARE ORG_HOSPICE ORG_HOSP ADDR CITY ZIP EMAIL TERM:category}.
 * The patient, one relative and the attending are in the FHIR context ({@code --fhir-context}); the
 * other people and the organisations are not.
 */
public final class ClinicalNoteGenerator {

    /** Which notes to generate. */
    public enum Set {
        TUNING,
        HELD_OUT_SEEDS,
        HELD_OUT
    }

    /** A clinical term placed in a note, which the de-identifier must leave alone. */
    public record Term(int start, int end, String category) {}

    /** A generated note: text, gold PHI, context, and the clinical terms it holds. */
    public record Note(LabelledText labelled, List<Term> terms) {}

    private static final String ROOT = "/org/quorum/deid/text/eval/notes/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Z_]+)(?::([a-z]+))?}");
    private static final long HELD_OUT_SEED_BASE = 1_000_000L;
    private static final String[] ONES = {
        "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"
    };

    private final List<String> firstNames;
    private final List<String> surnames;
    private final Map<String, String> nicknames = new HashMap<>();
    private final List<String> orgStems;
    private final Map<String, List<String>> orgKinds = new HashMap<>();
    private final Map<String, List<String>> terms = new HashMap<>();
    private final List<String> templates;
    private final String setName;

    private ClinicalNoteGenerator(Set set) {
        boolean heldOutPools = set != Set.TUNING;
        this.setName = set.name().toLowerCase(Locale.ROOT);
        this.firstNames = pool(lines("first-names.txt"), heldOutPools);
        this.surnames = pool(lines("surnames.txt"), heldOutPools);
        this.orgStems = pool(lines("org-stems.txt"), heldOutPools);
        for (String line : lines("nicknames.tsv")) {
            String[] c = line.split("\t");
            nicknames.put(c[0], c[1]);
        }
        for (String line : lines("org-kinds.tsv")) {
            String[] c = line.split("\t");
            orgKinds.computeIfAbsent(c[0], k -> new ArrayList<>()).add(c[1]);
        }
        Map<String, List<String>> all = new HashMap<>();
        for (String line : lines("clinical-terms.tsv")) {
            String[] c = line.split("\t");
            all.computeIfAbsent(c[0], k -> new ArrayList<>()).add(c[1]);
        }
        all.forEach((category, list) -> terms.put(category, pool(list, heldOutPools)));
        this.templates = templates(set == Set.HELD_OUT ? "held-out" : "tuning");
    }

    /** {@code count} notes of a set; the same arguments give the same notes. */
    public static List<Note> generate(Set set, int count) {
        ClinicalNoteGenerator generator = new ClinicalNoteGenerator(set);
        long base = set == Set.TUNING ? 0 : HELD_OUT_SEED_BASE;
        List<Note> notes = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            notes.add(generator.note(base + i));
        }
        return notes;
    }

    /** The notes as labelled texts, with or without the patient's FHIR record as context. */
    public static List<LabelledText> labelled(List<Note> notes, boolean withContext) {
        return notes.stream()
                .map(Note::labelled)
                .map(
                        l ->
                                withContext
                                        ? l
                                        : new LabelledText(
                                                l.id(), l.text(), l.gold(), KnownPhi.empty()))
                .toList();
    }

    // --- one note -----------------------------------------------------------------------------

    private final class Person {
        final String first;
        final String middle;
        final String last;

        Person(Random random, String family) {
            first = pick(random, firstNames);
            middle = random.nextInt(3) == 0 ? pick(random, firstNames) : null;
            last = family != null ? family : pick(random, surnames);
        }
    }

    private Note note(long seed) {
        Random random = new Random(seed);
        String template = templates.get(random.nextInt(templates.size()));
        Person patient = new Person(random, null);
        // Relatives share the family name half of the time (the DICOM leak of issue 11).
        Person relative = new Person(random, random.nextBoolean() ? patient.last : null);
        Person attending = new Person(random, null);
        LocalDate birth =
                LocalDate.of(
                        1920 + random.nextInt(70), 1 + random.nextInt(12), 1 + random.nextInt(28));
        String mrn = String.valueOf(1_000_000 + random.nextInt(8_999_999));
        String phone = phoneDigits(random);

        StringBuilder text = new StringBuilder();
        List<GoldSpan> gold = new ArrayList<>();
        List<Term> placed = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        int position = 0;
        boolean firstDr = true;
        while (m.find()) {
            text.append(template, position, m.start());
            position = m.end();
            String kind = m.group(1);
            if (kind.equals("TERM")) {
                String category =
                        m.group(2) != null
                                ? m.group(2)
                                : List.copyOf(terms.keySet()).get(random.nextInt(terms.size()));
                String term = pick(random, terms.get(category));
                int start = text.length();
                text.append(term);
                placed.add(new Term(start, text.length(), category));
                continue;
            }
            Person doctor = firstDr ? attending : new Person(random, null);
            if (kind.equals("DR")) {
                firstDr = random.nextInt(3) != 0 ? firstDr : false;
            }
            boolean glued =
                    position < template.length() && Character.isLetter(template.charAt(position));
            render(kind, random, patient, relative, doctor, birth, mrn, phone, text, gold, glued);
        }
        text.append(template, position, template.length());
        KnownPhi context = context(patient, relative, attending, birth, mrn, phone, seed);
        String id = setName + "-" + seed;
        return new Note(new LabelledText(id, text.toString(), gold, context), placed);
    }

    private void render(
            String kind,
            Random r,
            Person pt,
            Person rel,
            Person dr,
            LocalDate birth,
            String mrn,
            String phone,
            StringBuilder text,
            List<GoldSpan> gold,
            boolean glued) {
        switch (kind) {
            case "PT" -> name(text, gold, "PATIENT", patientForm(r, pt));
            case "PT_FULL" -> name(text, gold, "PATIENT", full(r, pt));
            case "PT_TITLE" -> {
                text.append(pick(r, List.of("Mr. ", "Ms. ", "Mrs. ", "Mr ", "Ms ")));
                name(
                        text,
                        gold,
                        "PATIENT",
                        r.nextInt(5) == 0 ? pt.last.toUpperCase(Locale.ROOT) : pt.last);
            }
            case "PT_LASTFIRST" ->
                    name(
                            text,
                            gold,
                            "PATIENT",
                            r.nextBoolean()
                                    ? pt.last + ", " + pt.first
                                    : (pt.last + ", " + pt.first).toUpperCase(Locale.ROOT));
            case "PT_FIRST" -> name(text, gold, "PATIENT", firstForm(r, pt));
            case "PT_LAST" -> name(text, gold, "PATIENT", pt.last);
            case "PT_INIT" -> name(text, gold, "PATIENT (initials)", initials(r, pt));
            case "PT_INIT_STAFF", "NURSE_INIT" ->
                    name(text, gold, "STAFF (initials)", initials(r, new Person(r, null)));
            case "REL" ->
                    name(text, gold, "RELATIVE", r.nextInt(3) == 0 ? rel.first : full(r, rel));
            case "REL_FIRST" -> name(text, gold, "RELATIVE", firstForm(r, rel));
            case "DR" -> doctor(r, dr, text, gold);
            case "NURSE" -> {
                Person nurse = new Person(r, null);
                switch (r.nextInt(4)) {
                    case 0 -> {
                        name(text, gold, "STAFF", nurse.first + " " + nurse.last);
                        text.append(", RN");
                    }
                    case 1 -> {
                        text.append("RN ");
                        name(text, gold, "STAFF", nurse.first);
                    }
                    case 2 -> {
                        text.append("nurse ");
                        name(text, gold, "STAFF", nurse.first);
                    }
                    default ->
                            name(
                                    text,
                                    gold,
                                    "STAFF",
                                    nurse.first + " " + nurse.last.charAt(0) + ".");
                }
            }
            case "STAFF" -> name(text, gold, "STAFF", full(r, new Person(r, null)));
            case "DATE" -> span(text, gold, "DATE", PhiType.DATE, dateWithYear(r, birth));
            case "DATE_NY" -> span(text, gold, "DATE (no year)", PhiType.DATE, dateWithoutYear(r));
            case "DATE_ORD_N" ->
                    span(
                            text,
                            gold,
                            "DATE (ordinal day)",
                            PhiType.DATE,
                            ordinal(1 + r.nextInt(31)));
            case "AGE" -> {
                int age = 18 + r.nextInt(72);
                span(
                        text,
                        gold,
                        "AGE (89 or less)",
                        null,
                        !glued && r.nextInt(6) == 0 ? words(age) : String.valueOf(age));
            }
            case "AGE_OLD" -> {
                int age = 90 + r.nextInt(16);
                span(
                        text,
                        gold,
                        "AGE (over 89)",
                        PhiType.AGE,
                        !glued && r.nextInt(4) == 0 ? words(age) : String.valueOf(age));
            }
            case "PHONE" ->
                    span(
                            text,
                            gold,
                            "PHONE",
                            PhiType.PHONE,
                            phoneForm(r, r.nextInt(3) == 0 ? phone : phoneDigits(r)));
            case "PHONE_EXT" -> {
                String form = phoneForm(r, phoneDigits(r));
                String ext =
                        pick(r, List.of(" ext. ", " x", " ext ", " extension "))
                                + (100 + r.nextInt(9000));
                span(
                        text,
                        gold,
                        "PHONE (extension)",
                        PhiType.PHONE,
                        r.nextInt(3) == 0 ? ext.strip() : form + ext);
            }
            case "FAX" -> span(text, gold, "FAX", PhiType.FAX, phoneForm(r, phoneDigits(r)));
            case "MRN" ->
                    span(
                            text,
                            gold,
                            "MRN",
                            PhiType.ID,
                            pick(
                                    r,
                                    List.of(
                                            mrn,
                                            "00" + mrn,
                                            mrn.substring(0, 3) + "-" + mrn.substring(3),
                                            "E" + mrn,
                                            mrn + "-2")));
            case "ACC" -> span(text, gold, "ACCESSION", PhiType.ACCOUNT, accession(r));
            case "ACCT" ->
                    span(
                            text,
                            gold,
                            "ACCOUNT",
                            PhiType.ACCOUNT,
                            pick(r, List.of("", "A", "HB")) + (10_000_000 + r.nextInt(89_999_999)));
            case "HPN" -> span(text, gold, "HEALTH_PLAN", PhiType.ID, healthPlan(r));
            case "SSN" ->
                    span(
                            text,
                            gold,
                            "SSN",
                            PhiType.SSN,
                            String.format(
                                    Locale.ROOT,
                                    "%03d-%02d-%04d",
                                    100 + r.nextInt(665),
                                    10 + r.nextInt(89),
                                    1000 + r.nextInt(8999)));
            case "ORG_EMP" -> org(r, text, gold, "employer", "ORGANIZATION (employer)");
            case "ORG_CARE" -> org(r, text, gold, "care", "ORGANIZATION (care home)");
            case "ORG_HOSPICE" -> org(r, text, gold, "hospice", "ORGANIZATION (hospice)");
            case "ORG_HOSP" -> org(r, text, gold, "hospital", "ORGANIZATION (hospital)");
            case "ADDR" ->
                    span(
                            text,
                            gold,
                            "ADDRESS",
                            PhiType.ADDRESS,
                            (10 + r.nextInt(9000))
                                    + " "
                                    + pick(r, orgStems).split(" ")[0]
                                    + " "
                                    + pick(
                                            r,
                                            List.of(
                                                    "Street", "Ave", "Road", "Lane", "Ct", "Blvd",
                                                    "Drive")));
            case "CITY" ->
                    span(
                            text,
                            gold,
                            "CITY",
                            PhiType.ADDRESS,
                            pick(r, orgStems).split(" ")[0]
                                    + pick(
                                            r,
                                            List.of(
                                                    "ville",
                                                    " Falls",
                                                    "ton",
                                                    " Springs",
                                                    "field")));
            case "ZIP" ->
                    span(
                            text,
                            gold,
                            "ZIP",
                            PhiType.ADDRESS,
                            String.format(Locale.ROOT, "%05d", 10_000 + r.nextInt(89_000)));
            case "EMAIL" ->
                    span(
                            text,
                            gold,
                            "EMAIL",
                            PhiType.EMAIL,
                            (dr.first.charAt(0) + dr.last)
                                            .toLowerCase(Locale.ROOT)
                                            .replaceAll("[^a-z]", "")
                                    + "@"
                                    + pick(r, orgStems).toLowerCase(Locale.ROOT).replace(" ", "")
                                    + ".org");
            default -> throw new IllegalArgumentException("unknown placeholder " + kind);
        }
    }

    private static void name(StringBuilder text, List<GoldSpan> gold, String label, String value) {
        span(text, gold, "NAME: " + label, PhiType.NAME, value);
    }

    private static void span(
            StringBuilder text, List<GoldSpan> gold, String label, PhiType type, String value) {
        int start = text.length();
        text.append(value);
        gold.add(new GoldSpan(start, text.length(), label, type));
    }

    private String patientForm(Random r, Person p) {
        return switch (r.nextInt(8)) {
            case 0 -> p.first + " " + p.last;
            case 1 -> p.last + ", " + p.first;
            case 2 -> (p.first + " " + p.last).toUpperCase(Locale.ROOT);
            case 3 -> (p.first + " " + p.last).toLowerCase(Locale.ROOT);
            case 4 -> firstForm(r, p);
            case 5 -> p.first + " " + (p.middle != null ? p.middle.charAt(0) + ". " : "") + p.last;
            case 6 -> p.last;
            default -> initials(r, p);
        };
    }

    private String full(Random r, Person p) {
        return r.nextInt(4) == 0 && p.middle != null
                ? p.first + " " + p.middle.charAt(0) + ". " + p.last
                : p.first + " " + p.last;
    }

    private String firstForm(Random r, Person p) {
        String nick = nicknames.get(p.first);
        if (nick != null && r.nextBoolean()) {
            return nick;
        }
        return r.nextInt(6) == 0 ? p.first.toLowerCase(Locale.ROOT) : p.first;
    }

    private static String initials(Random r, Person p) {
        String letters =
                ""
                        + p.first.charAt(0)
                        + (p.middle != null ? p.middle.charAt(0) : "")
                        + p.last.charAt(0);
        letters = letters.toUpperCase(Locale.ROOT);
        return r.nextBoolean() ? letters : String.join(".", letters.split("")) + ".";
    }

    private static void doctor(Random r, Person d, StringBuilder text, List<GoldSpan> gold) {
        switch (r.nextInt(6)) {
            case 0 -> {
                text.append("Dr. ");
                name(text, gold, "CLINICIAN", d.first + " " + d.last);
            }
            case 1 -> {
                text.append("Dr ");
                name(text, gold, "CLINICIAN", d.last);
            }
            case 2 -> {
                name(text, gold, "CLINICIAN", d.first + " " + d.last);
                text.append(", MD");
            }
            case 3 -> {
                name(text, gold, "CLINICIAN", d.last + ", " + d.first);
                text.append(" MD");
            }
            case 4 -> {
                text.append("Dr. ");
                name(text, gold, "CLINICIAN", d.last.toUpperCase(Locale.ROOT));
            }
            default -> {
                name(text, gold, "CLINICIAN", d.first.charAt(0) + ". " + d.last);
                text.append(", DO");
            }
        }
    }

    private void org(Random r, StringBuilder text, List<GoldSpan> gold, String kind, String label) {
        String stem = pick(r, orgStems);
        String suffix = pick(r, orgKinds.get(kind));
        String value =
                switch (r.nextInt(5)) {
                    case 0 -> stem + " " + suffix.toLowerCase(Locale.ROOT);
                    case 1 -> (stem + " " + suffix).toUpperCase(Locale.ROOT);
                    default -> stem + " " + suffix;
                };
        span(text, gold, label, PhiType.ORGANIZATION, value);
    }

    private static String dateWithYear(Random r, LocalDate birth) {
        LocalDate d =
                r.nextInt(4) == 0
                        ? birth
                        : LocalDate.of(2015 + r.nextInt(11), 1 + r.nextInt(12), 1 + r.nextInt(28));
        String month = d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        String mon = d.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
        return switch (r.nextInt(9)) {
            case 0 -> d.getMonthValue() + "/" + d.getDayOfMonth() + "/" + d.getYear();
            case 1 ->
                    String.format(
                            Locale.ROOT,
                            "%02d/%02d/%02d",
                            d.getMonthValue(),
                            d.getDayOfMonth(),
                            d.getYear() % 100);
            case 2 -> month + " " + d.getDayOfMonth() + ", " + d.getYear();
            case 3 -> d.getDayOfMonth() + " " + mon + " " + d.getYear();
            case 4 -> d.toString();
            case 5 ->
                    String.format(
                            Locale.ROOT,
                            "%02d-%s-%d",
                            d.getDayOfMonth(),
                            mon.toUpperCase(Locale.ROOT),
                            d.getYear());
            case 6 -> d.getMonthValue() + "-" + d.getDayOfMonth() + "-" + d.getYear();
            case 7 -> mon + ". " + ordinal(d.getDayOfMonth()) + " " + d.getYear();
            default ->
                    String.format(
                            Locale.ROOT,
                            "%02d.%02d.%d",
                            d.getDayOfMonth(),
                            d.getMonthValue(),
                            d.getYear());
        };
    }

    private static String dateWithoutYear(Random r) {
        int month = 1 + r.nextInt(12);
        int day = 1 + r.nextInt(28);
        String full = java.time.Month.of(month).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        String mon = java.time.Month.of(month).getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
        return switch (r.nextInt(7)) {
            case 0 -> month + "/" + day;
            case 1 -> String.format(Locale.ROOT, "%02d/%02d", month, day);
            case 2 -> full + " " + day;
            case 3 -> mon + " " + ordinal(day);
            case 4 -> day + " " + full;
            case 5 -> full + " " + ordinal(day);
            default -> mon + ". " + day;
        };
    }

    static String ordinal(int day) {
        String suffix =
                day % 10 == 1 && day != 11
                        ? "st"
                        : day % 10 == 2 && day != 12
                                ? "nd"
                                : day % 10 == 3 && day != 13 ? "rd" : "th";
        return day + suffix;
    }

    private static String words(int n) {
        String[] tens = {
            "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"
        };
        if (n >= 100) {
            return "one hundred" + (n % 100 == 0 ? "" : " " + words(n % 100));
        }
        if (n < 20) {
            return n < 10
                    ? ONES[n]
                    : List.of(
                                    "ten",
                                    "eleven",
                                    "twelve",
                                    "thirteen",
                                    "fourteen",
                                    "fifteen",
                                    "sixteen",
                                    "seventeen",
                                    "eighteen",
                                    "nineteen")
                            .get(n - 10);
        }
        return tens[n / 10] + (n % 10 == 0 ? "" : "-" + ONES[n % 10]);
    }

    private static String phoneDigits(Random r) {
        return String.format(
                Locale.ROOT,
                "%d%02d%d%02d%04d",
                2 + r.nextInt(8),
                r.nextInt(100),
                2 + r.nextInt(8),
                r.nextInt(100),
                r.nextInt(10000));
    }

    private static String phoneForm(Random r, String d) {
        String a = d.substring(0, 3);
        String b = d.substring(3, 6);
        String c = d.substring(6);
        return switch (r.nextInt(8)) {
            case 0 -> "(" + a + ") " + b + "-" + c;
            case 1 -> a + "-" + b + "-" + c;
            case 2 -> a + "." + b + "." + c;
            case 3 -> a + "/" + b + "-" + c;
            case 4 -> a + " " + b + " " + c;
            case 5 -> "+1 " + a + " " + b + " " + c;
            case 6 -> "(" + a + ")" + b + "-" + c;
            default -> "1-" + a + "-" + b + "-" + c;
        };
    }

    private static String accession(Random r) {
        int n = 100_000 + r.nextInt(899_999);
        return switch (r.nextInt(5)) {
            case 0 -> "ACC" + n;
            case 1 -> "RAD-" + (2015 + r.nextInt(11)) + "-" + n;
            case 2 -> "A" + n + "CT";
            case 3 -> n + "-MR";
            default -> "XR" + n;
        };
    }

    private static String healthPlan(Random r) {
        String letters =
                ""
                        + (char) ('A' + r.nextInt(26))
                        + (char) ('A' + r.nextInt(26))
                        + (char) ('A' + r.nextInt(26));
        return switch (r.nextInt(5)) {
            case 0 -> letters + (100_000_000 + r.nextInt(899_999_999));
            case 1 ->
                    (1 + r.nextInt(9))
                            + letters.substring(0, 2)
                            + (1 + r.nextInt(9))
                            + "-"
                            + letters
                            + "-"
                            + letters.charAt(0)
                            + (10 + r.nextInt(89));
            case 2 -> "MA" + String.format(Locale.ROOT, "%08d", r.nextInt(99_999_999));
            case 3 -> "W" + (100_000_000 + r.nextInt(899_999_999)) + "-01";
            default ->
                    letters
                            + "-"
                            + (10_000 + r.nextInt(89_999))
                            + "-"
                            + String.format(Locale.ROOT, "%02d", r.nextInt(99));
        };
    }

    // What a FHIR record of the patient would give: Patient (name, MRN, birth date, phone, the
    // relative as contact) and the attending as Practitioner. Built as FHIR JSON and read by the
    // same reader as `quorum deid text --fhir-context`.
    private static KnownPhi context(
            Person pt,
            Person rel,
            Person dr,
            LocalDate birth,
            String mrn,
            String phone,
            long seed) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode patient =
                json.createObjectNode().put("resourceType", "Patient").put("id", "p" + seed);
        ObjectNode identifier = patient.putArray("identifier").addObject().put("value", mrn);
        identifier.putObject("type").putArray("coding").addObject().put("code", "MR");
        ObjectNode name = patient.putArray("name").addObject().put("family", pt.last);
        ArrayNode given = name.putArray("given").add(pt.first);
        if (pt.middle != null) {
            given.add(pt.middle);
        }
        patient.put("birthDate", birth.toString());
        patient.putArray("telecom").addObject().put("system", "phone").put("value", phone);
        ObjectNode contact = patient.putArray("contact").addObject();
        contact.putObject("name").put("family", rel.last).putArray("given").add(rel.first);
        ObjectNode practitioner =
                json.createObjectNode().put("resourceType", "Practitioner").put("id", "d" + seed);
        practitioner
                .putArray("name")
                .addObject()
                .put("family", dr.last)
                .putArray("given")
                .add(dr.first);
        KnownPhi.Builder builder = KnownPhi.builder();
        FhirKnownPhiReader.addResource(builder, patient);
        FhirKnownPhiReader.addResource(builder, practitioner);
        return builder.build();
    }

    // --- resources -----------------------------------------------------------------------------

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static List<String> pool(List<String> values, boolean heldOut) {
        return values.stream().filter(v -> isHeldOut(v) == heldOut).toList();
    }

    /** The split of a pool value: SHA-256 of its UTF-8 bytes, odd first byte = held out. */
    static boolean isHeldOut(String value) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(value.getBytes(StandardCharsets.UTF_8));
            return (digest[0] & 1) == 1;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static List<String> lines(String name) {
        try (InputStream in = ClinicalNoteGenerator.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException(ROOT + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> templates(String folder) {
        URL url = ClinicalNoteGenerator.class.getResource(ROOT + "templates/" + folder);
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<String> out = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                out.add(Files.readString(file, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

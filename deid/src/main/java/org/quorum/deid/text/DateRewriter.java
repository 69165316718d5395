package org.quorum.deid.text;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a date found in text under a {@link DatePolicy}, keeping its spelling: "March 3rd, 2021"
 * shifted by 10 days becomes "March 13th, 2021", "03/04/2021" stays two-digit, a weekday follows
 * its date. Times of day are left as written.
 */
final class DateRewriter {

    private static final Pattern WEEKDAY =
            Pattern.compile(
                    "(?i)\\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\\b\\.?");
    private static final Pattern MONTH_NAME =
            Pattern.compile(
                    "(?i)\\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
                            + "|nov(?:ember)?|dec(?:ember)?)(?![a-z])");
    private static final Pattern ISO = Pattern.compile("^(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})");
    private static final Pattern NUMERIC =
            Pattern.compile("^(\\d{1,2})([-/.])(\\d{1,2})\\2(\\d{4}|\\d{2})(?!\\d)");
    private static final Pattern NUMERIC_MONTH_YEAR = Pattern.compile("^(\\d{1,2})/(\\d{4})$");
    private static final Pattern YEAR =
            Pattern.compile("(?<![\\d:])(1[89]\\d\\d|20\\d\\d)(?![\\d:])");
    private static final Pattern SHORT_YEAR = Pattern.compile("(?:'|(?<=[\\s,-]))(\\d{2})$");
    private static final Pattern DAY =
            Pattern.compile("(?<![\\d:])(\\d{1,2})(st|nd|rd|th)?(?![\\d:])");

    /** Where a date component sits in the text, and how it is written. */
    private record Part(int start, int end, char field, String written) {}

    private final int referenceYear;

    /**
     * @param referenceYear the year ages are reckoned from, to spot years that reveal an age over
     *     89
     */
    DateRewriter(int referenceYear) {
        this.referenceYear = referenceYear;
    }

    /**
     * The rewritten date, or empty when the text has no year to keep (Safe Harbor) or cannot be
     * read as a date; the caller then writes a tag.
     */
    Optional<String> rewrite(String text, DatePolicy policy, Integer offsetDays) {
        List<Part> parts = parse(text);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        Integer year = null;
        for (Part part : parts) {
            if (part.field == 'y') {
                year = yearValue(part.written);
            }
        }
        if (policy == DatePolicy.SAFE_HARBOR || offsetDays == null) {
            return year == null ? Optional.empty() : Optional.of(safeHarborYear(year));
        }
        return shift(text, parts, offsetDays);
    }

    /**
     * 45 CFR 164.514(b)(2)(i)(C): the year may stay, unless it reveals an age over 89; such years
     * are aggregated into one category.
     */
    String safeHarborYear(int year) {
        int oldestAllowed = referenceYear - 89;
        return year < oldestAllowed ? (oldestAllowed - 1) + " or earlier" : Integer.toString(year);
    }

    private Optional<String> shift(String text, List<Part> parts, int offsetDays) {
        Part yearPart = find(parts, 'y');
        Part monthPart = find(parts, 'm');
        Part dayPart = find(parts, 'd');
        Part weekdayPart = find(parts, 'w');
        if (monthPart == null) {
            if (weekdayPart != null && yearPart == null) {
                DayOfWeek day = weekdayOf(weekdayPart.written);
                return Optional.of(
                        replace(
                                text,
                                List.of(
                                        new Part(
                                                weekdayPart.start,
                                                weekdayPart.end,
                                                'w',
                                                writeWeekday(
                                                        day.plus(offsetDays),
                                                        weekdayPart.written)))));
            }
            // A year alone cannot move by days; a year is no Safe Harbor element either.
            return yearPart == null ? Optional.empty() : Optional.of(text);
        }
        int year =
                yearPart != null ? yearValue(yearPart.written) : 2000; // a leap year takes any day
        int month = monthValue(monthPart.written);
        int day = dayPart != null ? Integer.parseInt(dayPart.written.replaceAll("\\D", "")) : 15;
        LocalDate original;
        try {
            original = LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            return Optional.empty();
        }
        LocalDate shifted = original.plusDays(offsetDays);
        List<Part> replacements = new ArrayList<>();
        if (yearPart != null) {
            String y = Integer.toString(shifted.getYear());
            replacements.add(
                    new Part(
                            yearPart.start,
                            yearPart.end,
                            'y',
                            yearPart.written.length() == 4
                                    ? y
                                    : yearPart.written.startsWith("'")
                                            ? "'" + y.substring(2)
                                            : y.substring(2)));
        }
        replacements.add(
                new Part(
                        monthPart.start,
                        monthPart.end,
                        'm',
                        writeMonth(shifted.getMonth(), monthPart.written)));
        if (dayPart != null) {
            String shiftedDay = writeDay(shifted.getDayOfMonth(), dayPart.written);
            // All-numeric dates keep their width: "2021-03-14" becomes "2021-04-09", not
            // "2021-04-9".
            boolean numeric = Character.isDigit(monthPart.written.charAt(0));
            if (numeric && dayPart.written.length() == 2 && shiftedDay.length() == 1) {
                shiftedDay = "0" + shiftedDay;
            }
            replacements.add(new Part(dayPart.start, dayPart.end, 'd', shiftedDay));
        }
        if (weekdayPart != null && dayPart != null) {
            replacements.add(
                    new Part(
                            weekdayPart.start,
                            weekdayPart.end,
                            'w',
                            writeWeekday(shifted.getDayOfWeek(), weekdayPart.written)));
        }
        return Optional.of(replace(text, replacements));
    }

    private static String replace(String text, List<Part> replacements) {
        List<Part> ordered = new ArrayList<>(replacements);
        ordered.sort(Comparator.comparingInt(Part::start).reversed());
        StringBuilder out = new StringBuilder(text);
        for (Part part : ordered) {
            out.replace(part.start, part.end, part.written);
        }
        return out.toString();
    }

    /** Locates year, month, day and weekday in a date text; empty if it is no date. */
    static List<Part> parse(String text) {
        List<Part> parts = new ArrayList<>();
        int offset = 0;
        Matcher weekday = WEEKDAY.matcher(text);
        if (weekday.lookingAt()) {
            parts.add(new Part(weekday.start(1), weekday.end(1), 'w', weekday.group(1)));
            offset = weekday.end();
            while (offset < text.length()
                    && (text.charAt(offset) == ',' || text.charAt(offset) == ' ')) {
                offset++;
            }
        }
        String rest = text.substring(offset);
        Matcher iso = ISO.matcher(rest);
        Matcher numeric = NUMERIC.matcher(rest);
        Matcher monthYear = NUMERIC_MONTH_YEAR.matcher(rest);
        if (iso.find()) {
            parts.add(part(iso, 1, offset, 'y'));
            parts.add(part(iso, 3, offset, 'm'));
            parts.add(part(iso, 4, offset, 'd'));
        } else if (numeric.find()) {
            int first = Integer.parseInt(numeric.group(1));
            // Day first after a full stop (European "4.3.2021") or when the first number cannot be
            // a month.
            boolean dayFirst = ".".equals(numeric.group(2)) || first > 12;
            parts.add(part(numeric, dayFirst ? 1 : 3, offset, 'd'));
            parts.add(part(numeric, dayFirst ? 3 : 1, offset, 'm'));
            parts.add(part(numeric, 4, offset, 'y'));
        } else if (monthYear.find()) {
            parts.add(part(monthYear, 1, offset, 'm'));
            parts.add(part(monthYear, 2, offset, 'y'));
        } else {
            Matcher month = MONTH_NAME.matcher(rest);
            if (month.find()) {
                parts.add(part(month, 1, offset, 'm'));
                String outside =
                        rest.substring(0, month.start())
                                + " ".repeat(month.end() - month.start())
                                + rest.substring(month.end());
                Matcher year = YEAR.matcher(outside);
                int yearStart = -1;
                if (year.find()) {
                    parts.add(part(year, 1, offset, 'y'));
                    yearStart = year.start();
                } else {
                    Matcher shortYear = SHORT_YEAR.matcher(outside);
                    if (shortYear.find() && shortYear.start(1) > month.end()) {
                        Matcher before = DAY.matcher(outside.substring(0, shortYear.start()));
                        if (before.find()) { // "3 Mar 21": day, month, two-digit year
                            parts.add(
                                    new Part(
                                            offset
                                                    + shortYear.start(1)
                                                    - (outside.charAt(shortYear.start()) == '\''
                                                            ? 1
                                                            : 0),
                                            offset + shortYear.end(1),
                                            'y',
                                            outside.substring(shortYear.start(), shortYear.end())));
                            yearStart = shortYear.start();
                        }
                    }
                }
                Matcher day = DAY.matcher(outside);
                while (day.find()) {
                    if (day.start() != yearStart
                            && Integer.parseInt(day.group(1)) >= 1
                            && Integer.parseInt(day.group(1)) <= 31
                            && (yearStart < 0
                                    || day.end() <= yearStart
                                    || day.start() >= yearStart + 4)) {
                        parts.add(
                                new Part(
                                        offset + day.start(),
                                        offset + day.end(),
                                        'd',
                                        day.group()));
                        break;
                    }
                }
            } else {
                Matcher year = YEAR.matcher(rest);
                if (year.find()) {
                    parts.add(part(year, 1, offset, 'y'));
                }
            }
        }
        return parts;
    }

    private static Part part(Matcher m, int group, int offset, char field) {
        return new Part(offset + m.start(group), offset + m.end(group), field, m.group(group));
    }

    private static Part find(List<Part> parts, char field) {
        for (Part part : parts) {
            if (part.field == field) {
                return part;
            }
        }
        return null;
    }

    private int yearValue(String written) {
        String digits = written.replace("'", "");
        int value = Integer.parseInt(digits);
        if (digits.length() == 2) {
            int century = referenceYear / 100 * 100;
            value = century + value > referenceYear ? century - 100 + value : century + value;
        }
        return value;
    }

    private static int monthValue(String written) {
        if (Character.isDigit(written.charAt(0))) {
            return Integer.parseInt(written);
        }
        String lower = written.toLowerCase(Locale.ROOT);
        for (Month month : Month.values()) {
            if (month.name().toLowerCase(Locale.ROOT).startsWith(lower.substring(0, 3))) {
                return month.getValue();
            }
        }
        throw new IllegalArgumentException("Not a month name");
    }

    private static String writeMonth(Month month, String like) {
        if (Character.isDigit(like.charAt(0))) {
            return like.length() == 2
                    ? String.format(Locale.ROOT, "%02d", month.getValue())
                    : Integer.toString(month.getValue());
        }
        String name =
                like.length() <= 4
                                && !like.equalsIgnoreCase("june")
                                && !like.equalsIgnoreCase("july")
                        ? month.getDisplayName(TextStyle.SHORT, Locale.ENGLISH)
                        : month.getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        return matchCase(name, like);
    }

    private static String writeDay(int day, String like) {
        String suffix = like.replaceAll("\\d", "");
        String digits = like.replaceAll("\\D", "");
        String number =
                digits.length() == 2 && digits.startsWith("0")
                        ? String.format(Locale.ROOT, "%02d", day)
                        : Integer.toString(day);
        if (suffix.isEmpty()) {
            return number;
        }
        String ordinal =
                day % 100 >= 11 && day % 100 <= 13
                        ? "th"
                        : switch (day % 10) {
                            case 1 -> "st";
                            case 2 -> "nd";
                            case 3 -> "rd";
                            default -> "th";
                        };
        return number + matchCase(ordinal, suffix);
    }

    private static DayOfWeek weekdayOf(String written) {
        String lower = written.toLowerCase(Locale.ROOT);
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name()
                    .toLowerCase(Locale.ROOT)
                    .startsWith(lower.substring(0, Math.min(3, lower.length())))) {
                return day;
            }
        }
        throw new IllegalArgumentException("Not a weekday name");
    }

    private static String writeWeekday(DayOfWeek day, String like) {
        String name =
                like.length() <= 4
                        ? day.getDisplayName(TextStyle.SHORT, Locale.ENGLISH)
                        : day.getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        return matchCase(name, like);
    }

    private static String matchCase(String value, String like) {
        if (like.equals(like.toUpperCase(Locale.ROOT))
                && like.chars().anyMatch(Character::isLetter)) {
            return value.toUpperCase(Locale.ROOT);
        }
        if (Character.isLowerCase(like.charAt(0))) {
            return value.toLowerCase(Locale.ROOT);
        }
        return value;
    }
}

package org.quorum.quality.data;

import java.time.LocalDate;
import java.time.Period;

/**
 * A FHIR {@code date} that may be a year or a year and month only, as de-identified birth dates
 * usually are (HIPAA Safe Harbor keeps the year).
 *
 * @param year the year
 * @param month 1-12, or 0 when only the year is known
 * @param day 1-31, or 0 when the day is not known
 */
public record PartialDate(int year, int month, int day) {

    /**
     * Age in whole years on {@code at}. An unknown month or day is taken as the middle of the known
     * period (1 July, the 15th), which keeps the error within half a year for year-only dates.
     */
    public int ageOn(LocalDate at) {
        LocalDate birth =
                LocalDate.of(year, month == 0 ? 7 : month, day == 0 ? (month == 0 ? 1 : 15) : day);
        return Period.between(birth, at).getYears();
    }
}

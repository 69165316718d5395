package org.quorum.workflow.skills;

import java.time.LocalDate;
import java.util.Optional;

/**
 * One of a clinician's qualifications (Practitioner.qualification): the code, who issued it and
 * when it is valid (period start and end, both inclusive days).
 *
 * @param code {@code system|code}
 * @param display the code's display as the Practitioner gives it, or null (none is made up: a
 *     display that is not the code system's is an error to validators)
 * @param issuer the issuing Organization reference, if any
 * @param start first valid day
 * @param end last valid day, if it expires
 */
public record Qualification(
        String code,
        String display,
        Optional<String> issuer,
        LocalDate start,
        Optional<LocalDate> end) {

    /** Whether the qualification is valid on {@code day}. */
    public boolean validOn(LocalDate day) {
        return !day.isBefore(start) && end.map(e -> !day.isAfter(e)).orElse(true);
    }
}

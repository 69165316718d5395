package org.quorum.quality.data;

import java.util.List;
import java.util.Optional;

/**
 * The demographic facts of a (pseudonymised) Patient that the bias report uses.
 *
 * @param id {@code Patient/…}
 * @param gender Patient.gender code, if any
 * @param birthDate Patient.birthDate, if any
 * @param raceCategories OMB race category codes of the US Core race extension ({@code
 *     urn:oid:2.16.840.1.113883.6.238}); empty when absent or only a null flavour is given
 * @param ethnicityCategory the OMB ethnicity category of the US Core ethnicity extension, if any
 */
public record PatientRecord(
        String id,
        Optional<String> gender,
        Optional<PartialDate> birthDate,
        List<String> raceCategories,
        Optional<String> ethnicityCategory) {

    public PatientRecord {
        raceCategories = List.copyOf(raceCategories);
    }
}

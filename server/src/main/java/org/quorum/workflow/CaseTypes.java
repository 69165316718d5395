package org.quorum.workflow;

import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.quorum.profiles.QuorumProfiles;

/**
 * The type codes of a case, which qualification requirements are matched against: {@code
 * quorum-case-type} note or image, a note's DocumentReference.type and category, a study's
 * modalities (study and series) and series body sites. Each as {@code system|code}.
 */
public final class CaseTypes {

    public static final String NOTE = QuorumProfiles.CS_CASE_TYPE + "|note";
    public static final String IMAGE = QuorumProfiles.CS_CASE_TYPE + "|image";

    private CaseTypes() {}

    public static Set<String> of(IBaseResource source) {
        Set<String> types = new TreeSet<>();
        if (source instanceof DocumentReference note) {
            types.add(NOTE);
            add(types, note.getType());
            note.getCategory().forEach(c -> add(types, c));
        } else if (source instanceof ImagingStudy study) {
            types.add(IMAGE);
            study.getModality().forEach(c -> add(types, c));
            for (ImagingStudy.ImagingStudySeriesComponent series : study.getSeries()) {
                add(types, series.getModality());
                add(types, series.getBodySite());
            }
        }
        return types;
    }

    private static void add(Set<String> types, CodeableConcept concept) {
        concept.getCoding().forEach(c -> add(types, c));
    }

    private static void add(Set<String> types, Coding coding) {
        if (coding != null && coding.hasSystem() && coding.hasCode()) {
            types.add(coding.getSystem() + "|" + coding.getCode());
        }
    }
}

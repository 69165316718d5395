package org.quorum.quality.agreement;

import java.util.List;
import org.quorum.quality.data.Project;

/**
 * Agreement between a project's annotators, per label schema.
 *
 * @param project the project
 * @param options what was computed
 * @param schemas one analysis per label schema, ordered by schema url
 */
public record ProjectAgreement(
        Project project, AgreementOptions options, List<SchemaAgreement> schemas) {

    public ProjectAgreement {
        schemas = List.copyOf(schemas);
    }

    /**
     * Agreement on the labels of one schema.
     *
     * @param system the schema (CodeSystem url)
     * @param labels labels analysed
     * @param units units (subject + source [+ span / region]) with at least one label
     * @param raters annotators (PractitionerRole, or Device for AI labels), sorted
     * @param percentAgreement over all annotators
     * @param alpha Krippendorff's alpha over all annotators, at the requested level
     * @param fleissKappa Fleiss' kappa on the units every annotator labelled
     * @param pairs Cohen's kappa and percent agreement per annotator pair
     * @param classes agreement per class (present / absent)
     */
    public record SchemaAgreement(
            String system,
            int labels,
            int units,
            List<String> raters,
            Estimate percentAgreement,
            Estimate alpha,
            Estimate fleissKappa,
            List<PairAgreement> pairs,
            List<ClassAgreement> classes) {

        public SchemaAgreement {
            raters = List.copyOf(raters);
            pairs = List.copyOf(pairs);
            classes = List.copyOf(classes);
        }
    }

    /** Agreement of two annotators on the units both labelled. */
    public record PairAgreement(
            String raterA, String raterB, Estimate kappa, Estimate percentAgreement) {}

    /**
     * Agreement on one class: each annotator's rating of a unit is "present" when they gave it this
     * code, "absent" when they labelled the unit otherwise.
     */
    public record ClassAgreement(
            String code,
            String display,
            Estimate alpha,
            Estimate percentAgreement,
            Estimate fleissKappa) {}
}

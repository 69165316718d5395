package org.quorum.quality.bias;

import java.util.List;
import java.util.OptionalDouble;
import org.quorum.labels.LabelCode;
import org.quorum.quality.data.Project;
import org.quorum.quality.stats.ChiSquareTests;

/**
 * Composition of a project's labelled patients and label prevalence by demographic group.
 *
 * @param project the project
 * @param options what was computed
 * @param patients patients with at least one label counted
 * @param composition one entry per dimension
 * @param classes label prevalence per class, with its tests per dimension
 */
public record BiasReport(
        Project project,
        BiasOptions options,
        int patients,
        List<Composition> composition,
        List<ClassPrevalence> classes) {

    public BiasReport {
        composition = List.copyOf(composition);
        classes = List.copyOf(classes);
    }

    /**
     * The patients of one dimension.
     *
     * @param dimension the dimension
     * @param groups the groups: the reference's groups and any other group seen
     * @param known patients whose group is known
     * @param unknown patients whose group is not recorded
     * @param fit goodness of fit of the known patients in the reference's groups
     */
    public record Composition(
            Dimension dimension,
            List<GroupShare> groups,
            int known,
            int unknown,
            ChiSquareTests.Result fit) {

        public Composition {
            groups = List.copyOf(groups);
        }
    }

    /**
     * One group's share.
     *
     * @param group the group
     * @param patients its patients
     * @param share its share of the patients whose group is known ({@code NaN} when none is)
     * @param referenceShare its reference share, if the reference has one
     * @param underRepresented whether {@code share < representationRatio × referenceShare}
     */
    public record GroupShare(
            Group group,
            int patients,
            double share,
            OptionalDouble referenceShare,
            boolean underRepresented) {

        /** {@code share / referenceShare}, when defined. */
        public OptionalDouble ratio() {
            return referenceShare.isPresent() && referenceShare.getAsDouble() > 0
                    ? OptionalDouble.of(share / referenceShare.getAsDouble())
                    : OptionalDouble.empty();
        }
    }

    /**
     * Prevalence of one class: the share of patients with at least one label of it.
     *
     * @param code the class
     * @param positive patients with the class
     * @param patients all patients counted
     * @param tests one test per dimension
     */
    public record ClassPrevalence(
            LabelCode code, int positive, int patients, List<PrevalenceTest> tests) {

        public ClassPrevalence {
            tests = List.copyOf(tests);
        }

        public double prevalence() {
            return patients == 0 ? Double.NaN : positive / (double) patients;
        }
    }

    /**
     * Whether a class's prevalence differs between the groups of one dimension.
     *
     * @param dimension the dimension
     * @param groups prevalence in each group with known patients
     * @param test chi-square test of independence (group × with/without the class)
     * @param adjustedPValue {@code test.pValue()} adjusted over all tests of the report
     * @param significant {@code adjustedPValue < alpha}
     */
    public record PrevalenceTest(
            Dimension dimension,
            List<GroupPrevalence> groups,
            ChiSquareTests.Result test,
            double adjustedPValue,
            boolean significant) {

        public PrevalenceTest {
            groups = List.copyOf(groups);
        }
    }

    /** Patients of a group and how many have the class. */
    public record GroupPrevalence(Group group, int patients, int positive) {

        public double prevalence() {
            return patients == 0 ? Double.NaN : positive / (double) patients;
        }
    }
}

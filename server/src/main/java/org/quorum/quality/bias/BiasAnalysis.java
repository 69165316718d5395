package org.quorum.quality.bias;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.quorum.labels.Label;
import org.quorum.labels.LabelCode;
import org.quorum.quality.bias.BiasReport.ClassPrevalence;
import org.quorum.quality.bias.BiasReport.Composition;
import org.quorum.quality.bias.BiasReport.GroupPrevalence;
import org.quorum.quality.bias.BiasReport.GroupShare;
import org.quorum.quality.bias.BiasReport.PrevalenceTest;
import org.quorum.quality.data.PatientRecord;
import org.quorum.quality.data.Project;
import org.quorum.quality.stats.ChiSquareTests;

/**
 * The bias report from labels and their subjects' demographics.
 *
 * <p><b>Unit: the patient.</b> The data set's patients are the subjects of the counted labels; a
 * patient has a class when at least one counted label of theirs carries it. Patients, not labels or
 * cases, are counted because the chi-square test assumes independent observations, and the cases of
 * one patient are not.
 *
 * <p><b>Groups.</b> Age band from Patient.birthDate at {@link BiasOptions#ageAt()}; sex from
 * Patient.gender ({@code unknown} counts as not recorded); race from the US Core race extension's
 * ombCategory (one category: that group; several: "two or more races"; none: not recorded);
 * ethnicity from the US Core ethnicity extension's ombCategory. Shares are of the patients whose
 * group is recorded.
 *
 * <p><b>Flags.</b> A group is under-represented when its share is below {@link
 * BiasOptions#representationRatio()} times its reference share. A class's prevalence differs
 * between the groups of a dimension when the chi-square test of independence of the groups × (with,
 * without the class) table has an adjusted p-value below {@link BiasOptions#alpha()}; the
 * adjustment ({@link BiasOptions#correction()}) runs over every test of the report.
 */
public final class BiasAnalysis {

    private BiasAnalysis() {}

    public static BiasReport analyse(
            Project project,
            List<Label> labels,
            Map<String, PatientRecord> patients,
            BiasOptions options) {
        // Subjects and classes numbered once; each subject's classes a bit set: a million labels
        // cost one hash lookup each, not string keys per label and per test.
        Map<String, Integer> subjectIndex = new HashMap<>();
        List<BitSet> classesOfSubject = new ArrayList<>();
        Map<String, Integer> classIndex = new HashMap<>();
        List<LabelCode> classCodes = new ArrayList<>();
        Map<LabelCode, Integer> classOfCode = new HashMap<>();
        for (Label label : labels) {
            if (!options.statuses().contains(label.status())
                    || label.subject() == null
                    || label.code().code() == null
                    || !options.schema().map(label.code().system()::equals).orElse(true)) {
                continue;
            }
            Integer known = subjectIndex.putIfAbsent(label.subject(), subjectIndex.size());
            if (known == null) {
                classesOfSubject.add(new BitSet());
            }
            int subject = known == null ? subjectIndex.size() - 1 : known;
            Integer code = classOfCode.get(label.code());
            if (code == null) {
                // The first label with a class key gives its code (display, version).
                code =
                        classIndex.computeIfAbsent(
                                label.code().key(),
                                key -> {
                                    classCodes.add(label.code());
                                    return classCodes.size() - 1;
                                });
                classOfCode.put(label.code(), code);
            }
            classesOfSubject.get(subject).set(code);
        }
        String[] subjects = new String[subjectIndex.size()];
        subjectIndex.forEach((subject, index) -> subjects[index] = subject);
        Map<Dimension, List<Optional<String>>> groupOf = new LinkedHashMap<>();
        for (Dimension dimension : Dimension.values()) {
            List<Optional<String>> keys = new ArrayList<>(subjects.length);
            for (String subject : subjects) {
                keys.add(groupKey(patients.get(subject), dimension, options));
            }
            groupOf.put(dimension, keys);
        }

        List<Composition> composition = new ArrayList<>();
        for (Dimension dimension : Dimension.values()) {
            composition.add(composition(dimension, groupOf.get(dimension), options));
        }

        List<ClassPrevalence> prevalence = new ArrayList<>();
        Map<String, Integer> sortedClasses = new TreeMap<>(classIndex);
        for (int code : sortedClasses.values()) {
            int positive = 0;
            for (BitSet classes : classesOfSubject) {
                positive += classes.get(code) ? 1 : 0;
            }
            List<PrevalenceTest> tests = new ArrayList<>();
            for (Dimension dimension : Dimension.values()) {
                tests.add(test(dimension, code, classesOfSubject, groupOf.get(dimension), options));
            }
            prevalence.add(
                    new ClassPrevalence(classCodes.get(code), positive, subjects.length, tests));
        }
        return new BiasReport(
                project, options, subjects.length, composition, adjust(prevalence, options));
    }

    private static Composition composition(
            Dimension dimension, List<Optional<String>> groupOf, BiasOptions options) {
        Map<String, Integer> counts = new HashMap<>();
        int unknown = 0;
        for (Optional<String> key : groupOf) {
            if (key.isPresent()) {
                counts.merge(key.get(), 1, Integer::sum);
            } else {
                unknown++;
            }
        }
        int known = groupOf.size() - unknown;
        Map<String, Double> reference = options.reference().shares(dimension);
        List<GroupShare> groups = new ArrayList<>();
        for (String key : orderedKeys(dimension, reference.keySet(), counts.keySet(), options)) {
            int n = counts.getOrDefault(key, 0);
            double share = known == 0 ? Double.NaN : n / (double) known;
            OptionalDouble referenceShare = options.reference().share(dimension, key);
            boolean under =
                    known > 0
                            && referenceShare.isPresent()
                            && share < options.representationRatio() * referenceShare.getAsDouble();
            groups.add(new GroupShare(Group.of(dimension, key), n, share, referenceShare, under));
        }
        List<String> referenced = List.copyOf(reference.keySet());
        long[] observed = new long[referenced.size()];
        double[] expected = new double[referenced.size()];
        for (int i = 0; i < referenced.size(); i++) {
            observed[i] = counts.getOrDefault(referenced.get(i), 0);
            expected[i] = reference.get(referenced.get(i));
        }
        ChiSquareTests.Result fit =
                referenced.isEmpty() || known == 0
                        ? new ChiSquareTests.Result(Double.NaN, 0, Double.NaN, Double.NaN)
                        : goodnessOfFit(observed, expected);
        return new Composition(dimension, groups, known, unknown, fit);
    }

    private static ChiSquareTests.Result goodnessOfFit(long[] observed, double[] expected) {
        for (int i = 0; i < observed.length; i++) {
            if (expected[i] == 0 && observed[i] > 0) {
                // A group the reference says does not exist: no fit to test.
                return new ChiSquareTests.Result(Double.NaN, 0, Double.NaN, Double.NaN);
            }
        }
        return ChiSquareTests.goodnessOfFit(observed, expected);
    }

    private static PrevalenceTest test(
            Dimension dimension,
            int code,
            List<BitSet> classesOfSubject,
            List<Optional<String>> groupOf,
            BiasOptions options) {
        Map<String, int[]> byGroup = new HashMap<>();
        for (int subject = 0; subject < groupOf.size(); subject++) {
            Optional<String> key = groupOf.get(subject);
            if (key.isEmpty()) {
                continue;
            }
            int[] counts = byGroup.computeIfAbsent(key.get(), k -> new int[2]);
            counts[0]++;
            if (classesOfSubject.get(subject).get(code)) {
                counts[1]++;
            }
        }
        List<GroupPrevalence> groups = new ArrayList<>();
        for (String key :
                orderedKeys(
                        dimension,
                        options.reference().shares(dimension).keySet(),
                        byGroup.keySet(),
                        options)) {
            int[] counts = byGroup.get(key);
            if (counts != null) {
                groups.add(new GroupPrevalence(Group.of(dimension, key), counts[0], counts[1]));
            }
        }
        long[][] table = new long[groups.size()][2];
        for (int i = 0; i < groups.size(); i++) {
            table[i][0] = groups.get(i).positive();
            table[i][1] = groups.get(i).patients() - groups.get(i).positive();
        }
        ChiSquareTests.Result result = ChiSquareTests.independence(table);
        return new PrevalenceTest(dimension, groups, result, Double.NaN, false);
    }

    /** Adjusts the p-values of all tests together and sets the significance flags. */
    private static List<ClassPrevalence> adjust(
            List<ClassPrevalence> classes, BiasOptions options) {
        List<Double> pValues = new ArrayList<>();
        for (ClassPrevalence c : classes) {
            for (PrevalenceTest t : c.tests()) {
                pValues.add(t.test().pValue());
            }
        }
        double[] adjusted =
                options.correction()
                        .adjust(pValues.stream().mapToDouble(Double::doubleValue).toArray());
        List<ClassPrevalence> result = new ArrayList<>();
        int i = 0;
        for (ClassPrevalence c : classes) {
            List<PrevalenceTest> tests = new ArrayList<>();
            for (PrevalenceTest t : c.tests()) {
                double p = adjusted[i++];
                tests.add(
                        new PrevalenceTest(
                                t.dimension(), t.groups(), t.test(), p, p < options.alpha()));
            }
            result.add(new ClassPrevalence(c.code(), c.positive(), c.patients(), tests));
        }
        return result;
    }

    /** Reference groups first (in the reference's order), then the standard order, then others. */
    private static List<String> orderedKeys(
            Dimension dimension, Set<String> reference, Set<String> seen, BiasOptions options) {
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        List<String> standard =
                switch (dimension) {
                    case AGE_BAND -> options.ageBands().keys();
                    case SEX -> List.copyOf(Group.SEX_DISPLAYS.keySet());
                    case RACE -> List.copyOf(Group.RACE_DISPLAYS.keySet());
                    case ETHNICITY -> List.copyOf(Group.ETHNICITY_DISPLAYS.keySet());
                };
        for (String key : standard) {
            if (reference.contains(key) || seen.contains(key)) {
                keys.add(key);
            }
        }
        keys.addAll(reference);
        seen.stream().sorted(Comparator.naturalOrder()).forEach(keys::add);
        return List.copyOf(keys);
    }

    /** The patient's group in {@code dimension}, empty when not recorded. */
    static Optional<String> groupKey(
            PatientRecord patient, Dimension dimension, BiasOptions options) {
        if (patient == null) {
            return Optional.empty();
        }
        return switch (dimension) {
            case AGE_BAND ->
                    patient.birthDate()
                            .map(b -> b.ageOn(options.ageAt()))
                            .filter(age -> age >= 0)
                            .map(age -> options.ageBands().bandOf(age));
            case SEX -> patient.gender().filter(g -> !g.equals("unknown"));
            case RACE ->
                    switch (patient.raceCategories().size()) {
                        case 0 -> Optional.empty();
                        case 1 -> Optional.of(patient.raceCategories().get(0));
                        default -> Optional.of(Group.MULTIPLE_RACES);
                    };
            case ETHNICITY -> patient.ethnicityCategory();
        };
    }
}

package org.quorum.quality.agreement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.quorum.labels.Label;
import org.quorum.quality.QualityException;
import org.quorum.quality.QualityException.Problem;
import org.quorum.quality.agreement.ProjectAgreement.ClassAgreement;
import org.quorum.quality.agreement.ProjectAgreement.PairAgreement;
import org.quorum.quality.agreement.ProjectAgreement.SchemaAgreement;

/**
 * Turns labels into ratings and computes agreement on them with the statistics of this package.
 *
 * <p><b>Units and ratings.</b> Labels are grouped by label schema (code system). Within a schema, a
 * <em>unit</em> is what was labelled: the subject and the derivedFrom source(s), plus the text span
 * ({@code start-end}) or image region (SOP Instance UID and frame) when the label has one (spans
 * must match exactly to be the same unit). An annotator is the label's performer
 * (PractitionerRole), or its Device for labels an AI model made alone. An annotator's rating of a
 * unit is the code they gave it; an annotator who gave one unit several codes rates it with the set
 * of them ({@code "a + b"}), so that agreement means agreeing on the whole set.
 *
 * <p><b>Per class</b>, each annotator's rating of a unit they labelled is "present" when the set
 * holds the class and "absent" otherwise; units an annotator did not label are missing.
 *
 * <p>Units are ordered by their key so that the bootstrap, which resamples units, gives the same
 * interval for the same labels and seed.
 */
public final class LabelAgreement {

    static final String PRESENT = "present";
    static final String ABSENT = "absent";

    private LabelAgreement() {}

    /** Agreement per schema of the given labels, ordered by schema url. */
    public static List<SchemaAgreement> analyse(List<Label> labels, AgreementOptions options) {
        Map<String, List<Label>> bySchema = new TreeMap<>();
        for (Label label : labels) {
            if (options.statuses().contains(label.status())
                    && label.code().system() != null
                    && label.code().code() != null
                    && options.schema().map(label.code().system()::equals).orElse(true)) {
                bySchema.computeIfAbsent(label.code().system(), s -> new ArrayList<>()).add(label);
            }
        }
        List<SchemaAgreement> result = new ArrayList<>();
        bySchema.forEach(
                (system, schemaLabels) -> result.add(schema(system, schemaLabels, options)));
        return result;
    }

    private static SchemaAgreement schema(
            String system, List<Label> labels, AgreementOptions options) {
        // unit key → rater → codes
        Map<String, Map<String, SortedSet<String>>> units = new TreeMap<>();
        SortedSet<String> raters = new TreeSet<>();
        Map<String, String> displays = new TreeMap<>();
        for (Label label : labels) {
            units.computeIfAbsent(label.unitKey(), k -> new HashMap<>())
                    .computeIfAbsent(label.rater(), r -> new TreeSet<>())
                    .add(label.code().code());
            raters.add(label.rater());
            displays.merge(label.code().code(), label.code().displayOrCode(), (a, b) -> a);
        }
        List<String> raterList = List.copyOf(raters);
        List<Map<String, SortedSet<String>>> unitList = List.copyOf(units.values());
        if (raterList.size() < 2) {
            String reason =
                    "only one annotator ("
                            + String.join(", ", raterList)
                            + ") labelled with this schema; agreement needs two";
            Estimate none = Estimate.undefined(reason, 0);
            List<ClassAgreement> classes =
                    displays.entrySet().stream()
                            .map(
                                    e ->
                                            new ClassAgreement(
                                                    e.getKey(), e.getValue(), none, none, none))
                            .toList();
            return new SchemaAgreement(
                    system,
                    labels.size(),
                    unitList.size(),
                    raterList,
                    none,
                    none,
                    none,
                    List.of(),
                    classes);
        }

        String[][] overall = table(unitList, raterList, codes -> String.join(" + ", codes));
        CodedRatings all = encode(raterList, overall);
        Estimate percent = percentAgreement(all, options);
        Estimate alpha = alpha(all, options.level(), options);
        Estimate fleiss = fleissOnCompleteUnits(raterList, overall, options);

        List<PairAgreement> pairs = new ArrayList<>();
        for (int a = 0; a < raterList.size(); a++) {
            for (int b = a + 1; b < raterList.size(); b++) {
                pairs.add(pair(raterList, overall, a, b, options));
            }
        }

        List<ClassAgreement> classes = new ArrayList<>();
        for (Map.Entry<String, String> entry : displays.entrySet()) {
            String code = entry.getKey();
            String[][] binary =
                    table(unitList, raterList, codes -> codes.contains(code) ? PRESENT : ABSENT);
            CodedRatings ratings = encode(raterList, binary);
            classes.add(
                    new ClassAgreement(
                            code,
                            entry.getValue(),
                            alpha(ratings, MeasurementLevel.NOMINAL, options),
                            percentAgreement(ratings, options),
                            fleissOnCompleteUnits(raterList, binary, options)));
        }
        return new SchemaAgreement(
                system,
                labels.size(),
                unitList.size(),
                raterList,
                percent,
                alpha,
                fleiss,
                pairs,
                classes);
    }

    /** Units × raters, {@code null} where the rater did not label the unit. */
    private static String[][] table(
            List<Map<String, SortedSet<String>>> units,
            List<String> raters,
            Function<SortedSet<String>, String> rating) {
        String[][] table = new String[units.size()][raters.size()];
        for (int u = 0; u < units.size(); u++) {
            for (int r = 0; r < raters.size(); r++) {
                SortedSet<String> codes = units.get(u).get(raters.get(r));
                table[u][r] = codes == null ? null : rating.apply(codes);
            }
        }
        return table;
    }

    private static CodedRatings encode(List<String> raters, String[][] rows) {
        return CodedRatings.encode(
                RatingTable.of(raters, Arrays.stream(rows).map(Arrays::asList).toList()));
    }

    private static Estimate percentAgreement(CodedRatings ratings, AgreementOptions options) {
        PercentAgreement.Result result = PercentAgreement.compute(ratings);
        return estimate(
                ratings,
                result.agreement(),
                result.units(),
                result.undefinedReason(),
                r -> PercentAgreement.compute(r).agreement(),
                options);
    }

    private static Estimate alpha(
            CodedRatings ratings, MeasurementLevel level, AgreementOptions options) {
        try {
            KrippendorffAlpha.Result result = KrippendorffAlpha.compute(ratings, level);
            return estimate(
                    ratings,
                    result.alpha(),
                    PercentAgreement.compute(ratings).units(),
                    result.undefinedReason(),
                    r -> KrippendorffAlpha.compute(r, level).alpha(),
                    options);
        } catch (InvalidRatingDataException e) {
            throw new QualityException(
                    Problem.UNANALYSABLE_RATINGS,
                    "Krippendorff's alpha at the "
                            + level.name().toLowerCase(java.util.Locale.ROOT)
                            + " level cannot use these labels: "
                            + e.getMessage()
                            + " (the label codes are the ratings)",
                    e);
        }
    }

    /** Fleiss' kappa on the units every annotator labelled (listwise, as irr's kappam.fleiss). */
    private static Estimate fleissOnCompleteUnits(
            List<String> raters, String[][] table, AgreementOptions options) {
        String[][] complete =
                Arrays.stream(table)
                        .filter(row -> Arrays.stream(row).allMatch(Objects::nonNull))
                        .toArray(String[][]::new);
        if (complete.length == 0) {
            return Estimate.undefined(
                    "no unit was labelled by every annotator; Fleiss' kappa needs the same"
                            + " annotators on each unit (see Krippendorff's alpha)",
                    0);
        }
        CodedRatings ratings = encode(raters, complete);
        FleissKappa.Result result = FleissKappa.compute(ratings);
        return estimate(
                ratings,
                result.kappa(),
                result.units(),
                result.undefinedReason(),
                r -> FleissKappa.compute(r).kappa(),
                options);
    }

    private static PairAgreement pair(
            List<String> raters, String[][] table, int a, int b, AgreementOptions options) {
        String[][] both =
                Arrays.stream(table)
                        .filter(row -> row[a] != null && row[b] != null)
                        .map(row -> new String[] {row[a], row[b]})
                        .toArray(String[][]::new);
        if (both.length == 0) {
            Estimate none = Estimate.undefined("the two annotators labelled no unit in common", 0);
            return new PairAgreement(raters.get(a), raters.get(b), none, none);
        }
        CodedRatings ratings = encode(List.of(raters.get(a), raters.get(b)), both);
        CohenKappa.Result kappa = CohenKappa.compute(ratings, options.weights());
        Estimate kappaEstimate =
                estimate(
                        ratings,
                        kappa.kappa(),
                        both.length,
                        kappa.undefinedReason(),
                        r -> CohenKappa.compute(r, options.weights()).kappa(),
                        options);
        return new PairAgreement(
                raters.get(a), raters.get(b), kappaEstimate, percentAgreement(ratings, options));
    }

    private static Estimate estimate(
            CodedRatings ratings,
            double value,
            int units,
            Optional<String> undefinedReason,
            AgreementStatistic statistic,
            AgreementOptions options) {
        if (Double.isNaN(value)) {
            return Estimate.undefined(undefinedReason.orElse("undefined for these labels"), units);
        }
        Optional<BootstrapInterval> interval =
                options.withIntervals()
                        ? Optional.of(
                                        Bootstrap.percentileInterval(
                                                ratings,
                                                statistic,
                                                options.confidenceLevel(),
                                                options.replicates(),
                                                options.seed()))
                                .filter(i -> !Double.isNaN(i.lower()))
                        : Optional.empty();
        return new Estimate(value, units, interval, Optional.empty());
    }
}

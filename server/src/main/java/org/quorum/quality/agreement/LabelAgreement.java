package org.quorum.quality.agreement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * <p><b>Cost.</b> Labels are grouped into units with one hash lookup each and every rating table is
 * built from {@code int} codes (a unit's set of codes is a bit mask), so a million labels make no
 * string table per statistic. The bootstrap draws over the distinct rating patterns in a canonical
 * order, so its interval depends only on the labels and the seed, not on the order of the units.
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
        Map<String, String> displays = new TreeMap<>();
        SortedSet<String> raters = new TreeSet<>();
        for (Label label : labels) {
            raters.add(label.rater());
            displays.merge(label.code().code(), label.code().displayOrCode(), (a, b) -> a);
        }
        List<String> raterList = List.copyOf(raters);
        List<String> codeList = List.copyOf(displays.keySet());
        UnitRatings units = UnitRatings.of(labels, raterList, codeList);
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
                    units.units,
                    raterList,
                    none,
                    none,
                    none,
                    List.of(),
                    classes);
        }

        // The rating of a unit: its set of codes, joined ("a + b").
        List<String> setNames = new ArrayList<>();
        for (int[] set : units.sets) {
            List<String> codes = new ArrayList<>(set.length);
            for (int code : set) {
                codes.add(codeList.get(code));
            }
            setNames.add(String.join(" + ", codes));
        }
        int[] overall = units.cells;
        CodedRatings all = encode(raterList, overall, units.units, setNames);
        Estimate percent = percentAgreement(all, options);
        Estimate alpha = alpha(all, options.level(), options);
        Estimate fleiss = fleissOnCompleteUnits(raterList, overall, setNames, options);

        List<PairAgreement> pairs = new ArrayList<>();
        for (int a = 0; a < raterList.size(); a++) {
            for (int b = a + 1; b < raterList.size(); b++) {
                pairs.add(pair(raterList, overall, setNames, a, b, options));
            }
        }

        List<ClassAgreement> classes = new ArrayList<>();
        List<String> binaryNames = List.of(ABSENT, PRESENT);
        for (int c = 0; c < codeList.size(); c++) {
            // Set → 0 (absent) or 1 (present); missing stays missing.
            int[] hasClass = new int[units.sets.size()];
            for (int set = 0; set < hasClass.length; set++) {
                hasClass[set] = Arrays.binarySearch(units.sets.get(set), c) >= 0 ? 1 : 0;
            }
            int[] binary = new int[overall.length];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = overall[i] < 0 ? -1 : hasClass[overall[i]];
            }
            CodedRatings ratings = encode(raterList, binary, units.units, binaryNames);
            String code = codeList.get(c);
            classes.add(
                    new ClassAgreement(
                            code,
                            displays.get(code),
                            alpha(ratings, MeasurementLevel.NOMINAL, options),
                            percentAgreement(ratings, options),
                            fleissOnCompleteUnits(raterList, binary, binaryNames, options)));
        }
        return new SchemaAgreement(
                system,
                labels.size(),
                units.units,
                raterList,
                percent,
                alpha,
                fleiss,
                pairs,
                classes);
    }

    /**
     * Units × raters, each cell the number of the set of codes the rater gave the unit (−1 where
     * the rater did not label it). Units in the order of their first label.
     */
    private static final class UnitRatings {
        final int units;
        final int[] cells;
        final List<int[]> sets;

        private UnitRatings(int units, int[] cells, List<int[]> sets) {
            this.units = units;
            this.cells = cells;
            this.sets = sets;
        }

        static UnitRatings of(List<Label> labels, List<String> raters, List<String> codes) {
            Map<String, Integer> raterIndex = index(raters);
            Map<String, Integer> codeIndex = index(codes);
            int raterCount = raters.size();
            int words = (codes.size() + 63) / 64;
            int stride = raterCount * words;
            Map<String, Integer> unitIndex = new HashMap<>();
            long[] masks = new long[stride * 1024];
            for (Label label : labels) {
                Integer known = unitIndex.putIfAbsent(label.unitKey(), unitIndex.size());
                int unit = known == null ? unitIndex.size() - 1 : known;
                if ((long) (unit + 1) * stride > masks.length) {
                    masks = Arrays.copyOf(masks, Math.multiplyExact(masks.length, 2));
                }
                int code = codeIndex.get(label.code().code());
                int rater = raterIndex.get(label.rater());
                masks[(unit * raterCount + rater) * words + code / 64] |= 1L << (code % 64);
            }
            int units = unitIndex.size();
            int[] cells = new int[Math.multiplyExact(units, raterCount)];
            List<int[]> sets = new ArrayList<>();
            Map<Long, Integer> setOfMask = new HashMap<>();
            Map<String, Integer> setOfMasks = new HashMap<>();
            for (int cell = 0; cell < cells.length; cell++) {
                int from = cell * words;
                boolean empty = true;
                for (int w = 0; w < words; w++) {
                    empty &= masks[from + w] == 0;
                }
                if (empty) {
                    cells[cell] = -1;
                    continue;
                }
                Integer set =
                        words == 1
                                ? setOfMask.get(masks[from])
                                : setOfMasks.get(
                                        Arrays.toString(
                                                Arrays.copyOfRange(masks, from, from + words)));
                if (set == null) {
                    set = sets.size();
                    sets.add(codesOf(masks, from, words));
                    if (words == 1) {
                        setOfMask.put(masks[from], set);
                    } else {
                        setOfMasks.put(
                                Arrays.toString(Arrays.copyOfRange(masks, from, from + words)),
                                set);
                    }
                }
                cells[cell] = set;
            }
            return new UnitRatings(units, cells, sets);
        }

        private static int[] codesOf(long[] masks, int from, int words) {
            int[] codes = new int[64 * words];
            int n = 0;
            for (int w = 0; w < words; w++) {
                long mask = masks[from + w];
                while (mask != 0) {
                    codes[n++] = w * 64 + Long.numberOfTrailingZeros(mask);
                    mask &= mask - 1;
                }
            }
            return Arrays.copyOf(codes, n);
        }

        private static Map<String, Integer> index(List<String> names) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                index.put(names.get(i), i);
            }
            return index;
        }
    }

    /**
     * Ratings from a units × raters table of value numbers (−1 missing) named by {@code names}: the
     * same categories, in the same order, as {@link CodedRatings#encode} gives the table of names
     * (the values used, first seen unit by unit; a blank name is a missing rating).
     */
    private static CodedRatings encode(
            List<String> raters, int[] values, int units, List<String> names) {
        int[] firstSeen = new int[names.size()];
        int seen = 0;
        boolean[] used = new boolean[names.size()];
        for (int value : values) {
            if (value >= 0 && !used[value] && !names.get(value).isBlank()) {
                used[value] = true;
                firstSeen[seen++] = value;
            }
        }
        List<String> distinct = new ArrayList<>(seen);
        for (int i = 0; i < seen; i++) {
            distinct.add(names.get(firstSeen[i]));
        }
        CategoryCoding coding = CategoryCoding.of(distinct);
        int[] codeOfValue = new int[names.size()];
        Arrays.fill(codeOfValue, CodedRatings.MISSING);
        for (int i = 0; i < seen; i++) {
            codeOfValue[firstSeen[i]] = coding.codeOf(names.get(firstSeen[i]));
        }
        int[] codes = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            codes[i] = values[i] < 0 ? CodedRatings.MISSING : codeOfValue[values[i]];
        }
        return CodedRatings.fromCodes(
                raters, coding.labels(), coding.numericValues().orElse(null), units, codes);
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
            List<String> raters, int[] table, List<String> names, AgreementOptions options) {
        int raterCount = raters.size();
        int[] complete = new int[table.length];
        int units = 0;
        for (int from = 0; from < table.length; from += raterCount) {
            boolean all = true;
            for (int r = 0; r < raterCount; r++) {
                all &= table[from + r] >= 0;
            }
            if (all) {
                System.arraycopy(table, from, complete, units * raterCount, raterCount);
                units++;
            }
        }
        if (units == 0) {
            return Estimate.undefined(
                    "no unit was labelled by every annotator; Fleiss' kappa needs the same"
                            + " annotators on each unit (see Krippendorff's alpha)",
                    0);
        }
        CodedRatings ratings =
                encode(raters, Arrays.copyOf(complete, units * raterCount), units, names);
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
            List<String> raters,
            int[] table,
            List<String> names,
            int a,
            int b,
            AgreementOptions options) {
        int raterCount = raters.size();
        int[] both = new int[2 * (table.length / raterCount)];
        int units = 0;
        for (int from = 0; from < table.length; from += raterCount) {
            if (table[from + a] >= 0 && table[from + b] >= 0) {
                both[2 * units] = table[from + a];
                both[2 * units + 1] = table[from + b];
                units++;
            }
        }
        if (units == 0) {
            Estimate none = Estimate.undefined("the two annotators labelled no unit in common", 0);
            return new PairAgreement(raters.get(a), raters.get(b), none, none);
        }
        CodedRatings ratings =
                encode(
                        List.of(raters.get(a), raters.get(b)),
                        Arrays.copyOf(both, 2 * units),
                        units,
                        names);
        CohenKappa.Result kappa = CohenKappa.compute(ratings, options.weights());
        Estimate kappaEstimate =
                estimate(
                        ratings,
                        kappa.kappa(),
                        units,
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

package org.quorum.quality.balance;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quorum.labels.Label;
import org.quorum.labels.LabelCode;
import org.quorum.quality.balance.ClassBalanceReport.ClassCount;
import org.quorum.quality.balance.ClassBalanceReport.SchemaBalance;
import org.quorum.quality.data.Project;
import org.quorum.quality.data.SchemaVersion;

/**
 * Class balance from labels.
 *
 * <p>A <em>case</em> is a labelled item: the subject and the derivedFrom source(s) (a note, an
 * image study). A case has a class when at least one counted label on it carries the code; a
 * class's prevalence is its share of the schema's cases. A class is rare when its prevalence is
 * below {@code minPrevalence} or it has fewer than {@code minCases} cases.
 *
 * <p><b>Cases needed.</b> Adding {@code x} cases of class {@code c} (with {@code n} of {@code N}
 * cases now) gives prevalence {@code (n + x) / (N + x)}; reaching {@code p} needs {@code x ≥ (pN −
 * n) / (1 − p)}. The number reported is the larger of that and {@code minCases − n}: the fewest new
 * cases of the class after which it is no longer rare (other classes unchanged).
 */
public final class ClassBalance {

    private ClassBalance() {}

    /**
     * @param schemaVersions stored schema versions the labels were made under (their active codes
     *     are listed even when unused)
     */
    public static ClassBalanceReport analyse(
            Project project,
            List<Label> labels,
            List<SchemaVersion> schemaVersions,
            ClassBalanceOptions options) {
        // Cases numbered per schema, each code's cases a bit set over those numbers: a million
        // labels cost one case-key lookup each, not a string set per code.
        Map<String, Map<String, Integer>> casesBySchema = new TreeMap<>();
        Map<String, Map<String, BitSet>> casesBySchemaAndCode = new TreeMap<>();
        Map<String, Map<String, String>> displays = new TreeMap<>();
        Map<LabelCode, BitSet> casesOfCode = new HashMap<>();
        Map<LabelCode, Map<String, Integer>> casesOfSchema = new HashMap<>();
        for (Label label : labels) {
            String system = label.code().system();
            if (!options.statuses().contains(label.status())
                    || system == null
                    || label.code().code() == null
                    || !options.schema().map(system::equals).orElse(true)) {
                continue;
            }
            BitSet withCode = casesOfCode.get(label.code());
            if (withCode == null) {
                withCode =
                        casesBySchemaAndCode
                                .computeIfAbsent(system, s -> new TreeMap<>())
                                .computeIfAbsent(label.code().code(), c -> new BitSet());
                casesOfCode.put(label.code(), withCode);
                casesOfSchema.put(
                        label.code(), casesBySchema.computeIfAbsent(system, s -> new HashMap<>()));
                displays.computeIfAbsent(system, s -> new LinkedHashMap<>())
                        .putIfAbsent(label.code().code(), label.code().displayOrCode());
            }
            Map<String, Integer> cases = casesOfSchema.get(label.code());
            Integer known = cases.putIfAbsent(label.caseKey(), cases.size());
            withCode.set(known == null ? cases.size() - 1 : known);
        }
        for (SchemaVersion version : schemaVersions) {
            if (!casesBySchema.containsKey(version.url())) {
                continue;
            }
            for (SchemaVersion.Concept concept : version.concepts().values()) {
                if (!concept.retired()) {
                    casesBySchemaAndCode
                            .get(version.url())
                            .computeIfAbsent(concept.code(), c -> new BitSet());
                    displays.get(version.url())
                            .putIfAbsent(
                                    concept.code(),
                                    concept.display() == null ? concept.code() : concept.display());
                }
            }
        }
        List<SchemaBalance> schemas = new ArrayList<>();
        casesBySchema.forEach(
                (system, cases) -> {
                    int total = cases.size();
                    List<ClassCount> classes = new ArrayList<>();
                    casesBySchemaAndCode
                            .get(system)
                            .forEach(
                                    (code, withCode) -> {
                                        int n = withCode.cardinality();
                                        double prevalence = n / (double) total;
                                        boolean rare =
                                                prevalence < options.minPrevalence()
                                                        || n < options.minCases();
                                        classes.add(
                                                new ClassCount(
                                                        code,
                                                        displays.get(system).get(code),
                                                        n,
                                                        prevalence,
                                                        rare,
                                                        casesNeeded(
                                                                n,
                                                                total,
                                                                options.minCases(),
                                                                options.minPrevalence())));
                                    });
                    classes.sort(
                            Comparator.comparingInt(ClassCount::cases)
                                    .reversed()
                                    .thenComparing(ClassCount::code));
                    schemas.add(new SchemaBalance(system, total, classes));
                });
        return new ClassBalanceReport(project, options, schemas);
    }

    /**
     * The fewest cases of a class to add so that it has at least {@code minCases} cases and a
     * prevalence of at least {@code minPrevalence}: {@code max(minCases − n, ⌈(pN − n)/(1 − p)⌉)},
     * and 0 when both hold already.
     */
    public static int casesNeeded(int n, int total, int minCases, double minPrevalence) {
        int forCount = Math.max(0, minCases - n);
        double shortfall = minPrevalence * total - n;
        // 1e-9 absorbs the rounding of p·N so that an exact fit needs no extra case.
        int forPrevalence =
                shortfall <= 1e-9 ? 0 : (int) Math.ceil(shortfall / (1 - minPrevalence) - 1e-9);
        return Math.max(forCount, forPrevalence);
    }
}

package org.quorum.quality.balance;

import java.util.List;
import org.quorum.quality.data.Project;

/**
 * Class prevalence among a project's labelled cases, per label schema.
 *
 * @param project the project
 * @param options thresholds used
 * @param schemas one entry per label schema, by url
 */
public record ClassBalanceReport(
        Project project, ClassBalanceOptions options, List<SchemaBalance> schemas) {

    public ClassBalanceReport {
        schemas = List.copyOf(schemas);
    }

    /**
     * The classes of one schema.
     *
     * @param system the schema (CodeSystem url)
     * @param cases labelled cases (subject + source) with a counted label of the schema
     * @param classes every class used, and every active code of the stored schema versions the
     *     labels were made under (with 0 cases when unused); most cases first
     */
    public record SchemaBalance(String system, int cases, List<ClassCount> classes) {

        public SchemaBalance {
            classes = List.copyOf(classes);
        }
    }

    /**
     * One class.
     *
     * @param code the code
     * @param display its display
     * @param cases cases with at least one counted label of the class
     * @param prevalence {@code cases / SchemaBalance.cases}
     * @param rare below the minimum prevalence or number of cases
     * @param casesNeeded more cases of this class needed to reach both minimums
     */
    public record ClassCount(
            String code,
            String display,
            int cases,
            double prevalence,
            boolean rare,
            int casesNeeded) {}
}

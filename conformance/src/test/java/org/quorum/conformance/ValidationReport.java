package org.quorum.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The FHIR validation section of the conformance report. */
final class ValidationReport {

    private static final int MAX_ERRORS = 200;
    private static final int MAX_WARNINGS = 150;

    private ValidationReport() {}

    private static final class Tally {
        int resources;
        int errors;
        int unchecked;
        int warnings;
    }

    static String markdown(Emitted emitted, Hl7Validator.Run run, long scenariosSeconds) {
        Map<String, Tally> byGroup = new TreeMap<>();
        List<String> errors = new ArrayList<>();
        Map<String, Integer> warnings = new TreeMap<>();
        Map<String, Integer> unchecked = new TreeMap<>();
        Map<String, String> warningExample = new TreeMap<>();
        int resources = 0;
        int errorCount = 0;
        int warningCount = 0;
        int uncheckedCount = 0;
        for (Emitted.Resource resource : emitted.resources()) {
            Tally tally =
                    byGroup.computeIfAbsent(
                            resource.type() + " | " + ConformanceReport.cell(resource.origin()),
                            k -> new Tally());
            tally.resources++;
            resources++;
            for (Hl7Validator.Issue issue : run.issues(resource.file())) {
                if (issue.isError()) {
                    tally.errors++;
                    errorCount++;
                    errors.add(
                            "| "
                                    + resource.type()
                                    + " | "
                                    + ConformanceReport.cell(resource.origin())
                                    + " | `"
                                    + resource.file().getFileName()
                                    + "` | `"
                                    + ConformanceReport.cell(issue.location())
                                    + "` | "
                                    + ConformanceReport.cell(issue.message())
                                    + " |");
                } else if (issue.isUnchecked()) {
                    tally.unchecked++;
                    uncheckedCount++;
                    unchecked.merge(
                            resource.type() + " | " + ConformanceReport.cell(issue.message()),
                            1,
                            Integer::sum);
                } else if (issue.isWarning()) {
                    tally.warnings++;
                    warningCount++;
                    String key = resource.type() + " | " + ConformanceReport.cell(issue.message());
                    warnings.merge(key, 1, Integer::sum);
                    warningExample.putIfAbsent(key, issue.location());
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("Validator: `org.hl7.fhir.validation` ")
                .append(Hl7Validator.VERSION)
                .append(" (ValidatorCli, unchanged), FHIR 4.0.1, offline, no terminology server")
                .append(" (`-tx n/a`); packages: hl7.fhir.r4.core 4.0.1, hl7.terminology 5.1.0,")
                .append(
                        " hl7.fhir.uv.extensions 1.0.0, Quorum's `dev.quorum.fhir`; extension domains")
                .append(" accepted without definition: ")
                .append(String.join(", ", Hl7Validator.UNCHECKED_DOMAINS))
                .append(".\n\n")
                .append(resources)
                .append(" resources, ")
                .append(errorCount)
                .append(" errors, ")
                .append(uncheckedCount)
                .append(" unchecked offline, ")
                .append(warningCount)
                .append(" warnings. Scenarios ")
                .append(scenariosSeconds)
                .append(" s, validator run ")
                .append(run.took().toSeconds())
                .append(" s.\n\n");
        out.append(
                "| resource type | emitted by | validated | errors | unchecked | warnings | result"
                        + " |\n");
        out.append("|---|---|---:|---:|---:|---:|---|\n");
        byGroup.forEach(
                (group, tally) ->
                        out.append("| ")
                                .append(group)
                                .append(" | ")
                                .append(tally.resources)
                                .append(" | ")
                                .append(tally.errors)
                                .append(" | ")
                                .append(tally.unchecked)
                                .append(" | ")
                                .append(tally.warnings)
                                .append(" | ")
                                .append(tally.errors == 0 ? "pass" : "**FAIL**")
                                .append(" |\n"));
        out.append("\n### Errors\n\n");
        if (errors.isEmpty()) {
            out.append("None.\n");
        } else {
            out.append(
                    "| type | emitted by | file | location | message |\n|---|---|---|---|---|\n");
            errors.stream().limit(MAX_ERRORS).forEach(e -> out.append(e).append('\n'));
            if (errors.size() > MAX_ERRORS) {
                out.append("\n(").append(errors.size() - MAX_ERRORS).append(" more)\n");
            }
        }
        out.append("\n### Unchecked offline (distinct messages per type)\n\n");
        out.append(
                "Errors the validator raises only because it cannot look something up offline (a"
                        + " terminology server for BCP 13 media types; definitions of "
                        + String.join(", ", Hl7Validator.UNCHECKED_DOMAINS)
                        + "). Media types are checked by the test instead.\n\n");
        if (unchecked.isEmpty()) {
            out.append("None.\n");
        } else {
            out.append("| type | message | count |\n|---|---|---:|\n");
            unchecked.forEach(
                    (key, count) ->
                            out.append("| ")
                                    .append(key)
                                    .append(" | ")
                                    .append(count)
                                    .append(" |\n"));
        }
        out.append("\n### Warnings (distinct messages per type)\n\n");
        if (warnings.isEmpty()) {
            out.append("None.\n");
        } else {
            out.append("| type | message | count | e.g. at |\n|---|---|---:|---|\n");
            warnings.entrySet().stream()
                    .limit(MAX_WARNINGS)
                    .forEach(
                            w ->
                                    out.append("| ")
                                            .append(w.getKey())
                                            .append(" | ")
                                            .append(w.getValue())
                                            .append(" | `")
                                            .append(
                                                    ConformanceReport.cell(
                                                            warningExample.get(w.getKey())))
                                            .append("` |\n"));
            if (warnings.size() > MAX_WARNINGS) {
                out.append("\n(").append(warnings.size() - MAX_WARNINGS).append(" more)\n");
            }
        }
        return out.toString();
    }
}

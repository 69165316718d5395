package org.quorum.quality.agreement;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.quorum.deid.text.eval.TestData;
import org.quorum.quality.agreement.CsvRecords.CsvRecord;

/**
 * The published reference data sets of {@code testdata/agreement} (see its EXPECTED.md). A missing
 * folder fails the tests instead of skipping them.
 */
final class ReferenceData {

    private ReferenceData() {}

    /** The {@code testdata/agreement} folder. */
    static Path folder() {
        return TestData.resolve("agreement");
    }

    static Path file(String name) {
        return folder().resolve(name);
    }

    /** A ratings file in the CLI layout (units as rows, header of rater names). */
    static RatingTable unitsAsRows(String name) {
        try {
            return CsvRatingReader.readRatings(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A file laid out as in Krippendorff's paper: one row per rater, one column per unit.
     *
     * @param hasHeader whether the first row names the units (and is skipped)
     * @param raterNameColumn whether the first column names the rater
     */
    static RatingTable ratersAsRows(String name, boolean hasHeader, boolean raterNameColumn) {
        List<CsvRecord> records;
        try {
            records = CsvRecords.parse(Files.readString(file(name), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<CsvRecord> raterRows = records.subList(hasHeader ? 1 : 0, records.size());
        int skip = raterNameColumn ? 1 : 0;
        List<String> raters = new ArrayList<>();
        for (int r = 0; r < raterRows.size(); r++) {
            raters.add(raterNameColumn ? raterRows.get(r).cells().get(0) : "observer " + (r + 1));
        }
        int units = raterRows.get(0).cells().size() - skip;
        List<List<String>> rows = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            List<String> row = new ArrayList<>();
            for (CsvRecord raterRow : raterRows) {
                row.add(raterRow.cells().get(u + skip));
            }
            rows.add(row);
        }
        return RatingTable.of(raters, rows);
    }

    /** Ratings given as rows of values, one string per rater ("" = missing). */
    static CodedRatings ratings(String... unitRows) {
        List<List<String>> rows = new ArrayList<>();
        int raters = 0;
        for (String unitRow : unitRows) {
            List<String> row = List.of(unitRow.split(",", -1));
            raters = row.size();
            rows.add(row);
        }
        List<String> names = new ArrayList<>();
        for (int r = 0; r < raters; r++) {
            names.add("r" + (r + 1));
        }
        return CodedRatings.encode(RatingTable.of(names, rows));
    }

    /** Ratings given per rater, as in Krippendorff's reliability data matrices. */
    static CodedRatings ratingsByRater(String... raterRows) {
        List<String[]> raters = new ArrayList<>();
        for (String raterRow : raterRows) {
            raters.add(raterRow.split(",", -1));
        }
        String[] units = new String[raters.get(0).length];
        for (int u = 0; u < units.length; u++) {
            StringBuilder row = new StringBuilder();
            for (int r = 0; r < raters.size(); r++) {
                row.append(r == 0 ? "" : ",").append(raters.get(r)[u]);
            }
            units[u] = row.toString();
        }
        return ratings(units);
    }
}

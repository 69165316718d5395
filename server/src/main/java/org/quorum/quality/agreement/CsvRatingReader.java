package org.quorum.quality.agreement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.quorum.quality.agreement.CsvRecords.CsvRecord;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

/**
 * Reads the agreement CSV formats, UTF-8 encoded, with the CSV dialect of {@link CsvRecords}
 * (quoted cells, CRLF or LF, optional BOM and trailing newline, {@code #} comment lines).
 *
 * <p><b>Ratings format</b> ({@link #readRatings}): a header row of rater names, then one row per
 * unit with one cell per rater; an empty cell is a missing rating. Cells are trimmed.
 *
 * <pre>
 * reader1,reader2,reader3
 * yes,yes,no
 * no,,no
 * </pre>
 *
 * <p><b>Pair-count format</b> ({@link #readPairCounts}): a header row, then one row per combination
 * of the two raters' categories with its count, as in the shared {@code wikipedia_cohen_2x2.csv}:
 *
 * <pre>
 * readerA,readerB,count
 * Yes,Yes,20
 * Yes,No,5
 * </pre>
 */
public final class CsvRatingReader {

    private CsvRatingReader() {}

    /**
     * Reads a ratings file.
     *
     * @throws IOException if the file cannot be read or is not valid UTF-8
     * @throws InvalidRatingDataException if the content is not a valid ratings table
     */
    public static RatingTable readRatings(Path file) throws IOException {
        return parseRatings(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses ratings from CSV text.
     *
     * @throws InvalidRatingDataException for malformed CSV, a missing or bad header, fewer than two
     *     raters, no units, or a row whose cell count differs from the header's (the message names
     *     the line)
     */
    public static RatingTable parseRatings(String csv) {
        List<CsvRecord> records = CsvRecords.parse(csv);
        if (records.isEmpty()) {
            throw new InvalidRatingDataException(
                    Problem.BAD_HEADER,
                    "the file has no header row; the first row must name the raters, one per column");
        }
        List<String> raterNames = records.get(0).cells().stream().map(String::trim).toList();
        List<List<String>> units = new ArrayList<>(records.size() - 1);
        int[] lines = new int[records.size() - 1];
        for (int i = 1; i < records.size(); i++) {
            CsvRecord record = records.get(i);
            if (record.cells().size() != raterNames.size()) {
                throw new InvalidRatingDataException(
                        Problem.RAGGED_ROW,
                        "line "
                                + record.line()
                                + " has "
                                + record.cells().size()
                                + " cells but the header names "
                                + raterNames.size()
                                + " raters; give one cell per rater, empty for a missing rating");
            }
            units.add(record.cells().stream().map(String::trim).toList());
            lines[i - 1] = record.line();
        }
        return RatingTable.of(raterNames, units, lines);
    }

    /**
     * Reads a contingency table of two raters in pair-count format.
     *
     * @throws IOException if the file cannot be read or is not valid UTF-8
     * @throws InvalidRatingDataException if the content is not a valid pair-count table
     */
    public static ContingencyTable readPairCounts(Path file) throws IOException {
        return parsePairCounts(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses a pair-count table: after the header, each row is {@code categoryOfA, categoryOfB,
     * count}. Categories are ordered as {@link CategoryCoding} describes; repeated pairs add up.
     *
     * @throws InvalidRatingDataException for a row that does not have three cells, a blank
     *     category, or a count that is not a non-negative number
     */
    public static ContingencyTable parsePairCounts(String csv) {
        List<CsvRecord> records = CsvRecords.parse(csv);
        if (records.size() < 2) {
            throw new InvalidRatingDataException(
                    Problem.NO_UNITS,
                    "expected a header row and at least one 'categoryA,categoryB,count' row");
        }
        List<String[]> pairs = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        Set<String> categories = new LinkedHashSet<>();
        for (CsvRecord record : records.subList(1, records.size())) {
            List<String> cells = record.cells().stream().map(String::trim).toList();
            if (cells.size() != 3) {
                throw new InvalidRatingDataException(
                        Problem.RAGGED_ROW,
                        "line "
                                + record.line()
                                + " has "
                                + cells.size()
                                + " cells; a pair-count row is 'categoryA,categoryB,count'");
            }
            if (cells.get(0).isEmpty() || cells.get(1).isEmpty()) {
                throw new InvalidRatingDataException(
                        Problem.RAGGED_ROW,
                        "line " + record.line() + ": both categories must be given");
            }
            String count = cells.get(2);
            if (!CategoryCoding.isNumber(count) || count.startsWith("-")) {
                throw new InvalidRatingDataException(
                        Problem.NOT_NUMERIC,
                        "line "
                                + record.line()
                                + ", column 3: count '"
                                + count
                                + "' is not a non-negative number");
            }
            pairs.add(new String[] {cells.get(0), cells.get(1)});
            counts.add(Double.parseDouble(count));
            categories.add(cells.get(0));
            categories.add(cells.get(1));
        }
        CategoryCoding coding = CategoryCoding.of(categories);
        double[][] table = new double[coding.size()][coding.size()];
        for (int i = 0; i < pairs.size(); i++) {
            table[coding.codeOf(pairs.get(i)[0])][coding.codeOf(pairs.get(i)[1])] += counts.get(i);
        }
        return new ContingencyTable(coding.labels(), table);
    }
}

package org.quorum.quality.agreement;

import java.util.ArrayList;
import java.util.List;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

/**
 * Splits CSV text into records of cells, following RFC 4180 (comma separator, double-quoted cells
 * that may hold commas, quotes doubled as {@code ""} and line breaks) with these additions:
 *
 * <ul>
 *   <li>a UTF-8 byte order mark at the start is ignored;
 *   <li>records may end in CRLF, LF or a lone CR, and the last record may or may not end in one;
 *   <li>empty lines are skipped;
 *   <li>a line whose first character is {@code #} is a comment and is skipped (the shared reference
 *       files carry their provenance this way); quote a cell that starts with {@code #}.
 * </ul>
 *
 * A quote inside an unquoted cell is kept as a literal character. Cells are returned as written,
 * without trimming.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc4180">RFC 4180</a>
 */
final class CsvRecords {

    /** One CSV record and the 1-based line on which it starts. */
    record CsvRecord(int line, List<String> cells) {}

    private final String text;
    private int position;
    private int line = 1;

    private CsvRecords(String text) {
        this.text = text;
        // RFC 3629 §6: a BOM at the start is a signature, not content.
        this.position = text.startsWith("\uFEFF") ? 1 : 0;
    }

    /**
     * Parses the whole text.
     *
     * @throws InvalidRatingDataException ({@link Problem#MALFORMED_CSV}) for an unclosed quoted
     *     cell or text after a closing quote
     */
    static List<CsvRecord> parse(String text) {
        return new CsvRecords(text).records();
    }

    private List<CsvRecord> records() {
        List<CsvRecord> records = new ArrayList<>();
        while (position < text.length()) {
            char first = text.charAt(position);
            if (first == '\r' || first == '\n') {
                skipLineBreak();
            } else if (first == '#') {
                skipComment();
            } else {
                records.add(record());
            }
        }
        return records;
    }

    private CsvRecord record() {
        int startLine = line;
        List<String> cells = new ArrayList<>();
        while (true) {
            cells.add(cell(cells.size() + 1));
            if (position >= text.length()) {
                break;
            }
            char next = text.charAt(position);
            if (next == ',') {
                position++;
                if (position >= text.length()) {
                    cells.add(""); // "a,b," at end of input: the last cell is empty
                    break;
                }
            } else {
                skipLineBreak();
                break;
            }
        }
        return new CsvRecord(startLine, List.copyOf(cells));
    }

    private String cell(int column) {
        if (position < text.length() && text.charAt(position) == '"') {
            return quotedCell(column);
        }
        int start = position;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == ',' || c == '\r' || c == '\n') {
                break;
            }
            position++;
        }
        return text.substring(start, position);
    }

    private String quotedCell(int column) {
        int openingLine = line;
        position++; // opening quote
        StringBuilder cell = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw new InvalidRatingDataException(
                        Problem.MALFORMED_CSV,
                        "line "
                                + openingLine
                                + ", column "
                                + column
                                + ": the quoted cell is never closed; add the closing double quote");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                if (position < text.length() && text.charAt(position) == '"') {
                    cell.append('"'); // RFC 4180 §2.7: "" inside quotes is one quote
                    position++;
                } else {
                    break;
                }
            } else {
                if (c == '\n' || (c == '\r' && !nextIs('\n'))) {
                    line++;
                }
                cell.append(c);
            }
        }
        if (position < text.length()) {
            char after = text.charAt(position);
            if (after != ',' && after != '\r' && after != '\n') {
                throw new InvalidRatingDataException(
                        Problem.MALFORMED_CSV,
                        "line "
                                + line
                                + ", column "
                                + column
                                + ": unexpected '"
                                + after
                                + "' after a closing quote; a quoted cell must end at a comma or line end");
            }
        }
        return cell.toString();
    }

    private boolean nextIs(char expected) {
        return position < text.length() && text.charAt(position) == expected;
    }

    private void skipLineBreak() {
        if (text.charAt(position) == '\r') {
            position++;
            if (nextIs('\n')) {
                position++;
            }
        } else {
            position++;
        }
        line++;
    }

    private void skipComment() {
        while (position < text.length()
                && text.charAt(position) != '\r'
                && text.charAt(position) != '\n') {
            position++;
        }
        if (position < text.length()) {
            skipLineBreak();
        }
    }
}

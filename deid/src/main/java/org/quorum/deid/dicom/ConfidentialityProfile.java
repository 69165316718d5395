package org.quorum.deid.dicom;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * PS3.15 Annex E Table E.1-1, as this server applies it: the Basic Application Level
 * Confidentiality Profile with the Retain Longitudinal Temporal Information with Modified Dates
 * Option and the Retain Patient Characteristics Option, one {@link Rule} per attribute.
 *
 * <p>The table is data ({@code confidentiality-profile.tsv} beside this class), transcribed from
 * the standard; this class only resolves each row to the one action to take:
 *
 * <ul>
 *   <li>an option's action replaces the Basic Profile's (PS3.15 §E.3: "the option's action
 *       supersedes");
 *   <li>the combined actions resolve to the one that keeps the instance valid without knowing which
 *       IOD and module an attribute sits in: {@code X/Z} → {@code Z}, {@code X/D} and {@code X/Z/D}
 *       → {@code D}, {@code Z/D} → {@code Z}, {@code X/Z/U*} → {@code U} (the sequence is kept and
 *       every UID in it replaced). An attribute that may be removed is then at worst emptied or
 *       replaced by a dummy, never left with its value, and a Type 1 or Type 2 attribute never goes
 *       missing.
 * </ul>
 *
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part15/chapter_E.html">PS3.15
 *     Annex E Attribute Confidentiality Profiles</a>
 */
public final class ConfidentialityProfile {

    /** What happens to an attribute (PS3.15 Table E.1-1 action codes, resolved). */
    public enum Action {
        /** Remove. */
        X,
        /** Replace with a zero-length value (an empty sequence for SQ). */
        Z,
        /** Replace with a non-zero-length dummy consistent with the VR (sequences: recursed). */
        D,
        /** Keep (sequences are still recursed). */
        K,
        /** Clean: dates shifted, text scrubbed. */
        C,
        /** Replace UIDs consistently (sequences: kept and recursed). */
        U
    }

    /**
     * One row of Table E.1-1.
     *
     * @param group the group, or {@code -1} for a pattern row (curves, overlays, private)
     * @param element the element
     * @param action the resolved action under the options this profile applies
     * @param category what the removal is counted under (never the value)
     * @param name the attribute's name in the standard
     */
    public record Rule(int group, int element, Action action, String category, String name) {}

    private static final String RESOURCE = "confidentiality-profile.tsv";

    private final Map<Integer, Rule> rules;
    private final int rowCount;

    private ConfidentialityProfile(Map<Integer, Rule> rules, int rowCount) {
        this.rules = rules;
        this.rowCount = rowCount;
    }

    /** The table shipped with the server, resolved for the two options Quorum applies. */
    public static ConfidentialityProfile basicWithModifiedDatesAndPatientCharacteristics() {
        return Holder.STANDARD;
    }

    private static final class Holder {
        static final ConfidentialityProfile STANDARD = load();
    }

    private static ConfidentialityProfile load() {
        Map<Integer, Rule> rules = new HashMap<>();
        int rows = 0;
        try (InputStream in =
                        Objects.requireNonNull(
                                ConfidentialityProfile.class.getResourceAsStream(RESOURCE),
                                RESOURCE);
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                if (cells.length != 6) {
                    throw new IllegalStateException(RESOURCE + ": bad row " + line);
                }
                rows++;
                String tag = cells[0];
                Action action = resolve(cells[1], cells[2], cells[3]);
                if (tag.contains("X") || tag.contains("G")) {
                    continue; // pattern rows (50xx, 60xx, private) are applied by group in code
                }
                int group = Integer.parseInt(tag.substring(1, 5), 16);
                int element = Integer.parseInt(tag.substring(6, 10), 16);
                if (group == 0x0008 && element == 0x1110 && cells[1].equals("X/Z")) {
                    // Referenced Study Sequence is Type 3 (PS3.3 C.7.2.1 General Study): an
                    // empty one is invalid, so X/Z resolves to X here.
                    action = Action.X;
                }
                rules.put(
                        key(group, element), new Rule(group, element, action, cells[4], cells[5]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        return new ConfidentialityProfile(Collections.unmodifiableMap(rules), rows);
    }

    static Action resolve(String basic, String modifiedDates, String patientCharacteristics) {
        String chosen = basic;
        if (!modifiedDates.isEmpty()) {
            chosen = modifiedDates;
        }
        if (!patientCharacteristics.isEmpty()) {
            chosen = patientCharacteristics;
        }
        return switch (chosen.toUpperCase(Locale.ROOT)) {
            case "X" -> Action.X;
            case "Z", "X/Z", "Z/D" -> Action.Z;
            case "D", "X/D", "X/Z/D" -> Action.D;
            case "K" -> Action.K;
            case "C" -> Action.C;
            case "U", "X/Z/U*" -> Action.U;
            default -> throw new IllegalStateException(RESOURCE + ": unknown action " + chosen);
        };
    }

    /** The rule for a standard attribute, or {@code null} if Table E.1-1 does not list it. */
    public Rule rule(int group, int element) {
        return rules.get(key(group, element));
    }

    /** All listed standard attributes (pattern rows excluded). */
    public List<Rule> rules() {
        return List.copyOf(rules.values());
    }

    /** Rows in the table, pattern rows included. */
    public int rowCount() {
        return rowCount;
    }

    private static int key(int group, int element) {
        return (group << 16) | element;
    }
}

package org.quorum.bridge.hl7;

import java.util.ArrayList;
import java.util.List;

/**
 * Test messages written from the HL7 v2 standard's segment definitions (v2.5.1 chapters 2, 3, 7 and
 * 9). Every person, place and number in them is invented.
 */
final class Hl7Messages {

    private Hl7Messages() {}

    /** A segment from its fields: {@code segment("PID", 1, "1", 3, "MRN^^^FAC^MR")}. */
    static String segment(String name, Object... positionsAndValues) {
        List<String> fields = new ArrayList<>();
        fields.add(name);
        for (int i = 0; i < positionsAndValues.length; i += 2) {
            int position = (Integer) positionsAndValues[i];
            while (fields.size() <= position) {
                fields.add("");
            }
            fields.set(position, (String) positionsAndValues[i + 1]);
        }
        return String.join("|", fields);
    }

    static String msh(String facility, String type, String controlId, String version) {
        // MSH-1 is the field separator itself, so MSH-2 is the first field after "MSH|"
        return "MSH|^~\\&|EHR|"
                + facility
                + "|QUORUM|BRIDGE|20240301101500||"
                + type
                + "|"
                + controlId
                + "|P|"
                + version;
    }

    static String message(String... segments) {
        return String.join("\r", segments) + "\r";
    }

    static String pid(String mrn, String family, String given) {
        return segment(
                "PID",
                1,
                "1",
                3,
                mrn + "^^^GENHOSP^MR",
                5,
                family + "^" + given + "^Q",
                7,
                "19580412",
                8,
                "F",
                11,
                "1 Elmwood Terrace^^Springfield^IL^62704^USA",
                13,
                "(217)555-0142",
                18,
                "ACCT-778",
                19,
                "123-45-6789");
    }

    static String pv1(String visit) {
        return segment(
                "PV1",
                1,
                "1",
                2,
                "I",
                3,
                "4W^401^A",
                7,
                "1234^Ostrander^Felix^^^Dr",
                19,
                visit,
                44,
                "20240229080000");
    }

    static String txa(String documentNumber) {
        return segment(
                "TXA",
                1,
                "1",
                2,
                "DS",
                3,
                "TX",
                4,
                "20240301101000",
                5,
                "1234^Ostrander^Felix^^^Dr",
                6,
                "20240301100000",
                12,
                documentNumber,
                17,
                "AU");
    }

    static String obxText(int setId, String type, String text) {
        return segment(
                "OBX",
                1,
                Integer.toString(setId),
                2,
                type,
                3,
                "18842-5^Discharge summary^LN",
                5,
                text,
                11,
                "F");
    }

    /** A discharge summary as MDM^T02 (v2.5.1) naming the patient, her address and phone. */
    static String dischargeSummary(String controlId, String mrn) {
        return message(
                msh("GENHOSP", "MDM^T02^MDM_T02", controlId, "2.5.1"),
                segment("EVN", 1, "T02", 2, "20240301101500"),
                pid(mrn, "Testperson", "Wilhelmina"),
                pv1("VIS-556677"),
                txa("DOC-" + controlId),
                obxText(
                        1,
                        "TX",
                        "Wilhelmina Testperson was admitted on 02/29/2024 with community-acquired pneumonia."),
                obxText(
                        2,
                        "TX",
                        "She lives at 1 Elmwood Terrace, Springfield; call (217)555-0142."),
                obxText(
                        3,
                        "TX",
                        "Discharged home in good condition; follow up with Dr. Ostrander in two weeks."));
    }

    /** A progress note as MDM^T02 in v2.3 with formatted text (FT). */
    static String progressNoteV23(String controlId, String mrn) {
        return message(
                msh("GENHOSP", "MDM^T02", controlId, "2.3"),
                segment("EVN", 1, "T02", 2, "20240305090000"),
                pid(mrn, "Testperson", "Wilhelmina"),
                pv1("VIS-556680"),
                txa("DOC-" + controlId),
                obxText(
                        1,
                        "FT",
                        "Progress note\\.br\\Wilhelmina is recovering; cough improving.\\.br\\Plan: continue amoxicillin."));
    }

    /** A chest radiograph report as ORU^R01 (v2.3). */
    static String chestReport(String controlId) {
        return message(
                msh("GENHOSP", "ORU^R01", controlId, "2.3"),
                segment(
                        "PID",
                        1,
                        "1",
                        3,
                        "MRN-HL7-0002^^^GENHOSP^MR",
                        5,
                        "Examplar^Bartholomew",
                        7,
                        "19700101",
                        8,
                        "M"),
                segment("PV1", 1, "1", 2, "O", 7, "5678^Quill^Henrietta", 19, "VIS-9001"),
                segment(
                        "OBR",
                        1,
                        "1",
                        2,
                        "PL-9001",
                        3,
                        "FL-" + controlId,
                        4,
                        "71046^XR CHEST 2 VIEWS^C4",
                        7,
                        "20240302113000",
                        22,
                        "20240302115500",
                        24,
                        "RAD",
                        25,
                        "F"),
                segment(
                        "OBX",
                        1,
                        "1",
                        2,
                        "FT",
                        3,
                        "71046^XR CHEST 2 VIEWS^C4",
                        5,
                        "FINDINGS:\\.br\\No focal consolidation. Bartholomew Examplar tolerated the exam.\\.br\\IMPRESSION: Normal chest radiograph.",
                        11,
                        "F"));
    }
}

package org.quorum.dicom.sr;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.quorum.dicom.sr.SrContent.Code;
import org.quorum.dicom.sr.SrContent.Finding;

/**
 * FHIR code systems as DICOM coding schemes. The schemes DICOM knows keep their designators (PS3.16
 * Section 8: SCT, LN, UCUM, DCM, RADLEX, NCIt); a project's own label schema gets a private
 * designator ({@code 99Q} plus 8 hex digits of the system URI's hash, stable, PS3.16 8.2: private
 * designators start with "99") and is listed with its URI in the Coding Scheme Identification
 * Sequence of the SOP Common module.
 */
public final class CodingSchemes {

    private static final Map<String, String> KNOWN =
            Map.of(
                    "http://snomed.info/sct", "SCT",
                    "http://loinc.org", "LN",
                    "http://unitsofmeasure.org", "UCUM",
                    "http://dicom.nema.org/resources/ontology/DCM", "DCM",
                    "http://radlex.org", "RADLEX",
                    "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl", "NCIt");

    private CodingSchemes() {}

    /** The DICOM coding scheme designator of a FHIR code system URI. */
    public static String designator(String systemUri) {
        String known = KNOWN.get(systemUri);
        if (known != null) {
            return known;
        }
        return "99Q" + HexFormat.of().formatHex(sha256(systemUri), 0, 4).toUpperCase();
    }

    /** Whether DICOM knows the scheme (no identification item needed). */
    public static boolean isKnown(String systemUri) {
        return KNOWN.containsKey(systemUri);
    }

    /** The Coding Scheme Identification Sequence for the private schemes the content uses. */
    static Optional<SequenceAttribute> identification(SrContent content) throws DicomException {
        Map<String, Code> privateSchemes = new LinkedHashMap<>();
        content.findings().stream()
                .flatMap(CodingSchemes::codes)
                .filter(c -> c.systemUri() != null && !isKnown(c.systemUri()))
                .forEach(c -> privateSchemes.putIfAbsent(c.scheme(), c));
        if (privateSchemes.isEmpty()) {
            return Optional.empty();
        }
        SequenceAttribute sequence =
                new SequenceAttribute(TagFromName.CodingSchemeIdentificationSequence);
        for (Code code : privateSchemes.values()) {
            AttributeList item = new AttributeList();
            put(item, TagFromName.CodingSchemeDesignator, code.scheme());
            // Coding Scheme Name is LO (64 characters): the URI when it fits.
            String uri = code.systemUri();
            put(item, TagFromName.CodingSchemeName, uri.length() <= 64 ? uri : tail(uri));
            if (code.schemeVersion() != null) {
                put(item, TagFromName.CodingSchemeVersion, code.schemeVersion());
            }
            put(item, TagFromName.CodingSchemeResponsibleOrganization, uri);
            sequence.addItem(item);
        }
        return Optional.of(sequence);
    }

    private static Stream<Code> codes(Finding f) {
        return Stream.concat(
                        Stream.of(f.finding(), f.findingSite(), f.laterality()),
                        Stream.concat(
                                f.evaluations().stream()
                                        .flatMap(e -> Stream.of(e.concept(), e.value())),
                                f.measurements().stream()
                                        .flatMap(m -> Stream.of(m.concept(), m.unit()))))
                .filter(java.util.Objects::nonNull);
    }

    private static String tail(String uri) {
        return uri.substring(uri.length() - 64);
    }

    private static void put(AttributeList list, AttributeTag tag, String value)
            throws DicomException {
        Attribute attribute = AttributeFactory.newAttribute(tag);
        attribute.addValue(value);
        list.put(attribute);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}

package org.quorum.dicom.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UnknownAttribute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The DICOM JSON Model (PS3.18 Annex F.2), written here rather than by PixelMed's {@code
 * JSONRepresentationOfDicomObjectFactory}, which writes lower-case keys and the File Meta group:
 * keys are upper-case 8-digit hex tags, group 0002 and group lengths are left out, IS/DS and binary
 * numbers are JSON numbers, PN is an object of component groups, and large binary values of the
 * top-level dataset become a BulkDataURI (F.2.7) when a bulk data base URL is given.
 */
final class DicomJson {

    /** Binary values above this size go out as BulkDataURI instead of InlineBinary. */
    static final int BULK_THRESHOLD = 1024;

    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> BINARY = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "UN");
    private static final Set<String> INTEGERS = Set.of("US", "SS", "UL", "SL", "UV", "SV");

    private DicomJson() {}

    /** A JSON array of datasets; {@code bulkDataBase} maps each dataset to its bulk data URL. */
    static void writeArray(
            List<AttributeList> datasets,
            java.util.function.Function<AttributeList, Optional<String>> bulkDataBase,
            OutputStream out)
            throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            for (AttributeList dataset : datasets) {
                writeDataset(json, dataset, bulkDataBase.apply(dataset));
            }
            json.writeEndArray();
        }
    }

    static byte[] object(AttributeList dataset) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            writeDataset(json, dataset, Optional.empty());
        }
        return out.toByteArray();
    }

    private static void writeDataset(
            JsonGenerator json, AttributeList dataset, Optional<String> bulkDataBase)
            throws IOException {
        json.writeStartObject();
        for (Attribute attribute : dataset.values()) {
            AttributeTag tag = attribute.getTag();
            // F.2: no File Meta Information and no group length attributes.
            if (tag.getGroup() == 0x0002 || tag.getElement() == 0x0000) {
                continue;
            }
            String key = String.format(Locale.ROOT, "%04X%04X", tag.getGroup(), tag.getElement());
            json.writeObjectFieldStart(key);
            try {
                writeAttribute(json, attribute, key, bulkDataBase);
            } catch (DicomException e) {
                throw new IOException("An attribute value cannot be encoded", e);
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    private static void writeAttribute(
            JsonGenerator json, Attribute attribute, String key, Optional<String> bulkDataBase)
            throws IOException, DicomException {
        String vr = attribute.getVRAsString();
        json.writeStringField("vr", vr);
        if (attribute instanceof SequenceAttribute sequence) {
            if (sequence.getNumberOfItems() > 0) {
                json.writeArrayFieldStart("Value");
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    writeDataset(json, sequence.getItem(i).getAttributeList(), Optional.empty());
                }
                json.writeEndArray();
            }
            return;
        }
        if (BINARY.contains(vr)
                || attribute instanceof OtherByteAttributeMultipleCompressedFrames) {
            if (attribute.getVL() == 0) {
                return;
            }
            boolean bulk =
                    bulkDataBase.isPresent()
                            && (attribute.getTag().equals(TagFromName.PixelData)
                                    || attribute.getVL() > BULK_THRESHOLD
                                    || attribute.getVL() < 0);
            if (bulk) {
                json.writeStringField("BulkDataURI", bulkDataBase.get() + key);
            } else {
                json.writeStringField(
                        "InlineBinary",
                        java.util.Base64.getEncoder().encodeToString(bytes(attribute)));
            }
            return;
        }
        if (attribute.getVM() == 0) {
            return;
        }
        json.writeArrayFieldStart("Value");
        switch (vr) {
            case "PN" -> {
                for (String value : attribute.getStringValues()) {
                    writePersonName(json, clean(value));
                }
            }
            case "IS", "DS" -> {
                for (String value : attribute.getStringValues()) {
                    writeDecimal(json, clean(value));
                }
            }
            case "FL", "FD" -> {
                for (double value : attribute.getDoubleValues()) {
                    if (Double.isFinite(value)) {
                        json.writeNumber(value);
                    } else {
                        json.writeNull();
                    }
                }
            }
            case "AT" -> {
                for (AttributeTag value :
                        ((AttributeTagAttribute) attribute).getAttributeTagValues()) {
                    json.writeString(
                            String.format(
                                    Locale.ROOT, "%04X%04X", value.getGroup(), value.getElement()));
                }
            }
            default -> {
                if (INTEGERS.contains(vr)) {
                    for (long value : attribute.getLongValues()) {
                        json.writeNumber(value);
                    }
                } else {
                    for (String value : attribute.getStringValues()) {
                        String text = clean(value);
                        if (text.isEmpty()) {
                            json.writeNull();
                        } else {
                            json.writeString(text);
                        }
                    }
                }
            }
        }
        json.writeEndArray();
    }

    /** The little-endian bytes of a binary value (the encoding of the stored file). */
    static byte[] bytes(Attribute attribute) throws DicomException {
        if (attribute instanceof OtherByteAttributeMultipleCompressedFrames frames) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] frame : frames.getFrames()) {
                out.writeBytes(frame);
            }
            return out.toByteArray();
        }
        if (attribute instanceof UnknownAttribute unknown) {
            return unknown.getByteValues();
        }
        return attribute.getByteValues(false);
    }

    private static void writePersonName(JsonGenerator json, String value) throws IOException {
        if (value.isEmpty()) {
            json.writeNull();
            return;
        }
        // PS3.5 §6.2.1: up to three component groups separated by "=".
        String[] groups = value.split("=", -1);
        String[] names = {"Alphabetic", "Ideographic", "Phonetic"};
        json.writeStartObject();
        for (int i = 0; i < Math.min(groups.length, names.length); i++) {
            if (!groups[i].isEmpty()) {
                json.writeStringField(names[i], groups[i]);
            }
        }
        json.writeEndObject();
    }

    private static void writeDecimal(JsonGenerator json, String value) throws IOException {
        if (value.isEmpty()) {
            json.writeNull();
            return;
        }
        try {
            json.writeNumber(new BigDecimal(value.startsWith("+") ? value.substring(1) : value));
        } catch (NumberFormatException e) {
            // A malformed IS/DS in the stored file: keep its text rather than lose it.
            json.writeString(value);
        }
    }

    private static String clean(String value) {
        if (value == null) {
            return "";
        }
        int end = value.length();
        while (end > 0 && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\0')) {
            end--;
        }
        return value.substring(0, end).stripLeading();
    }
}

package org.quorum.bridge.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.datatype.ED;
import ca.uhn.hl7v2.model.v251.datatype.FT;
import ca.uhn.hl7v2.model.v251.datatype.ST;
import ca.uhn.hl7v2.model.v251.datatype.TS;
import ca.uhn.hl7v2.model.v251.datatype.TX;
import ca.uhn.hl7v2.model.v251.datatype.XAD;
import ca.uhn.hl7v2.model.v251.datatype.XCN;
import ca.uhn.hl7v2.model.v251.datatype.XPN;
import ca.uhn.hl7v2.model.v251.datatype.XTN;
import ca.uhn.hl7v2.model.v251.group.MDM_T02_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_PATIENT_RESULT;
import ca.uhn.hl7v2.model.v251.message.MDM_T02;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.model.v251.segment.PV1;
import ca.uhn.hl7v2.model.v251.segment.TXA;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * HL7 v2 notes and reports as FHIR R4, following the HL7 v2-to-FHIR mapping IG where it applies:
 * MDM^T02 (TXA + OBX-5 as TX, FT or ED) → DocumentReference; ORU^R01 (OBR + OBX) → DiagnosticReport
 * with the report text as {@code presentedForm}; PID → Patient, PV1 → Encounter, TXA-5 / PV1-7 /
 * OBR-32 → Practitioner. Every message is read as v2.5.1 whatever its MSH-12.
 *
 * <p>The Patient carries PID-3 with the MR type, so it gets the same pseudonym and date offset as
 * the same MRN pulled from the EHR's FHIR API; names, addresses, phones and the SSN stay on the
 * Patient so that de-identification knows them when it scrubs the note text.
 *
 * @see <a href="https://build.fhir.org/ig/HL7/v2-to-fhir/">HL7 v2-to-FHIR mapping IG</a>
 */
public final class Hl7ToFhir {

    /** A converted message: its source records (notes, reports) and what they reference. */
    public record Converted(
            String messageKey,
            String facility,
            List<Resource> records,
            Map<String, Resource> related) {}

    private static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    private static final String V2_0270 = "http://terminology.hl7.org/CodeSystem/v2-0270";
    private static final String V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074";
    private static final String V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    private static final Pattern FORMATTING = Pattern.compile("\\\\\\.([a-z]{2})[^\\\\]*\\\\");

    private final String identifierSystem;
    private final ZoneId zone;

    /**
     * @param identifierSystem FHIR identifier system for PID-3 values without an assigning
     *     authority
     * @param zone the zone of HL7 times that carry no offset (the hospital's)
     */
    public Hl7ToFhir(String identifierSystem, ZoneId zone) {
        this.identifierSystem = identifierSystem;
        this.zone = zone;
    }

    /** Message type and trigger event, e.g. {@code MDM^T02}. */
    public static String typeOf(Message message) throws HL7Exception {
        MSH msh = (MSH) message.get("MSH");
        return msh.getMessageType().getMessageCode().getValue()
                + "^"
                + msh.getMessageType().getTriggerEvent().getValue();
    }

    /** {@code sending facility|message control id}: what makes a message unique (MSH-4, MSH-10). */
    public static String keyOf(Message message) throws HL7Exception {
        MSH msh = (MSH) message.get("MSH");
        String facility = facilityOf(message);
        String control = msh.getMessageControlID().getValue();
        if (control == null || control.isBlank()) {
            throw new Hl7Rejection(AcknowledgmentCode.AR, "MSH-10 (message control id) is empty");
        }
        return facility + "|" + control.strip();
    }

    /** {@link #keyOf} for use where a checked exception is not wanted. */
    public static String keyOfUnchecked(Message message) {
        try {
            return keyOf(message);
        } catch (HL7Exception e) {
            throw new Hl7Rejection(AcknowledgmentCode.AR, "MSH is unreadable: " + e.getMessage());
        }
    }

    static String facilityOf(Message message) throws HL7Exception {
        MSH msh = (MSH) message.get("MSH");
        String namespace = msh.getSendingFacility().getNamespaceID().getValue();
        String universal = msh.getSendingFacility().getUniversalID().getValue();
        String facility = namespace != null && !namespace.isBlank() ? namespace : universal;
        return facility == null ? "" : facility.strip();
    }

    /**
     * Converts a message.
     *
     * @throws Hl7Rejection when the message is not MDM^T02 or ORU^R01, or lacks what a label needs
     */
    public Converted convert(Message message) {
        try {
            String type = typeOf(message);
            String key = keyOf(message);
            String facility = facilityOf(message);
            MSH msh = (MSH) message.get("MSH");
            String processing = msh.getProcessingID().getProcessingID().getValue();
            if ("D".equals(processing)) {
                throw new Hl7Rejection(
                        AcknowledgmentCode.AR,
                        "MSH-11 processing id D (debugging) is not accepted; send P (production) or"
                                + " T (training)");
            }
            return switch (type) {
                case "MDM^T02" -> convertMdm((MDM_T02) message, key, facility);
                case "ORU^R01" -> convertOru((ORU_R01) message, key, facility);
                default ->
                        throw new Hl7Rejection(
                                AcknowledgmentCode.AR,
                                "message type "
                                        + type
                                        + " is not accepted; the bridge takes MDM^T02 (notes) and"
                                        + " ORU^R01 (reports)");
            };
        } catch (HL7Exception e) {
            throw new Hl7Rejection(AcknowledgmentCode.AE, "unreadable message: " + e.getMessage());
        } catch (ClassCastException e) {
            throw new Hl7Rejection(
                    AcknowledgmentCode.AE, "the message structure does not match its MSH-9");
        }
    }

    private Converted convertMdm(MDM_T02 message, String key, String facility) throws HL7Exception {
        Map<String, Resource> related = new LinkedHashMap<>();
        Patient patient = patient(message.getPID(), facility);
        related.put(literal(patient), patient);
        Encounter encounter = encounter(message.getPV1(), patient, facility, key, related);
        TXA txa = message.getTXA();
        StringBuilder text = new StringBuilder();
        List<Attachment> binaries = new ArrayList<>();
        for (MDM_T02_OBSERVATION observation : message.getOBSERVATIONAll()) {
            appendObservation(observation.getOBX(), text, binaries);
        }
        if (text.isEmpty() && binaries.isEmpty()) {
            throw new Hl7Rejection(
                    AcknowledgmentCode.AE,
                    "the note has no text: no OBX-5 of type TX, FT, ST or ED holds a value");
        }
        DocumentReference note = new DocumentReference();
        String documentNumber =
                value(txa.getUniqueDocumentNumber().getEntityIdentifier().getValue());
        note.setId(
                id(
                        "DocumentReference",
                        facility + "|" + (documentNumber.isEmpty() ? key : documentNumber)));
        if (!documentNumber.isEmpty()) {
            note.addIdentifier()
                    .setSystem("urn:quorum:bridge:hl7:document:" + facility)
                    .setValue(documentNumber);
        }
        note.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        String completion = value(txa.getDocumentCompletionStatus().getValue());
        switch (completion) {
            case "AU", "LA", "DO" ->
                    note.setDocStatus(DocumentReference.ReferredDocumentStatus.FINAL);
            case "IP", "IN", "PA", "DI" ->
                    note.setDocStatus(DocumentReference.ReferredDocumentStatus.PRELIMINARY);
            default -> {
                // not given: leave docStatus empty
            }
        }
        String documentType = value(txa.getDocumentType().getValue());
        if (!documentType.isEmpty()) {
            note.setType(new CodeableConcept(new Coding(V2_0270, documentType, null)));
        }
        note.addCategory(
                new CodeableConcept(
                        new Coding(
                                "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                                "clinical-note",
                                "Clinical Note")));
        note.setSubject(new Reference(literal(patient)));
        if (encounter != null) {
            note.getContext().addEncounter(new Reference(literal(encounter)));
        }
        InstantType date = instant(txa.getOriginationDateTime());
        if (date == null) {
            date = instant(txa.getActivityDateTime());
        }
        if (date != null) {
            note.setDateElement(date);
        }
        for (XCN author : txa.getPrimaryActivityProviderCodeName()) {
            Practitioner practitioner = practitioner(author, facility);
            if (practitioner != null) {
                related.putIfAbsent(literal(practitioner), practitioner);
                note.addAuthor(new Reference(literal(practitioner)));
            }
        }
        if (!text.isEmpty()) {
            note.addContent()
                    .setAttachment(
                            new Attachment()
                                    .setContentType("text/plain; charset=utf-8")
                                    .setData(text.toString().getBytes(StandardCharsets.UTF_8)));
        }
        binaries.forEach(a -> note.addContent().setAttachment(a));
        return new Converted(key, facility, List.of(note), related);
    }

    private Converted convertOru(ORU_R01 message, String key, String facility) throws HL7Exception {
        Map<String, Resource> related = new LinkedHashMap<>();
        List<Resource> reports = new ArrayList<>();
        for (ORU_R01_PATIENT_RESULT result : message.getPATIENT_RESULTAll()) {
            Patient patient = patient(result.getPATIENT().getPID(), facility);
            related.putIfAbsent(literal(patient), patient);
            Encounter encounter =
                    encounter(
                            result.getPATIENT().getVISIT().getPV1(),
                            patient,
                            facility,
                            key,
                            related);
            int index = 0;
            for (ORU_R01_ORDER_OBSERVATION order : result.getORDER_OBSERVATIONAll()) {
                OBR obr = order.getOBR();
                StringBuilder text = new StringBuilder();
                List<Attachment> binaries = new ArrayList<>();
                for (ORU_R01_OBSERVATION observation : order.getOBSERVATIONAll()) {
                    appendObservation(observation.getOBX(), text, binaries);
                }
                if (obr.isEmpty()) {
                    continue;
                }
                index++;
                DiagnosticReport report = new DiagnosticReport();
                String filler = value(obr.getFillerOrderNumber().getEntityIdentifier().getValue());
                String placer = value(obr.getPlacerOrderNumber().getEntityIdentifier().getValue());
                String orderNumber = !filler.isEmpty() ? filler : placer;
                report.setId(
                        id(
                                "DiagnosticReport",
                                facility
                                        + "|"
                                        + (orderNumber.isEmpty()
                                                ? key + "#" + index
                                                : orderNumber)));
                if (!orderNumber.isEmpty()) {
                    report.addIdentifier()
                            .setType(
                                    new CodeableConcept(
                                            new Coding(
                                                    V2_0203,
                                                    filler.isEmpty() ? "PLAC" : "FILL",
                                                    null)))
                            .setSystem("urn:quorum:bridge:hl7:order:" + facility)
                            .setValue(orderNumber);
                }
                report.setStatus(reportStatus(value(obr.getResultStatus().getValue())));
                report.setCode(codeable(obr.getUniversalServiceIdentifier()));
                String section = value(obr.getDiagnosticServSectID().getValue());
                if (!section.isEmpty()) {
                    report.addCategory(new CodeableConcept(new Coding(V2_0074, section, null)));
                }
                report.setSubject(new Reference(literal(patient)));
                if (encounter != null) {
                    report.setEncounter(new Reference(literal(encounter)));
                }
                DateTimeType effective = dateTime(obr.getObservationDateTime());
                if (effective != null) {
                    report.setEffective(effective);
                }
                InstantType issued = instant(obr.getResultsRptStatusChngDateTime());
                if (issued != null) {
                    report.setIssuedElement(issued);
                }
                if (text.isEmpty() && binaries.isEmpty()) {
                    throw new Hl7Rejection(
                            AcknowledgmentCode.AE,
                            "report "
                                    + index
                                    + " has no text: no OBX-5 of type TX, FT, ST or ED holds a value");
                }
                if (!text.isEmpty()) {
                    report.addPresentedForm(
                            new Attachment()
                                    .setContentType("text/plain; charset=utf-8")
                                    .setData(text.toString().getBytes(StandardCharsets.UTF_8)));
                }
                binaries.forEach(report::addPresentedForm);
                reports.add(report);
            }
        }
        if (reports.isEmpty()) {
            throw new Hl7Rejection(AcknowledgmentCode.AE, "the message has no OBR (no report)");
        }
        return new Converted(key, facility, reports, related);
    }

    private void appendObservation(OBX obx, StringBuilder text, List<Attachment> binaries)
            throws HL7Exception {
        for (Varies varies : obx.getObservationValue()) {
            Type data = varies.getData();
            String value = null;
            if (data instanceof TX tx) {
                value = tx.getValue();
            } else if (data instanceof FT ft) {
                value = formattedText(ft.getValue());
            } else if (data instanceof ST st) {
                value = st.getValue();
            } else if (data instanceof ED ed) {
                Attachment attachment = encapsulated(ed);
                if (attachment != null && attachment.getContentType().startsWith("text/")) {
                    value = new String(attachment.getData(), StandardCharsets.UTF_8);
                } else if (attachment != null) {
                    binaries.add(attachment);
                }
            } else if (data != null && data.getClass().getSimpleName().equals("GenericPrimitive")) {
                value = ((ca.uhn.hl7v2.model.Primitive) data).getValue();
            }
            if (value != null && !value.isBlank()) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(value);
            }
        }
    }

    /** HL7 v2.5.1 §2.7.6: formatting commands in FT; line breaks kept, the rest dropped. */
    static String formattedText(String value) {
        if (value == null) {
            return null;
        }
        Matcher matcher = FORMATTING.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, matcher.group(1).equals("br") ? "\n" : "");
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static Attachment encapsulated(ED ed) {
        String data = value(ed.getData().getValue());
        if (data.isEmpty()) {
            return null;
        }
        String typeOfData = value(ed.getTypeOfData().getValue()).toUpperCase(Locale.ROOT);
        String subtype = value(ed.getDataSubtype().getValue()).toLowerCase(Locale.ROOT);
        String encoding = value(ed.getEncoding().getValue()).toUpperCase(Locale.ROOT);
        byte[] bytes;
        if (encoding.equals("BASE64")) {
            try {
                bytes = Base64.getMimeDecoder().decode(data);
            } catch (IllegalArgumentException e) {
                throw new Hl7Rejection(AcknowledgmentCode.AE, "OBX-5 ED data is not valid base64");
            }
        } else {
            bytes = data.getBytes(StandardCharsets.UTF_8);
        }
        String contentType;
        if (typeOfData.equals("TEXT") || subtype.equals("plain") || subtype.equals("rtf")) {
            contentType = subtype.equals("rtf") ? "text/rtf" : "text/plain; charset=utf-8";
        } else if (subtype.equals("pdf")) {
            contentType = "application/pdf";
        } else {
            contentType = "application/octet-stream";
        }
        return new Attachment().setContentType(contentType).setData(bytes);
    }

    private Patient patient(PID pid, String facility) throws HL7Exception {
        Patient patient = new Patient();
        String mrn = null;
        String mrnSystem = null;
        for (CX cx : pid.getPatientIdentifierList()) {
            String value = value(cx.getIDNumber().getValue());
            if (value.isEmpty()) {
                continue;
            }
            String typeCode = value(cx.getIdentifierTypeCode().getValue());
            String system = systemOf(cx);
            Identifier identifier = patient.addIdentifier().setSystem(system).setValue(value);
            boolean medicalRecord = typeCode.equals("MR") || (typeCode.isEmpty() && mrn == null);
            identifier.setType(
                    new CodeableConcept(
                            new Coding(V2_0203, medicalRecord ? "MR" : typeCode, null)));
            if (medicalRecord && mrn == null) {
                mrn = value;
                mrnSystem = system;
            }
        }
        if (mrn == null) {
            throw new Hl7Rejection(
                    AcknowledgmentCode.AE, "PID-3 (patient identifier list) holds no identifier");
        }
        patient.setId(id("Patient", mrnSystem + "|" + mrn));
        for (XPN xpn : pid.getPatientName()) {
            HumanName name = name(xpn);
            if (name != null) {
                patient.addName(name);
            }
        }
        DateType birth = date(pid.getDateTimeOfBirth());
        if (birth != null) {
            patient.setBirthDateElement(birth);
        }
        switch (value(pid.getAdministrativeSex().getValue())) {
            case "M" -> patient.setGender(Enumerations.AdministrativeGender.MALE);
            case "F" -> patient.setGender(Enumerations.AdministrativeGender.FEMALE);
            case "O", "A" -> patient.setGender(Enumerations.AdministrativeGender.OTHER);
            case "U" -> patient.setGender(Enumerations.AdministrativeGender.UNKNOWN);
            default -> {
                // not given
            }
        }
        for (XAD xad : pid.getPatientAddress()) {
            org.hl7.fhir.r4.model.Address address = new org.hl7.fhir.r4.model.Address();
            String line = value(xad.getStreetAddress().getStreetOrMailingAddress().getValue());
            if (!line.isEmpty()) {
                address.addLine(line);
            }
            String other = value(xad.getOtherDesignation().getValue());
            if (!other.isEmpty()) {
                address.addLine(other);
            }
            address.setCity(blankToNull(xad.getCity().getValue()));
            address.setState(blankToNull(xad.getStateOrProvince().getValue()));
            address.setPostalCode(blankToNull(xad.getZipOrPostalCode().getValue()));
            address.setCountry(blankToNull(xad.getCountry().getValue()));
            if (!address.isEmpty()) {
                patient.addAddress(address);
            }
        }
        for (XTN xtn : pid.getPhoneNumberHome()) {
            telecom(patient, xtn, ContactPoint.ContactPointUse.HOME);
        }
        for (XTN xtn : pid.getPhoneNumberBusiness()) {
            telecom(patient, xtn, ContactPoint.ContactPointUse.WORK);
        }
        String ssn = value(pid.getSSNNumberPatient().getValue());
        if (!ssn.isEmpty()) {
            patient.addIdentifier()
                    .setSystem("http://hl7.org/fhir/sid/us-ssn")
                    .setValue(ssn)
                    .setType(new CodeableConcept(new Coding(V2_0203, "SS", null)));
        }
        String account = value(pid.getPatientAccountNumber().getIDNumber().getValue());
        if (!account.isEmpty()) {
            patient.addIdentifier()
                    .setSystem("urn:quorum:bridge:hl7:account:" + facility)
                    .setValue(account)
                    .setType(new CodeableConcept(new Coding(V2_0203, "AN", null)));
        }
        return patient;
    }

    private static void telecom(Patient patient, XTN xtn, ContactPoint.ContactPointUse use) {
        String number = value(xtn.getTelephoneNumber().getValue());
        if (number.isEmpty()) {
            String area = value(xtn.getAreaCityCode().getValue());
            String local = value(xtn.getLocalNumber().getValue());
            number = (area + " " + local).strip();
        }
        String email = value(xtn.getEmailAddress().getValue());
        if (!number.isEmpty()) {
            patient.addTelecom()
                    .setSystem(ContactPoint.ContactPointSystem.PHONE)
                    .setValue(number)
                    .setUse(use);
        }
        if (!email.isEmpty()) {
            patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue(email);
        }
    }

    private Encounter encounter(
            PV1 pv1,
            Patient patient,
            String facility,
            String messageKey,
            Map<String, Resource> related)
            throws HL7Exception {
        if (pv1 == null || pv1.isEmpty()) {
            return null;
        }
        Encounter encounter = new Encounter();
        String visit = value(pv1.getVisitNumber().getIDNumber().getValue());
        encounter.setId(id("Encounter", facility + "|" + (visit.isEmpty() ? messageKey : visit)));
        if (!visit.isEmpty()) {
            encounter
                    .addIdentifier()
                    .setSystem("urn:quorum:bridge:hl7:visit:" + facility)
                    .setValue(visit)
                    .setType(new CodeableConcept(new Coding(V2_0203, "VN", null)));
        }
        encounter.setStatus(
                pv1.getDischargeDateTime().length > 0 && !pv1.getDischargeDateTime()[0].isEmpty()
                        ? Encounter.EncounterStatus.FINISHED
                        : Encounter.EncounterStatus.INPROGRESS);
        // v2-to-FHIR IG, PV1-2 → Encounter.class (table 0004 → v3 ActCode)
        String patientClass = value(pv1.getPatientClass().getValue());
        String actCode =
                switch (patientClass) {
                    case "I" -> "IMP";
                    case "E" -> "EMER";
                    case "P" -> "PRENC";
                    case "O", "R", "B" -> "AMB";
                    default -> "AMB";
                };
        encounter.setClass_(new Coding(V3_ACT_CODE, actCode, null));
        encounter.setSubject(new Reference(literal(patient)));
        Period period = new Period();
        DateTimeType admitted = dateTime(pv1.getAdmitDateTime());
        if (admitted != null) {
            period.setStartElement(admitted);
        }
        if (pv1.getDischargeDateTime().length > 0) {
            DateTimeType discharged = dateTime(pv1.getDischargeDateTime()[0]);
            if (discharged != null) {
                period.setEndElement(discharged);
            }
        }
        if (!period.isEmpty()) {
            encounter.setPeriod(period);
        }
        for (XCN attending : pv1.getAttendingDoctor()) {
            Practitioner practitioner = practitioner(attending, facility);
            if (practitioner != null) {
                related.putIfAbsent(literal(practitioner), practitioner);
                encounter
                        .addParticipant()
                        .addType(
                                new CodeableConcept(
                                        new Coding(
                                                "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                                "ATND",
                                                "attender")))
                        .setIndividual(new Reference(literal(practitioner)));
            }
        }
        related.putIfAbsent(literal(encounter), encounter);
        return encounter;
    }

    private Practitioner practitioner(XCN xcn, String facility) throws HL7Exception {
        String id = value(xcn.getIDNumber().getValue());
        String family = value(xcn.getFamilyName().getSurname().getValue());
        if (id.isEmpty() && family.isEmpty()) {
            return null;
        }
        Practitioner practitioner = new Practitioner();
        practitioner.setId(
                id(
                        "Practitioner",
                        facility
                                + "|"
                                + (id.isEmpty()
                                        ? family + "," + value(xcn.getGivenName().getValue())
                                        : id)));
        if (!id.isEmpty()) {
            practitioner
                    .addIdentifier()
                    .setSystem("urn:quorum:bridge:hl7:provider:" + facility)
                    .setValue(id);
        }
        HumanName name = new HumanName();
        if (!family.isEmpty()) {
            name.setFamily(family);
        }
        String given = value(xcn.getGivenName().getValue());
        if (!given.isEmpty()) {
            name.addGiven(given);
        }
        String prefix = value(xcn.getPrefixEgDR().getValue());
        if (!prefix.isEmpty()) {
            name.addPrefix(prefix);
        }
        if (!name.isEmpty()) {
            practitioner.addName(name);
        }
        return practitioner;
    }

    private static HumanName name(XPN xpn) {
        HumanName name = new HumanName();
        String family = value(xpn.getFamilyName().getSurname().getValue());
        if (!family.isEmpty()) {
            name.setFamily(family);
        }
        String given = value(xpn.getGivenName().getValue());
        if (!given.isEmpty()) {
            name.addGiven(given);
        }
        String middle = value(xpn.getSecondAndFurtherGivenNamesOrInitialsThereof().getValue());
        if (!middle.isEmpty()) {
            name.addGiven(middle);
        }
        String prefix = value(xpn.getPrefixEgDR().getValue());
        if (!prefix.isEmpty()) {
            name.addPrefix(prefix);
        }
        String suffix = value(xpn.getSuffixEgJRorIII().getValue());
        if (!suffix.isEmpty()) {
            name.addSuffix(suffix);
        }
        return name.isEmpty() ? null : name;
    }

    private String systemOf(CX cx) {
        String universal = value(cx.getAssigningAuthority().getUniversalID().getValue());
        String universalType = value(cx.getAssigningAuthority().getUniversalIDType().getValue());
        if (!universal.isEmpty() && universalType.equalsIgnoreCase("ISO")) {
            return "urn:oid:" + universal;
        }
        if (!universal.isEmpty() && universal.contains(":")) {
            return universal;
        }
        String namespace = value(cx.getAssigningAuthority().getNamespaceID().getValue());
        if (!namespace.isEmpty()) {
            return identifierSystem + ":" + namespace;
        }
        return identifierSystem;
    }

    private static CodeableConcept codeable(CE ce) {
        CodeableConcept concept = new CodeableConcept();
        String code = value(ce.getIdentifier().getValue());
        String text = value(ce.getText().getValue());
        String system = value(ce.getNameOfCodingSystem().getValue());
        if (!code.isEmpty()) {
            concept.addCoding(
                    new Coding(
                            switch (system) {
                                case "LN" -> "http://loinc.org";
                                case "SCT", "SNM" -> "http://snomed.info/sct";
                                case "" -> "urn:quorum:bridge:hl7:local";
                                default -> "urn:quorum:bridge:hl7:" + system;
                            },
                            code,
                            text.isEmpty() ? null : text));
        }
        if (!text.isEmpty()) {
            concept.setText(text);
        }
        if (concept.isEmpty()) {
            concept.setText("unknown");
        }
        return concept;
    }

    private static DiagnosticReport.DiagnosticReportStatus reportStatus(String code) {
        // HL7 table 0123 → FHIR diagnostic-report-status (v2-to-FHIR IG)
        return switch (code) {
            case "F" -> DiagnosticReport.DiagnosticReportStatus.FINAL;
            case "C" -> DiagnosticReport.DiagnosticReportStatus.CORRECTED;
            case "P" -> DiagnosticReport.DiagnosticReportStatus.PRELIMINARY;
            case "A" -> DiagnosticReport.DiagnosticReportStatus.PARTIAL;
            case "X" -> DiagnosticReport.DiagnosticReportStatus.CANCELLED;
            case "I", "O", "S" -> DiagnosticReport.DiagnosticReportStatus.REGISTERED;
            default -> DiagnosticReport.DiagnosticReportStatus.UNKNOWN;
        };
    }

    // --- times ---------------------------------------------------------------------------------

    private static final java.time.format.DateTimeFormatter SECONDS =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

    private static final Pattern DTM =
            Pattern.compile(
                    "(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(?:\\.\\d+)?([+-]\\d{4})?");

    /** HL7 DTM (YYYY[MM[DD[HH[MM[SS]]]]][+/-ZZZZ]) as a FHIR dateTime; null when empty or bad. */
    DateTimeType dateTime(TS ts) {
        String raw = ts == null ? null : ts.getTime().getValue();
        if (raw == null || raw.isBlank()) {
            return null;
        }
        Matcher m = DTM.matcher(raw.strip());
        if (!m.matches()) {
            return null;
        }
        if (m.group(4) == null) {
            String date =
                    m.group(1)
                            + (m.group(2) == null ? "" : "-" + m.group(2))
                            + (m.group(3) == null ? "" : "-" + m.group(3));
            return new DateTimeType(date);
        }
        OffsetDateTime time = offsetDateTime(m);
        return time == null ? null : new DateTimeType(SECONDS.format(time));
    }

    private InstantType instant(TS ts) {
        String raw = ts == null ? null : ts.getTime().getValue();
        if (raw == null || raw.isBlank()) {
            return null;
        }
        Matcher m = DTM.matcher(raw.strip());
        if (!m.matches() || m.group(4) == null) {
            return null;
        }
        OffsetDateTime time = offsetDateTime(m);
        return time == null ? null : new InstantType(Date.from(time.toInstant()));
    }

    private OffsetDateTime offsetDateTime(Matcher m) {
        try {
            LocalDateTime local =
                    LocalDateTime.of(
                            Integer.parseInt(m.group(1)),
                            Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)),
                            Integer.parseInt(m.group(4)),
                            m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                            m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
            if (m.group(7) != null) {
                return local.atOffset(
                        ZoneOffset.of(m.group(7).substring(0, 3) + ":" + m.group(7).substring(3)));
            }
            return local.atZone(zone).toOffsetDateTime();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static DateType date(TS ts) {
        String raw = ts == null ? null : ts.getTime().getValue();
        if (raw == null || raw.length() < 8) {
            return null;
        }
        try {
            LocalDate date =
                    LocalDate.of(
                            Integer.parseInt(raw.substring(0, 4)),
                            Integer.parseInt(raw.substring(4, 6)),
                            Integer.parseInt(raw.substring(6, 8)));
            return new DateType(date.toString());
        } catch (RuntimeException e) {
            return null;
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    /**
     * A stable FHIR id for a converted resource (only the bridge sees it; Quorum gets a pseudonym).
     */
    static String id(String type, String natural) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest((type + "|" + natural).getBytes(StandardCharsets.UTF_8));
            return "hl7-" + HexFormat.of().formatHex(hash, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String literal(Resource resource) {
        return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
    }

    private static String value(String value) {
        return value == null ? "" : value.strip();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}

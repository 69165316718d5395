package org.quorum.dicom.sr;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationComponentComponent;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;
import org.quorum.dicom.sr.SrContent.Code;
import org.quorum.dicom.sr.SrContent.DeviceObserver;
import org.quorum.dicom.sr.SrContent.Finding;
import org.quorum.dicom.sr.SrContent.Measurement;
import org.quorum.dicom.sr.SrContent.Observer;
import org.quorum.dicom.sr.SrContent.PersonObserver;
import org.quorum.dicom.sr.SrContent.QualitativeEvaluation;
import org.quorum.profiles.QuorumProfiles;

/**
 * Maps a QuorumLabel Observation to {@link SrContent}: one finding per image-region extension, the
 * annotator (performer) as a pseudonymous person observer, the AI model (device) as a device
 * observer. The mapping table: docs/dicom-sr.md.
 *
 * <p>The annotator's DICOM name and ID never carry a real name: the ID is the pseudonymiser's value
 * for the Practitioner reference (the PractitionerRole's when it names no Practitioner), the name
 * {@code Annotator^<id>}. Production passes a keyed hash (the de-identification key service's
 * pseudonym), so the same annotator gets the same ID in every SR and no one without the key can
 * link it back.
 */
public final class LabelSrMapper {

    static final String IMAGE_REGION = QuorumProfiles.EXT_IMAGE_REGION;
    static final String CONFIDENCE = QuorumProfiles.EXT_CONFIDENCE;
    static final String REASONING = QuorumProfiles.EXT_REASONING;
    static final String LATERALITY = QuorumProfiles.EXT_LATERALITY;
    static final String UCUM = "http://unitsofmeasure.org";

    /** Looks up the resources a label references (the FHIR adapter reads them with HAPI DAOs). */
    public interface References {

        /** The Device (AI model) the reference points at, if it exists. */
        Optional<Device> device(Reference reference);

        /** The PractitionerRole (annotator) the reference points at, if it exists. */
        Optional<PractitionerRole> practitionerRole(Reference reference);
    }

    private final References references;
    private final Function<String, String> pseudonymiser;

    /**
     * @param pseudonymiser maps a reference such as {@code Practitioner/123} to a stable
     *     pseudonymous ID (at most 55 characters, so that the person name fits 64)
     */
    public LabelSrMapper(References references, Function<String, String> pseudonymiser) {
        this.references = references;
        this.pseudonymiser = pseudonymiser;
    }

    public SrContent map(Observation label) {
        if (!label.hasIdElement() || label.getIdElement().getIdPart() == null) {
            throw SrException.unmappable("the label has no id");
        }
        String labelKey = "Observation/" + label.getIdElement().getIdPart();
        if (label.getStatus() == Observation.ObservationStatus.ENTEREDINERROR) {
            throw SrException.unmappable("the label is entered-in-error: it gets no SR");
        }
        String method = method(label);
        List<Observer> observers = new ArrayList<>();
        if (!label.getPerformer().isEmpty()) {
            observers.add(person(label.getPerformerFirstRep()));
        }
        DeviceObserver device = label.hasDevice() ? device(label.getDevice()) : null;
        if (device != null) {
            observers.add(device);
        }
        // TID 4019 in the group says "this algorithm made the finding": only for AI-only labels.
        DeviceObserver algorithm = "ai".equals(method) ? device : null;

        Code finding = code(firstCoding(label.getCode(), "Observation.code"));
        Code site = null;
        Code laterality = null;
        if (label.hasBodySite() && label.getBodySite().hasCoding()) {
            site = code(label.getBodySite().getCodingFirstRep());
            Extension lateralityExtension = label.getBodySite().getExtensionByUrl(LATERALITY);
            if (lateralityExtension != null) {
                laterality =
                        code(
                                firstCoding(
                                        (CodeableConcept) lateralityExtension.getValue(),
                                        "the laterality extension"));
            }
        }
        List<QualitativeEvaluation> evaluations = new ArrayList<>();
        List<Measurement> measurements = new ArrayList<>();
        if (label.hasValue()) {
            addValue(finding, label.getValue(), "Observation.value[x]", evaluations, measurements);
        }
        List<ObservationComponentComponent> components = label.getComponent();
        for (int i = 0; i < components.size(); i++) {
            ObservationComponentComponent component = components.get(i);
            String where = "Observation.component[" + i + "]";
            Code concept = code(firstCoding(component.getCode(), where + ".code"));
            if (!component.hasValue()) {
                throw SrException.unmappable(where + " has no value");
            }
            addValue(concept, component.getValue(), where + ".value[x]", evaluations, measurements);
        }
        BigDecimal confidence =
                Optional.ofNullable(label.getExtensionByUrl(CONFIDENCE))
                        .map(e -> e.getValue().castToDecimal(e.getValue()).getValue())
                        .orElse(null);
        String reasoning =
                Optional.ofNullable(label.getExtensionByUrl(REASONING))
                        .map(e -> e.getValue().primitiveValue())
                        .orElse(null);

        List<Finding> findings = new ArrayList<>();
        List<Extension> regions = label.getExtensionsByUrl(IMAGE_REGION);
        for (int i = 0; i < regions.size(); i++) {
            String number = Integer.toString(i + 1);
            findings.add(
                    new Finding(
                            labelKey + "#" + number,
                            DerivedUids.of("tracking", labelKey, number),
                            finding,
                            site,
                            laterality,
                            region(regions.get(i), i),
                            evaluations,
                            measurements,
                            confidence,
                            reasoning,
                            algorithm));
        }
        Instant changed =
                label.getMeta().hasLastUpdated()
                        ? label.getMeta().getLastUpdated().toInstant()
                        : label.hasIssued() ? label.getIssued().toInstant() : null;
        boolean finalLabel =
                switch (label.getStatus() == null ? "" : label.getStatus().toCode()) {
                    case "final", "amended", "corrected" -> true;
                    default -> false;
                };
        return new SrContent(labelKey, observers, findings, finalLabel, changed);
    }

    private static String method(Observation label) {
        return label.getMethod().getCoding().stream()
                .filter(c -> QuorumProfiles.CS_LABEL_METHOD.equals(c.getSystem()))
                .map(Coding::getCode)
                .findFirst()
                .orElse("");
    }

    private PersonObserver person(Reference performer) {
        if (!performer.hasReference()) {
            throw SrException.unmappable("the label's performer has no reference");
        }
        String target =
                references
                        .practitionerRole(performer)
                        .filter(
                                role ->
                                        role.hasPractitioner()
                                                && role.getPractitioner().hasReference())
                        .map(role -> versionless(role.getPractitioner().getReference()))
                        .orElse(versionless(performer.getReference()));
        String id = pseudonymiser.apply(target);
        if (id == null || id.isBlank() || id.length() > 55) {
            throw new IllegalStateException("the pseudonymiser must return 1 to 55 characters");
        }
        return new PersonObserver(id);
    }

    private DeviceObserver device(Reference reference) {
        Device device =
                references
                        .device(reference)
                        .orElseThrow(
                                () ->
                                        SrException.unmappable(
                                                "the label's AI model "
                                                        + reference.getReference()
                                                        + " does not exist"));
        String name =
                device.getDeviceName().stream()
                        .filter(n -> n.getType() == Device.DeviceNameType.MODELNAME)
                        .findFirst()
                        .or(() -> device.getDeviceName().stream().findFirst())
                        .map(Device.DeviceDeviceNameComponent::getName)
                        .orElseThrow(
                                () ->
                                        SrException.unmappable(
                                                "the AI model (Device) has no deviceName: TID 4019"
                                                        + " needs the algorithm name"));
        String version =
                device.getVersion().stream()
                        .map(Device.DeviceVersionComponent::getValue)
                        .filter(v -> v != null && !v.isBlank())
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        SrException.unmappable(
                                                "the AI model (Device) has no version: TID 4019"
                                                        + " needs the algorithm version"));
        return new DeviceObserver(
                DerivedUids.of("device", versionless(reference.getReference())),
                name,
                version,
                device.getManufacturer(),
                device.getModelNumber());
    }

    private static ImageRegion region(Extension region, int index) {
        String where = "image region " + (index + 1);
        String sop = subValue(region, "sopInstanceUid", where);
        String graphicType = subValue(region, "graphicType", where);
        String coordinates = subValue(region, "coordinates", where);
        Extension frame = region.getExtensionByUrl("frame");
        Integer frameNumber =
                frame == null ? null : Integer.valueOf(frame.getValue().primitiveValue());
        return new ImageRegion(
                sop,
                frameNumber,
                GraphicType.parse(graphicType),
                ImageRegion.parseCoordinates(coordinates));
    }

    private static String subValue(Extension region, String url, String where) {
        Extension sub = region.getExtensionByUrl(url);
        if (sub == null || !sub.hasValue() || sub.getValue().primitiveValue() == null) {
            throw SrException.unmappable(where + " has no " + url);
        }
        return sub.getValue().primitiveValue().strip();
    }

    private static void addValue(
            Code concept,
            Type value,
            String where,
            List<QualitativeEvaluation> evaluations,
            List<Measurement> measurements) {
        if (value instanceof CodeableConcept answer) {
            evaluations.add(new QualitativeEvaluation(concept, code(firstCoding(answer, where))));
        } else if (value instanceof Quantity quantity) {
            if (!UCUM.equals(quantity.getSystem()) || !quantity.hasCode() || !quantity.hasValue()) {
                throw SrException.unmappable(
                        where
                                + " must be a Quantity with a value and a UCUM unit (system "
                                + UCUM
                                + ")");
            }
            String unit = quantity.getCode();
            measurements.add(
                    new Measurement(
                            concept,
                            quantity.getValue(),
                            new Code(
                                    unit, "UCUM", quantity.hasUnit() ? quantity.getUnit() : unit)));
        } else {
            throw SrException.unmappable(
                    where
                            + " is a "
                            + value.fhirType()
                            + ": only CodeableConcept (a qualitative evaluation) and Quantity (a"
                            + " measurement) become SR content");
        }
    }

    private static Coding firstCoding(CodeableConcept concept, String where) {
        return concept.getCoding().stream()
                .filter(c -> c.hasSystem() && c.hasCode())
                .findFirst()
                .orElseThrow(
                        () ->
                                SrException.unmappable(
                                        where + " has no coding with system and code"));
    }

    /** A FHIR Coding as a DICOM code (PS3.16 8: the scheme designator of the system). */
    static Code code(Coding coding) {
        String system = coding.getSystem();
        String meaning = coding.hasDisplay() ? coding.getDisplay() : coding.getCode();
        // Coding Scheme Version is SH (16 characters); SNOMED's version URIs do not fit.
        String version =
                coding.hasVersion() && coding.getVersion().length() <= 16
                        ? coding.getVersion()
                        : null;
        return new Code(
                coding.getCode(),
                CodingSchemes.designator(system),
                meaning,
                version,
                CodingSchemes.isKnown(system) ? null : system);
    }

    private static String versionless(String reference) {
        int history = reference.indexOf("/_history/");
        return history < 0 ? reference : reference.substring(0, history);
    }
}

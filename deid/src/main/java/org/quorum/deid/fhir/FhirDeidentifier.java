package org.quorum.deid.fhir;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.util.FhirTerser;
import ca.uhn.fhir.util.IModelVisitor2;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseExtension;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Age;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UnsignedIntType;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.DeidentifiedText;
import org.quorum.deid.text.FhirKnownPhiReader;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.PhiDetector;
import org.quorum.deid.text.ReplacementStyle;
import org.quorum.deid.text.TextDeidentifier;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * De-identifies FHIR R4 resources and Bundles under HIPAA Safe Harbor (45 CFR 164.514(b)(2)), with
 * dates either cut to the year or shifted by the patient's keyed offset.
 *
 * <p>Traversal is generic ({@link FhirTerser}), so every resource type is covered by the same data
 * type rules: {@link HumanName} → pseudonym text, {@link ContactPoint} removed, {@link Address}
 * below state removed and ZIP cut to three digits, {@link Identifier} values → keyed pseudonyms,
 * {@link Reference}s and resource ids → keyed pseudonymous ids (the graph stays linked), dates by
 * policy, narrative replaced, text attachments and every remaining free-text string scrubbed by the
 * {@link TextDeidentifier} with the patient's own record as known PHI, other attachment data
 * removed. A resource type this class has never heard of gets the same treatment.
 *
 * <p>The patient key is the MRN ({@code Patient.identifier} typed {@code MR}, as {@link
 * FhirKnownPhiReader#patientKey} finds it), so a patient's id becomes {@code pseudonym(MRN, mrn)}
 * and its date offset is {@code dateOffsetDays(mrn)}: the same as {@code quorum deid text} gives
 * the same patient.
 *
 * <p>Every de-identified resource gets a {@link Provenance} naming the policy and the counts per
 * identifier category removed, never the values.
 *
 * @see <a href="https://www.ecfr.gov/current/title-45/section-164.514#p-164.514(b)(2)">45 CFR
 *     164.514(b)(2)</a>
 * @see <a href="https://hl7.org/fhir/R4/provenance.html">FHIR R4 Provenance</a>
 */
public final class FhirDeidentifier {

    /** Provenance.policy for the Safe Harbor date policy. */
    public static final String SAFE_HARBOR_POLICY =
            "https://www.ecfr.gov/current/title-45/section-164.514#p-164.514(b)(2)";

    /** Provenance.policy for the keyed date-shift policy. */
    public static final String DATE_SHIFT_POLICY = "urn:quorum:deid:policy:date-shift";

    /**
     * Extension on the Provenance: one {@code category} sub-extension per category counted, each
     * with {@code code} (a {@link DeidCategory} code) and {@code count}. Defined in Quorum's FHIR
     * package ({@code fhir-profiles}, StructureDefinition {@code quorum-deid-counts}).
     */
    public static final String COUNTS_EXTENSION =
            "https://quorum.dev/fhir/StructureDefinition/quorum-deid-counts";

    /** FHIR's system for identifiers that are URIs (urn:uuid:, urn:oid:, URLs). */
    static final String URI_SYSTEM = "urn:ietf:rfc:3986";

    private static final String V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    private static final String MOTHERS_MAIDEN_NAME =
            "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName";
    private static final String BIRTH_PLACE =
            "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
    private static final String GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation";
    private static final Set<String> US_CORE_CATEGORY_EXTENSIONS =
            Set.of(
                    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
                    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity");
    private static final Set<String> REMOVED_EXTENSIONS =
            Set.of(MOTHERS_MAIDEN_NAME, BIRTH_PLACE, GEOLOCATION);

    // 45 CFR 164.514(b)(2)(i)(B)(2): three-digit ZIP prefixes with 20,000 people or fewer
    // (2000 Census), as listed by HHS guidance, become 000.
    private static final Set<String> RESTRICTED_ZIP3 =
            Set.of(
                    "036", "059", "063", "102", "203", "556", "592", "790", "821", "823", "830",
                    "831", "878", "879", "884", "890", "893");

    // Parents whose strings are handled by their own rule, or are terminology, not patient text.
    private static final List<Class<?>> STRUCTURED_PARENTS =
            List.of(
                    HumanName.class,
                    Address.class,
                    ContactPoint.class,
                    Identifier.class,
                    Coding.class,
                    Reference.class,
                    Attachment.class,
                    Meta.class,
                    Narrative.class,
                    Quantity.class);

    /** A de-identified set of resources, their Provenances and the totals per category. */
    public record Result(
            List<Resource> resources, List<Provenance> provenances, Map<String, Integer> totals) {}

    private final FhirContext fhir;
    private final FhirTerser terser;
    private final IParser parser;
    private final DeidKeyService keys;
    private final TextDeidentifier text;
    private final DatePolicy policy;
    private final Clock clock;
    private final int referenceYear;
    private final ObjectMapper json = new ObjectMapper();

    public FhirDeidentifier(
            FhirContext fhir,
            DeidKeyService keys,
            PhiLexicon lexicon,
            DatePolicy policy,
            Clock clock) {
        this.fhir = Objects.requireNonNull(fhir, "fhir");
        this.terser = fhir.newTerser();
        this.parser = fhir.newJsonParser();
        this.keys = Objects.requireNonNull(keys, "keys");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.referenceYear = clock.instant().atZone(clock.getZone()).getYear();
        this.text =
                new TextDeidentifier(
                        new PhiDetector(lexicon),
                        keys,
                        lexicon,
                        new TextDeidentifier.Options(
                                policy, ReplacementStyle.SURROGATE, referenceYear));
    }

    public DatePolicy policy() {
        return policy;
    }

    /** De-identifies a Bundle: entries, fullUrls and requests; Provenances appended as entries. */
    public Bundle deidentify(Bundle bundle) {
        Index index = new Index();
        List<Resource> originals = new ArrayList<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.hasResource()) {
                Resource resource = entry.getResource();
                if (resource.getIdElement().getIdPart() == null) {
                    // Entries to be created often have no id (FHIR R4 §3.1.0.3 allows it); give
                    // the copy the fullUrl's last segment, else its position, so that it gets a
                    // pseudonymous id, a fullUrl and a Provenance target like any other entry.
                    resource = resource.copy();
                    resource.setId(
                            entry.hasFullUrl()
                                    ? lastSegment(entry.getFullUrl())
                                    : "entry-" + originals.size());
                }
                originals.add(resource);
                if (entry.hasFullUrl()) {
                    index.fullUrls.put(
                            entry.getFullUrl(),
                            new Target(resource.fhirType(), resource.getIdElement().getIdPart()));
                }
            }
        }
        index.addAll(originals);
        Result result = run(originals, index);
        boolean transaction =
                bundle.getType() == Bundle.BundleType.TRANSACTION
                        || bundle.getType() == Bundle.BundleType.BATCH;
        Bundle out = new Bundle();
        out.setType(bundle.getType());
        if (bundle.hasId()) {
            out.setId(keys.pseudonym(IdentifierKind.OTHER_ID, bundle.getIdElement().getIdPart()));
        }
        for (Resource resource : result.resources()) {
            addEntry(out, resource, transaction);
        }
        for (Provenance provenance : result.provenances()) {
            addEntry(out, provenance, transaction);
        }
        return out;
    }

    private void addEntry(Bundle out, Resource resource, boolean transaction) {
        Bundle.BundleEntryComponent entry = out.addEntry();
        String id = resource.getIdElement().getIdPart();
        entry.setFullUrl(urnFor(id));
        entry.setResource(resource);
        if (transaction) {
            entry.getRequest()
                    .setMethod(Bundle.HTTPVerb.PUT)
                    .setUrl(resource.fhirType() + "/" + id);
        }
    }

    /** De-identifies a set of resources that may reference each other (e.g. NDJSON files). */
    public Result deidentify(List<? extends Resource> resources) {
        Index index = new Index();
        index.addAll(resources);
        return run(resources, index);
    }

    private Result run(List<? extends Resource> originals, Index index) {
        List<Resource> out = new ArrayList<>(originals.size());
        List<Provenance> provenances = new ArrayList<>(originals.size());
        Map<String, Integer> totals = new TreeMap<>();
        Map<String, DeidentifiedText> cache = new HashMap<>();
        for (Resource original : originals) {
            Resource copy = original.copy();
            Map<String, Integer> counts = new TreeMap<>();
            deidentifyResource(copy, index, counts, cache);
            out.add(copy);
            provenances.add(provenance(copy, counts));
            counts.forEach((k, v) -> totals.merge(k, v, Integer::sum));
        }
        return new Result(out, provenances, totals);
    }

    // --- one resource -----------------------------------------------------------------------

    private void deidentifyResource(
            Resource resource,
            Index index,
            Map<String, Integer> counts,
            Map<String, DeidentifiedText> cache) {
        String patientId = patientOf(resource, index);
        KnownPhi known = patientId == null ? index.shared() : index.known(patientId);
        String patientKey = patientId == null ? null : index.patientKeys.get(patientId);
        Integer offset =
                policy == DatePolicy.DATE_SHIFT && patientKey != null
                        ? keys.dateOffsetDays(patientKey)
                        : null;

        removeExtensions(resource, counts);
        if (resource instanceof DomainResource domain && domain.hasText()) {
            // FHIR R4 §2.6.2.1: narrative may be generated from the structured data; ours says
            // only what the resource is, so nothing identifying can survive in it.
            Narrative narrative = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
            narrative.setDivAsString(
                    "<div xmlns=\"http://www.w3.org/1999/xhtml\">De-identified "
                            + resource.fhirType()
                            + "</div>");
            domain.setText(narrative);
            count(counts, "NARRATIVE");
        }
        if (resource instanceof Location location && location.hasPosition()) {
            location.setPosition(null); // (B) geocodes below state level
            count(counts, "ADDRESS");
        }
        if (resource instanceof Device device) {
            pseudonymiseDevice(device, counts);
        }
        // Strings are scrubbed before structured rules run, on the original values and with the
        // structured parents left out (their strings get their own rule below).
        scrubStrings(resource, known, patientId, counts, cache);
        for (HumanName name :
                terser.getAllPopulatedChildElementsOfType(resource, HumanName.class)) {
            String full = name.getNameAsSingleString();
            HumanName.NameUse use = name.getUse();
            name.setText(null).setFamily(null).setGiven(null).setPrefix(null).setSuffix(null);
            name.setPeriod(null);
            name.setText(keys.pseudonym(IdentifierKind.NAME, full == null ? "" : full));
            name.setUse(use);
            count(counts, "NAME");
        }
        for (ContactPoint telecom :
                terser.getAllPopulatedChildElementsOfType(resource, ContactPoint.class)) {
            telecom.setSystem(null).setValue(null).setUse(null).setRankElement(null);
            telecom.setPeriod(null);
            count(counts, "TELECOM");
        }
        for (Address address : terser.getAllPopulatedChildElementsOfType(resource, Address.class)) {
            deidentifyAddress(address, counts);
        }
        for (Attachment attachment :
                terser.getAllPopulatedChildElementsOfType(resource, Attachment.class)) {
            deidentifyAttachment(attachment, known, counts);
        }
        for (Identifier identifier :
                terser.getAllPopulatedChildElementsOfType(resource, Identifier.class)) {
            if (identifier.hasValue()) {
                IdentifierKind kind = kindOf(identifier);
                identifier.setValue(
                        pseudonymousValue(identifier.getSystem(), identifier.getValue(), kind));
                count(counts, kind.name());
            }
        }
        for (Reference reference :
                terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
            if (reference.hasReference()) {
                reference.setReference(rewriteReference(reference.getReference(), index));
                count(counts, "REFERENCE");
            }
            if (reference.hasDisplay()) {
                reference.setDisplay(null); // often a person's or a place's name
                count(counts, "NAME");
            }
        }
        for (Annotation note :
                terser.getAllPopulatedChildElementsOfType(resource, Annotation.class)) {
            if (note.hasAuthorStringType()) {
                note.setAuthor(
                        new StringType(
                                keys.pseudonym(
                                        IdentifierKind.NAME,
                                        note.getAuthorStringType().getValue())));
                count(counts, "NAME");
            }
        }
        for (Age age : terser.getAllPopulatedChildElementsOfType(resource, Age.class)) {
            if (age.hasValue() && age.getValue().compareTo(BigDecimal.valueOf(89)) > 0) {
                // (C) ages over 89 aggregated into a single category of 90 or older.
                age.setValue(90).setComparator(Quantity.QuantityComparator.GREATER_OR_EQUAL);
                count(counts, "AGE");
            }
        }
        if (resource instanceof Patient patient && policy == DatePolicy.SAFE_HARBOR) {
            DateType birth = patient.getBirthDateElement();
            if (birth.getValue() != null
                    && birth.getYear() != null
                    && referenceYear - birth.getYear() > 89) {
                patient.setBirthDateElement(null); // a year that reveals an age over 89
                count(counts, "AGE");
            }
        }
        deidentifyDates(resource, offset, counts);
        if (resource.hasMeta()) {
            resource.getMeta().setSource(null).setVersionId(null);
        }
        if (resource.getIdElement().getIdPart() != null) {
            String newId = index.newId(resource.fhirType(), resource.getIdElement().getIdPart());
            resource.setId(newId);
            count(counts, "RESOURCE_ID");
        }
    }

    private void removeExtensions(Resource resource, Map<String, Integer> counts) {
        List<Element> elements = terser.getAllPopulatedChildElementsOfType(resource, Element.class);
        if (resource instanceof DomainResource domain) {
            removeExtensions(domain.getExtension(), counts);
            removeExtensions(domain.getModifierExtension(), counts);
        }
        for (Element element : elements) {
            removeExtensions(element.getExtension(), counts);
        }
    }

    private static void removeExtensions(List<Extension> extensions, Map<String, Integer> counts) {
        extensions.removeIf(
                extension -> {
                    if (REMOVED_EXTENSIONS.contains(extension.getUrl())) {
                        count(counts, "EXTENSION");
                        return true;
                    }
                    return false;
                });
    }

    private void pseudonymiseDevice(Device device, Map<String, Integer> counts) {
        // (M) device identifiers and serial numbers.
        for (Device.DeviceUdiCarrierComponent udi : device.getUdiCarrier()) {
            if (udi.hasDeviceIdentifier()) {
                udi.setDeviceIdentifier(
                        keys.pseudonym(IdentifierKind.DEVICE, udi.getDeviceIdentifier()));
                count(counts, "DEVICE");
            }
            if (udi.hasCarrierHRF()) {
                udi.setCarrierHRF(keys.pseudonym(IdentifierKind.DEVICE, udi.getCarrierHRF()));
                count(counts, "DEVICE");
            }
            udi.setCarrierAIDC(null);
        }
        if (device.hasSerialNumber()) {
            device.setSerialNumber(keys.pseudonym(IdentifierKind.DEVICE, device.getSerialNumber()));
            count(counts, "DEVICE");
        }
        if (device.hasLotNumber()) {
            device.setLotNumber(keys.pseudonym(IdentifierKind.DEVICE, device.getLotNumber()));
            count(counts, "DEVICE");
        }
        if (device.hasDistinctIdentifier()) {
            device.setDistinctIdentifier(
                    keys.pseudonym(IdentifierKind.DEVICE, device.getDistinctIdentifier()));
            count(counts, "DEVICE");
        }
    }

    private void deidentifyAddress(Address address, Map<String, Integer> counts) {
        // (B) all geographic subdivisions smaller than a state; the state and country stay.
        address.setLine(null);
        address.setCity(null);
        address.setDistrict(null);
        address.setText(null);
        if (address.hasPostalCode()) {
            String digits = address.getPostalCode().replaceAll("\\D", "");
            String zip3 = digits.length() >= 3 ? digits.substring(0, 3) : "000";
            address.setPostalCode(RESTRICTED_ZIP3.contains(zip3) ? "000" : zip3);
        }
        count(counts, "ADDRESS");
    }

    private void deidentifyAttachment(
            Attachment attachment, KnownPhi known, Map<String, Integer> counts) {
        if (attachment.hasData()) {
            String type =
                    attachment.hasContentType()
                            ? attachment.getContentType().toLowerCase(Locale.ROOT)
                            : "";
            if (type.startsWith("text/")) {
                String original = new String(attachment.getData(), StandardCharsets.UTF_8);
                DeidentifiedText result = text.deidentify(original, known);
                attachment.setData(result.text().getBytes(StandardCharsets.UTF_8));
                result.countsByType().forEach((t, n) -> counts.merge(t.name(), n, Integer::sum));
            } else {
                attachment.setData(null); // (Q) photographs and other images: not scrubbable here
                count(counts, "ATTACHMENT");
            }
            attachment.setSize(0).setSizeElement(null);
            attachment.setHash(null);
        }
        if (attachment.hasUrl()) {
            attachment.setUrl(null); // (N) URLs
            count(counts, "URL");
        }
    }

    private void scrubStrings(
            Resource resource,
            KnownPhi known,
            String patientId,
            Map<String, Integer> counts,
            Map<String, DeidentifiedText> cache) {
        IdentityHashMap<StringType, Boolean> strings = new IdentityHashMap<>();
        IdentityHashMap<Object, Boolean> coded = new IdentityHashMap<>();
        if (resource instanceof DomainResource domain) {
            // US Core race and ethnicity: the "text" sub-extension restates OMB categories
            // ("Not Hispanic or Latino"), not patient free text; scrubbing only garbles it.
            for (Extension extension : domain.getExtension()) {
                if (US_CORE_CATEGORY_EXTENSIONS.contains(extension.getUrl())) {
                    extension.getExtension().forEach(sub -> coded.put(sub.getValue(), true));
                }
            }
        }
        terser.visit(
                resource,
                new IModelVisitor2() {
                    @Override
                    public boolean acceptElement(
                            IBase element,
                            List<IBase> path,
                            List<BaseRuntimeChildDefinition> children,
                            List<BaseRuntimeElementDefinition<?>> definitions) {
                        if (element instanceof StringType string
                                && string.hasValue()
                                && !coded.containsKey(string)) {
                            IBase parent = path.size() >= 2 ? path.get(path.size() - 2) : null;
                            if (parent == null || !isStructured(parent)) {
                                strings.put(string, Boolean.TRUE);
                            }
                        }
                        return !(element instanceof Coding);
                    }

                    @Override
                    public boolean acceptUndeclaredExtension(
                            IBaseExtension<?, ?> extension,
                            List<IBase> path,
                            List<BaseRuntimeChildDefinition> children,
                            List<BaseRuntimeElementDefinition<?>> definitions) {
                        if (extension.getValue() instanceof StringType string
                                && string.hasValue()
                                && !coded.containsKey(string)) {
                            strings.put(string, Boolean.TRUE);
                        }
                        return true;
                    }
                });
        for (StringType string : strings.keySet()) {
            String value = string.getValue();
            DeidentifiedText result =
                    cache.computeIfAbsent(
                            patientId + '\u0000' + value, k -> text.deidentify(value, known));
            if (result.totalReplaced() > 0) {
                string.setValue(result.text());
                result.countsByType().forEach((t, n) -> counts.merge(t.name(), n, Integer::sum));
            }
        }
    }

    private static boolean isStructured(IBase parent) {
        for (Class<?> type : STRUCTURED_PARENTS) {
            if (type.isInstance(parent)) {
                return true;
            }
        }
        return false;
    }

    private void deidentifyDates(Resource resource, Integer offset, Map<String, Integer> counts) {
        List<BaseDateTimeType> dates =
                terser.getAllPopulatedChildElementsOfType(resource, BaseDateTimeType.class);
        if (resource.hasMeta() && resource.getMeta().hasLastUpdated()) {
            dates.add(resource.getMeta().getLastUpdatedElement());
        }
        for (BaseDateTimeType date : dates) {
            if (date.getValue() == null) {
                continue;
            }
            if (offset != null) {
                date.add(Calendar.DATE, offset);
            } else if (date instanceof InstantType instant) {
                // An instant must carry a full time (FHIR R4 §2.24.0.1): it cannot be cut to a
                // year, so it goes.
                instant.setValue((Date) null);
            } else {
                Integer year = date.getYear();
                date.setValueAsString(String.format(Locale.ROOT, "%04d", year));
            }
            count(counts, "DATE");
        }
    }

    // --- references and ids -----------------------------------------------------------------

    private String rewriteReference(String reference, Index index) {
        Target target = index.resolve(reference);
        if (target != null) {
            String newId = index.newId(target.type(), target.id());
            return reference.startsWith("urn:uuid:") ? urnFor(newId) : target.type() + "/" + newId;
        }
        int query = reference.indexOf("?identifier=");
        if (query > 0) {
            // Unresolved conditional reference: pseudonymise the identifier value the same way
            // the target's Identifier would be.
            String type = reference.substring(0, query);
            String token = reference.substring(query + "?identifier=".length());
            int bar = token.indexOf('|');
            String system = bar >= 0 ? token.substring(0, bar) : "";
            String value = bar >= 0 ? token.substring(bar + 1) : token;
            Identifier probe = new Identifier().setSystem(system).setValue(value);
            return type
                    + "?identifier="
                    + (bar >= 0 ? system + "|" : "")
                    + pseudonymousValue(system, value, kindOf(probe));
        }
        if (reference.startsWith("#")) {
            return reference; // contained resource
        }
        String[] parts = reference.split("/");
        if (parts.length >= 2) {
            String type = parts[parts.length - 2];
            String id = parts[parts.length - 1];
            return type + "/" + index.newId(type, id);
        }
        return keys.pseudonym(IdentifierKind.OTHER_ID, reference);
    }

    private String urnFor(String id) {
        return "urn:uuid:" + UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8));
    }

    private static String lastSegment(String url) {
        int colon = Math.max(url.lastIndexOf('/'), url.lastIndexOf(':'));
        return url.substring(colon + 1);
    }

    private String patientOf(Resource resource, Index index) {
        if (resource instanceof Patient) {
            return resource.getIdElement().getIdPart();
        }
        for (Reference reference :
                terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
            if (reference.hasReference()) {
                Target target = index.resolve(reference.getReference());
                if (target != null && "Patient".equals(target.type())) {
                    return target.id();
                }
            }
        }
        return null;
    }

    /**
     * The pseudonym of an identifier value, valid for its system: FHIR R4 §2.24.0.9 {@code
     * urn:ietf:rfc:3986} identifiers are URIs, and OID and UUID values keep their form. {@code
     * urn:oid:} values get {@code urn:oid:2.25.…} (the key service's UID remapping, so a DICOM UID
     * maps as {@code quorum deid dicom} maps it), {@code urn:uuid:} values a keyed UUID, other URIs
     * under {@code urn:ietf:rfc:3986} a keyed {@code urn:uuid:}; anything else the plain keyed
     * pseudonym ({@code MRN-…}, {@code ID-…}).
     *
     * @see <a href="https://hl7.org/fhir/R4/identifier-registry.html">FHIR R4 identifier
     *     registry</a>
     */
    String pseudonymousValue(String system, String value, IdentifierKind kind) {
        String lower = value.strip().toLowerCase(Locale.ROOT);
        if (lower.startsWith("urn:oid:")) {
            return "urn:oid:" + keys.remapUid(value.strip().substring("urn:oid:".length()));
        }
        if (lower.startsWith("urn:uuid:")) {
            return "urn:uuid:" + keys.pseudonymUuid(kind, lower.substring("urn:uuid:".length()));
        }
        if (URI_SYSTEM.equals(system)) {
            return "urn:uuid:" + keys.pseudonymUuid(kind, value);
        }
        return keys.pseudonym(kind, value);
    }

    // HL7 v2 table 0203 identifier type codes, as FHIR Identifier.type uses them.
    static IdentifierKind kindOf(Identifier identifier) {
        for (Coding coding : identifier.getType().getCoding()) {
            switch (coding.getCode() == null ? "" : coding.getCode()) {
                case "MR" -> {
                    return IdentifierKind.MRN;
                }
                case "SS", "SB" -> {
                    return IdentifierKind.SSN;
                }
                case "DL", "PPN", "NPI", "PRN", "MD", "DEA", "LN" -> {
                    return IdentifierKind.LICENSE;
                }
                case "MB", "SN", "MC", "MA" -> {
                    return IdentifierKind.HEALTH_PLAN;
                }
                case "AN", "BA", "BC", "ACSN" -> {
                    return IdentifierKind.ACCOUNT;
                }
                default -> {
                    // other codes and untyped identifiers: "any other unique identifying number"
                }
            }
        }
        String system = identifier.hasSystem() ? identifier.getSystem() : "";
        if (system.endsWith("us-ssn")) {
            return IdentifierKind.SSN;
        }
        if (system.endsWith("us-npi")) {
            return IdentifierKind.LICENSE;
        }
        return IdentifierKind.OTHER_ID;
    }

    // --- provenance -------------------------------------------------------------------------

    private Provenance provenance(Resource target, Map<String, Integer> counts) {
        String targetId = target.getIdElement().getIdPart();
        Provenance provenance = new Provenance();
        provenance.setId(
                keys.pseudonym(
                        IdentifierKind.OTHER_ID,
                        "Provenance:" + target.fhirType() + "/" + targetId));
        provenance.addTarget(new Reference(target.fhirType() + "/" + targetId));
        provenance.setRecorded(Date.from(clock.instant()));
        provenance.addPolicy(
                policy == DatePolicy.SAFE_HARBOR ? SAFE_HARBOR_POLICY : DATE_SHIFT_POLICY);
        // HL7 v3 ActCode DEID (ObligationPolicy): the information has been stripped of what
        // would identify its subject.
        provenance.setActivity(new CodeableConcept(new Coding(V3_ACT_CODE, "DEID", "deidentify")));
        provenance
                .addAgent()
                .setWho(new Reference().setDisplay("Quorum de-identification"))
                .setType(
                        new CodeableConcept(
                                new Coding(
                                        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                        "assembler",
                                        "Assembler")));
        Extension countsExtension = provenance.addExtension().setUrl(COUNTS_EXTENSION);
        counts.forEach(
                (category, n) -> {
                    Extension entry = countsExtension.addExtension().setUrl("category");
                    entry.addExtension("code", new CodeType(DeidCategory.of(category).code()));
                    entry.addExtension("count", new UnsignedIntType(n));
                });
        return provenance;
    }

    private static void count(Map<String, Integer> counts, String category) {
        counts.merge(category, 1, Integer::sum);
    }

    // --- index of the input -----------------------------------------------------------------

    private record Target(String type, String id) {}

    /** What the whole input tells about each resource: patient keys, identifiers, known PHI. */
    private final class Index {
        final Map<String, Target> fullUrls = new HashMap<>();
        final Map<String, Target> byIdentifier = new HashMap<>();
        final Map<String, Target> byTypeAndId = new HashMap<>();
        final Map<String, String> patientKeys = new HashMap<>();
        final Map<String, JsonNode> patients = new HashMap<>();
        final Map<String, KnownPhi> knownByPatient = new HashMap<>();
        KnownPhi.Builder sharedBuilder = KnownPhi.builder();
        KnownPhi shared;

        void addAll(List<? extends Resource> resources) {
            for (Resource resource : resources) {
                String type = resource.fhirType();
                String id = resource.getIdElement().getIdPart();
                if (id != null) {
                    byTypeAndId.put(type + "/" + id, new Target(type, id));
                    fullUrls.putIfAbsent("urn:uuid:" + id, new Target(type, id));
                }
                if (resource instanceof DomainResource) {
                    for (IBase base : terser.getValues(resource, "identifier")) {
                        if (base instanceof Identifier identifier
                                && identifier.hasValue()
                                && id != null) {
                            byIdentifier.put(
                                    type
                                            + "?identifier="
                                            + (identifier.hasSystem()
                                                    ? identifier.getSystem() + "|"
                                                    : "")
                                            + identifier.getValue(),
                                    new Target(type, id));
                        }
                    }
                }
                switch (type) {
                    case "Patient", "Practitioner", "RelatedPerson", "Organization", "Location" -> {
                        JsonNode tree = tree(resource);
                        if ("Patient".equals(type)) {
                            patients.put(id, tree);
                            FhirKnownPhiReader.patientKey(tree)
                                    .ifPresent(key -> patientKeys.put(id, key));
                        } else {
                            FhirKnownPhiReader.addResource(sharedBuilder, tree);
                        }
                    }
                    default -> {
                        // no identifying values of their own beyond what the generic rules see
                    }
                }
            }
        }

        KnownPhi shared() {
            if (shared == null) {
                shared = sharedBuilder.build();
            }
            return shared;
        }

        KnownPhi known(String patientId) {
            JsonNode patient = patients.get(patientId);
            if (patient == null) {
                return shared();
            }
            return knownByPatient.computeIfAbsent(
                    patientId, id -> FhirKnownPhiReader.read(patient).with(shared()));
        }

        Target resolve(String reference) {
            Target target = fullUrls.get(reference);
            if (target == null) {
                target = byIdentifier.get(reference);
            }
            if (target == null) {
                String[] parts = reference.split("/");
                if (parts.length >= 2) {
                    target =
                            byTypeAndId.get(
                                    parts[parts.length - 2] + "/" + parts[parts.length - 1]);
                }
            }
            return target;
        }

        /** Patients keyed on their MRN (as in {@code quorum deid text}); others on their id. */
        String newId(String type, String id) {
            if ("Patient".equals(type) && patientKeys.containsKey(id)) {
                return keys.pseudonym(IdentifierKind.MRN, patientKeys.get(id));
            }
            return keys.pseudonym(IdentifierKind.OTHER_ID, type + "/" + id);
        }

        private JsonNode tree(Resource resource) {
            try {
                return json.readTree(parser.encodeResourceToString(resource));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The FHIR context this instance parses and encodes with. */
    public FhirContext fhirContext() {
        return fhir;
    }
}

package org.quorum.deid.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.util.FhirTerser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Age;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BackboneElement;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
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
 * <p><b>Default deny.</b> Every element of every resource is visited (any resource type, contained
 * resources, extensions at any depth, the extensions of primitives) and handled by the rule table
 * {@link FhirElementRules} ({@code element-rules.tsv}), keyed on path, extension url and datatype:
 * {@link HumanName} → pseudonym text, {@link ContactPoint} removed, {@link Address} below state
 * removed and ZIP cut to three digits, {@link Identifier} values → keyed pseudonyms of the same
 * form, {@link Reference}s and resource ids → keyed pseudonymous ids (the graph stays linked),
 * dates by policy, narrative replaced, geolocation removed, text attachments (plain, HTML, RTF) and
 * every free-text string scrubbed by the {@link TextDeidentifier} with the record's known PHI
 * matched strictly, other attachment content removed and counted. A primitive the table does not
 * name is removed; a resource type this class has never heard of gets the same treatment.
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

    // 45 CFR 164.514(b)(2)(i)(B)(2): three-digit ZIP prefixes with 20,000 people or fewer
    // (2000 Census), as listed by HHS guidance, become 000.
    private static final Set<String> RESTRICTED_ZIP3 =
            Set.of(
                    "036", "059", "063", "102", "203", "556", "592", "790", "821", "823", "830",
                    "831", "878", "879", "884", "890", "893");

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
    private final FhirElementRules rules = FhirElementRules.standard();

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
        KnownPhi known = (patientId == null ? index.shared() : index.known(patientId)).strict();
        String patientKey = patientId == null ? null : index.patientKeys.get(patientId);
        Integer offset =
                policy == DatePolicy.DATE_SHIFT && patientKey != null
                        ? keys.dateOffsetDays(patientKey)
                        : null;
        Walk walk = new Walk(index, known, patientId, offset, counts, cache);
        if (resource instanceof Patient patient && policy == DatePolicy.SAFE_HARBOR) {
            DateType birth = patient.getBirthDateElement();
            if (birth.getValue() != null
                    && birth.getYear() != null
                    && referenceYear - birth.getYear() > 89) {
                patient.setBirthDateElement(null); // a year that reveals an age over 89
                count(counts, "AGE");
            }
        }
        walkResource(resource, walk, false);
    }

    /** What one resource's walk needs: its patient's known PHI and date offset, the counts. */
    private record Walk(
            Index index,
            KnownPhi known,
            String patientId,
            Integer offset,
            Map<String, Integer> counts,
            Map<String, DeidentifiedText> cache) {}

    private void walkResource(Resource resource, Walk walk, boolean contained) {
        String id = resource.getIdElement().getIdPart();
        walkChildren(resource, walk, false);
        if (id != null) {
            resource.setId(contained ? localId(id) : walk.index().newId(resource.fhirType(), id));
            count(walk.counts(), "RESOURCE_ID");
        }
    }

    // Contained resources keep a local id (FHIR R4 §2.4.2 "#id"), keyed so that it says nothing.
    private String localId(String id) {
        String plain = id.startsWith("#") ? id.substring(1) : id;
        return keys.pseudonym(IdentifierKind.OTHER_ID, "contained:" + plain);
    }

    private void walkChildren(Base element, Walk walk, boolean knownOnly) {
        for (Property property : element.children()) {
            if (!property.hasValues()) {
                continue;
            }
            String name = property.getName();
            if (element instanceof Resource && name.equals("id")) {
                continue; // the resource's own id: replaced by walkResource
            }
            for (Base value : new ArrayList<>(property.getValues())) {
                if (value == null || value.isEmpty()) {
                    continue;
                }
                if (value instanceof Extension extension) {
                    walkExtension(element, extension, walk, knownOnly);
                    continue;
                }
                if (value instanceof Resource nested) {
                    walkResource(nested, walk, true);
                    continue;
                }
                apply(element, name, value, rules.of(element, name, value), walk, knownOnly);
            }
        }
    }

    private void walkExtension(Base parent, Extension extension, Walk walk, boolean knownOnly) {
        FhirElementRules.Rule rule = rules.extension(extension.getUrl());
        if (rule == null) {
            // Not named: its value goes by the datatype rules (a string is scrubbed, a code kept).
            walkChildren(extension, walk, knownOnly);
            return;
        }
        switch (rule.action()) {
            case REMOVE -> {
                removeExtension(parent, extension);
                count(walk.counts(), rule.category().code());
            }
            case GEOLOCATION -> {
                removeExtension(parent, extension);
                count(walk.counts(), "GEOLOCATION");
            }
            case KNOWN -> walkChildren(extension, walk, true);
            default -> walkChildren(extension, walk, knownOnly);
        }
    }

    private static void removeExtension(Base parent, Extension extension) {
        clear(extension);
        if (parent instanceof DomainResource resource) {
            resource.getExtension().remove(extension);
            resource.getModifierExtension().remove(extension);
        }
        if (parent instanceof BackboneElement backbone) {
            backbone.getModifierExtension().remove(extension);
        }
        if (parent instanceof Element element) {
            element.getExtension().remove(extension);
        }
    }

    private void apply(
            Base parent,
            String name,
            Base value,
            FhirElementRules.Rule rule,
            Walk walk,
            boolean knownOnly) {
        switch (rule.action()) {
            case KEEP -> walkPrimitiveExtensions(value, walk, knownOnly);
            case TEXT, KNOWN -> {
                if (value instanceof PrimitiveType<?> primitive && primitive.hasValue()) {
                    boolean onlyKnown = knownOnly || rule.action() == FhirElementRules.Action.KNOWN;
                    scrub(primitive, walk, onlyKnown);
                } else if (!value.isPrimitive()) {
                    walkChildren(value, walk, true);
                }
                walkPrimitiveExtensions(value, walk, knownOnly);
            }
            case DATE -> {
                if (value instanceof BaseDateTimeType date) {
                    deidentifyDate(date, walk);
                } else {
                    clear(value);
                    count(walk.counts(), "ELEMENT");
                }
                walkPrimitiveExtensions(value, walk, knownOnly);
            }
            case REMOVE -> {
                clear(value);
                count(walk.counts(), rule.category() == null ? "ELEMENT" : rule.category().code());
            }
            case UID -> {
                if (value instanceof PrimitiveType<?> primitive && primitive.hasValue()) {
                    primitive.setValueAsString(
                            pseudonymousValue(
                                    URI_SYSTEM,
                                    primitive.getValueAsString(),
                                    IdentifierKind.OTHER_ID));
                    count(walk.counts(), "OTHER_ID");
                }
            }
            case NAME -> {
                if (value instanceof HumanName humanName) {
                    deidentifyName(humanName, walk);
                } else if (value instanceof Reference reference) {
                    deidentifyReference(reference, walk);
                } else if (value instanceof PrimitiveType<?> primitive && primitive.hasValue()) {
                    primitive.setValueAsString(
                            keys.pseudonym(IdentifierKind.NAME, primitive.getValueAsString()));
                    count(walk.counts(), "NAME");
                }
            }
            case TELECOM -> {
                clear(value);
                count(walk.counts(), "TELECOM");
            }
            case ADDRESS -> deidentifyAddress((Address) value, walk);
            case IDENTIFIER -> deidentifyIdentifier((Identifier) value, walk);
            case REFERENCE -> deidentifyReference((Reference) value, walk);
            case ATTACHMENT -> deidentifyAttachment((Attachment) value, walk);
            case NARRATIVE -> {
                if (value instanceof Narrative narrative) {
                    replaceNarrative(parent, narrative, walk);
                } else {
                    clear(value);
                    count(walk.counts(), "NARRATIVE");
                }
            }
            case AGE -> deidentifyAge(parent, value, walk);
            case META -> deidentifyMeta((Meta) value, walk);
            case DEVICE -> pseudonymiseDevice(value, walk);
            case GEOLOCATION -> {
                clear(value);
                count(walk.counts(), "GEOLOCATION");
            }
            case CONTAINED -> {
                if (value instanceof Resource nested) {
                    walkResource(nested, walk, true);
                }
            }
            case WALK -> {
                if (value.isPrimitive()) {
                    walkPrimitiveExtensions(value, walk, knownOnly);
                } else {
                    walkChildren(value, walk, knownOnly);
                }
            }
            default -> throw new IllegalStateException("unhandled action " + rule.action());
        }
    }

    // A primitive's own extensions (e.g. _birthDate.extension) go by the same rules.
    private void walkPrimitiveExtensions(Base value, Walk walk, boolean knownOnly) {
        if (value.isPrimitive() && value instanceof Element element) {
            for (Extension extension : new ArrayList<>(element.getExtension())) {
                walkExtension(element, extension, walk, knownOnly);
            }
            element.setIdElement(null);
        }
    }

    /** Empties an element: HAPI writes no empty element, so it is gone from the output. */
    private static void clear(Base value) {
        if (value instanceof PrimitiveType<?> primitive) {
            primitive.setValueAsString(null);
            primitive.getExtension().clear();
            primitive.setIdElement(null);
            return;
        }
        for (Property property : value.children()) {
            for (Base child : property.getValues()) {
                if (child != null) {
                    clear(child);
                }
            }
        }
    }

    private void scrub(PrimitiveType<?> primitive, Walk walk, boolean onlyKnown) {
        String value = primitive.getValueAsString();
        String key = (onlyKnown ? "K\u0000" : "T\u0000") + walk.patientId() + '\u0000' + value;
        DeidentifiedText result =
                walk.cache()
                        .computeIfAbsent(
                                key,
                                k ->
                                        onlyKnown
                                                ? text.deidentifyKnown(value, walk.known())
                                                : text.deidentify(value, walk.known()));
        if (result.totalReplaced() > 0) {
            primitive.setValueAsString(result.text());
            result.countsByType().forEach((t, n) -> walk.counts().merge(t.name(), n, Integer::sum));
        }
    }

    private void deidentifyName(HumanName name, Walk walk) {
        String full = name.getNameAsSingleString();
        HumanName.NameUse use = name.getUse();
        clear(name);
        name.setText(keys.pseudonym(IdentifierKind.NAME, full == null ? "" : full));
        name.setUse(use);
        count(walk.counts(), "NAME");
    }

    private void deidentifyAddress(Address address, Walk walk) {
        // (B) all geographic subdivisions smaller than a state; the state and country stay.
        String state = address.getState();
        String country = address.getCountry();
        Address.AddressUse use = address.getUse();
        Address.AddressType type = address.getType();
        String postalCode = address.getPostalCode();
        for (Extension extension : address.getExtension()) {
            if (rules.extension(extension.getUrl()) != null
                    && rules.extension(extension.getUrl()).action()
                            == FhirElementRules.Action.GEOLOCATION) {
                count(walk.counts(), "GEOLOCATION");
            }
        }
        clear(address);
        address.getExtension().clear();
        address.setState(state).setCountry(country).setUse(use).setType(type);
        if (postalCode != null && !postalCode.isBlank()) {
            String digits = postalCode.replaceAll("\\D", "");
            String zip3 = digits.length() >= 3 ? digits.substring(0, 3) : "000";
            address.setPostalCode(RESTRICTED_ZIP3.contains(zip3) ? "000" : zip3);
        }
        count(walk.counts(), "ADDRESS");
    }

    private void deidentifyIdentifier(Identifier identifier, Walk walk) {
        IdentifierKind kind = kindOf(identifier);
        String system = identifier.getSystem();
        String value = identifier.getValue();
        Identifier.IdentifierUse use = identifier.getUse();
        CodeableConcept type = identifier.hasType() ? identifier.getType() : null;
        Reference assigner = identifier.hasAssigner() ? identifier.getAssigner() : null;
        Period period = identifier.hasPeriod() ? identifier.getPeriod() : null;
        for (Extension extension : new ArrayList<>(identifier.getExtension())) {
            walkExtension(identifier, extension, walk, false);
        }
        identifier.setSystem(pseudonymousSystem(system)).setUse(use);
        if (value != null && !value.isBlank()) {
            identifier.setValue(pseudonymousValue(system, value, kind));
            count(walk.counts(), kind.name());
        }
        if (type != null) {
            walkChildren(type, walk, false);
        }
        if (assigner != null) {
            deidentifyReference(assigner, walk);
        }
        if (period != null) {
            walkChildren(period, walk, false);
        }
        identifier.setIdElement(null);
    }

    private void deidentifyReference(Reference reference, Walk walk) {
        String target = targetType(reference);
        if (reference.hasReference()) {
            String original = reference.getReference();
            reference.setReference(
                    original.startsWith("#")
                            ? "#" + localId(original.substring(1))
                            : rewriteReference(original, walk.index()));
            count(walk.counts(), "REFERENCE");
        }
        if (reference.hasDisplay()) {
            if (NAMED_TARGETS.contains(target)) {
                // The display of a person, organisation or place is its name: all of it goes.
                boolean person = PERSON_TARGETS.contains(target);
                reference.setDisplay(
                        keys.pseudonym(
                                person ? IdentifierKind.NAME : IdentifierKind.ORGANIZATION,
                                reference.getDisplay()));
                count(walk.counts(), person ? "NAME" : "ORGANIZATION");
            } else {
                // Anything else (a medication, a report) is free text: scrubbed, strictly.
                scrub(reference.getDisplayElement(), walk, false);
            }
        }
        if (reference.hasIdentifier()) {
            deidentifyIdentifier(reference.getIdentifier(), walk);
        }
        for (Extension extension : new ArrayList<>(reference.getExtension())) {
            walkExtension(reference, extension, walk, false);
        }
        reference.setIdElement(null);
    }

    private static final Set<String> PERSON_TARGETS =
            Set.of("Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Person");
    private static final Set<String> NAMED_TARGETS =
            Set.of(
                    "Patient",
                    "Practitioner",
                    "PractitionerRole",
                    "RelatedPerson",
                    "Person",
                    "Organization",
                    "Location",
                    "HealthcareService",
                    "CareTeam",
                    "Group",
                    "Endpoint",
                    "InsurancePlan");

    /** The resource type a reference points at, from its type or its URL; "" when unknown. */
    private static String targetType(Reference reference) {
        if (reference.hasType()) {
            String type = reference.getType();
            return type.substring(type.lastIndexOf('/') + 1);
        }
        if (reference.hasReference() && !reference.getReference().startsWith("#")) {
            String[] parts = reference.getReference().split("[/?]");
            for (int i = parts.length - 1; i >= 0; i--) {
                if (!parts[i].isEmpty() && Character.isUpperCase(parts[i].charAt(0))) {
                    return parts[i];
                }
            }
        }
        return "";
    }

    private void deidentifyAttachment(Attachment attachment, Walk walk) {
        if (attachment.hasData()) {
            Optional<AttachmentText.Kind> kind = AttachmentText.kindOf(attachment.getContentType());
            if (kind.isPresent()) {
                Charset charset = AttachmentText.charsetOf(attachment.getContentType());
                String original = new String(attachment.getData(), charset);
                DeidentifiedText result =
                        AttachmentText.scrub(kind.get(), original, walk.known(), text);
                byte[] data = result.text().getBytes(charset);
                attachment.setData(data);
                attachment.setSize(data.length);
                result.countsByType()
                        .forEach((t, n) -> walk.counts().merge(t.name(), n, Integer::sum));
            } else {
                // (P, Q) PDF, images, anything this cannot read: removed, and counted in the
                // Provenance (ATTACHMENT), so the loss is on record.
                attachment.setData(null);
                attachment.setSizeElement(null);
                count(walk.counts(), "ATTACHMENT");
            }
            attachment.setHash(null);
        } else if (attachment.hasSize() || attachment.hasHash()) {
            attachment.setSizeElement(null).setHash(null);
        }
        if (attachment.hasUrl()) {
            attachment.setUrl(null); // (N) content elsewhere cannot be scrubbed here
            count(walk.counts(), "URL");
        }
        if (attachment.hasTitle()) {
            scrub(attachment.getTitleElement(), walk, false);
        }
        if (attachment.hasCreationElement()) {
            deidentifyDate(attachment.getCreationElement(), walk);
        }
        for (Extension extension : new ArrayList<>(attachment.getExtension())) {
            walkExtension(attachment, extension, walk, false);
        }
        attachment.setIdElement(null);
    }

    private void replaceNarrative(Base parent, Narrative narrative, Walk walk) {
        // FHIR R4 §2.6.2.1: narrative may be generated from the structured data; ours says only
        // what the resource is, so nothing identifying can survive in it.
        narrative.getExtension().clear();
        narrative.setIdElement(null);
        narrative.setStatus(Narrative.NarrativeStatus.GENERATED);
        narrative.setDivAsString(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\">De-identified "
                        + parent.fhirType()
                        + "</div>");
        count(walk.counts(), "NARRATIVE");
    }

    // 45 CFR 164.514(b)(2)(i)(C): ages over 89 aggregated into a single category of 90 or older.
    private void deidentifyAge(Base parent, Base value, Walk walk) {
        if (value instanceof Age age) {
            if (age.hasValue() && age.getValue().compareTo(BigDecimal.valueOf(89)) > 0) {
                age.setValue(90).setComparator(Quantity.QuantityComparator.GREATER_OR_EQUAL);
                count(walk.counts(), "AGE");
            }
            walkChildren(age, walk, false);
            return;
        }
        if (value instanceof DecimalType decimal
                && parent instanceof Quantity quantity
                && isYears(quantity)
                && decimal.getValue() != null
                && decimal.getValue().compareTo(BigDecimal.valueOf(89)) > 0) {
            decimal.setValue(BigDecimal.valueOf(90));
            quantity.setComparator(Quantity.QuantityComparator.GREATER_OR_EQUAL);
            count(walk.counts(), "AGE");
        }
    }

    private static boolean isYears(Quantity quantity) {
        String code = quantity.hasCode() ? quantity.getCode() : "";
        String unit = quantity.hasUnit() ? quantity.getUnit().toLowerCase(Locale.ROOT) : "";
        return code.equals("a")
                || unit.equals("a")
                || unit.startsWith("yr")
                || unit.startsWith("year");
    }

    private void deidentifyMeta(Meta meta, Walk walk) {
        meta.setSource(null).setVersionId(null);
        if (meta.hasLastUpdated()) {
            deidentifyDate(meta.getLastUpdatedElement(), walk);
        }
        for (Extension extension : new ArrayList<>(meta.getExtension())) {
            walkExtension(meta, extension, walk, false);
        }
    }

    private void pseudonymiseDevice(Base value, Walk walk) {
        // (M) device identifiers and serial numbers.
        if (value instanceof Device.DeviceUdiCarrierComponent udi) {
            if (udi.hasDeviceIdentifier()) {
                udi.setDeviceIdentifier(
                        keys.pseudonym(IdentifierKind.DEVICE, udi.getDeviceIdentifier()));
                count(walk.counts(), "DEVICE");
            }
            if (udi.hasCarrierHRF()) {
                udi.setCarrierHRF(keys.pseudonym(IdentifierKind.DEVICE, udi.getCarrierHRF()));
                count(walk.counts(), "DEVICE");
            }
            udi.setCarrierAIDC(null);
            udi.setIssuerElement(null);
            udi.setJurisdictionElement(null);
        } else if (value instanceof PrimitiveType<?> primitive && primitive.hasValue()) {
            primitive.setValueAsString(
                    keys.pseudonym(IdentifierKind.DEVICE, primitive.getValueAsString()));
            count(walk.counts(), "DEVICE");
        }
    }

    private void deidentifyDate(BaseDateTimeType date, Walk walk) {
        if (date.getValue() == null) {
            return;
        }
        if (walk.offset() != null) {
            date.add(Calendar.DATE, walk.offset());
        } else if (date instanceof InstantType instant) {
            // An instant must carry a full time (FHIR R4 §2.24.0.1): it cannot be cut to a
            // year, so it goes.
            instant.setValue((Date) null);
        } else {
            Integer year = date.getYear();
            date.setValueAsString(String.format(Locale.ROOT, "%04d", year));
        }
        count(walk.counts(), "DATE");
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
                    + (bar >= 0 ? pseudonymousSystem(system) + "|" : "")
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

    // Public identifier namespaces (HL7, IETF, DICOM, HL7's OID arc with SSN and NPI): they name
    // a standard, not a site.
    private static final List<String> PUBLIC_SYSTEMS =
            List.of(
                    "http://hl7.org/",
                    "https://hl7.org/",
                    "http://terminology.hl7.org/",
                    "urn:ietf:",
                    "urn:dicom:",
                    "urn:oid:2.16.840.1.113883.");

    /**
     * An identifier system that names a site (its host, an OID of its own) says where the patient
     * was treated (45 CFR 164.514(b)(2)(i)(N) for URLs): it becomes a keyed {@code urn:uuid:}, the
     * same for every identifier of that system, so identifiers stay comparable. Public namespaces
     * stay.
     */
    String pseudonymousSystem(String system) {
        if (system == null || system.isBlank()) {
            return system;
        }
        for (String prefix : PUBLIC_SYSTEMS) {
            if (system.startsWith(prefix)) {
                return system;
            }
        }
        return "urn:uuid:" + keys.pseudonymUuid(IdentifierKind.URL, system);
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

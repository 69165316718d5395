package org.quorum.dicom.sr;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one label says, in the terms of a TID 1500 Measurement Report and nothing else: who made it,
 * and per image region one finding with its site, evaluations, measurements and confidence. {@link
 * LabelSrMapper} makes it from a QuorumLabel Observation; {@link MeasurementReportBuilder} turns it
 * into a Comprehensive SR. It holds no patient data: those come from the source image.
 *
 * @param labelKey stable identity of the label (e.g. {@code Observation/123}); the tracking
 *     identifiers and UIDs derive from it
 * @param observers who made the label: a person, a device, or both (AI-assisted), in that order
 * @param findings one per image region, at least one
 * @param finalLabel the label's status is final (or amended/corrected): the SR is COMPLETE
 * @param contentTime when the label was last changed (the SR's Content Date/Time); {@code null}
 *     when unknown (the SR is then dated when it is made)
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part16/chapter_A.html#sect_TID_1500">PS3.16
 *     TID 1500</a>
 */
public record SrContent(
        String labelKey,
        List<Observer> observers,
        List<Finding> findings,
        boolean finalLabel,
        Instant contentTime) {

    public SrContent {
        Objects.requireNonNull(labelKey, "labelKey");
        observers = List.copyOf(observers);
        findings = List.copyOf(findings);
        if (observers.isEmpty()) {
            throw SrException.unmappable("a label needs an observer (annotator or AI model)");
        }
        if (findings.isEmpty()) {
            throw SrException.unmappable(
                    "the label has no image region: only image labels become SRs");
        }
    }

    /** The distinct SOP Instance UIDs the findings point at, in order of first use. */
    public List<String> sourceSopInstanceUids() {
        return findings.stream().map(f -> f.region().sopInstanceUid()).distinct().toList();
    }

    /**
     * A coded concept: DICOM code value, coding scheme designator, code meaning, and optionally the
     * scheme version and, for a scheme DICOM does not know, the FHIR system URI it came from
     * (listed in the Coding Scheme Identification Sequence).
     */
    public record Code(
            String value, String scheme, String meaning, String schemeVersion, String systemUri) {

        public Code {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(meaning, "meaning");
        }

        public Code(String value, String scheme, String meaning) {
            this(value, scheme, meaning, null, null);
        }
    }

    /** Who made the label (TID 1002 Observer Context). */
    public sealed interface Observer permits PersonObserver, DeviceObserver {}

    /**
     * An annotator, pseudonymous (TID 1003): the name is {@code Annotator^<id>}, never a real name.
     */
    public record PersonObserver(String pseudonymousId) implements Observer {

        public PersonObserver {
            Objects.requireNonNull(pseudonymousId, "pseudonymousId");
        }

        public String personName() {
            return "Annotator^" + pseudonymousId;
        }
    }

    /**
     * An AI model (TID 1004 device observer, TID 4019 algorithm identification).
     *
     * @param uid the Device Observer UID (stable per model)
     */
    public record DeviceObserver(
            String uid,
            String algorithmName,
            String algorithmVersion,
            String manufacturer,
            String modelName)
            implements Observer {

        public DeviceObserver {
            Objects.requireNonNull(uid, "uid");
            Objects.requireNonNull(algorithmName, "algorithmName");
            Objects.requireNonNull(algorithmVersion, "algorithmVersion");
        }
    }

    /**
     * One finding on one image region (one TID 1410 or TID 1501 measurement group).
     *
     * @param trackingId human-readable Tracking Identifier (TID 4108)
     * @param trackingUid Tracking Unique Identifier, stable across versions of the label
     * @param confidence the label's confidence in [0, 1], if given
     * @param reasoning the annotator's or model's free-text reasoning, if given
     * @param algorithm the model that made this finding by itself (method {@code ai}), if so
     */
    public record Finding(
            String trackingId,
            String trackingUid,
            Code finding,
            Code findingSite,
            Code laterality,
            ImageRegion region,
            List<QualitativeEvaluation> evaluations,
            List<Measurement> measurements,
            BigDecimal confidence,
            String reasoning,
            DeviceObserver algorithm) {

        public Finding {
            Objects.requireNonNull(trackingId, "trackingId");
            Objects.requireNonNull(trackingUid, "trackingUid");
            Objects.requireNonNull(finding, "finding");
            Objects.requireNonNull(region, "region");
            evaluations = List.copyOf(evaluations);
            measurements = List.copyOf(measurements);
            if (laterality != null && findingSite == null) {
                throw SrException.unmappable("a laterality needs a finding site (bodySite)");
            }
            if (confidence != null
                    && (confidence.signum() < 0 || confidence.compareTo(BigDecimal.ONE) > 0)) {
                throw SrException.unmappable("confidence must lie between 0 and 1");
            }
        }

        public Optional<BigDecimal> confidenceValue() {
            return Optional.ofNullable(confidence);
        }
    }

    /** A coded answer to a coded question (CONTAINS CODE in the measurement group). */
    public record QualitativeEvaluation(Code concept, Code value) {

        public QualitativeEvaluation {
            Objects.requireNonNull(concept, "concept");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A numeric measurement (TID 300) with a UCUM unit. */
    public record Measurement(Code concept, BigDecimal value, Code unit) {

        public Measurement {
            Objects.requireNonNull(concept, "concept");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(unit, "unit");
            if (!"UCUM".equals(unit.scheme())) {
                throw SrException.unmappable("measurement units must be UCUM");
            }
        }
    }
}

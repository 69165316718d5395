package org.quorum.quality.fhir;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.quorum.quality.QualityException;
import org.quorum.quality.QualityService;
import org.quorum.quality.agreement.AgreementOptions;
import org.quorum.quality.agreement.KappaWeights;
import org.quorum.quality.agreement.MeasurementLevel;
import org.quorum.quality.balance.ClassBalanceOptions;
import org.quorum.quality.bias.AgeBands;
import org.quorum.quality.bias.BiasOptions;
import org.quorum.quality.bias.ReferenceDistribution;
import org.quorum.quality.consistency.ConsistencyService;
import org.quorum.quality.data.LabelOrigin;
import org.quorum.quality.stats.MultipleComparisons;

/**
 * The project-level quality operations on {@code ResearchStudy/{id}}: {@code $agreement}, {@code
 * $bias-report}, {@code $class-balance} and {@code $consistency}. Each parses its parameters, calls
 * {@link QualityService} once and maps the result to FHIR; GET and POST both work (the operations
 * change nothing but the consistency findings, which they only bring up to date).
 *
 * <p>Parameters and defaults: docs/quality.md.
 */
public final class ProjectQualityOperations {

    private final QualityService quality;

    public ProjectQualityOperations(QualityService quality) {
        this.quality = quality;
    }

    /** Inter-annotator agreement, as a MeasureReport. */
    @Operation(name = "$agreement", idempotent = true, type = ResearchStudy.class)
    public MeasureReport agreement(
            @IdParam IIdType project,
            @OperationParam(name = "schema", max = 1) UriType schema,
            @OperationParam(name = "level", max = 1) CodeType level,
            @OperationParam(name = "weights", max = 1) CodeType weights,
            @OperationParam(name = "ci", max = 1) DecimalType confidenceLevel,
            @OperationParam(name = "replicates", max = 1) IntegerType replicates,
            @OperationParam(name = "seed", max = 1) IntegerType seed,
            @OperationParam(name = "labelSource", max = 1) CodeType labelSource,
            @OperationParam(name = "status", max = OperationParam.MAX_UNLIMITED)
                    List<CodeType> status) {
        return call(
                () -> {
                    AgreementOptions defaults = AgreementOptions.defaults();
                    AgreementOptions options =
                            new AgreementOptions(
                                    text(schema),
                                    text(level)
                                            .map(v -> enumValue(MeasurementLevel.class, "level", v))
                                            .orElse(defaults.level()),
                                    text(weights)
                                            .map(v -> enumValue(KappaWeights.class, "weights", v))
                                            .orElse(defaults.weights()),
                                    confidenceLevel == null || confidenceLevel.getValue() == null
                                            ? defaults.confidenceLevel()
                                            : confidenceLevel.getValue().doubleValue(),
                                    replicates == null || replicates.getValue() == null
                                            ? defaults.replicates()
                                            : replicates.getValue(),
                                    seed == null || seed.getValue() == null
                                            ? defaults.seed()
                                            : seed.getValue(),
                                    statuses(status, defaults.statuses()));
                    return AgreementMeasureReport.toFhir(
                            quality.agreement(project.getIdPart(), options, origin(labelSource)),
                            quality.clock());
                });
    }

    /** Composition and label prevalence by demographic group, as a MeasureReport. */
    @Operation(name = "$bias-report", idempotent = true, type = ResearchStudy.class)
    public MeasureReport biasReport(
            @IdParam IIdType project,
            @OperationParam(name = "schema", max = 1) UriType schema,
            @OperationParam(name = "reference", max = OperationParam.MAX_UNLIMITED)
                    List<StringType> reference,
            @OperationParam(name = "ageBands", max = 1) StringType ageBands,
            @OperationParam(name = "ageAt", max = 1) DateType ageAt,
            @OperationParam(name = "representationRatio", max = 1) DecimalType ratio,
            @OperationParam(name = "alpha", max = 1) DecimalType alpha,
            @OperationParam(name = "correction", max = 1) CodeType correction,
            @OperationParam(name = "labelSource", max = 1) CodeType labelSource,
            @OperationParam(name = "status", max = OperationParam.MAX_UNLIMITED)
                    List<CodeType> status) {
        return call(
                () -> {
                    BiasOptions defaults = BiasOptions.defaults(quality.today());
                    AgeBands bands = text(ageBands).map(AgeBands::parse).orElse(AgeBands.DEFAULT);
                    List<String> specs = new ArrayList<>();
                    if (reference != null) {
                        reference.forEach(
                                r ->
                                        text(r).ifPresent(
                                                        v ->
                                                                Arrays.stream(v.split(","))
                                                                        .map(String::trim)
                                                                        .filter(s -> !s.isEmpty())
                                                                        .forEach(specs::add)));
                    }
                    BiasOptions options =
                            new BiasOptions(
                                    text(schema),
                                    ReferenceDistribution.usCensus2020(bands).withOverrides(specs),
                                    bands,
                                    ageAt == null || ageAt.getValue() == null
                                            ? defaults.ageAt()
                                            : day("ageAt", ageAt),
                                    ratio == null || ratio.getValue() == null
                                            ? defaults.representationRatio()
                                            : ratio.getValue().doubleValue(),
                                    alpha == null || alpha.getValue() == null
                                            ? defaults.alpha()
                                            : alpha.getValue().doubleValue(),
                                    text(correction)
                                            .map(
                                                    v ->
                                                            enumValue(
                                                                    MultipleComparisons.class,
                                                                    "correction",
                                                                    v))
                                            .orElse(defaults.correction()),
                                    statuses(status, defaults.statuses()));
                    return BiasMeasureReport.toFhir(
                            quality.biasReport(project.getIdPart(), options, origin(labelSource)),
                            quality.clock());
                });
    }

    /** Class prevalence and rare classes, as a MeasureReport. */
    @Operation(name = "$class-balance", idempotent = true, type = ResearchStudy.class)
    public MeasureReport classBalance(
            @IdParam IIdType project,
            @OperationParam(name = "schema", max = 1) UriType schema,
            @OperationParam(name = "minPrevalence", max = 1) DecimalType minPrevalence,
            @OperationParam(name = "minCases", max = 1) IntegerType minCases,
            @OperationParam(name = "labelSource", max = 1) CodeType labelSource,
            @OperationParam(name = "status", max = OperationParam.MAX_UNLIMITED)
                    List<CodeType> status) {
        return call(
                () -> {
                    ClassBalanceOptions defaults = ClassBalanceOptions.defaults();
                    ClassBalanceOptions options =
                            new ClassBalanceOptions(
                                    text(schema),
                                    minPrevalence == null || minPrevalence.getValue() == null
                                            ? defaults.minPrevalence()
                                            : minPrevalence.getValue().doubleValue(),
                                    minCases == null || minCases.getValue() == null
                                            ? defaults.minCases()
                                            : minCases.getValue(),
                                    statuses(status, defaults.statuses()));
                    return ClassBalanceMeasureReport.toFhir(
                            quality.classBalance(project.getIdPart(), options, origin(labelSource)),
                            quality.clock());
                });
    }

    /**
     * The project's open cross-modal conflicts (a searchset Bundle of DetectedIssues), after
     * checking all its labels.
     */
    @Operation(name = "$consistency", idempotent = true, type = ResearchStudy.class)
    public Bundle consistency(@IdParam IIdType project, RequestDetails request) {
        return call(
                () -> {
                    ConsistencyService.ProjectConsistency result =
                            quality.consistency(project.getIdPart());
                    Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
                    bundle.setTotal(result.issues().size());
                    String base = request.getFhirServerBase();
                    for (DetectedIssue issue : result.issues()) {
                        bundle.addEntry()
                                .setFullUrl(
                                        base + "/DetectedIssue/" + issue.getIdElement().getIdPart())
                                .setResource(issue)
                                .getSearch()
                                .setMode(Bundle.SearchEntryMode.MATCH);
                    }
                    return bundle;
                });
    }

    private static LocalDate day(String parameter, DateType date) {
        if (date.getPrecision() != TemporalPrecisionEnum.DAY) {
            throw QualityException.badParameter(
                    parameter, date.getValueAsString(), "give a full date, e.g. 2025-01-01");
        }
        return LocalDate.of(date.getYear(), date.getMonth() + 1, date.getDay());
    }

    static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (QualityException e) {
            throw QualityErrors.toFhir(e);
        }
    }

    static Optional<String> text(IPrimitiveType<?> value) {
        return value == null
                        || value.getValueAsString() == null
                        || value.getValueAsString().isBlank()
                ? Optional.empty()
                : Optional.of(value.getValueAsString().trim());
    }

    private static Set<String> statuses(List<CodeType> given, Set<String> defaults) {
        Set<String> statuses = new LinkedHashSet<>();
        if (given != null) {
            given.forEach(
                    s ->
                            text(s).ifPresent(
                                            v ->
                                                    Arrays.stream(v.split(","))
                                                            .map(String::trim)
                                                            .filter(x -> !x.isEmpty())
                                                            .forEach(statuses::add)));
        }
        return statuses.isEmpty() ? defaults : statuses;
    }

    /**
     * {@code labelSource}: {@code index} (default) reads the label index, {@code store} the FHIR
     * store itself, to check the index against it.
     */
    private static LabelOrigin origin(CodeType labelSource) {
        return text(labelSource)
                .map(v -> enumValue(LabelOrigin.class, "labelSource", v))
                .orElse(LabelOrigin.INDEX);
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String parameter, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw QualityException.badParameter(
                    parameter,
                    value,
                    "use one of "
                            + Arrays.stream(type.getEnumConstants())
                                    .map(c -> c.name().toLowerCase(Locale.ROOT))
                                    .toList());
        }
    }
}

package org.quorum.fhir.profiles;

import ca.uhn.fhir.context.ConfigurationException;
import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.util.XmlUtil;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import ca.uhn.fhir.validation.IValidationContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.fhirpath.IHostApplicationServices;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.IValidationPolicyAdvisor;
import org.hl7.fhir.r5.utils.validation.IValidatorResourceFetcher;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.quorum.fhir.AfterCommit;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * HAPI's FHIR instance validation with the same settings, support chain and messages as a given
 * {@link FhirInstanceValidator}, without building a new core {@link InstanceValidator} for every
 * resource.
 *
 * <p>Why: HAPI 8.8.0 builds a new {@code InstanceValidator} per validation, and its constructor
 * parses the 1.5 MB OID registry ({@code oidregistry.csv}) each time; at 100 labels per transaction
 * that was a third of a label write's CPU. Here core validators are pooled: one is used by one
 * thread at a time, and between two validations everything the core validator keeps from one
 * resource to the next is cleared ({@link Reusable#reset}): the core clears its per-resource caches
 * itself on entry ({@code fetchCache}, {@code resourceTracker}, tracked messages), and {@code
 * reset} clears the "warn once" status warnings, the session's objects and the time tracker.
 *
 * <p>A few core collections cannot be cleared from outside: the canonical lookups of the resource
 * fetcher (never filled with HAPI JPA's {@code ValidatorResourceFetcher}, which fetches no
 * canonical resources), the codings seen (used only for the IPS SNOMED check, which is off) and the
 * narrative id maps (keyed by element identity). They affect no message but grow, so a validator is
 * retired after {@value #MAX_USES} validations. The profile and code system lookups a core
 * validator caches itself (child maps, the list of all structures) would go stale when a
 * conformance resource changes: a write of one retires every pooled validator, and none is older
 * than {@value #MAX_AGE_SECONDS} s. The equivalence with a fresh HAPI validator is checked by
 * {@code PooledInstanceValidatorIT}.
 */
@Interceptor
public final class PooledInstanceValidator implements IInstanceValidatorModule {

    static final int MAX_USES = 100;
    static final long MAX_AGE_SECONDS = 60;

    /** Resource types whose content the core validators cache (profiles, terminology). */
    private static final Set<String> CONFORMANCE_TYPES =
            Set.of(
                    "StructureDefinition",
                    "CodeSystem",
                    "ValueSet",
                    "ConceptMap",
                    "NamingSystem",
                    "ImplementationGuide",
                    "Questionnaire");

    private final FhirInstanceValidator settings;
    private final IWorkerContext workerContext;
    private final ConcurrentLinkedDeque<Reusable> idle = new ConcurrentLinkedDeque<>();
    private final int maxIdle;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicInteger built = new AtomicInteger();
    private final AfterCommit<String> retireAfterCommit = new AfterCommit<>(ids -> retireAll());

    /**
     * @param settings HAPI's instance validator: its settings, validation support and worker
     *     context are the ones used here (read at every validation, so later changes apply)
     */
    public PooledInstanceValidator(FhirInstanceValidator settings) {
        this.settings = settings;
        WorkerContextValidationSupportAdapter shared = settings.getWorkerContext();
        // HAPI JPA gives its validator a shared worker context; use that one (its caches).
        this.workerContext =
                shared != null
                        ? shared
                        : WorkerContextValidationSupportAdapter
                                .newVersionSpecificWorkerContextWrapper(
                                        settings.getValidationSupport());
        this.maxIdle = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /** How many core validators were built so far (tests check that they are reused). */
    int validatorsBuilt() {
        return built.get();
    }

    /** Retires every pooled core validator: the next validations build fresh ones. */
    public void retireAll() {
        generation.incrementAndGet();
        idle.clear();
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void resourceCreated(IBaseResource resource) {
        conformanceWritten(resource);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void resourceUpdated(IBaseResource previous, IBaseResource resource) {
        conformanceWritten(resource);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void resourceDeleted(IBaseResource resource) {
        conformanceWritten(resource);
    }

    private void conformanceWritten(IBaseResource resource) {
        if (CONFORMANCE_TYPES.contains(resource.fhirType())) {
            // Now, and again once committed: a validator built in between read the old content.
            retireAll();
            retireAfterCommit.add(resource.fhirType());
        }
    }

    @Override
    public void validateResource(IValidationContext<IBaseResource> context) {
        for (ValidationMessage message : validate(context)) {
            context.addValidationMessage(toHapi(message));
        }
    }

    /** The same conversion as HAPI's {@code BaseValidatorBridge}. */
    private static SingleValidationMessage toHapi(ValidationMessage message) {
        SingleValidationMessage hapi = new SingleValidationMessage();
        if (message.getCol() != -1) {
            hapi.setLocationCol(message.getCol());
        }
        if (message.getLine() != -1) {
            hapi.setLocationLine(message.getLine());
        }
        hapi.setLocationString(message.getLocation());
        hapi.setMessage(message.getMessage());
        if (message.getLevel() != null) {
            hapi.setSeverity(ResultSeverityEnum.fromCode(message.getLevel().toCode()));
        }
        if (message.getMessageId() != null && !message.getMessageId().contains(" ")) {
            hapi.setMessageId(message.getMessageId());
        }
        if (message.hasSliceInfo()) {
            hapi.setSliceMessages(
                    message.getSliceInfo().stream().map(ValidationMessage::getMessage).toList());
        }
        return hapi;
    }

    /** HAPI 8.8.0's {@code ValidatorWrapper.validate}, on a pooled core validator. */
    private List<ValidationMessage> validate(IValidationContext<?> context) {
        Configuration configuration = Configuration.of(settings);
        Reusable validator = borrow(configuration);
        List<ValidationMessage> messages = validate(validator, configuration, context);
        // Only after a validation that completed: one that threw may have left state behind.
        giveBack(validator, configuration);
        return messages;
    }

    private List<ValidationMessage> validate(
            InstanceValidator validator,
            Configuration configuration,
            IValidationContext<?> context) {
        List<ValidationMessage> messages = new ArrayList<>();
        List<StructureDefinition> profiles = new ArrayList<>();
        List<ValidationMessage> unknownProfiles = new ArrayList<>();
        for (String url : context.getOptions().getProfiles()) {
            addProfile(profiles, url, unknownProfiles);
        }
        String input = context.getResourceAsString();
        EncodingEnum encoding = context.getResourceAsStringEncoding();
        InputStream stream = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        if (encoding == EncodingEnum.XML) {
            Document document;
            try {
                document = XmlUtil.parseDocument(input);
            } catch (java.io.IOException | org.xml.sax.SAXException e) {
                ValidationMessage m = new ValidationMessage();
                m.setLevel(ValidationMessage.IssueSeverity.FATAL);
                m.setMessage(
                        "Failed to parse input, it does not appear to be valid XML:"
                                + e.getMessage());
                messages.add(m);
                return messages;
            }
            for (String url : xmlMetaProfiles(document)) {
                addProfile(profiles, url, unknownProfiles);
            }
            validator.validate(null, messages, stream, Manager.FhirFormat.XML, profiles);
        } else if (encoding == EncodingEnum.JSON) {
            JsonObject json = new Gson().fromJson(input, JsonObject.class);
            JsonObject meta = json.getAsJsonObject("meta");
            if (meta != null) {
                JsonElement claimed = meta.get("profile");
                if (claimed != null && claimed.isJsonArray()) {
                    JsonArray urls = claimed.getAsJsonArray();
                    for (JsonElement url : urls) {
                        addProfile(profiles, url.getAsString(), unknownProfiles);
                    }
                }
            }
            validator.validate(
                    context.getOptions().getAppContext(),
                    messages,
                    stream,
                    Manager.FhirFormat.JSON,
                    profiles);
        } else {
            throw new IllegalArgumentException(Msg.code(649) + "Unknown encoding: " + encoding);
        }
        if (profiles.isEmpty() && !unknownProfiles.isEmpty()) {
            messages.addAll(unknownProfiles);
        }
        messages =
                messages.stream()
                        .filter(PooledInstanceValidator::reported)
                        .collect(java.util.stream.Collectors.toList());
        messages.stream()
                .filter(
                        m ->
                                I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN.equals(
                                                m.getMessageId())
                                        || I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY
                                                .equals(m.getMessageId()))
                .forEach(
                        m ->
                                m.setLevel(
                                        configuration.errorForUnknownProfiles()
                                                ? ValidationMessage.IssueSeverity.ERROR
                                                : ValidationMessage.IssueSeverity.WARNING));
        return messages;
    }

    /** The messages HAPI's wrapper drops (bindings without a source, the mimetypes value set). */
    private static boolean reported(ValidationMessage m) {
        String id = m.getMessageId();
        return id == null
                || !(id.equals(I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE)
                        || (id.equals(I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND)
                                && m.getMessage()
                                        .contains("http://hl7.org/fhir/ValueSet/mimetypes")));
    }

    private void addProfile(
            List<StructureDefinition> profiles, String url, List<ValidationMessage> unknown) {
        try {
            StructureDefinition profile =
                    workerContext.fetchResource(StructureDefinition.class, url);
            if (profile != null) {
                profiles.add(profile);
            } else {
                ValidationMessage m = new ValidationMessage();
                m.setMessageId(I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN);
                m.setLevel(ValidationMessage.IssueSeverity.ERROR);
                m.setMessage("Invalid profile. Failed to retrieve profile with url=" + url);
                unknown.add(m);
            }
        } catch (FHIRException e) {
            // As HAPI: a profile that cannot be loaded is left out (the validator reports it).
        }
    }

    private static List<String> xmlMetaProfiles(Document document) {
        List<String> urls = new ArrayList<>();
        NodeList children = document.getChildNodes().item(0).getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i).getNodeName().compareToIgnoreCase("meta") == 0) {
                NodeList meta = children.item(i).getChildNodes();
                for (int j = 0; j < meta.getLength(); j++) {
                    if (meta.item(j).getNodeName().compareToIgnoreCase("profile") == 0) {
                        urls.add(meta.item(j).getAttributes().item(0).getNodeValue());
                    }
                }
                break;
            }
        }
        return urls;
    }

    private Reusable borrow(Configuration configuration) {
        long now = System.nanoTime();
        for (Reusable pooled = idle.pollFirst(); pooled != null; pooled = idle.pollFirst()) {
            if (pooled.usable(configuration, generation.get(), now)) {
                pooled.reset();
                return pooled;
            }
        }
        return build(configuration);
    }

    private void giveBack(Reusable validator, Configuration configuration) {
        validator.uses++;
        if (validator.usable(configuration, generation.get(), System.nanoTime())
                && idle.size() < maxIdle) {
            idle.offerFirst(validator);
        }
    }

    /** A core validator set up as HAPI's {@code ValidatorWrapper} sets up each of its own. */
    private Reusable build(Configuration configuration) {
        Reusable validator;
        try {
            validator =
                    new Reusable(
                            workerContext,
                            configuration.hostServices(),
                            new XVerExtensionManagerOld(workerContext),
                            generation.get(),
                            configuration);
        } catch (RuntimeException e) {
            throw new ConfigurationException(Msg.code(648) + e.getMessage(), e);
        }
        built.incrementAndGet();
        validator.setAssumeValidRestReferences(configuration.assumeValidRestReferences());
        validator.setBestPracticeWarningLevel(configuration.bestPractice());
        validator.setAnyExtensionsAllowed(configuration.anyExtensionsAllowed());
        validator.setResourceIdRule(IdStatus.OPTIONAL);
        validator.setNoTerminologyChecks(configuration.noTerminologyChecks());
        validator.setErrorForUnknownProfiles(configuration.errorForUnknownProfiles());
        // As HAPI: fixed, it interacts with UnknownCodeSystemWarningValidationSupport.
        validator.setUnknownCodeSystemsCauseErrors(true);
        validator.getExtensionDomains().addAll(configuration.extensionDomains());
        validator.setFetcher(configuration.fetcher());
        validator.setPolicyAdvisor(configuration.policyAdvisor());
        validator.setNoExtensibleWarnings(configuration.noExtensibleWarnings());
        validator.setNoBindingMsgSuppressed(configuration.noBindingMsgSuppressed());
        validator.setAllowExamples(configuration.allowExamples());
        validator.setAllowXsiLocation(true);
        return validator;
    }

    /** The settings of HAPI's validator that a core validator is built with. */
    private record Configuration(
            boolean anyExtensionsAllowed,
            BestPracticeWarningLevel bestPractice,
            boolean errorForUnknownProfiles,
            List<String> extensionDomains,
            IValidationPolicyAdvisor policyAdvisor,
            boolean noTerminologyChecks,
            boolean noExtensibleWarnings,
            boolean noBindingMsgSuppressed,
            IValidatorResourceFetcher fetcher,
            boolean assumeValidRestReferences,
            boolean allowExamples,
            IHostApplicationServices configuredHostServices) {

        static Configuration of(FhirInstanceValidator hapi) {
            return new Configuration(
                    hapi.isAnyExtensionsAllowed(),
                    hapi.getBestPracticeWarningLevel(),
                    hapi.isErrorForUnknownProfiles(),
                    List.copyOf(hapi.getExtensionDomains()),
                    hapi.getValidatorPolicyAdvisor(),
                    hapi.isNoTerminologyChecks(),
                    hapi.isNoExtensibleWarnings(),
                    hapi.isNoBindingMsgSuppressed(),
                    hapi.getValidatorResourceFetcher(),
                    hapi.isAssumeValidRestReferences(),
                    hapi.isAllowExamples(),
                    hapi.getHostApplicationServices());
        }

        IHostApplicationServices hostServices() {
            return Objects.requireNonNullElseGet(
                    configuredHostServices, FhirInstanceValidator.NullEvaluationContext::new);
        }

        /** Same settings, the objects compared by identity (as HAPI hands them over). */
        boolean sameAs(Configuration other) {
            return anyExtensionsAllowed == other.anyExtensionsAllowed
                    && bestPractice == other.bestPractice
                    && errorForUnknownProfiles == other.errorForUnknownProfiles
                    && extensionDomains.equals(other.extensionDomains)
                    && policyAdvisor == other.policyAdvisor
                    && noTerminologyChecks == other.noTerminologyChecks
                    && noExtensibleWarnings == other.noExtensibleWarnings
                    && noBindingMsgSuppressed == other.noBindingMsgSuppressed
                    && fetcher == other.fetcher
                    && assumeValidRestReferences == other.assumeValidRestReferences
                    && allowExamples == other.allowExamples
                    && configuredHostServices == other.configuredHostServices;
        }
    }

    /** A core validator with what it needs to be reused: its age, uses and the state it clears. */
    private static final class Reusable extends InstanceValidator {

        private final long generation;
        private final long builtAt = System.nanoTime();
        private final Configuration configuration;
        private int uses;

        Reusable(
                IWorkerContext context,
                IHostApplicationServices hostServices,
                XVerExtensionManagerOld xver,
                long generation,
                Configuration configuration) {
            super(context, hostServices, xver, new ValidatorSession(), new ValidatorSettings());
            this.generation = generation;
            this.configuration = configuration;
        }

        boolean usable(Configuration current, long currentGeneration, long now) {
            return generation == currentGeneration
                    && uses < MAX_USES
                    && now - builtAt < MAX_AGE_SECONDS * 1_000_000_000L
                    && configuration.sameAs(current);
        }

        /**
         * Clears what one validation leaves for the next that the core does not clear on entry: the
         * "warn once" status warnings (deprecated, retired, experimental), the session's cached
         * objects and the time tracker.
         */
        void reset() {
            statusWarnings.clear();
            trackedMessages.clear();
            messagesToRemove.clear();
            session.close();
            resetTimes();
        }
    }
}

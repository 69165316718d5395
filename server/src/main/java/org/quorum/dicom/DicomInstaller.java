package org.quorum.dicom;

import java.io.IOException;
import java.util.Set;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.dicom.fhir.ImagingStudyMirror;
import org.quorum.dicom.fhir.ImagingStudyMirrorBarrier;
import org.quorum.dicom.fhir.ImagingStudyMirrorQueue;
import org.quorum.dicom.sr.DicomSrService;
import org.quorum.dicom.sr.LabelSrMapper;
import org.quorum.dicom.sr.MeasurementReportBuilder;
import org.quorum.dicom.sr.fhir.DaoLabelReferences;
import org.quorum.dicom.sr.fhir.DicomSrOperation;
import org.quorum.dicom.sr.fhir.FinalLabelSrInterceptor;
import org.quorum.dicom.sr.fhir.LabelSrPublisher;
import org.quorum.dicom.store.DicomStore;
import org.quorum.dicom.store.index.DicomIndex;
import org.quorum.dicom.web.DicomWebApplication;
import org.quorum.platform.Platform;
import org.quorum.security.LocalSecrets;
import org.quorum.security.Role;
import org.quorum.security.SecurityCapability;

/**
 * The DICOM capability: the store (Part 10 files plus the index in HAPI's database), the
 * ImagingStudy mirror (rebuilt after the STOW-RS answer by a durable queue), image labels as TID
 * 1500 SRs ({@code $dicom-sr}, and automatically for final labels), and DICOMweb at {@code
 * /dicomweb}.
 */
public final class DicomInstaller {

    private DicomInstaller() {}

    public static DicomStore install(Platform platform, SecurityCapability security) {
        DicomIndex index =
                new DicomIndex(platform.entityManagerFactory(), platform.transactionManager());
        ImagingStudyMirrorQueue mirrors =
                new ImagingStudyMirrorQueue(
                        new ImagingStudyMirror(platform.daos(), index),
                        index,
                        platform.transactionManager());
        platform.onClose(mirrors);
        platform.fhirServer().registerInterceptor(new ImagingStudyMirrorBarrier(mirrors));
        DicomStore store = new DicomStore(platform.settings().storage().dicomDir(), index, mirrors);

        // Annotators appear in SRs under a keyed pseudonym: the de-identification secret's when
        // one is configured, else this installation's own random key.
        DeidKeyService observerKeys =
                platform.settings().deid().keys().orElseGet(() -> localKeys(security));
        LabelSrPublisher srPublisher =
                new LabelSrPublisher(
                        new DicomSrService(
                                store,
                                new LabelSrMapper(
                                        new DaoLabelReferences(platform.daos()),
                                        reference ->
                                                observerKeys.pseudonym(
                                                        IdentifierKind.OTHER_ID, reference)),
                                new MeasurementReportBuilder(platform.clock())),
                        platform.daos());
        platform.fhirServer().registerProvider(new DicomSrOperation(srPublisher));
        platform.storageInterceptors()
                .registerInterceptor(
                        new FinalLabelSrInterceptor(srPublisher, platform.transactions()));

        long stowEntityLimit = ((long) platform.settings().http().maxStowMegabytes() + 1) << 20;
        platform.servlet(
                "dicomweb",
                DicomWebApplication.PATH + "/*",
                DicomWebApplication.servlet(
                        store,
                        security.policy(),
                        security.assignments(),
                        platform.settings().http().maxStowMegabytes()));
        // The roles that reach clinical data; AccessPolicy decides per request inside (STOW
        // create, QIDO search, WADO read).
        platform.prefixRoute(
                DicomWebApplication.PATH,
                servlets ->
                        security.http()
                                .require(
                                        Set.of(
                                                Role.PROJECT_ADMIN,
                                                Role.INTEGRATION,
                                                Role.ANNOTATOR,
                                                Role.REVIEWER,
                                                Role.ADJUDICATOR),
                                        "dicomweb",
                                        exchange -> {
                                            // STOW-RS has its own body limit (the listener's is
                                            // the FHIR one); one MiB over it, so that STOW-RS
                                            // answers its own 413 with a reason.
                                            exchange.setMaxEntitySize(stowEntityLimit);
                                            // The prefix match stripped /dicomweb from the
                                            // relative path the servlet mapping needs.
                                            exchange.setRelativePath(exchange.getRequestPath());
                                            servlets.handleRequest(exchange);
                                        }));
        return store;
    }

    private static DeidKeyService localKeys(SecurityCapability security) {
        try {
            // In the security store: every node gives an annotator the same pseudonym.
            return new DeidKeyService(
                    LocalSecrets.loadOrCreate(security.store(), LocalSecrets.SR_OBSERVER_KEY));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot create the local key "
                            + LocalSecrets.SR_OBSERVER_KEY
                            + " in "
                            + security.store().location(),
                    e);
        }
    }
}

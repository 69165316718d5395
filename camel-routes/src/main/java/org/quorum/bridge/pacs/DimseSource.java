package org.quorum.bridge.pacs;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SetOfDicomFiles;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.FindSOPClassSCU;
import com.pixelmed.network.GetSOPClassSCU;
import com.pixelmed.network.IdentifierHandler;
import com.pixelmed.network.MoveSOPClassSCU;
import com.pixelmed.network.MultipleInstanceTransferStatusHandler;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCPDispatcher;
import com.pixelmed.network.StorageSOPClassSCU;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.quorum.bridge.config.DimseSettings;
import org.quorum.bridge.resilience.ResilientEndpoint;

/**
 * A PACS read (and written, for the SR write-back) over DIMSE with PixelMed: C-FIND in the Study
 * Root model (PS3.4 C.6.2), level by level as a hierarchical SCP requires (studies by Study Date,
 * the study's series, each series' images), and each instance fetched by C-MOVE to the bridge's own
 * C-STORE SCP or by C-GET on one association (PS3.4 C.4.2, C.4.3).
 *
 * <p>PixelMed's SCUs block and have no per-call time-out: every call runs on a bounded pool and is
 * abandoned after {@link DimseSettings#timeout()} (a time limiter: the caller gets a failure, the
 * stuck thread stays counted in the pool until its socket gives up, so a hanging PACS can hold at
 * most the pool). The SCP's received-object callback only puts the file on a queue: a slow handler
 * would delay the C-STORE response to the PACS.
 */
public final class DimseSource implements PacsSource, AutoCloseable {

    private static final Pattern UID = Pattern.compile("[0-9.]{1,64}");
    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    /**
     * Storage SOP classes offered for a C-GET when the class of the instance is not known: the
     * common image, SR and segmentation classes (well under the 128 presentation contexts one
     * association may carry, with PixelMed's transfer syntaxes per class).
     */
    private static final Set<String> COMMON_STORAGE =
            Set.of(
                    SOPClass.CTImageStorage,
                    SOPClass.EnhancedCTImageStorage,
                    SOPClass.MRImageStorage,
                    SOPClass.EnhancedMRImageStorage,
                    SOPClass.ComputedRadiographyImageStorage,
                    SOPClass.DigitalXRayImageStorageForPresentation,
                    SOPClass.DigitalXRayImageStorageForProcessing,
                    SOPClass.DigitalMammographyXRayImageStorageForPresentation,
                    SOPClass.UltrasoundImageStorage,
                    SOPClass.UltrasoundMultiframeImageStorage,
                    SOPClass.SecondaryCaptureImageStorage,
                    SOPClass.XRayAngiographicImageStorage,
                    SOPClass.NuclearMedicineImageStorage,
                    SOPClass.PETImageStorage,
                    SOPClass.ComprehensiveSRStorage,
                    SOPClass.EnhancedSRStorage,
                    SOPClass.BasicTextSRStorage,
                    SOPClass.SegmentationStorage);

    /** A DIMSE answer that is a refusal, not a failure of the network (wrong AE title, status). */
    public static final class DimseRefusedException extends RuntimeException {
        public DimseRefusedException(String message) {
            super(message);
        }
    }

    private final DimseSettings settings;
    private final ResilientEndpoint endpoint;
    private final String route;
    private final Path incoming;
    private final ThreadPoolExecutor pool;
    private final BlockingQueue<Path> received = new LinkedBlockingQueue<>();
    private final Map<String, String> sopClasses = new ConcurrentHashMap<>();
    private final StorageSOPClassSCPDispatcher scp;

    public DimseSource(
            DimseSettings settings, ResilientEndpoint endpoint, String route, Path incoming)
            throws IOException {
        this.settings = settings;
        this.endpoint = endpoint;
        this.route = route;
        this.incoming = Files.createDirectories(incoming);
        // files a killed bridge left behind were never delivered: their instances are not in the
        // ledger, the next poll fetches them again
        try (java.util.stream.Stream<Path> stale = Files.list(this.incoming)) {
            for (Path file : stale.toList()) {
                Files.deleteIfExists(file);
            }
        }
        this.pool =
                new ThreadPoolExecutor(
                        settings.pool(),
                        settings.pool(),
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(settings.pool()),
                        r -> {
                            Thread thread = new Thread(r, route + "-dimse");
                            thread.setDaemon(true);
                            return thread;
                        });
        ReceivedObjectHandler handler =
                new ReceivedObjectHandler() {
                    @Override
                    public void sendReceivedObjectIndication(
                            String fileName, String transferSyntax, String callingAeTitle) {
                        received.add(Path.of(fileName));
                    }
                };
        this.handler = handler;
        if (settings.pull() && settings.retrieve() == DimseSettings.Retrieve.MOVE) {
            scp =
                    new StorageSOPClassSCPDispatcher(
                            settings.scpPort(),
                            settings.callingAeTitle(),
                            this.incoming.toFile(),
                            StoredFilePathStrategy.BYSOPINSTANCEUIDINSINGLEFOLDER,
                            handler);
            Thread thread = new Thread(scp, route + "-c-store-scp");
            thread.setDaemon(true);
            thread.start();
            scpThread = thread;
            Instant deadline = Instant.now().plusSeconds(30);
            while (!scp.isReady() && Instant.now().isBefore(deadline)) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
            if (!scp.isReady()) {
                scp.shutdown();
                throw new IOException(
                        "the C-STORE SCP did not start on port " + settings.scpPort());
            }
        } else {
            scp = null;
            scpThread = null;
        }
    }

    private final ReceivedObjectHandler handler;
    private final Thread scpThread;

    @Override
    public String name() {
        return "dicom://"
                + settings.calledAeTitle()
                + "@"
                + settings.host()
                + ":"
                + settings.port();
    }

    @Override
    public List<Study> findStudies(String window, String modality, String accession) {
        AttributeList query = new AttributeList();
        put(query, new CodeStringAttribute(TagFromName.QueryRetrieveLevel), "STUDY");
        put(query, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), null);
        put(query, new DateAttribute(TagFromName.StudyDate), window);
        put(query, new IntegerStringAttribute(TagFromName.NumberOfStudyRelatedInstances), null);
        if (!modality.isEmpty()) {
            put(query, new CodeStringAttribute(TagFromName.ModalitiesInStudy), modality);
        }
        if (!accession.isEmpty()) {
            put(query, new ShortStringAttribute(TagFromName.AccessionNumber), accession);
        }
        List<Study> found = new ArrayList<>();
        for (AttributeList answer : find("study C-FIND of " + route, query)) {
            String uid = text(answer, TagFromName.StudyInstanceUID);
            if (UID.matcher(uid).matches()) {
                String count = text(answer, TagFromName.NumberOfStudyRelatedInstances);
                found.add(new Study(uid, count.matches("\\d{1,9}") ? Integer.parseInt(count) : -1));
            }
        }
        return found;
    }

    @Override
    public List<Locator> instancesOf(String study) {
        AttributeList seriesQuery = new AttributeList();
        put(seriesQuery, new CodeStringAttribute(TagFromName.QueryRetrieveLevel), "SERIES");
        put(seriesQuery, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), study);
        put(seriesQuery, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), null);
        List<Locator> found = new ArrayList<>();
        for (AttributeList series : find("series C-FIND of " + route, seriesQuery)) {
            String seriesUid = text(series, TagFromName.SeriesInstanceUID);
            if (!UID.matcher(seriesUid).matches()) {
                continue;
            }
            AttributeList imageQuery = new AttributeList();
            put(imageQuery, new CodeStringAttribute(TagFromName.QueryRetrieveLevel), "IMAGE");
            put(imageQuery, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), study);
            put(
                    imageQuery,
                    new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID),
                    seriesUid);
            put(imageQuery, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), null);
            put(imageQuery, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), null);
            for (AttributeList image : find("image C-FIND of " + route, imageQuery)) {
                String sop = text(image, TagFromName.SOPInstanceUID);
                if (UID.matcher(sop).matches()) {
                    String sopClass = text(image, TagFromName.SOPClassUID);
                    if (!sopClass.isEmpty()) {
                        sopClasses.put(sop, sopClass);
                    }
                    found.add(new Locator(study, seriesUid, sop));
                }
            }
        }
        return found;
    }

    @Override
    public byte[] retrieve(Locator locator) {
        AttributeList identifier = new AttributeList();
        put(identifier, new CodeStringAttribute(TagFromName.QueryRetrieveLevel), "IMAGE");
        put(
                identifier,
                new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID),
                locator.study());
        put(
                identifier,
                new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID),
                locator.series());
        put(identifier, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), locator.sop());
        if (settings.retrieve() == DimseSettings.Retrieve.MOVE) {
            bounded(
                    "C-MOVE of an instance for " + route,
                    () -> {
                        MoveSOPClassSCU move;
                        try {
                            move =
                                    new MoveSOPClassSCU(
                                            settings.host(),
                                            settings.port(),
                                            settings.calledAeTitle(),
                                            settings.callingAeTitle(),
                                            settings.callingAeTitle(),
                                            SOPClass.StudyRootQueryRetrieveInformationModelMove,
                                            identifier);
                        } catch (DicomNetworkException e) {
                            // PixelMed reports a failure status as an exception ("C-MOVE
                            // reports failure status 0xa801"): the PACS answered, it refused
                            java.util.regex.Matcher status =
                                    MOVE_FAILURE.matcher(String.valueOf(e.getMessage()));
                            if (status.find()) {
                                throw moveRefused(Integer.parseInt(status.group(1), 16));
                            }
                            throw e;
                        }
                        // PS3.4 C.4.2.1.5: 0000 success; A801 move destination unknown; ...
                        if (move.getStatus() != 0) {
                            throw moveRefused(move.getStatus());
                        }
                        return null;
                    });
        } else {
            // the instance's own class when C-FIND gave it (many SCPs, dcmqrscp among them, do
            // not return SOP Class UID at IMAGE level), else the common image and SR classes
            String sopClass = sopClasses.get(locator.sop());
            Set<String> storageClasses = sopClass == null ? COMMON_STORAGE : Set.of(sopClass);
            bounded(
                    "C-GET of an instance for " + route,
                    () -> {
                        // a tight set of storage SOP classes: the instance's own (the full set
                        // needs more than the 128 presentation contexts an association may have)
                        new GetSOPClassSCU(
                                settings.host(),
                                settings.port(),
                                settings.calledAeTitle(),
                                settings.callingAeTitle(),
                                SOPClass.StudyRootQueryRetrieveInformationModelGet,
                                identifier,
                                new IdentifierHandler(),
                                incoming.toFile(),
                                StoredFilePathStrategy.BYSOPINSTANCEUIDINSINGLEFOLDER,
                                handler,
                                storageClasses,
                                true,
                                true,
                                true);
                        return null;
                    });
        }
        return awaitArrival(locator.sop());
    }

    private static final Pattern MOVE_FAILURE =
            Pattern.compile("failure status 0x([0-9a-fA-F]{1,4})");

    /** A C-MOVE the PACS answered with a failure status (PS3.4 C.4.2.1.5). */
    private DimseRefusedException moveRefused(int status) {
        return new DimseRefusedException(
                "the PACS answered the C-MOVE with status "
                        + String.format("%04X", status)
                        + (status == 0xA801
                                ? " (move destination unknown: the PACS must know "
                                        + settings.callingAeTitle()
                                        + " at this host, port "
                                        + settings.scpPort()
                                        + ")"
                                : ""));
    }

    /** The file the SCP (C-MOVE) or the C-GET association received for the instance. */
    private byte[] awaitArrival(String sop) {
        Instant deadline = Instant.now().plus(ARRIVAL);
        try {
            while (Instant.now().isBefore(deadline)) {
                Path file = received.poll(200, TimeUnit.MILLISECONDS);
                if (file == null) {
                    continue;
                }
                AttributeList list = new AttributeList();
                try {
                    list.read(file.toFile(), TagFromName.PixelData);
                } catch (DicomException e) {
                    Files.deleteIfExists(file);
                    continue;
                }
                if (sop.equals(text(list, TagFromName.SOPInstanceUID))) {
                    byte[] bytes = Files.readAllBytes(file);
                    Files.deleteIfExists(file);
                    return bytes;
                }
                // a late arrival of an earlier, abandoned retrieve: not this one
                Files.deleteIfExists(file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new UncheckedIOException(
                new IOException("the PACS reported success but the instance did not arrive"));
    }

    /**
     * A C-FIND in the Study Root model (PS3.4 C.6.2.1) on the bounded pool, with the endpoint's
     * retries: the identifiers the PACS answered.
     */
    public List<AttributeList> query(String what, AttributeList query) {
        return find(what, query);
    }

    /**
     * C-STORE of one Part 10 file (PS3.4 B.2.3) on its own association, on the bounded pool with
     * the endpoint's retries, as the bridge's AE title.
     *
     * @throws DimseRefusedException when the PACS answered with a failure status (the instance was
     *     not stored) or rejected the association
     */
    public void store(String what, Path part10) {
        bounded(
                what,
                () -> {
                    SetOfDicomFiles files = new SetOfDicomFiles();
                    files.add(part10.toFile());
                    int[] outcome = new int[3]; // completed, failed, warning
                    StorageSOPClassSCU scu =
                            new StorageSOPClassSCU(
                                    settings.host(),
                                    settings.port(),
                                    settings.calledAeTitle(),
                                    settings.callingAeTitle(),
                                    files,
                                    0,
                                    new MultipleInstanceTransferStatusHandler() {
                                        @Override
                                        public void updateStatus(
                                                int remaining,
                                                int completed,
                                                int failed,
                                                int warning,
                                                String sopInstanceUid) {
                                            outcome[0] = completed;
                                            outcome[1] = failed;
                                            outcome[2] = warning;
                                        }
                                    });
                    if (outcome[0] + outcome[2] == 1 && outcome[1] == 0) {
                        return null;
                    }
                    if (scu.encounteredTrappedExceptions() && outcome[1] == 0) {
                        // no C-STORE response at all: the network or the association failed
                        throw new IOException(
                                "the C-STORE to "
                                        + name()
                                        + " did not complete (no association or no answer)");
                    }
                    throw new DimseRefusedException(
                            "the PACS "
                                    + name()
                                    + " answered the C-STORE with a failure status (is "
                                    + settings.callingAeTitle()
                                    + " allowed to store, and the SOP class accepted?)");
                });
    }

    private List<AttributeList> find(String what, AttributeList query) {
        return bounded(
                what,
                () -> {
                    List<AttributeList> answers = new ArrayList<>();
                    new FindSOPClassSCU(
                            settings.host(),
                            settings.port(),
                            settings.calledAeTitle(),
                            settings.callingAeTitle(),
                            SOPClass.StudyRootQueryRetrieveInformationModelFind,
                            query,
                            new IdentifierHandler() {
                                @Override
                                public void doSomethingWithIdentifier(AttributeList identifier) {
                                    answers.add(identifier);
                                }
                            });
                    return answers;
                });
    }

    /**
     * A DIMSE call on the bounded pool, abandoned after the time-out, with the endpoint's retries.
     */
    private <T> T bounded(String what, Callable<T> call) {
        return endpoint.call(
                what,
                null,
                () -> {
                    Future<T> future;
                    try {
                        future = pool.submit(call);
                    } catch (RejectedExecutionException e) {
                        throw new IOException(
                                "every DIMSE connection is busy (pool of " + settings.pool() + ")");
                    }
                    try {
                        return future.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        future.cancel(true);
                        throw new IOException(what + " took longer than " + settings.timeout());
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        if (cause instanceof DimseRefusedException refused) {
                            throw refused;
                        }
                        if (cause instanceof DicomNetworkException network
                                && String.valueOf(network.getMessage())
                                        .toLowerCase(java.util.Locale.ROOT)
                                        .contains("reject")) {
                            throw new DimseRefusedException(
                                    "the PACS rejected the association (is "
                                            + settings.callingAeTitle()
                                            + " allowed to call "
                                            + settings.calledAeTitle()
                                            + "?): "
                                            + network.getMessage());
                        }
                        if (cause instanceof IOException io) {
                            throw io;
                        }
                        throw new IOException(
                                what + " failed: " + cause.getClass().getSimpleName(), cause);
                    }
                });
    }

    private static void put(AttributeList list, Attribute attribute, String value) {
        try {
            if (value != null) {
                attribute.addValue(value);
            }
        } catch (DicomException e) {
            throw new IllegalArgumentException("cannot set " + attribute.getTag(), e);
        }
        list.put(attribute);
    }

    private static String text(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    @Override
    public void close() {
        if (scp != null) {
            scp.shutdown();
            // the dispatcher notices the shutdown between two accept() time-outs; the port is
            // free once its thread has ended (a restarted bridge binds it again)
            try {
                scpThread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdownNow();
    }
}

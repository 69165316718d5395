package org.quorum.dicom.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-your-writes for the ImagingStudy mirror: a FHIR request that can show an ImagingStudy (or
 * the Patient the mirror creates) first waits until the {@link ImagingStudyMirrorQueue} has caught
 * up with the studies stored so far, on this node and, through the index, on the others. Requests
 * of other types never wait. The wait is bounded: after {@link #LIMIT} the request is answered with
 * the mirror as it is (the rebuild still happens).
 */
public final class ImagingStudyMirrorBarrier {

    static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Set<String> MIRRORED_TYPES = Set.of("ImagingStudy", "Patient");
    private static final Logger LOG = LoggerFactory.getLogger(ImagingStudyMirrorBarrier.class);

    private final ImagingStudyMirrorQueue queue;

    public ImagingStudyMirrorBarrier(ImagingStudyMirrorQueue queue) {
        this.queue = queue;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void awaitMirror(RequestDetails request) throws InterruptedException {
        if (!mayShowMirror(request)) {
            return;
        }
        if (!queue.awaitCaughtUp(true, LIMIT)) {
            LOG.warn("ImagingStudy mirror still behind after {} s; answering", LIMIT.toSeconds());
        }
    }

    /**
     * Whether the request may read an ImagingStudy or Patient: their types, system-level requests
     * (transaction, batch, history, whole-system search) and requests naming ImagingStudy in the
     * path or query (chains, {@code _include}, {@code _revinclude}).
     */
    static boolean mayShowMirror(RequestDetails request) {
        String type = request.getResourceName();
        if (type == null || MIRRORED_TYPES.contains(type)) {
            return true;
        }
        String path = request.getCompleteUrl();
        return path != null && path.contains("ImagingStudy");
    }
}

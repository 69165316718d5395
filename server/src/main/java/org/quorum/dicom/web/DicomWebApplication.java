package org.quorum.dicom.web;

import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.quorum.dicom.store.DicomStore;
import org.quorum.security.AccessPolicy;
import org.quorum.security.CaseAssignments;

/** The DICOMweb JAX-RS application, as a servlet for {@code /dicomweb/*}. */
public final class DicomWebApplication {

    /** Where the servlet is mounted; the BearerAuthHandler guards this prefix. */
    public static final String PATH = "/dicomweb";

    private DicomWebApplication() {}

    public static ServletContainer servlet(
            DicomStore store,
            AccessPolicy policy,
            CaseAssignments assignments,
            int maxStowMegabytes) {
        ResourceConfig config =
                new ResourceConfig()
                        .register(
                                new DicomWebResource(
                                        store,
                                        new DicomWebAccess(policy, assignments, store),
                                        (long) maxStowMegabytes << 20))
                        .register(AcceptHeaderFilter.class)
                        .register(DicomWebExceptionMapper.class);
        config.setApplicationName("quorum-dicomweb");
        return new ServletContainer(config);
    }
}

package org.quorum.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import org.hl7.fhir.r4.model.AuditEvent;
import org.quorum.platform.Platform;

/** The audit capability: one IHE BALP AuditEvent per request, FHIR requests recorded by hooks. */
public final class AuditInstaller {

    private AuditInstaller() {}

    /**
     * @param identities who made a FHIR request (the security capability knows)
     */
    public static AuditService install(Platform platform, RequestIdentity.Resolver identities) {
        @SuppressWarnings("unchecked")
        IFhirResourceDao<AuditEvent> dao = platform.daos().getResourceDao(AuditEvent.class);
        AuditService audit =
                new AuditService(
                        dao,
                        platform.fhir(),
                        new AuditEventMapper("Quorum", platform.settings().http().host()),
                        new AuditOutbox(platform.dataSource()),
                        platform.transactions(),
                        platform.entityManagerFactory(),
                        platform.metrics().registry(),
                        platform.clock());
        platform.onClose(audit);
        platform.fhirServer()
                .registerInterceptor(new FhirAuditInterceptor(audit, identities, platform.clock()));
        return audit;
    }
}

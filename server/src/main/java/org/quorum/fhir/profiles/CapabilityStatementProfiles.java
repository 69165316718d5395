package org.quorum.fhir.profiles;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.quorum.profiles.QuorumProfiles;

/**
 * Lists Quorum's resource profiles under {@code rest.resource.supportedProfile} of the
 * CapabilityStatement ({@code GET /fhir/metadata}), as FHIR R4 §3.1.0.4 expects of a server that
 * validates against them.
 */
@Interceptor
public final class CapabilityStatementProfiles {

    private final String version;

    public CapabilityStatementProfiles(String version) {
        this.version = version;
    }

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void addProfiles(IBaseConformance generated) {
        if (!(generated instanceof CapabilityStatement statement)) {
            return;
        }
        statement.getSoftware().setName("Quorum").setVersion(version);
        statement.getImplementation().setDescription("Quorum clinical AI label server");
        // HAPI's response highlighter advertises html/json, html/xml and html/turtle: not media
        // types, while R4 binds CapabilityStatement.format to MimeType (BCP 13, required). A
        // browser still gets the highlighted page by asking for text/html.
        statement
                .getFormat()
                .removeIf(f -> f.getValue() != null && f.getValue().startsWith("html/"));
        for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
            for (CapabilityStatement.CapabilityStatementRestResourceComponent resource :
                    rest.getResource()) {
                QuorumProfiles.RESOURCE_PROFILES.stream()
                        .filter(p -> p.resourceType().equals(resource.getType()))
                        .filter(
                                p ->
                                        resource.getSupportedProfile().stream()
                                                .map(CanonicalType::getValue)
                                                .noneMatch(p.url()::equals))
                        .forEach(p -> resource.addSupportedProfile(p.url()));
            }
        }
    }
}

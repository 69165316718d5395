package org.quorum.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.io.ByteArrayInputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Refuses (400) an XML body whose root element is not in the FHIR namespace: HAPI's XML parser
 * ignores namespaces, so {@code <Observation xmlns="urn:other">} would be stored as an Observation.
 * Reads only up to the root element, with DTDs and external entities off; anything else wrong with
 * the XML is left to HAPI's parser.
 *
 * @see <a href="https://hl7.org/fhir/R4/xml.html">FHIR R4 §2.7 XML: elements are in the namespace
 *     http://hl7.org/fhir</a>
 */
@Interceptor
public final class XmlNamespaceCheck {

    static final String FHIR_NAMESPACE = "http://hl7.org/fhir";

    private final XMLInputFactory factory;

    public XmlNamespaceCheck() {
        factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = 110)
    public void check(RequestDetails request) {
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || EncodingEnum.forContentType(contentType) != EncodingEnum.XML) {
            return;
        }
        byte[] body = request.loadRequestContents();
        if (body == null || body.length == 0) {
            return;
        }
        String namespace;
        try {
            XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(body));
            try {
                while (reader.hasNext() && reader.next() != XMLStreamReader.START_ELEMENT) {
                    // prolog, comments
                }
                if (!reader.isStartElement()) {
                    return;
                }
                namespace = reader.getNamespaceURI();
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            return; // not well-formed: HAPI's parser answers with the position
        }
        if (!FHIR_NAMESPACE.equals(namespace)) {
            throw new InvalidRequestException(
                    "The XML root element is not in the FHIR namespace: FHIR resources in XML use"
                            + " xmlns=\""
                            + FHIR_NAMESPACE
                            + "\" (FHIR R4 §2.7)");
        }
    }
}

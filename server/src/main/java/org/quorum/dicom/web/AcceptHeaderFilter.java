package org.quorum.dicom.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quotes Accept parameter values that contain a "/" ({@code type=application/dicom}): DICOMweb
 * clients send them unquoted, which Jersey's strict header parser rejects before any resource runs.
 * The resource then reads the header with {@link MediaRange}.
 */
@PreMatching
final class AcceptHeaderFilter implements ContainerRequestFilter {

    private static final Pattern UNQUOTED =
            Pattern.compile("(;\\s*[A-Za-z-]+\\s*=\\s*)([^\";,\\s]*/[^\";,\\s]*)");

    @Override
    public void filter(ContainerRequestContext request) {
        List<String> accept = request.getHeaders().get(HttpHeaders.ACCEPT);
        if (accept == null) {
            return;
        }
        request.getHeaders()
                .put(
                        HttpHeaders.ACCEPT,
                        accept.stream()
                                .map(
                                        value ->
                                                UNQUOTED.matcher(value)
                                                        .replaceAll(
                                                                m ->
                                                                        m.group(1)
                                                                                + "\""
                                                                                + Matcher
                                                                                        .quoteReplacement(
                                                                                                m
                                                                                                        .group(
                                                                                                                2))
                                                                                + "\""))
                                .toList());
    }
}

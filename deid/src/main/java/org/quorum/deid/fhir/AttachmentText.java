package org.quorum.deid.fhir;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.BitSet;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quorum.deid.text.DeidentifiedText;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.TextDeidentifier;

/**
 * Attachment content that can be de-identified in place: plain text, HTML and XHTML (text between
 * tags; attributes, comments, scripts and styles removed, since they can hold anything) and RTF
 * (text between control words). Anything else cannot be scrubbed here and is removed by the caller.
 */
final class AttachmentText {

    /** A content type this class can scrub. */
    enum Kind {
        PLAIN,
        HTML,
        RTF
    }

    private static final Pattern HTML_DROPPED =
            Pattern.compile(
                    "(?is)<!--.*?-->|<script\\b.*?</script\\s*>|<style\\b.*?</style\\s*>|<![^>]*>|<\\?[^>]*\\?>");
    private static final Pattern HTML_TAG =
            Pattern.compile("<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>");
    private static final Pattern RTF_MARKUP =
            Pattern.compile("\\\\[A-Za-z]+-?\\d* ?|\\\\'[0-9A-Fa-f]{2}|\\\\[^A-Za-z]|[{}]");

    private AttachmentText() {}

    /** The kind for a MIME content type, if it is one this class can scrub. */
    static Optional<Kind> kindOf(String contentType) {
        String type = mediaType(contentType);
        return switch (type) {
            case "text/plain", "text/markdown", "text/csv" -> Optional.of(Kind.PLAIN);
            case "text/html", "application/xhtml+xml" -> Optional.of(Kind.HTML);
            case "text/rtf", "application/rtf" -> Optional.of(Kind.RTF);
            default -> Optional.empty();
        };
    }

    /** The charset a content type names, UTF-8 when it names none or one Java does not know. */
    static Charset charsetOf(String contentType) {
        Matcher m =
                Pattern.compile("(?i)charset=\"?([^\";\\s]+)")
                        .matcher(contentType == null ? "" : contentType);
        if (m.find()) {
            try {
                return Charset.forName(m.group(1));
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                return StandardCharsets.UTF_8;
            }
        }
        return StandardCharsets.UTF_8;
    }

    static DeidentifiedText scrub(
            Kind kind, String content, KnownPhi known, TextDeidentifier text) {
        return switch (kind) {
            case PLAIN -> text.deidentify(content, known);
            case HTML -> {
                String cleaned = cleanHtml(content);
                yield text.deidentifyMarkedUp(cleaned, known, markup(cleaned, HTML_TAG));
            }
            case RTF -> text.deidentifyMarkedUp(content, known, markup(content, RTF_MARKUP));
        };
    }

    // Tags keep their names only: attribute values (title, alt, href, data-*) hold any text.
    private static String cleanHtml(String html) {
        String dropped = HTML_DROPPED.matcher(html).replaceAll("");
        Matcher m = HTML_TAG.matcher(dropped);
        StringBuilder out = new StringBuilder(dropped.length());
        while (m.find()) {
            m.appendReplacement(
                    out,
                    Matcher.quoteReplacement("<" + m.group(1) + m.group(2) + m.group(3) + ">"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static BitSet markup(String content, Pattern pattern) {
        BitSet markup = new BitSet(content.length());
        Matcher m = pattern.matcher(content);
        while (m.find()) {
            markup.set(m.start(), m.end());
        }
        return markup;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType)
                .strip()
                .toLowerCase(Locale.ROOT);
    }
}

package org.quorum.quality.fhir;

import java.util.List;
import java.util.Locale;

/**
 * A small builder of the XHTML subset FHIR narratives allow (FHIR R4 §2.4.0: no scripts, forms,
 * styles from outside or event attributes): headings, paragraphs and tables, every text escaped.
 */
public final class Xhtml {

    private final StringBuilder html = new StringBuilder();

    public Xhtml() {
        html.append("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
    }

    public Xhtml heading(String text) {
        html.append("<h3>").append(escape(text)).append("</h3>");
        return this;
    }

    public Xhtml paragraph(String text) {
        html.append("<p>").append(escape(text)).append("</p>");
        return this;
    }

    public Xhtml table(List<String> header, List<List<String>> rows) {
        html.append("<table class=\"grid\"><thead><tr>");
        header.forEach(h -> html.append("<th>").append(escape(h)).append("</th>"));
        html.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            html.append("<tr>");
            row.forEach(cell -> html.append("<td>").append(escape(cell)).append("</td>"));
            html.append("</tr>");
        }
        html.append("</tbody></table>");
        return this;
    }

    public String build() {
        return html + "</div>";
    }

    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A number with three decimals, or "undefined". */
    public static String number(double value) {
        return Double.isNaN(value) ? "undefined" : String.format(Locale.ROOT, "%.3f", value);
    }

    /** A share as a percentage with one decimal. */
    public static String percent(double share) {
        return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%.1f %%", share * 100);
    }
}

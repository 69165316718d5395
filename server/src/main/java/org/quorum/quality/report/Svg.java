package org.quorum.quality.report;

import java.util.Locale;

/** A minimal SVG writer: every attribute value and text is escaped. */
final class Svg {

    private final StringBuilder svg = new StringBuilder();

    Svg(int width, int height, String id, String title, String description) {
        svg.append(
                        String.format(
                                Locale.ROOT,
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
                                        + " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
                                        + " aria-labelledby=\"%s-title %s-desc\">",
                                width,
                                height,
                                width,
                                height,
                                escape(id),
                                escape(id)))
                .append("<title id=\"")
                .append(escape(id))
                .append("-title\">")
                .append(escape(title))
                .append("</title><desc id=\"")
                .append(escape(id))
                .append("-desc\">")
                .append(escape(description))
                .append("</desc>");
    }

    Svg text(double x, double y, String anchor, String attributes, String content) {
        svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>",
                                x,
                                y,
                                anchor,
                                attributes))
                .append(escape(content))
                .append("</text>");
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String attributes) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>",
                        x1,
                        y1,
                        x2,
                        y2,
                        attributes));
        return this;
    }

    Svg rect(double x, double y, double width, double height, String attributes) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" %s/>",
                        x,
                        y,
                        Math.max(0, width),
                        height,
                        attributes));
        return this;
    }

    Svg circle(double cx, double cy, double r, String attributes) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" %s/>",
                        cx,
                        cy,
                        r,
                        attributes));
        return this;
    }

    String build() {
        return svg + "</svg>";
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}

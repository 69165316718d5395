package org.quorum.dicom.render;

import java.util.Locale;
import java.util.Optional;

/**
 * How to render an image (PS3.18 §8.3.5.1, "Rendered Media Types" and the query parameters of
 * rendered resources): the media type, an optional VOI window, an optional viewport, JPEG quality.
 *
 * @param mediaType {@code image/jpeg} (the default of PS3.18 §8.3.5.1.1) or {@code image/png}
 * @param window the window to apply instead of the instance's own VOI
 * @param viewport the size to render to and the part of the image to render
 * @param quality JPEG quality 1-100 (PS3.18 §8.3.5.1.3.3)
 */
public record RenderOptions(
        String mediaType, Optional<Window> window, Optional<Viewport> viewport, int quality) {

    /**
     * {@code window=center,width,function} (PS3.18 §8.3.5.1.3.4; function as in PS3.3 C.11.2.1.3).
     */
    public record Window(double center, double width, Function function) {
        public enum Function {
            LINEAR,
            LINEAR_EXACT,
            SIGMOID;

            static Function parse(String value) {
                return switch (value.toLowerCase(Locale.ROOT)) {
                    case "linear" -> LINEAR;
                    case "linear-exact" -> LINEAR_EXACT;
                    case "sigmoid" -> SIGMOID;
                    default ->
                            throw new IllegalArgumentException(
                                    "window function must be linear, linear-exact or sigmoid");
                };
            }
        }
    }

    /**
     * {@code viewport=vw,vh[,sx,sy,sw,sh]} (PS3.18 §8.3.5.1.3.2): render the source region (sx, sy,
     * sw, sh; the whole image by default; negative sw/sh flip) into at most vw × vh pixels, keeping
     * the aspect ratio.
     */
    public record Viewport(
            int width,
            int height,
            Optional<Integer> sx,
            Optional<Integer> sy,
            Optional<Integer> sw,
            Optional<Integer> sh) {}

    public static final String JPEG = "image/jpeg";
    public static final String PNG = "image/png";

    /**
     * Parses the query parameters of a rendered resource.
     *
     * @throws IllegalArgumentException naming the parameter and what is allowed
     */
    public static RenderOptions parse(
            String mediaType, String window, String viewport, String quality) {
        return new RenderOptions(
                mediaType, parseWindow(window), parseViewport(viewport), parseQuality(quality));
    }

    private static Optional<Window> parseWindow(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String[] parts = value.split(",");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException(
                    "window must be center,width[,function], e.g. window=40,400,linear");
        }
        double center;
        double width;
        try {
            center = Double.parseDouble(parts[0].trim());
            width = Double.parseDouble(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("window center and width must be numbers");
        }
        if (!Double.isFinite(center) || !Double.isFinite(width) || width < 1) {
            throw new IllegalArgumentException("window width must be at least 1");
        }
        Window.Function function =
                parts.length == 3 ? Window.Function.parse(parts[2].trim()) : Window.Function.LINEAR;
        return Optional.of(new Window(center, width, function));
    }

    private static Optional<Viewport> parseViewport(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String[] parts = value.split(",", -1);
        if (parts.length != 2 && parts.length != 6) {
            throw new IllegalArgumentException("viewport must be vw,vh or vw,vh,sx,sy,sw,sh");
        }
        try {
            int vw = Integer.parseInt(parts[0].trim());
            int vh = Integer.parseInt(parts[1].trim());
            if (vw < 1 || vh < 1 || vw > 8192 || vh > 8192) {
                throw new IllegalArgumentException("viewport vw and vh must be 1 to 8192");
            }
            if (parts.length == 2) {
                return Optional.of(
                        new Viewport(
                                vw,
                                vh,
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty()));
            }
            return Optional.of(
                    new Viewport(
                            vw,
                            vh,
                            optionalInt(parts[2]),
                            optionalInt(parts[3]),
                            optionalInt(parts[4]),
                            optionalInt(parts[5])));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("viewport values must be integers");
        }
    }

    private static Optional<Integer> optionalInt(String value) {
        return value.isBlank() ? Optional.empty() : Optional.of(Integer.parseInt(value.trim()));
    }

    private static int parseQuality(String value) {
        if (value == null || value.isBlank()) {
            return 90;
        }
        try {
            int quality = Integer.parseInt(value.trim());
            if (quality < 1 || quality > 100) {
                throw new IllegalArgumentException("quality must be 1 to 100");
            }
            return quality;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("quality must be an integer 1 to 100");
        }
    }
}

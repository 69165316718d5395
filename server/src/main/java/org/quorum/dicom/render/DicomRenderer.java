package org.quorum.dicom.render;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Renders a frame of a DICOM image for display (PS3.18 §8.3.5.1 rendered resources): grayscale
 * through the Modality LUT (rescale slope and intercept) and a VOI window (the one asked for, else
 * the instance's first window, else the frame's value range) with the linear, linear-exact or
 * sigmoid function of PS3.3 C.11.2.1.2, MONOCHROME1 inverted; colour images as they are. The
 * viewport scales and crops; JPEG or PNG out.
 */
public final class DicomRenderer {

    /** Renders frame {@code frame} (1-based) of {@code dataset}. */
    public byte[] render(AttributeList dataset, int frame, RenderOptions options)
            throws RenderException {
        SourceImage source;
        try {
            source = new SourceImage(dataset);
        } catch (DicomException e) {
            throw new RenderException("the instance has no image PixelMed can decode", e);
        }
        if (!source.isImage()) {
            throw new RenderException("the instance is not an image", null);
        }
        int frames = source.getNumberOfBufferedImages();
        if (frame < 1 || frame > frames) {
            throw new RenderException(
                    "frame " + frame + " does not exist (the instance has " + frames + ")", null);
        }
        BufferedImage raw = source.getBufferedImage(frame - 1);
        BufferedImage display =
                raw.getColorModel().getNumComponents() >= 3
                        ? toRgb(raw)
                        : grayscale(raw, dataset, options);
        display = applyViewport(display, options);
        return encode(display, options);
    }

    private static BufferedImage grayscale(
            BufferedImage raw, AttributeList dataset, RenderOptions options) {
        double slope = number(dataset, TagFromName.RescaleSlope, 1);
        double intercept = number(dataset, TagFromName.RescaleIntercept, 0);
        Raster raster = raw.getRaster();
        int width = raw.getWidth();
        int height = raw.getHeight();
        double[] values = new double[width * height];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double value = raster.getSampleDouble(x, y, 0) * slope + intercept;
                values[y * width + x] = value;
                min = Math.min(min, value);
                max = Math.max(max, value);
            }
        }
        RenderOptions.Window window =
                options.window()
                        .orElseGet(
                                () -> {
                                    double center =
                                            number(dataset, TagFromName.WindowCenter, Double.NaN);
                                    double widthOf =
                                            number(dataset, TagFromName.WindowWidth, Double.NaN);
                                    return widthOf >= 1 && Double.isFinite(center)
                                            ? new RenderOptions.Window(
                                                    center,
                                                    widthOf,
                                                    RenderOptions.Window.Function.LINEAR)
                                            : null;
                                });
        boolean invert =
                "MONOCHROME1"
                        .equals(
                                Attribute.getSingleStringValueOrEmptyString(
                                        dataset, TagFromName.PhotometricInterpretation));
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] pixels = ((java.awt.image.DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < values.length; i++) {
            double shade =
                    window != null
                            ? voi(values[i], window)
                            : max > min ? (values[i] - min) / (max - min) : 0;
            int level = (int) Math.round(Math.max(0, Math.min(1, shade)) * 255);
            pixels[i] = (byte) (invert ? 255 - level : level);
        }
        return out;
    }

    /** PS3.3 C.11.2.1.2: the VOI LUT functions, as a shade 0..1. */
    static double voi(double x, RenderOptions.Window window) {
        double c = window.center();
        double w = window.width();
        return switch (window.function()) {
            case LINEAR -> {
                if (x <= c - 0.5 - (w - 1) / 2) {
                    yield 0;
                } else if (x > c - 0.5 + (w - 1) / 2) {
                    yield 1;
                }
                yield (x - (c - 0.5)) / (w - 1) + 0.5;
            }
            case LINEAR_EXACT -> {
                if (x <= c - w / 2) {
                    yield 0;
                } else if (x > c + w / 2) {
                    yield 1;
                }
                yield (x - c) / w + 0.5;
            }
            case SIGMOID -> 1 / (1 + Math.exp(-4 * (x - c) / w));
        };
    }

    private static BufferedImage toRgb(BufferedImage raw) {
        BufferedImage out =
                new BufferedImage(raw.getWidth(), raw.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(raw, 0, 0, null);
        g.dispose();
        return out;
    }

    private static BufferedImage applyViewport(BufferedImage image, RenderOptions options) {
        if (options.viewport().isEmpty()) {
            return image;
        }
        RenderOptions.Viewport viewport = options.viewport().get();
        int sx = viewport.sx().orElse(0);
        int sy = viewport.sy().orElse(0);
        int sw = viewport.sw().orElse(image.getWidth() - sx);
        int sh = viewport.sh().orElse(image.getHeight() - sy);
        int x0 = Math.min(sx, sx + sw);
        int y0 = Math.min(sy, sy + sh);
        int regionW = Math.abs(sw);
        int regionH = Math.abs(sh);
        if (regionW == 0
                || regionH == 0
                || x0 < 0
                || y0 < 0
                || x0 + regionW > image.getWidth()
                || y0 + regionH > image.getHeight()) {
            throw new IllegalArgumentException("viewport's source region is outside the image");
        }
        double scale =
                Math.min(viewport.width() / (double) regionW, viewport.height() / (double) regionH);
        int outW = Math.max(1, (int) Math.round(regionW * scale));
        int outH = Math.max(1, (int) Math.round(regionH * scale));
        BufferedImage out = new BufferedImage(outW, outH, image.getType());
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        // Negative source width or height flips (PS3.18 §8.3.5.1.3.2).
        int dx1 = sw < 0 ? outW : 0;
        int dx2 = sw < 0 ? 0 : outW;
        int dy1 = sh < 0 ? outH : 0;
        int dy2 = sh < 0 ? 0 : outH;
        g.drawImage(image, dx1, dy1, dx2, dy2, x0, y0, x0 + regionW, y0 + regionH, null);
        g.dispose();
        return out;
    }

    private static byte[] encode(BufferedImage image, RenderOptions options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (RenderOptions.PNG.equals(options.mediaType())) {
                ImageIO.write(image, "png", out);
                return out.toByteArray();
            }
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
            ImageWriter writer = writers.next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(options.quality() / 100f);
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the rendered image", e);
        }
    }

    private static double number(
            AttributeList dataset, com.pixelmed.dicom.AttributeTag tag, double fallback) {
        Attribute attribute = dataset.get(tag);
        if (attribute == null || attribute.getVM() == 0) {
            return fallback;
        }
        try {
            return attribute.getDoubleValues()[0];
        } catch (DicomException e) {
            return fallback;
        }
    }

    /** The image cannot be rendered (not an image, undecodable, no such frame). */
    public static final class RenderException extends Exception {
        RenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package org.quorum.dicom.sr;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A region on one frame of one source image, in image pixel coordinates (column, row pairs, PS3.3
 * C.18.6.1.1: the top-left corner of the top-left pixel is 0,0).
 *
 * @param frame the 1-based frame number, or {@code null} when the label names none
 * @param coordinates column/row pairs, flattened
 */
public record ImageRegion(
        String sopInstanceUid, Integer frame, GraphicType graphicType, List<Float> coordinates) {

    public ImageRegion {
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(graphicType, "graphicType");
        coordinates = List.copyOf(coordinates);
        if (frame != null && frame < 1) {
            throw SrException.unmappable("frame numbers start at 1");
        }
        if (coordinates.isEmpty() || coordinates.size() % 2 != 0) {
            throw SrException.unmappable(
                    "image region coordinates must be column/row pairs (an even count)");
        }
        int points = coordinates.size() / 2;
        // PS3.3 C.18.6.1.2: the number of points each graphic type takes.
        boolean fits =
                switch (graphicType) {
                    case POINT -> points == 1;
                    case MULTIPOINT -> points >= 1;
                    case POLYLINE -> points >= 2;
                    case POLYGON -> points >= 3;
                    case CIRCLE -> points == 2;
                    case ELLIPSE -> points == 4;
                };
        if (!fits) {
            throw SrException.unmappable(
                    "a "
                            + graphicType
                            + " cannot have "
                            + points
                            + " point(s): POINT takes 1, CIRCLE 2 (centre, perimeter point),"
                            + " ELLIPSE 4 (major then minor axis end points), POLYLINE at least 2,"
                            + " POLYGON at least 3");
        }
    }

    /** Parses whitespace-separated decimal numbers ("120.5 88 140 88"). */
    public static List<Float> parseCoordinates(String text) {
        List<Float> values = new ArrayList<>();
        for (String token : text.strip().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            try {
                float value = Float.parseFloat(token);
                if (!Float.isFinite(value)) {
                    throw new NumberFormatException();
                }
                values.add(value);
            } catch (NumberFormatException e) {
                throw SrException.unmappable(
                        "image region coordinates must be decimal numbers, found '" + token + "'");
            }
        }
        return values;
    }

    /** A closed polyline (first point equals last, at least 3 distinct points): an area. */
    public boolean isClosedPolyline() {
        int n = coordinates.size();
        return graphicType == GraphicType.POLYLINE
                && n >= 8
                && coordinates.get(0).equals(coordinates.get(n - 2))
                && coordinates.get(1).equals(coordinates.get(n - 1));
    }

    /** A planar area (TID 1410 Planar ROI): closed polyline, polygon, circle or ellipse. */
    public boolean isArea() {
        return isClosedPolyline()
                || graphicType == GraphicType.POLYGON
                || graphicType == GraphicType.CIRCLE
                || graphicType == GraphicType.ELLIPSE;
    }

    /**
     * The DICOM Graphic Type and Graphic Data: a POLYGON becomes a POLYLINE whose last point
     * repeats the first (PS3.3 C.18.6.1.2: "a closed polygon").
     */
    public String dicomGraphicType() {
        return graphicType == GraphicType.POLYGON ? "POLYLINE" : graphicType.name();
    }

    public float[] dicomGraphicData() {
        List<Float> data = new ArrayList<>(coordinates);
        if (graphicType == GraphicType.POLYGON) {
            int n = data.size();
            boolean closed =
                    data.get(0).equals(data.get(n - 2)) && data.get(1).equals(data.get(n - 1));
            if (!closed) {
                data.add(data.get(0));
                data.add(data.get(1));
            }
        }
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i);
        }
        return out;
    }
}

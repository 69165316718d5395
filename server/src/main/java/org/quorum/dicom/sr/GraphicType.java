package org.quorum.dicom.sr;

/**
 * The shape of an image region. The first five are the SCOORD graphic types of PS3.3 C.18.6.1.2;
 * {@link #POLYGON} is not a DICOM SCOORD type (it exists only for SCOORD3D) and is written as a
 * closed POLYLINE, which is how PS3.3 spells a polygon in two dimensions.
 */
public enum GraphicType {
    POINT,
    MULTIPOINT,
    POLYLINE,
    POLYGON,
    CIRCLE,
    ELLIPSE;

    /** Parses a graphic type code (case-insensitive); a clear error for anything else. */
    public static GraphicType parse(String code) {
        for (GraphicType type : values()) {
            if (type.name().equalsIgnoreCase(code.strip())) {
                return type;
            }
        }
        throw SrException.unmappable(
                "graphic type '"
                        + code
                        + "' is not one of POINT, MULTIPOINT, POLYLINE, POLYGON, CIRCLE, ELLIPSE");
    }
}

package org.quorum.deid.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether an instance's pixels may carry text that header de-identification cannot reach:
 * such instances are quarantined for a person (or a pixel scrubber) to look at, not passed on.
 *
 * <p>Rules, in order (the first that applies wins):
 *
 * <ol>
 *   <li>an encapsulated document (PDF, CDA, STL...) is quarantined: its content is not a header;
 *   <li>Burned In Annotation (0028,0301) {@code YES} → quarantined;
 *   <li>Recognizable Visual Features (0028,0302) {@code YES} → quarantined (a face is an identifier
 *       under 45 CFR 164.514(b)(2)(i)(Q));
 *   <li>an instance without pixel data (SR, RWVM, annotations...) passes;
 *   <li>Burned In Annotation {@code NO} → passes: the creator vouches for the pixels;
 *   <li>otherwise (the attribute is absent or empty) the instance is quarantined if it is
 *       ultrasound (Modality {@code US} or an ultrasound SOP class), any Secondary Capture SOP
 *       class, a conversion (Conversion Type (0008,0064) present: {@code WSD} screen capture,
 *       {@code SYN} synthetic, {@code DV}, {@code DI}, {@code DF}, {@code SD}), or has Image Type
 *       {@code SECONDARY} or {@code SCREEN SAVE}. These are the kinds of image that, in practice
 *       (CTP's and pydicom/deid's burned-in filters), carry patient names, dates and institution
 *       names drawn into the pixels.
 * </ol>
 *
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part03/sect_C.7.6.html#sect_C.7.6.1.1.7">PS3.3
 *     C.7.6.1.1.7 Burned In Annotation</a>
 */
public final class BurnedInTextScreen {

    private static final Set<String> ULTRASOUND_CLASSES =
            Set.of(
                    SOPClass.UltrasoundImageStorage,
                    SOPClass.UltrasoundImageStorageRetired,
                    SOPClass.UltrasoundMultiframeImageStorage,
                    SOPClass.UltrasoundMultiframeImageStorageRetired);

    private static final AttributeTag[] PIXEL_TAGS = {
        TagFromName.PixelData, TagFromName.FloatPixelData, TagFromName.DoubleFloatPixelData
    };

    /**
     * Why the instance must be quarantined, or empty if its pixels may pass.
     *
     * @return a reason that names the rule and the attribute values it read (never patient data)
     */
    public Optional<String> quarantineReason(AttributeList list) {
        return quarantineReason(list, false);
    }

    /**
     * As {@link #quarantineReason(AttributeList)}, for a header read up to the Pixel Data.
     *
     * @param pixelDataFollows the file has Pixel Data after the header that was read
     */
    public Optional<String> quarantineReason(AttributeList list, boolean pixelDataFollows) {
        String sopClass = text(list, TagFromName.SOPClassUID);
        if (SOPClass.isEncapsulatedDocument(sopClass)
                || list.get(TagFromName.EncapsulatedDocument) != null) {
            return Optional.of("encapsulated document: its content is not de-identified");
        }
        String burnedIn = text(list, TagFromName.BurnedInAnnotation).toUpperCase(Locale.ROOT);
        if (burnedIn.equals("YES")) {
            return Optional.of("BurnedInAnnotation is YES");
        }
        if (text(list, TagFromName.RecognizableVisualFeatures)
                .toUpperCase(Locale.ROOT)
                .equals("YES")) {
            return Optional.of("RecognizableVisualFeatures is YES");
        }
        if (!pixelDataFollows
                && Arrays.stream(PIXEL_TAGS).noneMatch(tag -> list.get(tag) != null)) {
            return Optional.empty();
        }
        if (burnedIn.equals("NO")) {
            return Optional.empty();
        }
        String unlessNo = " and BurnedInAnnotation is not NO";
        String modality = text(list, TagFromName.Modality).toUpperCase(Locale.ROOT);
        if (modality.equals("US") || ULTRASOUND_CLASSES.contains(sopClass)) {
            return Optional.of("ultrasound" + unlessNo);
        }
        if (SOPClass.isSecondaryCaptureImageStorage(sopClass)) {
            return Optional.of("Secondary Capture SOP class" + unlessNo);
        }
        String conversion = text(list, TagFromName.ConversionType).toUpperCase(Locale.ROOT);
        if (!conversion.isEmpty()) {
            return Optional.of("ConversionType " + safeCode(conversion) + unlessNo);
        }
        Attribute imageType = list.get(TagFromName.ImageType);
        if (imageType != null) {
            for (String value : values(imageType)) {
                String upper = value.strip().toUpperCase(Locale.ROOT);
                if (upper.equals("SECONDARY") || upper.equals("SCREEN SAVE")) {
                    return Optional.of("ImageType " + upper + unlessNo);
                }
            }
        }
        return Optional.empty();
    }

    // A CS value is at most 16 characters of [A-Z0-9 _]; anything else is not echoed.
    private static String safeCode(String code) {
        return code.matches("[A-Z0-9 _]{1,16}") ? code : "(non-standard)";
    }

    private static String text(AttributeList list, AttributeTag tag) {
        Attribute attribute = list.get(tag);
        return attribute == null ? "" : attribute.getSingleStringValueOrEmptyString().strip();
    }

    private static String[] values(Attribute attribute) {
        try {
            String[] values = attribute.getStringValues();
            return values == null ? new String[0] : values;
        } catch (com.pixelmed.dicom.DicomException e) {
            return new String[0];
        }
    }
}

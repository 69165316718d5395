package org.quorum.dicom.sr;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.quorum.deid.text.eval.TestData;

/** The shared DICOM test images, and writing datasets as Part 10 files. */
final class SourceImages {

    /** {@code testdata/dicom}. */
    static final Path ROOT = TestData.resolve("dicom");

    /** pydicom CT_small.dcm: the image the profile examples point at. */
    static final Path CT = ROOT.resolve("pydicom/CT_small.dcm");

    static final String CT_SOP = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
    static final Path DX = ROOT.resolve("highdicom/dx_image.dcm");
    static final Path MR = ROOT.resolve("pydicom/MR_small.dcm");

    private SourceImages() {}

    static AttributeList read(Path file) {
        try {
            AttributeList list = new AttributeList();
            list.read(file.toFile());
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DicomException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** Writes the dataset as a Part 10 file (explicit VR little endian). */
    static Path write(AttributeList dataset, Path file) {
        try {
            AttributeList copy = new AttributeList();
            copy.putAll(dataset);
            copy.removeGroupLengthAttributes();
            FileMetaInformation.addFileMetaInformation(
                    copy, TransferSyntax.ExplicitVRLittleEndian, "QUORUM");
            copy.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DicomException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }
}

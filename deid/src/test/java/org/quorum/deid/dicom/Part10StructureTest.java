package org.quorum.deid.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.text.eval.TestData;

class Part10StructureTest {

    @Test
    void every_dicom_file_of_the_test_data_is_whole() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(TestData.require())) {
            files =
                    walk.filter(Files::isRegularFile)
                            .filter(
                                    f -> {
                                        try {
                                            return DicomFolderDeidentifier.isPart10(f);
                                        } catch (IOException e) {
                                            return false;
                                        }
                                    })
                            .toList();
        }
        assertThat(files).hasSizeGreaterThan(20);
        for (Path file : files) {
            assertThat(Part10Structure.problem(file)).as(file.toString()).isEmpty();
        }
    }

    @Test
    void a_cut_off_file_and_a_length_past_the_end_are_found(@TempDir Path dir) throws IOException {
        byte[] image = Files.readAllBytes(TestData.resolve("dicom/pydicom/CT_small.dcm"));
        for (int cut : new int[] {600, image.length / 2, image.length - 1}) {
            Path truncated = dir.resolve("cut-" + cut + ".dcm");
            Files.write(truncated, Arrays.copyOf(image, cut));
            assertThat(Part10Structure.problem(truncated)).as("cut at " + cut).isPresent();
        }
        byte[] badLength = image.clone();
        // The first element after the file meta information (its end from the group length
        // (0002,0000), explicit VR little endian: 12 bytes of header, 4 of value).
        int groupLength =
                (image[140] & 0xff)
                        | (image[141] & 0xff) << 8
                        | (image[142] & 0xff) << 16
                        | (image[143] & 0xff) << 24;
        int at = 144 + groupLength;
        assertThat(badLength[at]).as("group 0008 comes next").isEqualTo((byte) 0x08);
        // Implicit or explicit VR: either way these bytes are part of the length field.
        badLength[at + 6] = (byte) 0xFF;
        badLength[at + 7] = (byte) 0xFF;
        Path bad = dir.resolve("bad-length.dcm");
        Files.write(bad, badLength);
        assertThat(Part10Structure.problem(bad)).isPresent();
    }
}

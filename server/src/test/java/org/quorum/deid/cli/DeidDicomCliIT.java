package org.quorum.deid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.eval.TestData;
import org.quorum.testing.ServerProcess;

/** {@code quorum deid dicom} as the packaged jar runs it, on the shared highdicom samples. */
class DeidDicomCliIT {

    @TempDir Path dir;

    @Test
    void the_packaged_cli_deidentifies_a_folder_and_prints_the_summary() throws Exception {
        Path out = dir.resolve("out");

        String output =
                ServerProcess.cli(
                        Map.of(DeidKeyService.SECRET_ENV, "it-secret-0123456789abcdef"),
                        "deid",
                        "dicom",
                        "--in",
                        TestData.require().resolve("dicom/highdicom").toString(),
                        "--out",
                        out.toString(),
                        "--policy",
                        "date-shift");

        assertThat(ServerProcess.lastLine(output))
                .startsWith(
                        "DICOM de-identification (date-shift): 10 file(s) in, 7 de-identified,"
                                + " 0 quarantined, 3 skipped, 0 failed in ");
        AttributeList sr = new AttributeList();
        sr.read(out.resolve("sr_document.dcm").toFile());
        assertThat(sr.get(TagFromName.PatientIdentityRemoved).getSingleStringValueOrEmptyString())
                .isEqualTo("YES");
        assertThat(out.resolve("README.md")).doesNotExist();
        assertThat(Files.exists(out.resolve("quarantine"))).isFalse();
    }
}

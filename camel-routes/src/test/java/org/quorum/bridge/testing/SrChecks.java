package org.quorum.bridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The validators an SR written back must pass: dicom3tools' dciodvfy and dcmtk's dsrdump. */
public final class SrChecks {

    private SrChecks() {}

    /**
     * dciodvfy exits 0 and reports no error; dsrdump exits 0 and shows the TID 1500 title.
     *
     * @return dsrdump's output
     */
    public static String assertConformant(Path file) throws IOException, InterruptedException {
        String verified = run("dciodvfy", file);
        assertThat(verified).as(verified).doesNotContain("Error");
        String dumped = run("dsrdump", file);
        assertThat(dumped).contains("Imaging Measurement Report");
        return dumped;
    }

    private static String run(String tool, Path file) throws IOException, InterruptedException {
        Process process =
                new ProcessBuilder(tool, file.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).as(tool + " finished").isTrue();
        assertThat(process.exitValue()).as(tool + " exit status\n" + output).isZero();
        return output;
    }
}

package org.quorum.testing;

import com.pixelmed.validate.DicomSRValidator;

/**
 * Runs PixelMed's DicomSRValidator on several files in one JVM: its {@code main} takes one file,
 * and loading its template XSLT takes most of the ~30 s a run costs. Started by {@link
 * DicomValidators#pixelmedSr} as a child JVM (the XPath limits are JVM-wide system properties).
 * Prints {@code === <file>} before each file's report.
 */
public final class PixelmedSrValidation {

    private PixelmedSrValidation() {}

    public static void main(String[] files) throws Exception {
        DicomSRValidator validator = new DicomSRValidator();
        for (String file : files) {
            System.out.println("=== " + file);
            System.out.print(validator.validate(file));
            System.out.println();
        }
    }
}

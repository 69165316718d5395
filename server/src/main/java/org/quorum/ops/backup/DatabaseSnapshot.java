package org.quorum.ops.backup;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an H2 database file holds, read with plain JDBC (no server): the counts a backup records and
 * a restore compares, and the DICOM files its index names.
 */
record DatabaseSnapshot(Map<String, Long> fhirResources, List<DicomFile> dicomFiles) {

    /** A stored DICOM file as the index names it. */
    record DicomFile(String path, long size, String sha256) {}

    /** Reads the embedded database at {@code base} (e.g. {@code <data>/db/quorum}). */
    static DatabaseSnapshot read(java.nio.file.Path base) throws SQLException {
        try (Connection connection =
                DriverManager.getConnection("jdbc:h2:file:" + base + ";IFEXISTS=TRUE", "sa", "")) {
            return read(connection);
        }
    }

    static DatabaseSnapshot read(Connection connection) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        List<DicomFile> files = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            try (ResultSet rows =
                    statement.executeQuery(
                            "SELECT RES_TYPE, COUNT(*) FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS"
                                    + " NULL GROUP BY RES_TYPE")) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
            try (ResultSet rows =
                    statement.executeQuery(
                            "SELECT FILE_PATH, FILE_SIZE, SHA256 FROM QRM_DICOM_INSTANCE ORDER BY"
                                    + " FILE_PATH")) {
                while (rows.next()) {
                    files.add(new DicomFile(rows.getString(1), rows.getLong(2), rows.getString(3)));
                }
            }
        }
        return new DatabaseSnapshot(counts, files);
    }
}

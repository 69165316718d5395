package org.quorum.bridge.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A PACS read over DICOMweb: QIDO-RS to find, WADO-RS to fetch (PS3.18 §10.4, §10.6). */
public final class DicomWebSource implements PacsSource {

    // PS3.5 §9.1: digits and dots, at most 64 characters; anything else never reaches a URL
    private static final Pattern UID = Pattern.compile("[0-9.]{1,64}");
    private static final String STUDY_UID = "0020000D";
    private static final String SERIES_UID = "0020000E";
    private static final String SOP_UID = "00080018";
    private static final String STUDY_INSTANCES = "00201208";

    private final DicomWebPeer pacs;
    private final int pageSize;
    private final String route;

    public DicomWebSource(DicomWebPeer pacs, int pageSize, String route) {
        this.pacs = pacs;
        this.pageSize = pageSize;
        this.route = route;
    }

    @Override
    public String name() {
        return pacs.root().toString();
    }

    @Override
    public List<Study> findStudies(String window, String modality, String accession) {
        List<Study> found = new ArrayList<>();
        for (int offset = 0; ; offset += pageSize) {
            String query =
                    "/studies?StudyDate="
                            + window
                            + (modality.isEmpty() ? "" : "&ModalitiesInStudy=" + modality)
                            + (accession.isEmpty()
                                    ? ""
                                    : "&AccessionNumber="
                                            + java.net.URLEncoder.encode(
                                                    accession,
                                                    java.nio.charset.StandardCharsets.UTF_8))
                            + "&includefield="
                            + STUDY_INSTANCES
                            + "&limit="
                            + pageSize
                            + "&offset="
                            + offset;
            JsonNode page = pacs.search("study search of " + route, query);
            for (JsonNode study : page) {
                String uid = DicomWebPeer.text(study, STUDY_UID);
                if (UID.matcher(uid).matches()) {
                    found.add(new Study(uid, DicomWebPeer.integer(study, STUDY_INSTANCES)));
                }
            }
            if (page.size() < pageSize) {
                return found;
            }
        }
    }

    @Override
    public List<Locator> instancesOf(String study) {
        List<Locator> found = new ArrayList<>();
        for (int offset = 0; ; offset += pageSize) {
            JsonNode page =
                    pacs.search(
                            "instance search of " + route,
                            "/studies/"
                                    + study
                                    + "/instances?limit="
                                    + pageSize
                                    + "&offset="
                                    + offset);
            for (JsonNode instance : page) {
                String series = DicomWebPeer.text(instance, SERIES_UID);
                String sop = DicomWebPeer.text(instance, SOP_UID);
                if (UID.matcher(series).matches() && UID.matcher(sop).matches()) {
                    found.add(new Locator(study, series, sop));
                }
            }
            if (page.size() < pageSize) {
                return found;
            }
        }
    }

    @Override
    public byte[] retrieve(Locator locator) {
        return pacs.retrieveInstance(
                "retrieve of an instance for " + route,
                locator.study(),
                locator.series(),
                locator.sop());
    }
}

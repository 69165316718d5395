package org.quorum.dicom.sr;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.StructuredReport;
import java.util.ArrayList;
import java.util.List;

/** Reads an SR's content tree back for assertions. */
final class SrTree {

    private final ContentItem root;

    SrTree(AttributeList dataset) {
        try {
            this.root = (ContentItem) new StructuredReport(dataset).getRoot();
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
    }

    ContentItem root() {
        return root;
    }

    /** Every content item (depth first) whose concept name has this code value. */
    List<ContentItem> all(String conceptCodeValue) {
        List<ContentItem> found = new ArrayList<>();
        collect(root, conceptCodeValue, found);
        return found;
    }

    ContentItem one(String conceptCodeValue) {
        List<ContentItem> found = all(conceptCodeValue);
        if (found.size() != 1) {
            throw new AssertionError(
                    found.size() + " content items with concept " + conceptCodeValue);
        }
        return found.get(0);
    }

    /** Every IMAGE item (also those without a concept name). */
    List<ContentItem> images() {
        List<ContentItem> found = new ArrayList<>();
        collectImages(root, found);
        return found;
    }

    static List<ContentItem> children(ContentItem item) {
        List<ContentItem> children = new ArrayList<>();
        for (int i = 0; i < item.getChildCount(); i++) {
            children.add((ContentItem) item.getChildAt(i));
        }
        return children;
    }

    private static void collect(ContentItem item, String code, List<ContentItem> found) {
        if (code.equals(item.getConceptNameCodeValue())) {
            found.add(item);
        }
        for (ContentItem child : children(item)) {
            collect(child, code, found);
        }
    }

    private static void collectImages(ContentItem item, List<ContentItem> found) {
        if ("IMAGE".equals(item.getValueType())) {
            found.add(item);
        }
        for (ContentItem child : children(item)) {
            collectImages(child, found);
        }
    }
}

package org.quorum.workflow.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.quorum.labels.Label;

/**
 * Whether annotators agree on a case. Each annotator gives a set of labels (findings); two sets
 * agree when their labels can be paired one to one so that each pair is the same finding: the same
 * code of the same schema and, when the labels mark a text span or an image region, overlapping
 * with an intersection over union at or above the threshold (default 0.5). Spans: character
 * intervals. Regions: same SOP instance and frame, and the IoU of their bounding boxes (a circle's
 * box from its centre and radius; points widened by {@value #POINT_MARGIN} pixels each way). A
 * label with a span or region and one without are different findings. All annotators agree when
 * every pair of them agrees.
 */
public final class Consensus {

    /** Pixels a point is widened by on each side to compare it with an IoU. */
    public static final double POINT_MARGIN = 5;

    private Consensus() {}

    /** Whether every annotator's label set agrees with every other's. */
    public static boolean agree(List<List<Label>> perAnnotator, double threshold) {
        for (int a = 0; a < perAnnotator.size(); a++) {
            for (int b = a + 1; b < perAnnotator.size(); b++) {
                if (!sameFindings(perAnnotator.get(a), perAnnotator.get(b), threshold)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the two label sets pair up one to one into the same findings. */
    public static boolean sameFindings(List<Label> first, List<Label> second, double threshold) {
        if (first.size() != second.size()) {
            return false;
        }
        int n = first.size();
        boolean[][] matches = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                matches[i][j] = sameFinding(first.get(i), second.get(j), threshold);
            }
        }
        int[] pairedWith = new int[n];
        Arrays.fill(pairedWith, -1);
        for (int i = 0; i < n; i++) {
            if (!augment(i, matches, pairedWith, new boolean[n])) {
                return false;
            }
        }
        return true;
    }

    /** Kuhn's augmenting path for bipartite matching. */
    private static boolean augment(int i, boolean[][] matches, int[] pairedWith, boolean[] seen) {
        for (int j = 0; j < matches.length; j++) {
            if (matches[i][j] && !seen[j]) {
                seen[j] = true;
                if (pairedWith[j] < 0 || augment(pairedWith[j], matches, pairedWith, seen)) {
                    pairedWith[j] = i;
                    return true;
                }
            }
        }
        return false;
    }

    /** Same code, and overlapping span or region when they have one. */
    public static boolean sameFinding(Label a, Label b, double threshold) {
        if (!Objects.equals(a.code().system(), b.code().system())
                || !Objects.equals(a.code().code(), b.code().code())) {
            return false;
        }
        if (a.span().isPresent() != b.span().isPresent()
                || a.region().isPresent() != b.region().isPresent()) {
            return false;
        }
        if (a.span().isPresent() && spanIou(a.span().get(), b.span().get()) < threshold) {
            return false;
        }
        return a.region().isEmpty() || regionIou(a.region().get(), b.region().get()) >= threshold;
    }

    /** Intersection over union of two character intervals (1 for two identical empty spans). */
    public static double spanIou(Label.Span a, Label.Span b) {
        int intersection = Math.max(0, Math.min(a.end(), b.end()) - Math.max(a.start(), b.start()));
        int union = a.length() + b.length() - intersection;
        if (union == 0) {
            return a.start() == b.start() ? 1 : 0;
        }
        return intersection / (double) union;
    }

    /** Intersection over union of the regions' bounding boxes; 0 on different images or frames. */
    public static double regionIou(Label.Region a, Label.Region b) {
        if (!a.sopInstanceUid().equals(b.sopInstanceUid()) || a.frame() != b.frame()) {
            return 0;
        }
        double[] boxA = box(a);
        double[] boxB = box(b);
        if (boxA == null || boxB == null) {
            return 0;
        }
        double width = Math.min(boxA[2], boxB[2]) - Math.max(boxA[0], boxB[0]);
        double height = Math.min(boxA[3], boxB[3]) - Math.max(boxA[1], boxB[1]);
        double intersection = Math.max(0, width) * Math.max(0, height);
        double union = area(boxA) + area(boxB) - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    /** minX, minY, maxX, maxY; null without coordinates. */
    static double[] box(Label.Region region) {
        List<Double> c = region.coordinates();
        if (c.size() < 2) {
            return null;
        }
        if ("CIRCLE".equals(region.graphicType()) && c.size() >= 4) {
            double radius = Math.hypot(c.get(2) - c.get(0), c.get(3) - c.get(1));
            return new double[] {
                c.get(0) - radius, c.get(1) - radius, c.get(0) + radius, c.get(1) + radius
            };
        }
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i + 1 < c.size(); i += 2) {
            xs.add(c.get(i));
            ys.add(c.get(i + 1));
        }
        double[] box = {
            xs.stream().min(Double::compare).orElseThrow(),
            ys.stream().min(Double::compare).orElseThrow(),
            xs.stream().max(Double::compare).orElseThrow(),
            ys.stream().max(Double::compare).orElseThrow()
        };
        if ("POINT".equals(region.graphicType()) || "MULTIPOINT".equals(region.graphicType())) {
            box[0] -= POINT_MARGIN;
            box[1] -= POINT_MARGIN;
            box[2] += POINT_MARGIN;
            box[3] += POINT_MARGIN;
        }
        return box;
    }

    private static double area(double[] box) {
        return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
    }
}

package org.quorum.workflow.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quorum.labels.Label;
import org.quorum.labels.LabelCode;

class ConsensusTest {

    private static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/test";

    private static Label label(String code, Label.Span span, Label.Region region) {
        return new Label(
                "Observation/" + code,
                "ResearchStudy/1",
                "preliminary",
                new LabelCode(SCHEMA, "1.0.0", code, null),
                "Patient/1",
                List.of("DocumentReference/1"),
                Optional.of("PractitionerRole/1"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                Instant.EPOCH,
                "human",
                Optional.empty(),
                Optional.ofNullable(span),
                Optional.ofNullable(region));
    }

    private static Label.Region box(double x0, double y0, double x1, double y1) {
        return new Label.Region(
                "1.2.3", 1, "POLYLINE", List.of(x0, y0, x1, y0, x1, y1, x0, y1, x0, y0));
    }

    @Test
    void the_same_code_without_shapes_agrees_and_a_different_code_does_not() {
        assertThat(
                        Consensus.agree(
                                List.of(
                                        List.of(label("effusion", null, null)),
                                        List.of(label("effusion", null, null))),
                                0.5))
                .isTrue();
        assertThat(
                        Consensus.agree(
                                List.of(
                                        List.of(label("effusion", null, null)),
                                        List.of(label("normal", null, null))),
                                0.5))
                .isFalse();
    }

    @Test
    void spans_agree_at_an_intersection_over_union_of_one_half() {
        // [0,10) and [5,15): intersection 5, union 15 -> 1/3; [0,10) and [2,12): 8/12 = 2/3.
        assertThat(Consensus.spanIou(new Label.Span(0, 10), new Label.Span(5, 15)))
                .isCloseTo(1.0 / 3, within(1e-12));
        assertThat(Consensus.spanIou(new Label.Span(0, 10), new Label.Span(2, 12)))
                .isCloseTo(2.0 / 3, within(1e-12));
        assertThat(
                        Consensus.sameFinding(
                                label("a", new Label.Span(0, 10), null),
                                label("a", new Label.Span(2, 12), null),
                                0.5))
                .isTrue();
        assertThat(
                        Consensus.sameFinding(
                                label("a", new Label.Span(0, 10), null),
                                label("a", new Label.Span(5, 15), null),
                                0.5))
                .isFalse();
        assertThat(
                        Consensus.sameFinding(
                                label("a", new Label.Span(0, 10), null),
                                label("a", null, null),
                                0.5))
                .isFalse();
    }

    @Test
    void regions_agree_by_the_iou_of_their_boxes_on_the_same_image() {
        // 10x10 boxes offset by 2: intersection 8x10 = 80, union 120 -> 2/3.
        assertThat(Consensus.regionIou(box(0, 0, 10, 10), box(2, 0, 12, 10)))
                .isCloseTo(2.0 / 3, within(1e-12));
        // Offset by 6: 4x10 = 40 / 160 = 0.25.
        assertThat(Consensus.regionIou(box(0, 0, 10, 10), box(6, 0, 16, 10)))
                .isCloseTo(0.25, within(1e-12));
        Label.Region otherImage =
                new Label.Region("1.2.4", 1, "POLYLINE", box(0, 0, 10, 10).coordinates());
        assertThat(Consensus.regionIou(box(0, 0, 10, 10), otherImage)).isZero();
        // A circle: centre (10,10), radius 5 -> box [5,15]x[5,15], the same as the polyline box.
        Label.Region circle =
                new Label.Region("1.2.3", 1, "CIRCLE", List.of(10.0, 10.0, 15.0, 10.0));
        assertThat(Consensus.regionIou(circle, box(5, 5, 15, 15))).isCloseTo(1, within(1e-12));
    }

    @Test
    void label_sets_must_pair_up_one_to_one_in_any_order() {
        Label a = label("a", null, null);
        Label b = label("b", null, null);
        assertThat(Consensus.sameFindings(List.of(a, b), List.of(b, a), 0.5)).isTrue();
        assertThat(Consensus.sameFindings(List.of(a, b), List.of(a, a), 0.5)).isFalse();
        assertThat(Consensus.sameFindings(List.of(a), List.of(a, b), 0.5)).isFalse();
    }

    @Test
    void three_annotators_agree_only_when_every_pair_does() {
        List<Label> x = List.of(label("a", null, null));
        List<Label> y = List.of(label("b", null, null));
        assertThat(Consensus.agree(List.of(x, x, x), 0.5)).isTrue();
        assertThat(Consensus.agree(List.of(x, x, y), 0.5)).isFalse();
    }
}

package org.quorum.workflow.skills;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quorum.workflow.Stage;

class MemberTest {

    private static final String RADIOLOGY = "http://example.org/board|radiology";
    private static final String LICENCE = "http://example.org/licence|md";

    private static Member member(Set<String> projectRoles, Qualification... qualifications) {
        return new Member(
                "PractitionerRole/1",
                Optional.of("Practitioner/1"),
                projectRoles,
                true,
                Optional.empty(),
                Optional.empty(),
                List.of(qualifications),
                Set.of("http://snomed.info/sct|394914008"));
    }

    private static Qualification qualification(String code, String start, String end) {
        return new Qualification(
                code,
                code,
                Optional.of("Organization/board"),
                LocalDate.parse(start),
                Optional.ofNullable(end).map(LocalDate::parse));
    }

    @Test
    void a_qualification_counts_from_its_first_to_its_last_day() {
        Member member = member(Set.of(), qualification(RADIOLOGY, "2020-01-01", "2024-12-31"));

        assertThat(
                        member.eligibility(
                                        Stage.ANNOTATE,
                                        Set.of(RADIOLOGY),
                                        LocalDate.parse("2024-12-31"))
                                .qualified())
                .isTrue();
        Member.Eligibility expired =
                member.eligibility(
                        Stage.ANNOTATE, Set.of(RADIOLOGY), LocalDate.parse("2025-01-01"));
        assertThat(expired.qualified()).isFalse();
        assertThat(expired.expired()).containsExactly(RADIOLOGY);
        assertThat(expired.reason()).contains("not valid today");
        assertThat(
                        member.eligibility(
                                        Stage.ANNOTATE,
                                        Set.of(RADIOLOGY),
                                        LocalDate.parse("2019-12-31"))
                                .qualified())
                .isFalse();
    }

    @Test
    void a_missing_qualification_is_named_and_specialties_count_as_held() {
        Member member = member(Set.of(), qualification(LICENCE, "2020-01-01", null));
        LocalDate day = LocalDate.parse("2025-06-01");

        Member.Eligibility missing = member.eligibility(Stage.ANNOTATE, Set.of(RADIOLOGY), day);
        assertThat(missing.missing()).containsExactly(RADIOLOGY);
        assertThat(missing.reason()).contains("missing qualification " + RADIOLOGY);
        assertThat(
                        member.eligibility(
                                        Stage.ANNOTATE,
                                        Set.of("http://snomed.info/sct|394914008"),
                                        day)
                                .qualified())
                .isTrue();
        assertThat(member.eligibility(Stage.ANNOTATE, Set.of(), day).qualified()).isTrue();
    }

    @Test
    void the_project_role_limits_the_stages() {
        Member reviewer = member(Set.of("reviewer"), qualification(LICENCE, "2020-01-01", null));
        LocalDate day = LocalDate.parse("2025-06-01");

        assertThat(reviewer.works(Stage.REVIEW)).isTrue();
        assertThat(reviewer.works(Stage.RE_EVALUATE)).isTrue();
        assertThat(reviewer.works(Stage.ANNOTATE)).isFalse();
        assertThat(reviewer.eligibility(Stage.ANNOTATE, Set.of(), day).qualified()).isFalse();
        assertThat(member(Set.of()).works(Stage.ADJUDICATE)).isTrue();
    }
}

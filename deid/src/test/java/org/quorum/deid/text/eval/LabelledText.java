package org.quorum.deid.text.eval;

import java.util.List;
import org.quorum.deid.text.KnownPhi;

/** An evaluation text, its gold PHI spans and the known-PHI context a caller would have for it. */
public record LabelledText(String id, String text, List<GoldSpan> gold, KnownPhi context) {}

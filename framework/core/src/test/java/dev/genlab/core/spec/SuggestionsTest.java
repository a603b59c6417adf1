package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    @Test
    void distanceCountsTranspositionsAsOneEdit() {
        assertEquals(1, Suggestions.distance("stpes", "steps"));
        assertEquals(1, Suggestions.distance("lrr", "lr"));
        assertEquals(2, Suggestions.distance("hinj", "hinge"));
        assertEquals(3, Suggestions.distance("", "abc"));
        assertEquals(0, Suggestions.distance("same", "same"));
    }

    @Test
    void closestKeepsWithinTwoEditsAndOneForShortWords() {
        List<String> keys = List.of("steps", "batch_size", "eval_every", "log_every");
        assertEquals(Optional.of("steps"), Suggestions.closest("stpes", keys));
        assertEquals(Optional.of("batch_size"), Suggestions.closest("batchsize", keys));
        assertEquals(Optional.of("steps"), Suggestions.closest("Steps", keys), "case-insensitive");
        assertEquals(Optional.empty(), Suggestions.closest("epochs", keys));
        assertEquals(Optional.empty(), Suggestions.closest("gan", List.of("vae")), "two edits on a short word");
        assertEquals(Optional.of("gan"), Suggestions.closest("gann", List.of("vae", "gan")));
    }

    @Test
    void hintListsTheCandidates() {
        assertEquals("did you mean 'lr'? parameters: lr, beta", Suggestions.hint("lrr", List.of("lr", "beta"),
                "parameters"));
        assertEquals("parameters: lr, beta", Suggestions.hint("zzz", List.of("lr", "beta"), "parameters"));
        assertEquals("plugins: (none)", Suggestions.hint("gan", List.of(), "plugins"));
    }
}

package dev.genlab.core.spec;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean ...?" suggestions for misspelt keys and names, by Damerau–Levenshtein distance
 * (optimal string alignment: insertions, deletions, substitutions and adjacent transpositions).
 */
public final class Suggestions {

    /** The largest edit distance still offered as a suggestion. */
    public static final int MAX_DISTANCE = 2;

    private Suggestions() {}

    /**
     * @param a one string
     * @param b another
     * @return the optimal-string-alignment distance between them
     */
    public static int distance(String a, String b) {
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[n][m];
    }

    /**
     * @param word what the user wrote
     * @param candidates the valid names
     * @return the closest candidate within {@link #MAX_DISTANCE} (case-insensitive; first wins on ties),
     *     never the word itself; words of up to 3 letters allow one edit only, since two edits turn any
     *     short name into another ({@code gan} into {@code vae})
     */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String w = word.toLowerCase(Locale.ROOT);
        int limit = w.length() <= 3 ? 1 : MAX_DISTANCE;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            if (c.equals(word)) {
                continue;
            }
            int dist = distance(w, c.toLowerCase(Locale.ROOT));
            if (dist <= limit && dist < bestDistance) {
                best = c;
                bestDistance = dist;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * @param word what the user wrote
     * @param candidates the valid names
     * @param label what the candidates are, e.g. {@code known keys under train}
     * @return {@code did you mean 'x'? <label>: a, b, c}, or just the list when nothing is close
     */
    public static String hint(String word, Collection<String> candidates, String label) {
        String list = candidates.isEmpty() ? label + ": (none)" : label + ": " + String.join(", ", candidates);
        return closest(word, candidates).map(c -> "did you mean '" + c + "'? " + list).orElse(list);
    }
}

package dev.genlab.core.report;

import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One colour per paradigm for every chart of a report: the i-th paradigm in the spec's order takes the i-th
 * colour of a fixed list (cycling after {@link #COLORS}' length), so a paradigm looks the same in the table,
 * the trade-off charts, the bars, the curves and its sample panels. Configurations of one paradigm (its
 * swept values) share its colour and differ by marker shape and line dash. Black is kept for real data.
 *
 * @param paradigms the paradigms in spec order
 */
public record Palette(List<String> paradigms) {

    /** The colours, in assignment order: well apart in hue and none near black or grey. */
    static final List<Color> COLORS = List.of(
            new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
            new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(188, 189, 34),
            new Color(23, 190, 207));

    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};
    private static final java.awt.BasicStroke[] LINES = {SeriesLines.SOLID, SeriesLines.DASH_DASH,
        SeriesLines.DOT_DOT, SeriesLines.DASH_DOT};

    /** Copies the list. */
    public Palette {
        paradigms = List.copyOf(paradigms);
    }

    /**
     * @param paradigm a paradigm's name
     * @return its colour (a paradigm not in the list gets the colour after the listed ones')
     */
    public Color color(String paradigm) {
        int i = paradigms.indexOf(paradigm);
        return COLORS.get((i < 0 ? paradigms.size() : i) % COLORS.size());
    }

    /** @return the paradigm's colour as a CSS hex colour, e.g. {@code #1f77b4} */
    public String css(String paradigm) {
        Color c = color(paradigm);
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    /**
     * @param groups the configurations
     * @return per configuration label, its position among its paradigm's configurations (0 for the first)
     */
    static Map<String, Integer> rankInParadigm(List<ConfigGroup> groups) {
        Map<String, Integer> perParadigm = new LinkedHashMap<>();
        Map<String, Integer> out = new LinkedHashMap<>();
        for (ConfigGroup g : groups) {
            int k = perParadigm.merge(g.paradigm(), 1, Integer::sum) - 1;
            out.put(g.config(), k);
        }
        return out;
    }

    /** @return the marker of the k-th configuration of a paradigm */
    static Marker marker(int k) {
        return MARKERS[k % MARKERS.length];
    }

    /** @return the line dash of the k-th configuration of a paradigm */
    static java.awt.BasicStroke line(int k) {
        return LINES[k % LINES.length];
    }
}

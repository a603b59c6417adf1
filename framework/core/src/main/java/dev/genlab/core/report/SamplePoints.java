package dev.genlab.core.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The 2-D points behind a run's sample scatter plot, kept as a small CSV artifact ({@code set,x,y}, one row
 * per point, {@code set} = {@code real} or {@code generated}) so that a report can redraw every run's samples
 * on axes shared by all its panels. At most {@link #MAX_POINTS} points of each set are kept (an even stride
 * over the set, so the same run always keeps the same points); non-finite points are dropped.
 *
 * @param real the real points, {x, y} each
 * @param generated the generated points, {x, y} each
 */
public record SamplePoints(List<double[]> real, List<double[]> generated) {

    /** Points kept per set: enough for a panel a few hundred pixels wide. */
    public static final int MAX_POINTS = 2000;
    private static final String HEADER = "set,x,y";

    /** Copies the lists. */
    public SamplePoints {
        real = List.copyOf(real);
        generated = List.copyOf(generated);
    }

    /**
     * @param variant an evaluation variant, or null for the run's main evaluation
     * @return the artifact's file name, next to {@code samples.png} (or {@code samples_<variant>.png})
     */
    public static String fileName(String variant) {
        return variant == null ? "samples.csv" : "samples_" + variant + ".csv";
    }

    /**
     * Writes the points (the first two columns of each row).
     *
     * @param real reference points, {@code [n][>=2]}
     * @param generated model samples, {@code [m][>=2]}
     * @param csv the file to write
     */
    public static void write(float[][] real, float[][] generated, Path csv) {
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.newLine();
            rows(w, "real", real);
            rows(w, "generated", generated);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + csv, e);
        }
    }

    private static void rows(BufferedWriter w, String set, float[][] points) throws IOException {
        int n = points.length;
        int keep = Math.min(n, MAX_POINTS);
        for (int i = 0; i < keep; i++) {
            float[] p = points[(int) ((long) i * n / keep)];
            if (Float.isFinite(p[0]) && Float.isFinite(p[1])) {
                w.write(set + "," + p[0] + "," + p[1]);
                w.newLine();
            }
        }
    }

    /**
     * @param csv a file written by {@link #write}
     * @return its points
     * @throws UncheckedIOException if it cannot be read or is not such a file
     */
    public static SamplePoints read(Path csv) {
        List<double[]> real = new ArrayList<>();
        List<double[]> generated = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new IOException("not a sample-points file (no '" + HEADER + "' header)");
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).split(",");
                if (f.length != 3) {
                    throw new IOException("line " + (i + 1) + ": expected set,x,y");
                }
                double[] p = {Double.parseDouble(f[1]), Double.parseDouble(f[2])};
                switch (f[0]) {
                    case "real" -> real.add(p);
                    case "generated" -> generated.add(p);
                    default -> throw new IOException("line " + (i + 1) + ": unknown set '" + f[0] + "'");
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException("unreadable sample points " + csv + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        return new SamplePoints(real, generated);
    }
}

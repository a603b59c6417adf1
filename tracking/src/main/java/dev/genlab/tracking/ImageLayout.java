package dev.genlab.tracking;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * MLflow's layout of step-wise images (what its Python client's {@code log_image(key=, step=)} writes and
 * its UI's image grid reads): under the artifact directory {@value #DIR}, a full picture
 * {@code <key>+step+<step>+timestamp+<ms>+<uuid>.png} and a thumbnail of at most {@value #THUMBNAIL} pixels a
 * side named the same plus {@code +compressed}, with {@code /} in the key written as {@code ~}; and the run
 * tag {@value #TAG} set to {@code True}. MLflow's client writes the thumbnail as WebP, which the JDK cannot
 * encode; the UI accepts PNG for either file, so genlab's thumbnail is a PNG.
 */
public final class ImageLayout {

    /** The artifact directory of step-wise images. */
    public static final String DIR = "images";
    /** The run tag MLflow's UI checks before it looks for images. */
    public static final String TAG = "mlflow.loggedImages";
    /** Longest side of the thumbnail, in pixels (MLflow's value). */
    public static final int THUMBNAIL = 256;

    private static final Pattern KEY = Pattern.compile("[a-zA-Z0-9_\\-./ ]+");

    private ImageLayout() {}

    /**
     * The file name (without extension) of one picture of a series.
     *
     * @param key the series
     * @param step the step
     * @param timestampMs when it was logged
     * @param uuid a random id, so two pictures of one step never collide
     * @return e.g. {@code eval~samples+step+300+timestamp+1700000000000+<uuid>}
     */
    public static String baseName(String key, long step, long timestampMs, UUID uuid) {
        checkKey(key);
        if (step < 0) {
            throw new IllegalArgumentException("an image step must not be negative, got " + step);
        }
        return key.replace('/', '~') + "+step+" + step + "+timestamp+" + timestampMs + "+" + uuid;
    }

    static void log(Tracker tracker, String runId, String key, long step, Path png) {
        Objects.requireNonNull(png, "png");
        String base = baseName(key, step, System.currentTimeMillis(), UUID.randomUUID());
        Path dir = null;
        try {
            BufferedImage image = ImageIO.read(png.toFile());
            if (image == null) {
                throw new IllegalArgumentException("not a readable image: " + png);
            }
            dir = Files.createTempDirectory("genlab-image-");
            Path full = dir.resolve(base + ".png");
            Files.copy(png, full, StandardCopyOption.REPLACE_EXISTING);
            Path thumbnail = dir.resolve(base + "+compressed.png");
            ImageIO.write(thumbnail(image), "png", thumbnail.toFile());
            tracker.logArtifact(runId, full, DIR);
            tracker.logArtifact(runId, thumbnail, DIR);
            tracker.setTags(runId, Map.of(TAG, "True"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot log image " + png + " to run " + runId, e);
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    dir.toFile().deleteOnExit();
                }
            }
        }
    }

    /** Scales the longest side to {@link #THUMBNAIL} pixels, keeping the aspect ratio (as MLflow does). */
    static BufferedImage thumbnail(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int tw = w > h ? THUMBNAIL : Math.max(1, (int) (w * ((double) THUMBNAIL / h)));
        int th = w > h ? Math.max(1, (int) (h * ((double) THUMBNAIL / w))) : THUMBNAIL;
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, tw, th, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("an image key is letters, digits, '_', '-', '.', '/' and spaces, got '"
                    + key + "'");
        }
    }
}

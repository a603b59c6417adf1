package dev.genlab.plugin.vae;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import javax.imageio.ImageIO;

/**
 * Renders a latent interpolation as one picture: row r shows the decoded path from the r-th start image
 * to the r-th end image, in {@code cols} equal steps (start and end included), with a one-pixel gap
 * between tiles.
 */
public final class InterpolationGrid {

    private InterpolationGrid() {}

    /**
     * @param pixels {@code rows·cols} images, row-major by path, each C×H×W
     * @param rows paths
     * @param cols steps per path
     * @param channels C (1 = grey, 3 = RGB)
     * @param height H
     * @param width W
     * @param low data value drawn black
     * @param high data value drawn white (full intensity)
     * @return the grid image
     */
    public static BufferedImage image(float[] pixels, int rows, int cols, int channels, int height, int width,
            float low, float high) {
        int per = channels * height * width;
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("an interpolation grid needs 1 or 3 channels, got " + channels);
        }
        if (pixels.length != rows * cols * per) {
            throw new IllegalArgumentException("expected " + rows + "x" + cols + " images of " + per
                    + " values, got " + pixels.length + " values");
        }
        BufferedImage img = new BufferedImage(cols * (width + 1) + 1, rows * (height + 1) + 1,
                BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int base = (r * cols + c) * per;
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int[] rgb = new int[3];
                        for (int k = 0; k < 3; k++) {
                            int ch = channels == 1 ? 0 : k;
                            float v = (pixels[base + ch * height * width + y * width + x] - low) / (high - low);
                            rgb[k] = Math.round(255 * Math.max(0f, Math.min(1f, v)));
                        }
                        img.setRGB(1 + c * (width + 1) + x, 1 + r * (height + 1) + y,
                                (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
                    }
                }
            }
        }
        return img;
    }

    /**
     * Writes {@link #image} as a PNG.
     *
     * @param pixels images as for {@link #image}
     * @param rows paths
     * @param cols steps per path
     * @param channels C
     * @param height H
     * @param width W
     * @param low data value drawn black
     * @param high data value drawn white
     * @param out destination, not closed
     * @throws IOException on write failure
     */
    public static void writePng(float[] pixels, int rows, int cols, int channels, int height, int width, float low,
            float high, OutputStream out) throws IOException {
        if (!ImageIO.write(image(pixels, rows, cols, channels, height, width, low, high), "png", out)) {
            throw new IOException("no PNG writer available");
        }
    }
}

package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the sample files of {@code genlab metrics}, and each way a file can be wrong. */
class SampleFileTest {

    @TempDir
    Path tmp;

    private static final double[] SIX = {0.5, -1.25, 3, 1e-3, -7.5, 2.0 / 3};

    @Test
    void readsFloat32AndFloat64NpyInEitherByteOrder() throws IOException {
        SampleFile f8 = SampleFile.read(NpyFiles.write(tmp.resolve("a.npy"), "<f8", new long[] {3, 2}, SIX));
        assertEquals(3, f8.rows());
        assertEquals(2, f8.dim());
        assertFalse(f8.images());
        assertArrayEquals(SIX, f8.values());
        SampleFile big = SampleFile.read(NpyFiles.write(tmp.resolve("b.npy"), ">f8", new long[] {2, 3}, SIX));
        assertArrayEquals(SIX, big.values());
        assertEquals(3, big.dim());
        SampleFile f4 = SampleFile.read(NpyFiles.write(tmp.resolve("c.NPY"), "<f4", new long[] {6, 1}, SIX));
        for (int i = 0; i < SIX.length; i++) {
            assertEquals((float) SIX[i], f4.values()[i]); // widened exactly
        }
    }

    @Test
    void readsDigitImagesWithOrWithoutTheChannelAxis() throws IOException {
        double[] pixels = new double[2 * 784];
        pixels[783] = 1;
        SampleFile four = SampleFile.read(NpyFiles.write(tmp.resolve("d4.npy"), "<f4", new long[] {2, 1, 28, 28},
                pixels));
        SampleFile three = SampleFile.read(NpyFiles.write(tmp.resolve("d3.npy"), "<f4", new long[] {2, 28, 28},
                pixels));
        for (SampleFile f : new SampleFile[] {four, three}) {
            assertTrue(f.images());
            assertEquals(2, f.rows());
            assertEquals(784, f.dim());
            assertEquals(1.0, f.values()[783]);
        }
    }

    @Test
    void readsCsvWithOrWithoutHeader() throws IOException {
        SampleFile plain = SampleFile.read(csv("plain.csv", "0.5,-1.25\n3,0.001\n\n-7.5, 0.6666666666666666\n"));
        assertEquals(3, plain.rows());
        assertArrayEquals(new double[] {0.5, -1.25, 3, 1e-3, -7.5, 0.6666666666666666}, plain.values());
        SampleFile header = SampleFile.read(csv("header.csv", "\uFEFFx,y\n1e2,-2E-1\n.5,+4\n"));
        assertEquals(2, header.rows());
        assertArrayEquals(new double[] {100, -0.2, 0.5, 4}, header.values());
    }

    @Test
    void nonFiniteValuesNameTheirPlace() throws IOException {
        double[] bad = SIX.clone();
        bad[5] = Double.NaN;
        Path npy = NpyFiles.write(tmp.resolve("nan.npy"), "<f8", new long[] {3, 2}, bad);
        assertMessage(npy, "row 2, column 1 (0-based) is NaN", "finite");
        double[] image = new double[784];
        image[30] = Double.POSITIVE_INFINITY;
        assertMessage(NpyFiles.write(tmp.resolve("inf.npy"), "<f4", new long[] {1, 28, 28}, image),
                "image 0, pixel 30", "finite");
        assertMessage(csv("inf.csv", "a,b\n1,2\n3,-inf\n"), "line 3, column 2 is -inf", "finite");
        assertMessage(csv("nan.csv", "1,2\nNaN,2\n"), "line 2, column 1 is NaN", "finite");
    }

    @Test
    void malformedCsvNamesLineAndColumn() throws IOException {
        assertMessage(csv("ragged.csv", "x,y,z\n1,2,3\n4,5\n"), "line 3 has 2 values, line 2 has 3",
                "same number");
        assertMessage(csv("text.csv", "1,2\n3,abc\n"), "line 2, column 2: 'abc' is not a number", "must be a number");
        assertMessage(csv("empty-field.csv", "1,2\n3,\n"), "line 2, column 2: empty field", "must be a number");
        assertMessage(csv("hex.csv", "1,2\n0x1p3,1\n"), "line 2, column 1: '0x1p3' is not a number", "number");
        assertMessage(csv("header-only.csv", "x,y\n"), "no samples", "one sample per line");
        assertMessage(csv("blank.csv", "\n\n"), "no samples", "one sample per line");
    }

    @Test
    void unsupportedNpyFilesSayHowToWriteThem() throws IOException {
        assertMessage(NpyFiles.write(tmp.resolve("int.npy"), "<i8", new long[] {3, 2}, SIX), "dtype '<i8'",
                "astype('float32')");
        assertMessage(NpyFiles.write(tmp.resolve("half.npy"), "<f2", new long[] {0, 2}, new double[0]),
                "dtype '<f2'", "float32 or float64");
        assertMessage(NpyFiles.write(tmp.resolve("f.npy"), "<f8", true, new long[] {3, 2}, SIX), "Fortran",
                "ascontiguousarray");
        assertMessage(NpyFiles.write(tmp.resolve("cube.npy"), "<f8", new long[] {1, 3, 2}, SIX), "shape (1, 3, 2)",
                "reshape");
        assertMessage(NpyFiles.write(tmp.resolve("rgb.npy"), "<f4", new long[] {1, 3, 28, 28}, new double[3 * 784]),
                "shape (1, 3, 28, 28)", "28");
        assertMessage(NpyFiles.write(tmp.resolve("flat.npy"), "<f8", new long[] {6}, SIX), "shape (6)", "N × D");
        assertMessage(NpyFiles.write(tmp.resolve("none.npy"), "<f8", new long[] {0, 2}, new double[0]),
                "holds no values", "at least 2");
        Path truncated = NpyFiles.write(tmp.resolve("cut.npy"), "<f8", new long[] {3, 2}, SIX);
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 8));
        assertMessage(truncated, "needs 48 bytes of data, the file has 40", "numpy.save");
        Path text = Files.writeString(tmp.resolve("text.npy"), "1,2\n3,4\n");
        assertMessage(text, "not a NumPy .npy file", "numpy.save");
    }

    @Test
    void unknownOrMissingFilesAreNamed() throws IOException {
        assertMessage(Files.writeString(tmp.resolve("x.json"), "[]"), "unknown format", ".npy");
        assertMessage(tmp.resolve("missing.csv"), "no such file");
    }

    private Path csv(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** The message names the file and contains each fragment (place and fix). */
    private static void assertMessage(Path file, String... fragments) {
        SampleFileException e = assertThrows(SampleFileException.class, () -> SampleFile.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ":"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }
}

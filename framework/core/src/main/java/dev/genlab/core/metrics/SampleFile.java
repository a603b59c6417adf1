package dev.genlab.core.metrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of samples read from a file for {@code genlab metrics}: vectors ({@code N × D}) or 28 × 28 grey
 * digit images ({@code N × 1 × 28 × 28} or {@code N × 28 × 28}), in double precision.
 *
 * <p>Formats:
 * <ul>
 *   <li>{@code .npy} (NumPy format 1.0–3.0): little- or big-endian float32 or float64, C order;</li>
 *   <li>{@code .csv}: one sample per line, comma-separated numbers, an optional header line (a first line
 *       with a field that is not a number), blank lines ignored; always vectors.</li>
 * </ul>
 * Every value must be finite. Each problem is a {@link SampleFileException} naming the file, the place
 * (row and column, or CSV line and column) and the fix.
 *
 * @param file where the samples came from
 * @param rows number of samples N
 * @param dim values per sample D (784 for images)
 * @param images true for 28 × 28 digit images, false for vectors
 * @param values {@code N × D} values, row-major (not copied: treat as read-only)
 */
public record SampleFile(Path file, int rows, int dim, boolean images, double[] values) {

    /** Side of the digit images that have a feature space (LeNet, see {@link DigitClassifier}). */
    public static final int DIGIT_SIDE = 28;

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** An unsigned decimal number, lower case (Double.parseDouble also takes hex floats and 'd'/'f'). */
    private static final Pattern DECIMAL = Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?");

    /**
     * @param file a {@code .npy} or {@code .csv} file
     * @return its samples
     * @throws SampleFileException if the file is missing, unreadable or malformed, or holds NaN or
     *     infinite values
     */
    public static SampleFile read(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".npy")) {
                return npy(file);
            }
            if (name.endsWith(".csv")) {
                return csv(file);
            }
        } catch (NoSuchFileException e) {
            throw new SampleFileException(file + ": no such file");
        } catch (IOException e) {
            throw new SampleFileException(file + ": cannot read (" + e.getMessage() + ")");
        }
        throw new SampleFileException(file + ": unknown format; give a .npy file (float32/float64) or a .csv "
                + "file (one sample per line)");
    }

    /** @return a short description, e.g. {@code 300 × 8 vectors} or {@code 500 × 28×28 images} */
    public String describe() {
        return images ? rows + " × 28×28 digit images" : rows + " × " + dim + " vectors";
    }

    /** @return the samples as one feature set (raw values) */
    FeatureSet asFeatureSet() {
        return new FeatureSet(rows, dim, values);
    }

    // ------------------------------------------------------------------------------------------- .npy

    private static SampleFile npy(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), NPY_MAGIC)) {
            throw new SampleFileException(file + ": not a NumPy .npy file (no \\x93NUMPY header); write it "
                    + "with numpy.save");
        }
        int major = bytes[6] & 0xff;
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength;
        int dataStart;
        if (major == 1) {
            headerLength = in.getShort(8) & 0xffff;
            dataStart = 10 + headerLength;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new SampleFileException(file + ": truncated .npy header; write the file again with numpy.save");
            }
            headerLength = in.getInt(8);
            dataStart = 12 + headerLength;
        } else {
            throw new SampleFileException(file + ": .npy format version " + major + " is not supported (1–3 are); "
                    + "write it with numpy.save");
        }
        if (headerLength < 0 || dataStart > bytes.length) {
            throw new SampleFileException(file + ": truncated .npy header; write the file again with numpy.save");
        }
        String header = new String(bytes, dataStart - headerLength, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, file, "descr");
        String fortran = group(FORTRAN, header, file, "fortran_order");
        String shapeText = group(SHAPE, header, file, "shape");

        int width;
        if (descr.length() == 3 && "<>|=".indexOf(descr.charAt(0)) >= 0 && descr.charAt(1) == 'f'
                && (descr.charAt(2) == '4' || descr.charAt(2) == '8')) {
            width = descr.charAt(2) - '0';
        } else {
            throw new SampleFileException(file + ": dtype '" + descr + "' is not supported; save float32 or "
                    + "float64 values (e.g. numpy.save(path, x.astype('float32')))");
        }
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (fortran.equals("True")) {
            throw new SampleFileException(file + ": the array is stored in Fortran (column-major) order; save a "
                    + "C-ordered copy: numpy.save(path, numpy.ascontiguousarray(x))");
        }
        long[] shape = parseShape(shapeText, file);
        String shown = shapeString(shape);
        boolean images;
        int dim;
        if (shape.length == 2) {
            images = false;
            dim = Math.toIntExact(shape[1]);
        } else if ((shape.length == 4 && shape[1] == 1 && shape[2] == DIGIT_SIDE && shape[3] == DIGIT_SIDE)
                || (shape.length == 3 && shape[1] == DIGIT_SIDE && shape[2] == DIGIT_SIDE)) {
            images = true;
            dim = DIGIT_SIDE * DIGIT_SIDE;
        } else {
            throw new SampleFileException(file + ": shape " + shown + " is not supported; give N × D vectors, "
                    + "or N × 1 × 28 × 28 / N × 28 × 28 grey digit images (the only images genlab has a feature "
                    + "space for); flatten other arrays to N × D: x.reshape(len(x), -1)");
        }
        if (shape[0] == 0 || dim == 0) {
            throw new SampleFileException(file + ": shape " + shown + " holds no values; give at least 2 samples");
        }
        long count = shape[0] * dim;
        if (count > Integer.MAX_VALUE) {
            throw new SampleFileException(file + ": shape " + shown + " is too large (more than 2³¹ values)");
        }
        long expected = (long) dataStart + count * width;
        if (bytes.length != expected) {
            throw new SampleFileException(file + ": shape " + shown + " needs " + count * width + " bytes of data, "
                    + "the file has " + (bytes.length - dataStart) + "; the file is truncated or corrupt, write it "
                    + "again with numpy.save");
        }
        int n = Math.toIntExact(shape[0]);
        double[] values = new double[(int) count];
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice().order(order);
        if (width == 4) {
            for (int i = 0; i < values.length; i++) {
                values[i] = data.getFloat(4 * i);
            }
        } else {
            data.asDoubleBuffer().get(values);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                int row = i / dim;
                String where = images ? "image " + row + ", pixel " + i % dim : "row " + row + ", column " + i % dim;
                throw new SampleFileException(file + ": " + where + " (0-based) is " + values[i] + "; every value "
                        + "must be finite: drop or fix the samples with NaN or infinite values");
            }
        }
        return new SampleFile(file, n, dim, images, values);
    }

    private static String group(Pattern p, String header, Path file, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new SampleFileException(file + ": the .npy header has no '" + key + "' entry; write the file with "
                    + "numpy.save");
        }
        return m.group(1);
    }

    private static long[] parseShape(String text, Path file) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                dims.add(Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
            } catch (NumberFormatException e) {
                throw new SampleFileException(file + ": malformed shape (" + text + ") in the .npy header; write "
                        + "the file with numpy.save");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static String shapeString(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(')').toString();
    }

    // ------------------------------------------------------------------------------------------- .csv

    private static SampleFile csv(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        int dim = -1;
        int firstDataLine = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            boolean seenContent = false;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a byte-order mark some spreadsheets write
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",", -1);
                if (!seenContent) {
                    seenContent = true;
                    if (isHeader(fields)) {
                        continue;
                    }
                }
                if (dim < 0) {
                    dim = fields.length;
                    firstDataLine = lineNo;
                } else if (fields.length != dim) {
                    throw new SampleFileException(file + ": line " + lineNo + " has " + fields.length + " values, "
                            + "line " + firstDataLine + " has " + dim + "; every sample needs the same number of "
                            + "comma-separated values");
                }
                double[] row = new double[dim];
                for (int j = 0; j < dim; j++) {
                    row[j] = number(fields[j], file, lineNo, j + 1);
                }
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new SampleFileException(file + ": no samples (empty, or a header only); give one sample per line "
                    + "as comma-separated numbers");
        }
        double[] values = new double[rows.size() * dim];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, values, i * dim, dim);
        }
        return new SampleFile(file, rows.size(), dim, false, values);
    }

    /** A first line is a header when some field is neither a number nor empty. */
    private static boolean isHeader(String[] fields) {
        for (String f : fields) {
            String t = f.trim();
            if (!t.isEmpty() && parse(t) == null) {
                return true;
            }
        }
        return false;
    }

    private static double number(String field, Path file, int line, int column) {
        String t = field.trim();
        Double v = t.isEmpty() ? null : parse(t);
        if (v == null) {
            throw new SampleFileException(file + ": line " + line + ", column " + column + ": "
                    + (t.isEmpty() ? "empty field" : "'" + t + "' is not a number")
                    + "; every field after the optional header line must be a number");
        }
        if (!Double.isFinite(v)) {
            throw new SampleFileException(file + ": line " + line + ", column " + column + " is " + t
                    + "; every value must be finite: drop or fix the samples with NaN or infinite values");
        }
        return v;
    }

    /** @return the value, with NumPy's spellings of NaN and infinity too; null if not a number */
    private static Double parse(String t) {
        String lower = t.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!DECIMAL.matcher(unsigned).matches()) {
            return null;
        }
        return Double.parseDouble(t);
    }
}

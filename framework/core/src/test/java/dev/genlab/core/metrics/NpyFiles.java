package dev.genlab.core.metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes NumPy .npy files (format 1.0) for tests, including malformed ones. */
public final class NpyFiles {

    private NpyFiles() {}

    /**
     * @param file target
     * @param descr dtype, e.g. {@code <f4}, {@code >f8}, {@code <i8}
     * @param shape array shape
     * @param values row-major values, written with the dtype's width and byte order (integers as longs)
     * @return {@code file}
     * @throws IOException on a write error
     */
    public static Path write(Path file, String descr, long[] shape, double[] values) throws IOException {
        return write(file, descr, false, shape, values);
    }

    /**
     * @param file target
     * @param descr dtype
     * @param fortran the header's fortran_order flag (the data are written as given)
     * @param shape array shape
     * @param values values
     * @return {@code file}
     * @throws IOException on a write error
     */
    public static Path write(Path file, String descr, boolean fortran, long[] shape, double[] values)
            throws IOException {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]).append(shape.length == 1 || i + 1 < shape.length ? "," : "");
        }
        s.append(')');
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': "
                + (fortran ? "True" : "False") + ", 'shape': " + s + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        int width = descr.endsWith("4") ? 4 : 8;
        ByteBuffer data = ByteBuffer.allocate(values.length * width)
                .order(descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (descr.contains("f4")) {
                data.putFloat((float) v);
            } else if (descr.contains("f8")) {
                data.putDouble(v);
            } else {
                data.putLong((long) v);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.putShort((short) header.length());
        out.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.put(data.array());
        Files.write(file, out.array());
        return file;
    }
}

package dev.genlab.nn;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * What a {@link Checkpoint} file holds, read without a model: its kind, layout version, tensors and values.
 * For describing a checkpoint, e.g. naming the architecture it was saved with when it does not fit this
 * model (a paradigm can save a description of its layout as a byte tensor and compare it before loading);
 * loading itself is {@link Checkpoint#read}'s.
 *
 * @param kind what the checkpoint holds, e.g. the paradigm's name
 * @param version the kind's layout version
 * @param tensors every tensor by name, in file order
 * @param values every scalar by name, in file order ({@link Long} or {@link Double})
 */
public record CheckpointContents(String kind, int version, Map<String, Tensor> tensors, Map<String, Number> values) {

    private static final int MAX_RANK = 8;

    /**
     * One saved tensor.
     *
     * @param type its data type
     * @param shape its shape
     * @param data its values, little-endian
     */
    public record Tensor(DataType type, Shape shape, byte[] data) {}

    /**
     * @param bytes a whole checkpoint file
     * @return its contents
     * @throws Checkpoint.CheckpointException if the bytes are not a checkpoint of this container format, or damaged
     */
    public static CheckpointContents read(byte[] bytes) throws Checkpoint.CheckpointException {
        return parse(bytes, why -> new Checkpoint.CheckpointException("not a readable checkpoint: " + why));
    }

    /**
     * The one parser of the format, shared with {@link Checkpoint#read}, which words its errors for a model.
     *
     * @param fail turns the reason into the exception to throw
     */
    static CheckpointContents parse(byte[] bytes, Function<String, Checkpoint.CheckpointException> fail)
            throws Checkpoint.CheckpointException {
        if (bytes.length < 16) {
            throw fail.apply("it is " + bytes.length + " bytes long, too short to be a checkpoint");
        }
        try {
            DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes));
            if (data.readInt() != Checkpoint.MAGIC) {
                throw fail.apply("it does not start with the genlab checkpoint mark: not a checkpoint, or an older "
                        + "format");
            }
            int format = data.readInt();
            if (format != Checkpoint.FORMAT) {
                throw fail.apply("it has container format " + format + ", this genlab-nn reads format "
                        + Checkpoint.FORMAT);
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, bytes.length - 8);
            if (ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong() != crc.getValue()) {
                throw fail.apply("its checksum does not match: the file is truncated or damaged");
            }
            // Past the checksum only a faulty writer's file can be malformed; it is still refused, not half-read.
            data = new DataInputStream(new ByteArrayInputStream(bytes, 8, bytes.length - 16));
            String kind = data.readUTF();
            int version = data.readInt();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            int n = count(data, 6, fail);
            for (int i = 0; i < n; i++) {
                String name = data.readUTF();
                DataType type = DataType.valueOf(data.readUTF());
                int rank = data.readInt();
                if (rank < 0 || rank > MAX_RANK) {
                    throw fail.apply("tensor '" + name + "' has rank " + rank);
                }
                long[] dims = new long[rank];
                for (int j = 0; j < dims.length; j++) {
                    dims[j] = data.readLong();
                }
                byte[] raw = new byte[count(data, 1, fail)];
                data.readFully(raw);
                tensors.put(name, new Tensor(type, new Shape(dims), raw));
            }
            Map<String, Number> values = new LinkedHashMap<>();
            int m = count(data, 11, fail);
            for (int i = 0; i < m; i++) {
                String name = data.readUTF();
                byte type = data.readByte();
                if (type != 'J' && type != 'D') {
                    throw fail.apply("value '" + name + "' has an unknown type " + type);
                }
                values.put(name, type == 'J' ? (Number) data.readLong() : (Number) data.readDouble());
            }
            if (data.available() != 0) {
                throw fail.apply("it is damaged (" + data.available() + " bytes after the last value)");
            }
            return new CheckpointContents(kind, version, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(values));
        } catch (EOFException | IllegalArgumentException e) {
            throw fail.apply("it is damaged (" + e + ")");
        } catch (Checkpoint.CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw fail.apply("it cannot be read (" + e + ")");
        }
    }

    /** Reads a count of entries of at least {@code bytesEach} bytes, refusing one the rest cannot hold. */
    private static int count(DataInputStream data, int bytesEach, Function<String, Checkpoint.CheckpointException> fail)
            throws IOException {
        int n = data.readInt();
        if (n < 0 || (long) n * bytesEach > data.available()) {
            throw fail.apply("it is damaged (a count of " + n + " entries does not fit the file)");
        }
        return n;
    }
}

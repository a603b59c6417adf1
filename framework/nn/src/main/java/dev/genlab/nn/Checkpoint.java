package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleConsumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;

/**
 * The one checkpoint format of every paradigm: named, shape-checked tensors and named scalars, versioned by
 * the format and by the paradigm's own layout version, with a CRC-32 of the whole.
 *
 * <p>A paradigm describes its state once, as a layout: {@link #tensor tensors}, {@link #part parts} (a
 * {@link Parameters} set, an {@link Adam}) and {@link #longValue scalars} with their getter and setter. The same
 * layout then {@link #write writes} the current state or {@link #read reads} a saved one back into the same
 * arrays. Reading is all-or-nothing: the whole stream is parsed and checked (format, kind, layout version,
 * names, data types, shapes, checksum) before anything is assigned, so a bad checkpoint leaves the model as it
 * was and says exactly what differs.
 *
 * <pre>
 * int 0x474C4E4E ("GLNN"), int format (1), UTF kind, int layout version
 * int n, n × (UTF name, UTF data type, int rank, rank × long dim, int byte count, bytes little-endian)
 * int m, m × (UTF name, byte 'J' + long | 'D' + double)
 * long CRC-32 of everything above
 * </pre>
 */
public final class Checkpoint {

    /** Something whose state a checkpoint covers, under a name prefix. */
    public interface Part {
        /**
         * Registers this part's tensors and values.
         *
         * @param checkpoint the layout
         * @param prefix prepended to every name, empty or ending in a dot
         */
        void addTo(Checkpoint checkpoint, String prefix);
    }

    static final int MAGIC = 0x474C4E4E;
    /** The version of the container format written by this class. */
    public static final int FORMAT = 1;
    private static final NDIndex ALL = new NDIndex("...");

    private record Value(LongSupplier getLong, LongConsumer setLong, DoubleSupplier getDouble, DoubleConsumer setDouble) {}

    private final String kind;
    private final int version;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, Value> values = new LinkedHashMap<>();

    /**
     * @param kind what the checkpoint holds, e.g. the paradigm's name; a checkpoint of another kind is refused
     * @param version the kind's layout version; bump it when the layout changes incompatibly
     */
    public Checkpoint(String kind, int version) {
        this.kind = kind;
        this.version = version;
    }

    private void claim(String name) {
        if (tensors.containsKey(name) || values.containsKey(name)) {
            throw new IllegalArgumentException("checkpoint entry '" + name + "' is registered twice");
        }
    }

    /** Registers one tensor, saved and restored in place. */
    public Checkpoint tensor(String name, NDArray array) {
        claim(name);
        tensors.put(name, array);
        return this;
    }

    /** Registers a part's tensors and values under {@code prefix}. */
    public Checkpoint part(String prefix, Part part) {
        part.addTo(this, prefix.isEmpty() || prefix.endsWith(".") ? prefix : prefix + ".");
        return this;
    }

    /** Registers an integer value. */
    public Checkpoint longValue(String name, LongSupplier get, LongConsumer set) {
        claim(name);
        values.put(name, new Value(get, set, null, null));
        return this;
    }

    /** Registers a floating-point value. */
    public Checkpoint doubleValue(String name, DoubleSupplier get, DoubleConsumer set) {
        claim(name);
        values.put(name, new Value(null, null, get, set));
        return this;
    }

    /** @return the registered tensor names, in order */
    public Set<String> tensorNames() {
        return new LinkedHashSet<>(tensors.keySet());
    }

    /** Writes the current state of everything registered. */
    public void write(OutputStream out) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.writeInt(MAGIC);
        data.writeInt(FORMAT);
        data.writeUTF(kind);
        data.writeInt(version);
        data.writeInt(tensors.size());
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            data.writeUTF(e.getKey());
            data.writeUTF(a.getDataType().name());
            long[] dims = a.getShape().getShape();
            data.writeInt(dims.length);
            for (long d : dims) {
                data.writeLong(d);
            }
            ByteBuffer buffer = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] raw = new byte[buffer.remaining()];
            buffer.get(raw);
            data.writeInt(raw.length);
            data.write(raw);
        }
        data.writeInt(values.size());
        for (Map.Entry<String, Value> e : values.entrySet()) {
            data.writeUTF(e.getKey());
            if (e.getValue().getLong() != null) {
                data.writeByte('J');
                data.writeLong(e.getValue().getLong().getAsLong());
            } else {
                data.writeByte('D');
                data.writeDouble(e.getValue().getDouble().getAsDouble());
            }
        }
        data.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        data.writeLong(crc.getValue());
        data.flush();
        bytes.writeTo(out);
        out.flush();
    }

    /**
     * Reads a checkpoint written with the same layout into the registered arrays and values.
     *
     * @throws CheckpointException if the stream is not such a checkpoint, is damaged, or holds another layout;
     *     nothing is assigned then
     */
    public void read(InputStream in) throws IOException {
        CheckpointContents saved = CheckpointContents.parse(in.readAllBytes(), this::fail);
        if (!saved.kind().equals(kind) || saved.version() != version) {
            throw fail("it holds '" + saved.kind() + "' layout " + saved.version() + ", this model is '" + kind
                    + "' layout " + version + ": it was saved by another paradigm or version");
        }
        Map<String, CheckpointContents.Tensor> savedTensors = saved.tensors();
        Map<String, Number> savedValues = saved.values();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            CheckpointContents.Tensor s = savedTensors.get(e.getKey());
            NDArray a = e.getValue();
            if (s == null) {
                problems.add("tensor '" + e.getKey() + "' is missing");
            } else if (s.type() != a.getDataType() || !s.shape().equals(a.getShape())) {
                problems.add("tensor '" + e.getKey() + "' is " + s.type() + " " + s.shape() + " in the file but "
                        + a.getDataType() + " " + a.getShape() + " here");
            } else if (s.data().length != a.size() * a.getDataType().getNumOfBytes()) {
                problems.add("tensor '" + e.getKey() + "' has " + s.data().length + " bytes of data");
            }
        }
        for (String name : savedTensors.keySet()) {
            if (!tensors.containsKey(name)) {
                problems.add("tensor '" + name + "' is in the file but not in this model");
            }
        }
        for (Map.Entry<String, Value> e : values.entrySet()) {
            Number v = savedValues.get(e.getKey());
            boolean isLong = e.getValue().setLong() != null;
            if (v == null || (isLong ? !(v instanceof Long) : !(v instanceof Double))) {
                problems.add("value '" + e.getKey() + "' is missing");
            }
        }
        if (!problems.isEmpty()) {
            throw fail("its layout differs from this model's (saved with other networks or options): "
                    + String.join("; ", problems.subList(0, Math.min(8, problems.size())))
                    + (problems.size() > 8 ? "; and " + (problems.size() - 8) + " more" : ""));
        }
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            assign(e.getValue(), savedTensors.get(e.getKey()));
        }
        for (Map.Entry<String, Value> e : values.entrySet()) {
            Number v = savedValues.get(e.getKey());
            if (v instanceof Long l) {
                e.getValue().setLong().accept(l);
            } else {
                e.getValue().setDouble().accept((Double) v);
            }
        }
    }

    /**
     * Copies saved bytes into the array's own storage: {@code set(float[])} would re-point the tensor at a
     * Java-owned buffer instead, which made a resumed run drift from the uninterrupted one.
     */
    private static void assign(NDArray target, CheckpointContents.Tensor saved) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(saved.data().length).order(ByteOrder.nativeOrder());
        ByteBuffer source = ByteBuffer.wrap(saved.data()).order(ByteOrder.LITTLE_ENDIAN);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || saved.type().getNumOfBytes() == 1) {
            buffer.put(source);
        } else {
            throw new UnsupportedOperationException("big-endian hosts are not supported");
        }
        buffer.rewind();
        try (NDManager tmp = target.getManager().newSubManager()) {
            NDArray value = tmp.create(buffer, saved.shape(), saved.type());
            if (saved.shape().dimension() == 0) {
                target.reshape(1).set(ALL, value.reshape(1));
            } else {
                target.set(ALL, value);
            }
        }
    }

    private CheckpointException fail(String why) {
        return new CheckpointException("checkpoint of '" + kind + "' (layout " + version + ") cannot be loaded: " + why);
    }

    /** A checkpoint that cannot be read into this model; nothing was changed. */
    public static final class CheckpointException extends IOException {
        private static final long serialVersionUID = 1L;

        CheckpointException(String message) {
            super(message);
        }
    }
}

package dev.genlab.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.DataShape;
import dev.genlab.api.Dataset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A host-side copy of a dataset. Batches are gathered from it on the Java side and copied into one
 * native array per step, which keeps batching deterministic and independent of the engine.
 *
 * @param values row-major examples, {@code size × shape.size()}
 * @param labels labels, or null
 * @param shape per-example shape
 */
record HostData(float[] values, int[] labels, DataShape shape) {

    static HostData of(Dataset dataset) {
        float[] values = dataset.data().toFloatArray();
        int[] labels = dataset.labels() == null ? null : dataset.labels().toType(
                ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        return new HostData(values, labels, dataset.shape());
    }

    int size() {
        return values.length / shape.size();
    }

    /** Gathers rows into a new float32 array {@code [rows.length, ...]} on {@code manager}. */
    NDArray rows(NDManager manager, int[] rows) {
        int d = shape.size();
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(values, rows[i] * d, out, i * d, d);
        }
        return manager.create(out, shape.batchShape(rows.length));
    }

    /** Gathers labels into a new int32 array, or returns null for unlabelled data. */
    NDArray labels(NDManager manager, int[] rows) {
        if (labels == null) {
            return null;
        }
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = labels[rows[i]];
        }
        return manager.create(out);
    }

    /** @return hex SHA-256 of the values and labels, for provenance */
    String contentHash() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            sha.update(buf);
            if (labels != null) {
                ByteBuffer lb = ByteBuffer.allocate(labels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                lb.asIntBuffer().put(labels);
                sha.update(lb);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.genlab.core.run;

import dev.genlab.api.Paradigm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A trial's latest checkpoint, one file {@code <run folder>/checkpoint/state.bin} in the local run store:
 * the trial hash (a checkpoint never resumes another configuration), the loop's {@link LoopState}, the
 * state of the plugin's host generator, and the paradigm's own {@link Paradigm#save} bytes (weights and
 * optimiser state). It is written to a temporary file and renamed, so a crash leaves the previous
 * checkpoint or the new one, never half of one.
 *
 * <p>The engine's generator needs no saving: the loop reseeds it from (trial seed, step) before every step
 * (see {@link EngineLock}), so its draws after step k do not depend on anything before.
 */
final class Checkpoints {

    static final String DIR = "checkpoint";
    static final String FILE = "state.bin";
    private static final int MAGIC = 0x474C4350; // "GLCP"
    private static final int FORMAT = 1;

    private final Path file;

    /** @param runDirectory the run's folder in the local store */
    Checkpoints(Path runDirectory) {
        this.file = runDirectory.resolve(DIR).resolve(FILE);
    }

    /** What a checkpoint restores. */
    record Saved(LoopState loop, StateRandom.Snapshot hostRandom, byte[] model) {}

    /** @return the checkpoint file */
    Path file() {
        return file;
    }

    void write(String trialHash, LoopState loop, StateRandom hostRandom, Paradigm paradigm) throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        paradigm.save(model);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(trialHash);
            out.writeInt(loop.step());
            writeSnapshot(out, loop.order());
            out.writeInt(loop.permutation().length);
            for (int v : loop.permutation()) {
                out.writeInt(v);
            }
            out.writeInt(loop.cursor());
            out.writeLong(loop.stepNanos());
            out.writeInt(loop.history().size());
            for (Map.Entry<String, List<Double>> e : loop.history().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().size());
                for (double v : e.getValue()) {
                    out.writeDouble(v);
                }
            }
            writeSnapshot(out, hostRandom.snapshot());
            out.writeInt(model.size());
            model.writeTo(out);
        }
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".", ".part");
        try {
            Files.write(tmp, bytes.toByteArray());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * @param trialHash the trial that wants to resume
     * @return the checkpoint, or empty if there is none
     * @throws IOException if the file is unreadable or belongs to another trial
     */
    Optional<Saved> read(String trialHash) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException(file + " is not a genlab checkpoint of format " + FORMAT);
            }
            String hash = in.readUTF();
            if (!hash.equals(trialHash)) {
                throw new IOException(file + " belongs to trial " + hash + ", not " + trialHash);
            }
            int step = in.readInt();
            StateRandom.Snapshot order = readSnapshot(in);
            int[] permutation = new int[in.readInt()];
            for (int i = 0; i < permutation.length; i++) {
                permutation[i] = in.readInt();
            }
            int cursor = in.readInt();
            long stepNanos = in.readLong();
            int keys = in.readInt();
            Map<String, List<Double>> history = new LinkedHashMap<>();
            for (int k = 0; k < keys; k++) {
                String key = in.readUTF();
                int n = in.readInt();
                List<Double> values = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    values.add(in.readDouble());
                }
                history.put(key, values);
            }
            StateRandom.Snapshot host = readSnapshot(in);
            byte[] model = new byte[in.readInt()];
            in.readFully(model);
            return Optional.of(new Saved(new LoopState(step, order, permutation, cursor, history, stepNanos), host,
                    model));
        }
    }

    private static void writeSnapshot(DataOutputStream out, StateRandom.Snapshot s) throws IOException {
        out.writeLong(s.state());
        out.writeBoolean(s.haveNextNextGaussian());
        out.writeDouble(s.nextNextGaussian());
    }

    private static StateRandom.Snapshot readSnapshot(DataInputStream in) throws IOException {
        return new StateRandom.Snapshot(in.readLong(), in.readBoolean(), in.readDouble());
    }
}

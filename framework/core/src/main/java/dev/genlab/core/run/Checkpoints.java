package dev.genlab.core.run;

import dev.genlab.api.Paradigm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A trial's latest checkpoint, one file {@code <run folder>/checkpoint/state.bin} in the local run store:
 * the trial hash (a checkpoint never resumes another configuration), the loop's {@link LoopState}, the
 * state of the plugin's host generator, and the paradigm's own {@link Paradigm#save} bytes (weights and
 * optimiser state), then a CRC-32 of all that. It is written to a temporary file and renamed, so a crash
 * leaves the previous checkpoint or the new one, never half of one; a file damaged later is refused whole.
 *
 * <p>The engine's generator needs no saving: the loop reseeds it from (trial seed, step) before every step
 * (see {@link EngineLock}), so its draws after step k do not depend on anything before.
 */
final class Checkpoints {

    static final String DIR = "checkpoint";
    static final String FILE = "state.bin";
    private static final int MAGIC = 0x474C4350; // "GLCP"
    /** 2: a CRC-32 of everything before it ends the file. */
    private static final int FORMAT = 2;

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
        write(trialHash, loop, hostRandom.snapshot(), model.toByteArray());
    }

    /** Writes a checkpoint holding the paradigm's saved bytes {@code model}. */
    void write(String trialHash, LoopState loop, StateRandom.Snapshot hostRandom, byte[] model) throws IOException {
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
            writeSnapshot(out, hostRandom);
            out.writeInt(model.length);
            out.write(model);
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
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
     * @throws IOException naming the file if it is unreadable, damaged, of another format or of another trial;
     *     nothing of it is used then
     */
    Optional<Saved> read(String trialHash) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        byte[] all = Files.readAllBytes(file);
        try {
            return Optional.of(parse(all, trialHash));
        } catch (EOFException | RuntimeException e) {
            // Only reachable past a matching checksum, i.e. for a file written by a faulty writer.
            throw new IOException(file + " is damaged (" + e + ")", e);
        }
    }

    private Saved parse(byte[] all, String trialHash) throws IOException {
        if (all.length < 16) {
            throw new IOException(file + " is " + all.length + " bytes long: it is truncated");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8));
        if (in.readInt() != MAGIC) {
            throw new IOException(file + " is not a genlab checkpoint");
        }
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException(file + " has checkpoint format " + format + "; this genlab reads format " + FORMAT
                    + (format < FORMAT ? " (it was written by an older genlab)" : ""));
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        if (ByteBuffer.wrap(all, all.length - 8, 8).getLong() != crc.getValue()) {
            throw new IOException(file + " is damaged: its checksum does not match (a truncated or changed file)");
        }
        String hash = in.readUTF();
        if (!hash.equals(trialHash)) {
            throw new IOException(file + " belongs to trial " + hash + ", not " + trialHash);
        }
        int step = in.readInt();
        StateRandom.Snapshot order = readSnapshot(in);
        int[] permutation = new int[count(in, 4)];
        for (int i = 0; i < permutation.length; i++) {
            permutation[i] = in.readInt();
        }
        int cursor = in.readInt();
        long stepNanos = in.readLong();
        int keys = count(in, 6);
        Map<String, List<Double>> history = new LinkedHashMap<>();
        for (int k = 0; k < keys; k++) {
            String key = in.readUTF();
            int n = count(in, 8);
            List<Double> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                values.add(in.readDouble());
            }
            history.put(key, values);
        }
        StateRandom.Snapshot host = readSnapshot(in);
        byte[] model = new byte[count(in, 1)];
        in.readFully(model);
        if (in.available() != 0) {
            throw new IOException(file + " is damaged: " + in.available() + " bytes follow the model");
        }
        return new Saved(new LoopState(step, order, permutation, cursor, history, stepNanos), host, model);
    }

    /** Reads a count of items of at least {@code bytesEach} bytes, refusing one the rest of the file cannot hold. */
    private int count(DataInputStream in, int bytesEach) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * bytesEach > in.available()) {
            throw new IOException(file + " is damaged: a count of " + n + " items does not fit the file");
        }
        return n;
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

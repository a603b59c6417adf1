package dev.genlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The sinusoidal embedding against its formula (moved here from the diffusion plugin's NoiseScheduleTest). */
class TimeEmbeddingTest {

    @Test
    void timeEmbeddingIsSinesThenCosines() {
        TimeEmbedding e = new TimeEmbedding(8, 1000);
        float[] zero = e.embed(new int[] {0});
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, zero, 1e-7f);
        float[] t = e.embed(new int[] {7, 3});
        // Row 2 (t = 3), frequency k = 1 is 10000^(-1/4) = 0.1.
        assertEquals(Math.sin(3 * 0.1), t[8 + 1], 1e-6);
        assertEquals(Math.cos(3 * 0.1), t[8 + 4 + 1], 1e-6);
        // τ = t · 1000 / T: step 1 of T = 100 embeds like step 10 of T = 1000.
        assertArrayEquals(e.embed(new int[] {10}), new TimeEmbedding(8, 100).embed(new int[] {1}), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new TimeEmbedding(7, 1000));
        assertThrows(IllegalArgumentException.class, () -> new TimeEmbedding(8, 0));
        // A whole batch at one step (the samplers' form) is that step's row repeated.
        assertArrayEquals(e.embed(new int[] {42, 42, 42}), e.embed(42, 3), 0f);
    }

    @Test
    void aScaleEmbedsContinuousTimesAndArraysHoldTheSameRows() {
        // τ = t · 1000 for t in [0, 1] is step 500 of T = 1000 at t = 0.5.
        TimeEmbedding continuous = TimeEmbedding.ofScale(6, 1000);
        assertArrayEquals(new TimeEmbedding(6, 1000).embed(new int[] {500}), continuous.embed(new double[] {0.5}), 1e-6f);
        TimeEmbedding e = new TimeEmbedding(4, 50);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray rows = e.create(m, new int[] {3, 9});
            assertEquals(new Shape(2, 4), rows.getShape());
            assertArrayEquals(e.embed(new int[] {3, 9}), rows.toFloatArray(), 0f);
            NDArray batch = e.create(m, 7, 5);
            assertEquals(new Shape(5, 4), batch.getShape());
            assertArrayEquals(e.embed(7, 5), batch.toFloatArray(), 0f);
        }
    }
}

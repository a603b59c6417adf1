package dev.genlab.plugin.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    @Test
    void linearScheduleMatchesHoEtAlAndItsProduct() {
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        assertEquals(1000, s.timesteps());
        assertEquals(1e-4, s.beta(0), 1e-15);
        assertEquals(0.02, s.beta(999), 1e-15);
        assertEquals(1e-4 + 500 * (0.02 - 1e-4) / 999, s.beta(500), 1e-15);
        // ᾱ_t = Π (1 − β_i); ᾱ_1 = 1 − β_1, and the well-known ᾱ_T ≈ 4.04e-5 of the paper's schedule.
        assertEquals(1 - 1e-4, s.alphaBar(0), 1e-15);
        double product = 1;
        for (int i = 0; i <= 250; i++) {
            product *= 1 - (1e-4 + i * (0.02 - 1e-4) / 999);
        }
        assertEquals(product, s.alphaBar(250), 1e-12);
        assertEquals(4.04e-5, s.alphaBar(999), 0.05e-5);
        assertEquals(1.0, s.alphaBar(-1));
    }

    @Test
    void linearScheduleScalesWithTAndCapsBeta() {
        NoiseSchedule s = NoiseSchedule.linear(100, 1e-4, 0.02);
        assertEquals(1e-3, s.beta(0), 1e-15);
        assertEquals(0.2, s.beta(99), 1e-12);
        NoiseSchedule tiny = NoiseSchedule.linear(10, 1e-4, 0.02);
        assertEquals(NoiseSchedule.MAX_BETA, tiny.beta(9));
        assertEquals(1, NoiseSchedule.linear(1, 1e-4, 0.02).timesteps());
    }

    @Test
    void cosineScheduleMatchesItsClosedForm() {
        int t = 1000;
        NoiseSchedule s = NoiseSchedule.cosine(t);
        double sOffset = 0.008;
        double f0 = Math.pow(Math.cos(sOffset / (1 + sOffset) * Math.PI / 2), 2);
        // ᾱ(t) = f(t)/f(0) wherever β is not capped: check t = 1, T/4, T/2, 3T/4.
        for (int step : new int[] {1, 250, 500, 750}) {
            double expected = Math.pow(Math.cos((step / (double) t + sOffset) / (1 + sOffset) * Math.PI / 2), 2) / f0;
            assertEquals(expected, s.alphaBar(step - 1), 1e-12, "alphaBar at t=" + step);
        }
        // At t = T/2 the closed form is cos²((0.5 + s)/(1 + s)·π/2)/f(0) ≈ 0.4938.
        assertEquals(0.4938, s.alphaBar(499), 1e-3);
        // f(T) = cos²(π/2) = 0, so the last β hits the cap.
        assertEquals(NoiseSchedule.MAX_BETA, s.beta(t - 1));
        assertTrue(s.beta(0) > 0 && s.beta(0) < 1e-4, "beta_1 = " + s.beta(0));
    }

    @Test
    void alphaBarIsStrictlyDecreasingInBothSchedules() {
        for (NoiseSchedule s : new NoiseSchedule[] {NoiseSchedule.linear(1000, 1e-4, 0.02),
                NoiseSchedule.cosine(1000), NoiseSchedule.linear(37, 1e-4, 0.02), NoiseSchedule.cosine(37)}) {
            assertTrue(s.alphaBar(0) < 1, s.toString());
            for (int i = 1; i < s.timesteps(); i++) {
                assertTrue(s.alphaBar(i) < s.alphaBar(i - 1), s + " not decreasing at " + i);
                assertTrue(s.alphaBar(i) > 0, s + " non-positive at " + i);
            }
            // λ = ½ log SNR decreases too: DPM-Solver's steps h are positive.
            for (int i = 1; i < s.timesteps(); i++) {
                assertTrue(s.lambda(i) < s.lambda(i - 1));
            }
        }
    }

    @Test
    void posteriorVarianceMatchesItsDefinition() {
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        assertEquals(0.0, s.posteriorVariance(0));
        for (int i : new int[] {1, 10, 500, 999}) {
            double expected = (1 - s.alphaBar(i - 1)) / (1 - s.alphaBar(i)) * s.beta(i);
            assertEquals(expected, s.posteriorVariance(i), 1e-15);
            assertTrue(s.posteriorVariance(i) < s.beta(i));
        }
    }

    @Test
    void theVarianceOfAJumpIsTheRespacedChainsPosteriorVariance() {
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        // Jumps of the 50-step uniform sampler (steps 510 -> 489 and 999 -> 979) and one into the first step.
        // Expected values computed in double precision from the definitions alone: β_t linear in t, ᾱ their
        // running product, β' = 1 − ᾱ_t/ᾱ_prev, β̃' = β' (1 − ᾱ_prev)/(1 − ᾱ_t).
        assertEquals(0.1878829170359793, s.posteriorVariance(510, 489), 1e-13);
        assertEquals(0.32980251555624623, s.posteriorVariance(999, 979), 1e-13);
        assertEquals(9.841356296513845e-05, s.posteriorVariance(20, 0), 1e-16);
        // A jump of one step is the unstrided posterior variance β̃; a jump to the clean data has none.
        for (int i : new int[] {1, 10, 500, 999}) {
            assertEquals(s.posteriorVariance(i), s.posteriorVariance(i, i - 1), 1e-12 * s.posteriorVariance(i));
        }
        assertEquals(0.0, s.posteriorVariance(300, -1));
        // Skipping steps leaves more to be uncertain about: the jump's variance exceeds every single step's.
        assertTrue(s.posteriorVariance(510, 489) > s.posteriorVariance(510));
        assertThrows(IllegalArgumentException.class, () -> s.posteriorVariance(5, 5));
    }

    @Test
    void spacedStepsSpanTheChainWithoutRepeats() {
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        int[] fifty = s.spacedSteps(50);
        assertEquals(50, fifty.length);
        assertEquals(0, fifty[0]);
        assertEquals(999, fifty[49]);
        for (int k = 1; k < 50; k++) {
            assertTrue(fifty[k] > fifty[k - 1]);
        }
        int[] all = s.spacedSteps(1000);
        for (int k = 0; k < 1000; k++) {
            assertEquals(k, all[k]);
        }
        assertArrayEquals(new int[] {999}, s.spacedSteps(1));
        assertArrayEquals(new int[] {0, 999}, s.spacedSteps(2));
        assertThrows(IllegalArgumentException.class, () -> s.spacedSteps(0));
        assertThrows(IllegalArgumentException.class, () -> s.spacedSteps(1001));
    }

    @Test
    void otherSpacingsKeepExactlyTheRequestedDistinctSteps() {
        for (NoiseSchedule s : new NoiseSchedule[] {NoiseSchedule.linear(1000, 1e-4, 0.02), NoiseSchedule.cosine(30)}) {
            for (String spacing : new String[] {"uniform", "quadratic", "logsnr"}) {
                for (int count : new int[] {2, 5, 20, s.timesteps() - 1, s.timesteps()}) {
                    int[] steps = s.spacedSteps(count, spacing);
                    assertEquals(count, steps.length, spacing + " " + count);
                    assertEquals(0, steps[0]);
                    assertEquals(s.timesteps() - 1, steps[count - 1]);
                    for (int k = 1; k < count; k++) {
                        assertTrue(steps[k] > steps[k - 1], spacing + " " + count + " at " + k);
                    }
                }
            }
        }
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        // Quadratic: round((k/9)² · 999) for k = 1 is 12.
        assertEquals(12, s.spacedSteps(10, "quadratic")[1]);
        // Log-SNR: the λ gaps between consecutive steps are (nearly) equal.
        int[] even = s.spacedSteps(10, "logsnr");
        double gap = (s.lambda(0) - s.lambda(999)) / 9;
        for (int k = 1; k < 10; k++) {
            assertEquals(gap, s.lambda(even[k - 1]) - s.lambda(even[k]), 0.05 * gap);
        }
        assertThrows(IllegalArgumentException.class, () -> s.spacedSteps(10, "cubic"));
    }

    @Test
    void rejectsAnEmptyChainAndUnknownKinds() {
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(0, 1e-4, 0.02));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.cosine(0));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.of("sigmoid", 10, 1e-4, 0.02));
    }
}

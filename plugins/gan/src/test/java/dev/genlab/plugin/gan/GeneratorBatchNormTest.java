package dev.genlab.plugin.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.DataShape;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conv generator's fused batch norm against batch norm written out from its definition (per-channel
 * mean and biased variance over n, H, W): the same values and the same gradients, running statistics
 * untouched by discriminator-step passes and updated like PyTorch's BatchNorm2d by generator-step passes.
 */
class GeneratorBatchNormTest {

    private static final float EPS = 1e-5f;

    @Test
    void fusedBatchNormMatchesTheDefinitionInValuesGradientsAndRunningStatistics() {
        try (NDManager manager = NDManager.newBaseManager();
                GanParadigm gan = Fixtures.create(manager, DataShape.image(1, 8, 8, 0),
                        Map.of("architecture", "conv", "channels", 4, "latent_dim", 3), 5)) {
            Generator g = gan.model.generator;
            long c = 8; // the first batch norm has 2c channels
            NDArray x = manager.randomNormal(0.5f, 2f, new Shape(6, c, 2, 2), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray gamma = manager.randomNormal(1f, 0.3f, new Shape(c), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray beta = manager.randomNormal(0f, 0.3f, new Shape(c), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray weight = manager.randomNormal(new Shape(6, c, 2, 2)); // upstream gradient
            float[] mean0 = g.running[0].toFloatArray();
            float[] var0 = g.running[1].toFloatArray();

            Result fused = run(x, gamma, beta, weight, (a, gm, bt) -> g.batchNorm(a, gm, bt, 0, Generator.Mode.TRAIN));
            Result defined = run(x, gamma, beta, weight, GeneratorBatchNormTest::definition);
            assertArrayEquals(defined.out, fused.out, 1e-4f, "normalised values");
            assertArrayEquals(defined.dx, fused.dx, 1e-4f, "gradient of the input");
            assertArrayEquals(defined.dgamma, fused.dgamma, 1e-3f, "gradient of the gain");
            assertArrayEquals(defined.dbeta, fused.dbeta, 1e-3f, "gradient of the shift");
            assertArrayEquals(mean0, g.running[0].toFloatArray(), 0f, "TRAIN leaves the running mean alone");
            assertArrayEquals(var0, g.running[1].toFloatArray(), 0f, "TRAIN leaves the running variance alone");

            Result updating = run(x, gamma, beta, weight,
                    (a, gm, bt) -> g.batchNorm(a, gm, bt, 0, Generator.Mode.TRAIN_UPDATE));
            assertArrayEquals(defined.out, updating.out, 1e-4f, "TRAIN_UPDATE normalises with batch statistics");
            float[] batchMean = channelMean(x).reshape(c).toFloatArray();
            long count = x.getShape().size() / c;
            float[] batchVar = channelMean(x.sub(channelMean(x)).square()).reshape(c).toFloatArray();
            float[] expectedMean = new float[(int) c];
            float[] expectedVar = new float[(int) c];
            for (int i = 0; i < c; i++) {
                expectedMean[i] = 0.9f * mean0[i] + 0.1f * batchMean[i];
                expectedVar[i] = 0.9f * var0[i] + 0.1f * batchVar[i] * count / (count - 1);
            }
            assertArrayEquals(expectedMean, g.running[0].toFloatArray(), 1e-5f, "running mean, momentum 0.1");
            assertArrayEquals(expectedVar, g.running[1].toFloatArray(), 1e-4f,
                    "running variance, momentum 0.1, unbiased batch variance");

            // Sampling normalises with the running statistics.
            float[] eval = g.batchNorm(x, gamma, beta, 0, Generator.Mode.EVAL).toFloatArray();
            NDArray rm = g.running[0].reshape(1, c, 1, 1);
            NDArray rv = g.running[1].reshape(1, c, 1, 1);
            float[] expectedEval = x.sub(rm).div(rv.add(EPS).sqrt()).mul(gamma.reshape(1, c, 1, 1))
                    .add(beta.reshape(1, c, 1, 1)).toFloatArray();
            assertArrayEquals(expectedEval, eval, 1e-5f, "EVAL uses the running statistics");
        }
    }

    private interface Norm {
        NDArray apply(NDArray x, NDArray gamma, NDArray beta);
    }

    private record Result(float[] out, float[] dx, float[] dgamma, float[] dbeta) {}

    /** Values and gradients of Σ weight·norm(x). */
    private static Result run(NDArray x0, NDArray gamma0, NDArray beta0, NDArray weight, Norm norm) {
        NDArray x = x0.duplicate();
        NDArray gamma = gamma0.duplicate();
        NDArray beta = beta0.duplicate();
        x.setRequiresGradient(true);
        gamma.setRequiresGradient(true);
        beta.setRequiresGradient(true);
        NDArray out;
        try (GradientCollector collector = x.getManager().getEngine().newGradientCollector()) {
            out = norm.apply(x, gamma, beta);
            collector.backward(out.mul(weight).sum());
        }
        return new Result(out.toFloatArray(), x.getGradient().toFloatArray(), gamma.getGradient().toFloatArray(),
                beta.getGradient().toFloatArray());
    }

    private static NDArray channelMean(NDArray x) {
        return x.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {0}, true);
    }

    private static NDArray definition(NDArray x, NDArray gamma, NDArray beta) {
        long ch = x.getShape().get(1);
        NDArray mean = channelMean(x);
        NDArray var = channelMean(x.sub(mean).square());
        return x.sub(mean).div(var.add(EPS).sqrt()).mul(gamma.reshape(1, ch, 1, 1)).add(beta.reshape(1, ch, 1, 1));
    }
}

package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The PyTorch engine's create-graph backward, reached by reflection so that nothing compiles against the
 * engine jar. Tests use it as an independent reference for second-order gradients; the plugin itself does
 * not (see the package documentation: it leaks memory in DJL 0.36).
 */
final class EngineDoubleBackward {

    private EngineDoubleBackward() {}

    /**
     * Runs {@code y.backward(ones, retain_graph=true, create_graph=true)}: afterwards every leaf's gradient
     * is itself differentiable.
     *
     * @throws IllegalStateException if {@code y} does not come from DJL's PyTorch engine
     */
    static void backward(NDArray y) {
        String engine = y.getManager().getEngine().getEngineName();
        Class<?> ptArray;
        try {
            ptArray = Class.forName("ai.djl.pytorch.engine.PtNDArray", false, y.getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("create-graph backward needs DJL's PyTorch engine; the engine is " + engine, e);
        }
        if (!ptArray.isInstance(y)) {
            throw new IllegalStateException("create-graph backward needs DJL's PyTorch engine; the engine is " + engine);
        }
        try {
            Method backward = Class.forName("ai.djl.pytorch.jni.JniUtils", true, ptArray.getClassLoader())
                    .getMethod("backward", ptArray, ptArray, boolean.class, boolean.class);
            backward.invoke(null, y, y.onesLike(), true, true);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("create-graph backward failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this PyTorch engine has no JniUtils.backward(y, grad, keep, create)", e);
        }
    }
}

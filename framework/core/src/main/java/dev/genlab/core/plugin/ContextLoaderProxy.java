package dev.genlab.core.plugin;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Runs every call into a third-party plugin object with the plugin's class loader as the thread's context class
 * loader, as Trino does for its connectors: libraries a plugin bundles (JAXB, Jackson modules, ServiceLoader-based
 * engines) look classes up through the context loader, and would otherwise see genlab's class path instead of
 * the plugin's jars. Objects the plugin hands back (the {@code Paradigm} from {@code create}, a capability from
 * {@code capability}) are wrapped the same way, so the rule holds for every call, not only the first.
 *
 * <p>The proxy implements every genlab API interface of the object, so {@code instanceof} checks against the
 * contract's capability interfaces still answer as they would on the object itself.
 */
final class ContextLoaderProxy implements InvocationHandler {

    private static final String API_PACKAGE = "dev.genlab.api.";

    private final Object target;
    private final ClassLoader loader;

    private ContextLoaderProxy(Object target, ClassLoader loader) {
        this.target = target;
        this.loader = loader;
    }

    /**
     * @param target an object made by a plugin's classes
     * @param loader the plugin's class loader
     * @return a proxy implementing the target's genlab API interfaces, or the target itself if it has none or was
     *     not made by the plugin
     */
    static Object wrap(Object target, ClassLoader loader) {
        if (target == null || target instanceof Proxy || target.getClass().getClassLoader() != loader) {
            return target;
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            collect(c, interfaces);
        }
        if (interfaces.isEmpty()) {
            return target;
        }
        return Proxy.newProxyInstance(interfaces.iterator().next().getClassLoader(),
                interfaces.toArray(new Class<?>[0]), new ContextLoaderProxy(target, loader));
    }

    /** @return the plugin object behind a proxy made here, or {@code maybeProxy} itself */
    static Object unwrap(Object maybeProxy) {
        if (maybeProxy instanceof Proxy && Proxy.getInvocationHandler(maybeProxy) instanceof ContextLoaderProxy h) {
            return h.target;
        }
        return maybeProxy;
    }

    private static void collect(Class<?> type, Set<Class<?>> out) {
        for (Class<?> i : type.getInterfaces()) {
            if (i.getName().startsWith(API_PACKAGE) && java.lang.reflect.Modifier.isPublic(i.getModifiers())) {
                out.add(i);
            }
            collect(i, out);
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "context-loader proxy of " + target;
            };
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Object result = method.invoke(target, args);
            if (result instanceof Optional<?> optional && optional.isPresent()) {
                return Optional.of(wrap(optional.get(), loader));
            }
            return wrap(result, loader);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}

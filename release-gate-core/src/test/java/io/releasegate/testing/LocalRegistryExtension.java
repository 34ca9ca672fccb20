package io.releasegate.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One anonymous {@link LocalRegistry} shared by the tests of a class: started before the first,
 * stopped after the last. Tests and lifecycle methods receive it as a parameter:
 *
 * <pre>{@code
 * @ExtendWith(LocalRegistryExtension.class)
 * class PublishTest {
 *     @Test
 *     void publishes(LocalRegistry registry) { ... registry.uri("team") ... }
 * }
 * }</pre>
 *
 * Tests sharing a registry keep apart by using their own namespace or repository.
 */
public final class LocalRegistryExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalRegistryExtension.class);

    /** Closes the registry when the class's extension store is closed. */
    private record Running(LocalRegistry registry) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            registry.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> new Running(LocalRegistry.start()), Running.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Running running = context.getStore(NAMESPACE).get(Running.class, Running.class);
        if (running == null) {
            throw new IllegalStateException("LocalRegistryExtension starts its registry in beforeAll: register it on the class");
        }
        return running.registry();
    }
}

package io.github.jamescbv.testing.peers;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * On a test class: before anything of the class runs (its {@code @BeforeAll} included), check
 * {@link Peers#assumeAvailable}: the class is skipped with the reason, or fails under
 * {@code CBV_REQUIRE_PEERS=1}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPeers.Check.class)
public @interface RequiresPeers {
    Need[] value();

    /** The extension behind the annotation. */
    final class Check implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            RequiresPeers annotation = context.getRequiredTestClass().getAnnotation(RequiresPeers.class);
            if (annotation != null) {
                Peers.assumeAvailable(annotation.value());
            }
        }
    }
}

package org.postlet.mailet;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@link Mail} that does not override {@link Mail#syncDirectoryBeforeProcessed} fsyncs at once. */
class MailDirectorySyncTest {

    @TempDir
    Path temp;

    /** A Mail implementing nothing but the interface's default methods. */
    private static Mail defaultsOnly() {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new UnsupportedOperationException(method.getName());
        };
        return (Mail) Proxy.newProxyInstance(Mail.class.getClassLoader(), new Class<?>[] {Mail.class}, handler);
    }

    @Test
    void theDefaultFsyncsTheDirectoryAtOnce() throws Exception {
        Path newDir = Files.createDirectories(temp.resolve("Maildir/new"));
        Files.createFile(newDir.resolve("message"));

        assertThatCode(() -> defaultsOnly().syncDirectoryBeforeProcessed(newDir)).doesNotThrowAnyException();
    }

    @Test
    void theDefaultReportsADirectoryItCannotSync() {
        assertThatThrownBy(() -> defaultsOnly().syncDirectoryBeforeProcessed(temp.resolve("missing")))
                .isInstanceOf(NoSuchFileException.class);
    }
}

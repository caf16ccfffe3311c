package org.postlet.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import org.postlet.smtp.tls.SelfSignedKeystore;
import org.postlet.smtp.tls.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the server's TLS key material at start when a listener uses TLS: the keystore of
 * {@code tls.keystore}; when that file does not exist yet, or the key is not set, a self-signed
 * certificate is generated at first start (docs/configuration.md) and kept for the next starts.
 *
 * <p>With {@code tls.keystore} set, the generated keystore is written to that path with
 * {@code tls.password}. Without it, it goes to {@code <conf>/tls/keystore.p12} (password
 * {@value #GENERATED_PASSWORD}, file mode 600), beside the configuration, where an operator looks for it. When the configuration
 * directory is read-only (a package-managed {@code /etc}, a container mount) it goes to
 * {@code tls/keystore.p12} beside the spool directory instead ({@code var/tls/} in the default
 * layout). Replacing it with a real certificate is setting {@code tls.keystore}.
 */
public final class TlsKeyMaterial {

    /** The password of a generated keystore; it guards nothing the file mode does not already. */
    public static final String GENERATED_PASSWORD = "changeit";

    private static final Logger LOG = LoggerFactory.getLogger(TlsKeyMaterial.class);

    private TlsKeyMaterial() {
    }

    /** Where a generated keystore is kept for this configuration. */
    public static Path generatedKeystore(ServerConfig config) {
        Path inConf = config.directory().resolve("tls/keystore.p12");
        if (Files.exists(inConf) || Files.isWritable(config.directory())) {
            return inConf;
        }
        return config.spool().toAbsolutePath().getParent().resolve("tls/keystore.p12");
    }

    /**
     * The TLS context for the configured listeners; empty when none uses TLS.
     *
     * @throws IOException naming the keystore when it cannot be read or generated
     */
    public static Optional<TlsContext> load(ServerConfig config) throws IOException {
        if (!config.smtp().usesTls()) {
            return Optional.empty();
        }
        Path file = config.tls().map(ServerConfig.TlsConfig::keystore).orElseGet(() -> generatedKeystore(config));
        char[] password = config.tls().map(ServerConfig.TlsConfig::password).orElse(GENERATED_PASSWORD).toCharArray();
        try {
            if (SelfSignedKeystore.createIfMissing(file, config.hostname(), password)) {
                LOG.warn("generated a self-signed TLS certificate for {} in {}; clients will not trust it. "
                        + "Put a PKCS#12 keystore with a real certificate there (tls.keystore, tls.password)",
                        config.hostname(), file);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate a self-signed TLS certificate in " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("cannot write the generated TLS keystore " + file + ": " + e.getMessage()
                    + "; make its folder writable or set tls.keystore", e);
        }
        try {
            return Optional.of(TlsContext.fromKeystore(file, password));
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}

package org.postlet.smtp.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The server's TLS configuration: the key material and the protocol and cipher choices. Immutable
 * and shared by all connections; {@link #newHandler} makes one handler per connection.
 *
 * <p>Only TLS 1.3 and 1.2 are enabled. Cipher suites are limited to forward-secret AEAD ones
 * (AES-GCM, ChaCha20-Poly1305 with ECDHE or DHE; the TLS 1.3 suites), so CBC, RC4, 3DES, NULL,
 * anonymous and export suites are never negotiated, whatever the JDK would allow. The server's
 * order of preference wins.
 */
public final class TlsContext {

    /** The protocols the server speaks, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The cipher suites allowed, by name; everything else the JDK offers is left out. */
    private static final Pattern ALLOWED_SUITES = Pattern.compile(
            "TLS_AES_(128|256)_GCM_SHA(256|384)|TLS_CHACHA20_POLY1305_SHA256"
                    + "|TLS_(ECDHE_ECDSA|ECDHE_RSA|DHE_RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)");

    private final SSLContext context;
    private final List<String> cipherSuites;

    private TlsContext(SSLContext context) {
        this.context = context;
        // The JDK's default list is ordered by strength; keep that order, drop the weak ones.
        String[] defaults = context.getDefaultSSLParameters().getCipherSuites();
        this.cipherSuites = Arrays.stream(defaults).filter(s -> ALLOWED_SUITES.matcher(s).matches()).toList();
        if (cipherSuites.isEmpty()) {
            throw new IllegalStateException("this JDK offers none of the allowed TLS cipher suites; it offers "
                    + Arrays.toString(defaults));
        }
    }

    /**
     * Reads a PKCS#12 keystore holding the server's private key and certificate chain. The key's
     * password must be the keystore's password, as usual for PKCS#12.
     *
     * @throws IOException              naming the file when it is missing, unreadable, not PKCS#12 or
     *                                  the password is wrong
     * @throws GeneralSecurityException when it holds no private key or the key cannot be used
     */
    public static TlsContext fromKeystore(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keystore.load(in, password);
        } catch (NoSuchFileException e) {
            throw new IOException("keystore " + file + " does not exist", e);
        } catch (IOException e) {
            // The JDK says "keystore password was incorrect" or describes the bad format.
            throw new IOException("cannot open keystore " + file + " as PKCS#12: " + e.getMessage(), e);
        }
        if (!hasPrivateKey(keystore)) {
            throw new KeyStoreException("keystore " + file + " holds no private key; it needs the server's key "
                    + "and certificate chain (e.g. openssl pkcs12 -export -inkey key.pem -in chain.pem)");
        }
        return of(keystore, password);
    }

    /** A context for key material already loaded; the key's password must be {@code password}. */
    public static TlsContext of(KeyStore keystore, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keystore, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return new TlsContext(context);
    }

    /** The cipher suites enabled, in the server's order of preference. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /**
     * A server-side handler for one connection.
     *
     * @param startTls true for STARTTLS: the first write (the {@code 220} reply to STARTTLS) still
     *                 goes out in plain text; false for implicit TLS
     */
    public SslHandler newHandler(ByteBufAllocator allocator, boolean startTls) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        engine.setSSLParameters(parameters);
        return new SslHandler(engine, startTls);
    }

    /** The protocol and cipher suite of a session, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}. */
    public static String describe(SSLSession session) {
        return session.getProtocol() + " " + session.getCipherSuite();
    }

    private static boolean hasPrivateKey(KeyStore keystore) throws KeyStoreException {
        for (String alias : Collections.list(keystore.aliases())) {
            if (keystore.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }
}

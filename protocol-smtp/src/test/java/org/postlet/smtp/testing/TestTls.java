package org.postlet.smtp.testing;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import org.postlet.smtp.tls.SelfSignedKeystore;
import org.postlet.smtp.tls.TlsContext;
import org.postlet.testsupport.TrustingTls;

/** TLS for tests: one self-signed server key per test JVM (RSA generation is slow), and a client that trusts it. */
public final class TestTls {

    public static final char[] PASSWORD = "changeit".toCharArray();

    private TestTls() {
    }

    /** Initialised once, on first use; immutable afterwards. */
    private static final class Holder {
        static final KeyStore KEYSTORE;
        static final TlsContext CONTEXT;

        static {
            try {
                KEYSTORE = SelfSignedKeystore.generate(SmtpTestServer.HOSTNAME, PASSWORD);
                CONTEXT = TlsContext.of(KEYSTORE, PASSWORD);
            } catch (GeneralSecurityException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** The server's TLS context with a self-signed certificate for {@link SmtpTestServer#HOSTNAME}. */
    public static TlsContext serverContext() {
        return Holder.CONTEXT;
    }

    /** A client context that trusts any server certificate: the tests check the server's TLS, not PKI. */
    public static SSLContext trustingClient() {
        return TrustingTls.client();
    }
}

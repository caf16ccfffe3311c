/**
 * TLS for SMTP: STARTTLS (RFC 3207) and implicit TLS (RFC 8314). {@link org.postlet.smtp.tls.TlsContext}
 * holds the key material and makes one Netty {@code SslHandler} per connection with TLS 1.2 and 1.3
 * only and AEAD cipher suites only; {@link org.postlet.smtp.tls.SelfSignedKeystore} makes the
 * certificate that lets STARTTLS work before an operator installs a real one.
 */
package org.postlet.smtp.tls;

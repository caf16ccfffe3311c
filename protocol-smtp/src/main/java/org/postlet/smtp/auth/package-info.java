/**
 * SMTP AUTH (RFC 4954): the SASL mechanisms PLAIN (RFC 4616) and LOGIN, and the
 * {@link org.postlet.smtp.auth.Authenticator} port through which the server asks whether a
 * password is right. Checking passwords is the embedding application's business.
 */
package org.postlet.smtp.auth;

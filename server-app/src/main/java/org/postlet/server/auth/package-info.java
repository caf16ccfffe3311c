/**
 * SMTP AUTH against the Dovecot passwd-file: {@link org.postlet.server.auth.PasswdFileAuthenticator}
 * checks the password hashes of {@link org.postlet.server.directory.Directory} users with
 * {@link org.postlet.server.auth.PasswordHashes} on a small thread pool off the SMTP event loop.
 */
package org.postlet.server.auth;

package org.postlet.server.context;

/**
 * Which senders ({@code MAIL FROM}) an authenticated user may use: {@code smtp.senderLogin}.
 */
public enum SenderLogin {
    /** Only addresses the user owns: their own and the aliases that lead to them (Postfix's reject_sender_login_mismatch). */
    OWNED,
    /** Any address, as before the check existed; for gateways that submit on behalf of many users. */
    ANY
}

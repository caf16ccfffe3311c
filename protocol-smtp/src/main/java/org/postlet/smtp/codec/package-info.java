/**
 * Turns the bytes of an SMTP connection into frames: command lines, or dot-unstuffed message data
 * ending at {@code <CRLF>.<CRLF>} only (smuggling-safe). Netty types stay inside this module.
 */
package org.postlet.smtp.codec;

/**
 * SMTP commands and replies as values: {@link org.postlet.smtp.command.Verb},
 * {@link org.postlet.smtp.command.Command}, {@link org.postlet.smtp.command.Reply}, and the
 * parsing of MAIL/RCPT paths and ESMTP parameters. No I/O here.
 */
package org.postlet.smtp.command;

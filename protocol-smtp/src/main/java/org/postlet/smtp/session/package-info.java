/**
 * One SMTP session per connection: the state machine
 * ({@link org.postlet.smtp.session.SessionState}), the command handling and the hand-off of
 * messages to the inbound queue.
 */
package org.postlet.smtp.session;

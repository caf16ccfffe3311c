/**
 * The queue between receiving mail and processing it. {@link org.postlet.queue.MailQueue} is what
 * every queue implements (the embedded file queue, a broker); a mail in it is described by a
 * {@link org.postlet.queue.MailEnvelope}, whose {@link org.postlet.queue.Origin} says where it came
 * from, and its bytes. Nothing here knows SMTP or Maildir.
 */
package org.postlet.queue;

/**
 * Making writes durable cheaply: {@link org.postlet.queue.durability.GroupCommit} lets many mails
 * finishing together share one fsync, and {@link org.postlet.queue.durability.Fsync} is the fsync itself.
 */
package org.postlet.queue.durability;

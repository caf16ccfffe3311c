/**
 * The {@link org.postlet.queue.MailQueue} on RabbitMQ ({@code queue.type: rabbitmq}): several
 * Postlet nodes share one queue of quorum queues, with publisher confirms before 250, delayed
 * retries through TTL waiting rooms and large bodies in a shared folder (docs/scaling.md).
 */
package org.postlet.queue.rabbitmq;

package org.postlet.server.config;

/** Which {@code MailQueue} holds accepted mail ({@code queue.type}). */
public enum QueueType {
    /** The embedded file queue in the {@code spool} folder. */
    FILE,
    /** A RabbitMQ broker shared by several nodes. */
    RABBITMQ
}

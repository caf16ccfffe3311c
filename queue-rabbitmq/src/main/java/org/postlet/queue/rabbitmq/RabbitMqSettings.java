package org.postlet.queue.rabbitmq;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the RabbitMQ queue is ({@code queue.uri}, {@code queue.name}) and where bodies too big
 * to travel inline are kept ({@code queue.blobs}).
 *
 * @param uri         the broker, {@code amqp://user:password@host:port/vhost} ({@code amqps://} for TLS)
 * @param name        the main queue's name; the helper queues are named after it
 * @param blobs       a folder every node reads and writes: bodies over {@code inlineLimit}, and
 *                    the marks of generated mail already sent
 * @param inlineLimit bodies up to this many bytes travel inside the AMQP message
 * @param prefetch    how many mails the broker hands this node ahead of acknowledgement
 */
public record RabbitMqSettings(URI uri, String name, Path blobs, int inlineLimit, int prefetch) {

    /** {@code queue.uri} when the key is missing. */
    public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672/";
    /** {@code queue.name} when the key is missing. */
    public static final String DEFAULT_NAME = "postlet";
    /**
     * Bodies up to 256 KiB travel inline. Measured (InlineLimitMeasurement, docs/scaling.md): up to
     * there inline mail goes through at least as fast as a file in the shared folder, around it
     * both cost about the same, and at 4 MiB the shared folder is faster; while the broker's
     * memory (a quorum queue of RabbitMQ 3.10 keeps its messages in memory) and its replication
     * traffic grow with every queued body, a file costs the broker nothing.
     */
    public static final int DEFAULT_INLINE_LIMIT = 256 * 1024;
    /** Enough to keep the server's delivery workers (6 per core, at most 64) busy. */
    public static final int DEFAULT_PREFETCH = 64;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    public RabbitMqSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(blobs, "blobs");
        if (!validName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a queue name: " + NAME_RULE);
        }
        if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
            throw new IllegalArgumentException("'" + uri + "' is not an amqp:// or amqps:// URI");
        }
        if (inlineLimit < 1 || prefetch < 1) {
            throw new IllegalArgumentException("inlineLimit and prefetch must be positive");
        }
    }

    /** Settings with the default inline limit and prefetch. */
    public static RabbitMqSettings of(String uri, String name, Path blobs) {
        return new RabbitMqSettings(parseUri(uri), name, blobs, DEFAULT_INLINE_LIMIT, DEFAULT_PREFETCH);
    }

    /** What {@link #validName} accepts, for error messages. */
    public static final String NAME_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 200";

    /** Whether {@code name} can name the queue and, with a suffix, its helper queues. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Parses a broker URI.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static URI parseUri(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("'" + text + "' names no host");
            }
            if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
                throw new IllegalArgumentException("'" + text + "' is not an amqp:// or amqps:// URI");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URI: " + e.getReason());
        }
    }

    /** The broker's address without the password, for logs and {@code /health}. */
    public String where() {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "/"
                + (uri.getPath() == null || uri.getPath().length() <= 1 ? "" : uri.getPath().substring(1)) + " queue " + name;
    }
}

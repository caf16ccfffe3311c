package org.postlet.server.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Every metric the server records, in one place. Code registers a metric in the Dropwizard
 * {@code MetricRegistry} under {@link #dropwizardName(String...)}; JMX shows that name as is, and
 * {@code GET /metrics} turns each {@code *} segment into a Prometheus label, e.g.
 * {@code smtp.mx.connections} becomes {@code postlet_smtp_connections_total{listener="mx"}}.
 *
 * <p>Names are part of what operators build dashboards and alerts on: add freely, do not rename.
 * docs/operations.md lists them.
 */
public enum ServerMetric {

    // SMTP, per listener
    SMTP_CONNECTIONS_OPEN("smtp.*.connections.open", Kind.GAUGE, "SMTP sessions open now", "listener"),
    SMTP_CONNECTIONS("smtp.*.connections", Kind.METER, "SMTP connections accepted", "listener"),
    SMTP_SESSIONS_REJECTED("smtp.*.sessions.rejected", Kind.METER,
            "connections refused before the greeting (limits, policy)", "listener"),
    SMTP_TLS_HANDSHAKES("smtp.*.tls.handshakes", Kind.METER, "TLS handshakes completed", "listener"),
    SMTP_TLS_FAILURES("smtp.*.tls.failures", Kind.METER, "TLS handshakes failed", "listener"),
    SMTP_AUTH_SUCCESSES("smtp.*.auth.successes", Kind.METER, "AUTH commands that succeeded", "listener"),
    SMTP_AUTH_FAILURES("smtp.*.auth.failures", Kind.METER, "AUTH commands that failed", "listener"),

    // SMTP, per message
    SMTP_MESSAGES_ACCEPTED("smtp.messages.accepted", Kind.METER, "messages answered with 250 after DATA/BDAT"),
    SMTP_MESSAGES_REJECTED("smtp.rejected.*.messages", Kind.METER,
            "messages or recipients refused, by reason (size, recipients, relay, unknown-user, spool, ...)", "reason"),
    SMTP_MESSAGE_BYTES("smtp.messages.bytes", Kind.HISTOGRAM, "size of accepted messages in bytes"),
    SMTP_COMMIT_TIME("smtp.messages.commit", Kind.TIMER, "time from the end of DATA to the 250 reply (spool fsync)"),

    // Spool
    SPOOL_DEPTH("spool.depth", Kind.GAUGE, "messages in the spool: waiting, being processed, deferred and held"),
    SPOOL_OLDEST_AGE("spool.oldest.age.seconds", Kind.GAUGE, "age of the oldest message in the spool, in seconds"),
    SPOOL_DEFERRED("spool.deferred", Kind.GAUGE, "messages in the spool waiting for their next attempt after a temporary failure"),
    SPOOL_HELD("spool.held", Kind.GAUGE, "messages in the spool an operator holds out of processing"),
    SPOOL_RETRIES("spool.retries", Kind.METER, "messages deferred for a later attempt"),
    SPOOL_FREE_BYTES("spool.free.bytes", Kind.GAUGE, "bytes free for Postlet on the spool's file system"),
    MAILDIR_FREE_BYTES("storage.maildir.free.bytes", Kind.GAUGE, "bytes free for Postlet on the Maildir root's file system"),

    // Pipeline
    PIPELINE_PROCESSOR_MAILS("pipeline.processor.*.mails", Kind.METER, "mails entering a processor", "processor"),
    PIPELINE_MAILET_TIME("pipeline.mailet.*.*.time", Kind.TIMER, "time spent in a mailet's service()",
            "processor", "mailet"),
    PIPELINE_MAILET_EXCEPTIONS("pipeline.mailet.*.*.exceptions", Kind.METER, "exceptions thrown by a mailet",
            "processor", "mailet"),
    PIPELINE_STEP_RUNS("pipeline.step.*.*.runs", Kind.METER, "mails a step's mailet ran on (step: its position in the processor, from 0)",
            "processor", "step"),
    PIPELINE_STEP_FAILURES("pipeline.step.*.*.failures", Kind.METER,
            "mails a step's mailet threw on, temporary failures included", "processor", "step"),

    // Delivery
    DELIVERY_DELIVERED("delivery.delivered", Kind.METER, "recipients delivered (Maildir or repository)"),
    DELIVERY_TEMPORARY_FAILURES("delivery.failures.temporary", Kind.METER, "recipients deferred by a temporary failure"),
    DELIVERY_PERMANENT_FAILURES("delivery.failures.permanent", Kind.METER, "recipients that failed permanently"),
    REMOTE_DELIVERED("remote.delivered", Kind.METER, "recipients a remote SMTP server accepted (RemoteDelivery)"),
    REMOTE_DEFERRED("remote.deferred", Kind.METER, "recipients RemoteDelivery deferred after a temporary failure"),
    REMOTE_FAILED("remote.failed", Kind.METER, "recipients RemoteDelivery failed permanently or gave up on"),
    // RemoteDelivery's DestinationMeters registers these, for the first 100 domains (the rest: domain "other")
    REMOTE_DOMAIN_DELIVERED("remote.domain.*.delivered", Kind.METER,
            "recipients a remote SMTP server accepted, by destination domain", ServerMetric.DOMAIN_LABEL),
    REMOTE_DOMAIN_DEFERRED("remote.domain.*.deferred", Kind.METER,
            "recipients RemoteDelivery deferred, by destination domain", ServerMetric.DOMAIN_LABEL),
    REMOTE_DOMAIN_FAILED("remote.domain.*.failed", Kind.METER,
            "recipients RemoteDelivery failed permanently or gave up on, by destination domain", ServerMetric.DOMAIN_LABEL);

    /**
     * The label of a mail domain. Its dots are {@code _} in the Dropwizard name (one segment, as
     * {@link #dropwizardName(String...)} makes it) and dots again in the Prometheus label: a mail
     * domain has no {@code _} (RFC 5321 §4.1.2), so {@code domain="example.com"} is what it was.
     */
    public static final String DOMAIN_LABEL = "domain";

    /**
     * The Dropwizard type to register the metric as. Something that goes up and down (open
     * connections) is a {@code GAUGE}: a Dropwizard {@code Counter} is exported as a Prometheus
     * counter, which must never decrease.
     */
    public enum Kind { COUNTER, METER, TIMER, HISTOGRAM, GAUGE }

    /** Prefix of every Prometheus name, so Postlet's metrics group together in a scrape. */
    public static final String PROMETHEUS_PREFIX = "postlet_";

    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]");

    private final String pattern;
    private final Kind kind;
    private final String help;
    private final List<String> labels;

    ServerMetric(String pattern, Kind kind, String help, String... labels) {
        this.pattern = pattern;
        this.kind = kind;
        this.help = help;
        this.labels = List.of(labels);
        if (pattern.chars().filter(c -> c == '*').count() != labels.length) {
            throw new IllegalStateException(pattern + ": one label per '*'");
        }
        if (pattern.endsWith("*")) {
            // the Prometheus bridge appends _total to a meter's name before matching; a last '*' would swallow it
            throw new IllegalStateException(pattern + ": end the name with a word, not '*'");
        }
    }

    /** The Dropwizard name with {@code *} for each label, e.g. {@code smtp.*.connections}. */
    public String pattern() {
        return pattern;
    }

    /** What type to register in the {@code MetricRegistry}. */
    public Kind kind() {
        return kind;
    }

    /** One line saying what is counted. */
    public String help() {
        return help;
    }

    /** The Prometheus label names, in the order of the {@code *} segments. */
    public List<String> labels() {
        return labels;
    }

    /**
     * The name to register in the {@code MetricRegistry}, with the label values in place of the
     * {@code *} segments. Values are made safe: a dot would shift the segments (a mailet's fully
     * qualified class name has dots), so every character other than letters, digits, {@code _} and
     * {@code -} becomes {@code _}.
     *
     * @throws IllegalArgumentException if the number of values is not the number of labels
     */
    public String dropwizardName(String... labelValues) {
        if (labelValues.length != labels.size()) {
            throw new IllegalArgumentException(name() + " takes " + labels.size() + " label value(s) " + labels + ", got "
                    + Arrays.toString(labelValues));
        }
        StringBuilder name = new StringBuilder(pattern.length() + 16);
        int next = 0;
        for (String segment : pattern.split("\\.")) {
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(segment.equals("*") ? segmentValue(labelValues[next++]) : segment);
        }
        return name.toString();
    }

    /**
     * The Prometheus name as {@code GET /metrics} shows it, before the type suffix the exposition
     * format adds ({@code _total} for counters and meters; timers are summaries in seconds).
     */
    public String prometheusName() {
        List<String> parts = new ArrayList<>();
        for (String segment : pattern.split("\\.")) {
            if (!segment.equals("*")) {
                parts.add(segment);
            }
        }
        return PROMETHEUS_PREFIX + String.join("_", parts).replace('-', '_').toLowerCase(Locale.ROOT);
    }

    private static String segmentValue(String value) {
        if (value == null || value.isEmpty()) {
            return "_";
        }
        return UNSAFE.matcher(value).replaceAll("_");
    }
}

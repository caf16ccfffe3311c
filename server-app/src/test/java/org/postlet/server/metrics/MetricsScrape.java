package org.postlet.server.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.HashMap;
import java.util.function.Predicate;

/**
 * One reading of a running server's {@code /metrics} on 127.0.0.1, as Prometheus would scrape it,
 * with its samples looked up by name and labels, so that tests ask for a value instead of matching
 * text: the rendering itself (TYPE lines, number format) is MetricsEndpointTest's business.
 *
 * @param text the body as served, shown when a sample is missing
 * @param samples every sample line of it, in order
 */
public record MetricsScrape(String text, List<Sample> samples) {

    /** How long to wait for a connection and for an answer: a stuck server fails the test, not hangs it. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One sample line: {@code name{label="value",...} value}. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public MetricsScrape {
        samples = List.copyOf(samples);
    }

    /** GETs {@code /metrics} on 127.0.0.1:{@code port}; an answer other than 200 fails the test. */
    public static MetricsScrape fetch(int port) throws IOException, InterruptedException {
        return fetch(client(), port);
    }

    /**
     * Scrapes {@code /metrics} until {@code done} holds or {@code timeout} has passed, and answers the
     * last scrape either way: the test's own assertions on it then say what was still wrong.
     */
    public static MetricsScrape await(int port, Duration timeout, Predicate<MetricsScrape> done)
            throws IOException, InterruptedException {
        HttpClient http = client();
        long deadline = System.nanoTime() + timeout.toNanos();
        MetricsScrape scrape = fetch(http, port);
        while (!done.test(scrape) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            scrape = fetch(http, port);
        }
        return scrape;
    }

    /** Reads a body in the Prometheus text format. */
    public static MetricsScrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        text.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> samples.add(sample(line)));
        return new MetricsScrape(text, samples);
    }

    /** The value of the sample {@code name} without labels; fails the test if there is none. */
    public double value(String name) {
        return value(name, Map.of());
    }

    /** The value of the sample {@code name} with exactly {@code labels}; fails the test if there is none. */
    public double value(String name, Map<String, String> labels) {
        OptionalDouble value = find(name, labels);
        if (value.isEmpty()) {
            throw new AssertionError("no " + name + labels + " in /metrics:\n" + text);
        }
        return value.getAsDouble();
    }

    /** The value of the sample {@code name} with exactly {@code labels}, if the server exports it. */
    public OptionalDouble find(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .mapToDouble(Sample::value).findFirst();
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    private static MetricsScrape fetch(HttpClient http, int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + response.statusCode() + ":\n" + response.body());
        }
        return parse(response.body());
    }

    /** {@code name{a="x",b="y \" z"} 1.0 [timestamp]}; label values may hold escaped quotes, backslashes and newlines. */
    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new HashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf("=\"", i);
                String label = line.substring(i, eq);
                StringBuilder value = new StringBuilder();
                for (i = eq + 2; line.charAt(i) != '"'; i++) {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        c = line.charAt(++i);
                        value.append(c == 'n' ? '\n' : c);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                i++; // the closing quote
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++; // the closing brace
        }
        String value = line.substring(i).strip().split(" ")[0];
        return new Sample(name, Map.copyOf(labels), number(value));
    }

    private static double number(String value) {
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value);
        };
    }
}

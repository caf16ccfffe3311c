package org.postlet.mailet;

import jakarta.mail.MessagingException;
import java.time.Duration;
import java.util.Optional;

/**
 * The usual base of a mailet: keeps the configuration and gives typed access to parameters.
 * Override {@link #init()} to read parameters and {@link #service(Mail)} to do the work.
 */
public abstract class GenericMailet implements Mailet {

    private MailetConfig config;

    @Override
    public final void init(MailetConfig config) throws MessagingException {
        this.config = config;
        init();
    }

    /** Reads parameters; called once after the configuration is set. */
    public void init() throws MessagingException {
    }

    /** The configuration given at {@link #init(MailetConfig)}. */
    public MailetConfig getMailetConfig() {
        if (config == null) {
            throw new IllegalStateException(getClass().getName() + " is used before init(MailetConfig)");
        }
        return config;
    }

    /** The server context. */
    public MailetContext getMailetContext() {
        return getMailetConfig().context();
    }

    /** A parameter, or {@code defaultValue} when it is not given. */
    public String getInitParameter(String name, String defaultValue) {
        return getMailetConfig().initParameter(name).orElse(defaultValue);
    }

    /** A parameter, if given. */
    public Optional<String> getInitParameter(String name) {
        return getMailetConfig().initParameter(name);
    }

    /**
     * A parameter that must be given.
     *
     * @throws MailetException naming the parameter and the mailet, so start-up fails with a clear message
     */
    public String getRequiredParameter(String name) throws MailetException {
        return getInitParameter(name).filter(v -> !v.isBlank()).orElseThrow(() -> new MailetException(
                getMailetConfig().mailetName() + " needs the parameter '" + name + "' — add " + name + ": <value> to the step"));
    }

    /** A boolean parameter ({@code true}/{@code false}, {@code yes}/{@code no}). */
    public boolean getBooleanParameter(String name, boolean defaultValue) throws MailetException {
        Optional<String> value = getInitParameter(name);
        return value.isEmpty() ? defaultValue : ParameterValues.bool(parameterLabel(name), value.get());
    }

    /** A duration parameter such as {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}. */
    public Duration getDurationParameter(String name, Duration defaultValue) throws MailetException {
        Optional<String> value = getInitParameter(name);
        return value.isEmpty() ? defaultValue : ParameterValues.duration(parameterLabel(name), value.get());
    }

    /** A size parameter in bytes such as {@code 512}, {@code 10k}, {@code 25MB}. */
    public long getSizeParameter(String name, long defaultValue) throws MailetException {
        Optional<String> value = getInitParameter(name);
        return value.isEmpty() ? defaultValue : ParameterValues.size(parameterLabel(name), value.get());
    }

    private String parameterLabel(String name) {
        return getMailetConfig().mailetName() + " parameter '" + name + "'";
    }

    @Override
    public String info() {
        return config == null ? getClass().getSimpleName() : config.mailetName();
    }
}

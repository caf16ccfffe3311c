package org.postlet.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ParameterValuesTest {

    @Test
    void durations() throws Exception {
        assertThat(ParameterValues.duration("x", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(ParameterValues.duration("x", "10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(ParameterValues.duration("x", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(ParameterValues.duration("x", "1d")).isEqualTo(Duration.ofDays(1));
        assertThat(ParameterValues.duration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(ParameterValues.duration("x", "45")).isEqualTo(Duration.ofSeconds(45));
        assertThatThrownBy(() -> ParameterValues.duration("Retry parameter 'delay'", "soon"))
                .isInstanceOf(MailetException.class).hasMessageContaining("Retry parameter 'delay'").hasMessageContaining("30s");
    }

    @Test
    void sizes() throws Exception {
        assertThat(ParameterValues.size("x", "512")).isEqualTo(512);
        assertThat(ParameterValues.size("x", "10k")).isEqualTo(10 * 1024);
        assertThat(ParameterValues.size("x", "25MB")).isEqualTo(25L * 1024 * 1024);
        assertThat(ParameterValues.size("x", "1G")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> ParameterValues.size("x", "lots")).isInstanceOf(MailetException.class);
        assertThatThrownBy(() -> ParameterValues.size("x", "99999999999999999g")).hasMessageContaining("too large");
    }

    /** Found by DirectoryFuzzTest: more digits than a long holds threw NumberFormatException. */
    @Test
    void numbersBeyondALongAreTooLargeNotACrash() {
        assertThatThrownBy(() -> ParameterValues.size("quota", "99999999999999999999"))
                .isInstanceOf(MailetException.class).hasMessage("quota is '99999999999999999999', which is too large");
        assertThatThrownBy(() -> ParameterValues.duration("delay", "99999999999999999999s"))
                .isInstanceOf(MailetException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> ParameterValues.duration("delay", "9223372036854775807d"))
                .isInstanceOf(MailetException.class).hasMessageContaining("too large");
    }

    @Test
    void booleans() throws Exception {
        assertThat(ParameterValues.bool("x", "yes")).isTrue();
        assertThat(ParameterValues.bool("x", "False")).isFalse();
        assertThatThrownBy(() -> ParameterValues.bool("x", "maybe")).isInstanceOf(MailetException.class);
    }
}

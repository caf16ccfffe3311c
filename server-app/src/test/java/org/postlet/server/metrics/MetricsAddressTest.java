package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricsAddressTest {

    @Test
    void parsesHostPortIpv6AndAnyInterface() {
        assertThat(MetricsAddress.parse("127.0.0.1:9025")).isEqualTo(new MetricsAddress("127.0.0.1", 9025));
        assertThat(MetricsAddress.parse("[::1]:9025")).isEqualTo(new MetricsAddress("::1", 9025));
        assertThat(MetricsAddress.parse(":9025")).isEqualTo(new MetricsAddress("", 9025));
        assertThat(MetricsAddress.parse("[::1]:9025")).hasToString("[::1]:9025");
    }

    @Test
    void saysWhatIsWrong() {
        assertThatThrownBy(() -> MetricsAddress.parse("localhost")).hasMessage("metrics.http 'localhost' has no port");
        assertThatThrownBy(() -> MetricsAddress.parse("::1:9025")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> MetricsAddress.parse("host:http")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> MetricsAddress.parse("host:70000")).hasMessageContaining("out of range");
    }
}

package org.postlet.outbound.sts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postlet.outbound.sts.StsPolicy.Mode;

class StsPolicyTest {

    @Test
    void readsRfc8461sExample() throws Exception {
        StsPolicy p = StsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
                + "mx: backupmx.example.com\r\nmax_age: 604800\r\n");

        assertThat(p.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(p.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(p.maxAge()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void aWildcardStandsForExactlyOneLeftMostLabel() throws Exception {
        StsPolicy p = StsPolicy.parse("version: STSv1\nmode: testing\nmx: *.example.net\nmx: Mail.Example.COM.\nmax_age: 86400\n");

        assertThat(p.allows("mx1.example.net")).isTrue();
        assertThat(p.allows("MX1.Example.Net.")).isTrue();
        assertThat(p.allows("example.net")).isFalse();
        assertThat(p.allows("a.b.example.net")).isFalse();
        assertThat(p.allows("mail.example.com")).isTrue();
        assertThat(p.allows("xmail.example.com")).isFalse();
    }

    @Test
    void unknownKeysAreIgnoredAndAnOverlongMaxAgeIsCut() throws Exception {
        StsPolicy p = StsPolicy.parse("version: STSv1\nmode: none\nfuture_key: 1\nmax_age: 9999999999\n");

        assertThat(p.mode()).isEqualTo(Mode.NONE);
        assertThat(p.mx()).isEmpty();
        assertThat(p.maxAge()).isEqualTo(StsPolicy.MAX_AGE_LIMIT);
    }

    @Test
    void aMalformedPolicySaysWhatIsWrong() {
        assertThatThrownBy(() -> StsPolicy.parse("mode: enforce\nmx: a.example\nmax_age: 1\n"))
                .isInstanceOf(MalformedPolicyException.class).hasMessageContaining("version: STSv1");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n"))
                .hasMessageContaining("mode is 'strict'");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n"))
                .hasMessageContaining("max_age");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 100\n"))
                .hasMessageContaining("no mx");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: *\nmax_age: 100\n"))
                .hasMessageContaining("not a host name");
        assertThatThrownBy(() -> StsPolicy.parse("<html>not found</html>")).hasMessageContaining("not 'key: value'");
    }

    @Test
    void theTxtRecordGivesTheId() throws Exception {
        assertThat(StsRecord.find(List.of("v=spf1 -all", "v=STSv1; id=20160831085700Z;")))
                .contains(new StsRecord("20160831085700Z"));
        assertThat(StsRecord.find(List.of("v=STSv1;id=abc"))).contains(new StsRecord("abc"));
        assertThat(StsRecord.find(List.of("v=spf1 -all"))).isEmpty();
        assertThatThrownBy(() -> StsRecord.find(List.of("v=STSv1; id=1", "v=STSv1; id=2")))
                .isInstanceOf(MalformedPolicyException.class).hasMessageContaining("2 TXT records");
        assertThatThrownBy(() -> StsRecord.find(List.of("v=STSv1; id=no-dashes"))).hasMessageContaining("letters and digits");
        assertThatThrownBy(() -> StsRecord.find(List.of("v=STSv1;"))).hasMessageContaining("no id");
    }
}

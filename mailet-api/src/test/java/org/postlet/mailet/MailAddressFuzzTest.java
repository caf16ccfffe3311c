package org.postlet.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link MailAddress#parse} with any text a client may put in a path, decoded from UTF-8 as
 * the SMTP server decodes command lines (docs/fuzzing.md).
 * It either refuses the text with {@link InvalidAddressException} or gives an address that is
 * written back without control characters and parses again to an equal address.
 */
class MailAddressFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void parsedAddressesSurviveTheirOwnToString(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        MailAddress address;
        try {
            address = MailAddress.parse(text);
        } catch (InvalidAddressException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        String written = address.toString();
        assertThat(written.chars().noneMatch(Character::isISOControl))
                .as("no control character in %s", written).isTrue();
        assertThat(MailAddress.parse(written)).as("re-parsing %s", written).isEqualTo(address);
        assertThat(MailAddress.parse(address.toPath())).as("re-parsing %s", address.toPath()).isEqualTo(address);
        assertThat(new MailAddress(address.localPart(), address.domain())).isEqualTo(address);
    }
}

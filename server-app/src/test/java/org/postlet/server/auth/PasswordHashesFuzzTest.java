package org.postlet.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the check of a password against a passwd-file password field (docs/fuzzing.md): any
 * field and password give true or false, never an exception; an unknown scheme never matches;
 * a {PLAIN} field matches exactly its own password, and an empty password never matches.
 */
class PasswordHashesFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void anyFieldAndPassword(FuzzedDataProvider data) {
        String field = data.consumeString(200);
        String password = data.consumeRemainingAsString();
        boolean matches = PasswordHashes.matches(field, password);
        if (PasswordHashes.schemeOf(field).isEmpty() || field.isEmpty()) {
            assertThat(matches).isFalse();
        }
        assertThat(PasswordHashes.matches("{PLAIN}" + password, password)).isEqualTo(!password.isEmpty());
        assertThat(PasswordHashes.matches("{PLAIN}" + password, password + "x")).isFalse();
    }
}

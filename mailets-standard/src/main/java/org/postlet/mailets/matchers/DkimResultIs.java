package org.postlet.mailets.matchers;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.postlet.auth.dkim.DkimResult;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailets.auth.AuthenticationResults;

/** Selects mail by the best DKIM result (pass when any signature passed), as AuthenticationResults recorded it. */
@ComponentDoc(summary = "Selects the whole mail when the best DKIM result (pass when any signature passed), as the AuthenticationResults mailet"
        + " recorded it, is one of the values. Mail that AuthenticationResults has not seen is not selected.",
        condition = "one or more of `none, pass, fail, neutral, temperror, permerror`, separated by commas",
        example = "{ match: \"DkimResultIs=pass\", class: LocalDelivery, folder: Junk }")
public final class DkimResultIs extends AuthResultMatcher {

    private static final Set<String> VALUES = Arrays.stream(DkimResult.values()).map(DkimResult::text).collect(Collectors.toSet());

    @Override
    String attribute() {
        return AuthenticationResults.DKIM;
    }

    @Override
    Set<String> values() {
        return VALUES;
    }
}

package org.postlet.mailets.matchers;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.postlet.auth.spf.SpfResult;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailets.auth.AuthenticationResults;

/** Selects mail by the SPF result of the MAIL FROM identity, as AuthenticationResults recorded it. */
@ComponentDoc(summary = "Selects the whole mail when the SPF result of the MAIL FROM identity, as the AuthenticationResults mailet"
        + " recorded it, is one of the values. Mail that AuthenticationResults has not seen is not selected.",
        condition = "one or more of `none, neutral, pass, fail, softfail, temperror, permerror`, separated by commas",
        example = "{ match: \"SpfResultIs=fail,softfail\", class: LocalDelivery, folder: Junk }")
public final class SpfResultIs extends AuthResultMatcher {

    private static final Set<String> VALUES = Arrays.stream(SpfResult.values()).map(SpfResult::text).collect(Collectors.toSet());

    @Override
    String attribute() {
        return AuthenticationResults.SPF;
    }

    @Override
    Set<String> values() {
        return VALUES;
    }
}

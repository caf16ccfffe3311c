package org.postlet.mailets.matchers;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.postlet.auth.dmarc.DmarcResult;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailets.auth.AuthenticationResults;

/** Selects mail by the DMARC result, as AuthenticationResults recorded it. */
@ComponentDoc(summary = "Selects the whole mail when the DMARC result, as the AuthenticationResults mailet"
        + " recorded it, is one of the values. Mail that AuthenticationResults has not seen is not selected.",
        condition = "one or more of `none, pass, fail, temperror, permerror`, separated by commas",
        example = "{ match: \"DmarcResultIs=fail\", class: LocalDelivery, folder: Junk }")
public final class DmarcResultIs extends AuthResultMatcher {

    private static final Set<String> VALUES = Arrays.stream(DmarcResult.values()).map(DmarcResult::text).collect(Collectors.toSet());

    @Override
    String attribute() {
        return AuthenticationResults.DMARC;
    }

    @Override
    Set<String> values() {
        return VALUES;
    }
}

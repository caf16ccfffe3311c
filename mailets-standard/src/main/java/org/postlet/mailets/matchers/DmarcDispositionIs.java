package org.postlet.mailets.matchers;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.postlet.auth.dmarc.DmarcPolicy;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailets.auth.AuthenticationResults;

/** Selects mail by the disposition the From domain's DMARC policy asks for (quarantine or reject when DMARC failed, none otherwise), as AuthenticationResults recorded it. */
@ComponentDoc(summary = "Selects the whole mail when the disposition the From domain's DMARC policy asks for (quarantine or reject when DMARC failed, none otherwise), as the AuthenticationResults mailet"
        + " recorded it, is one of the values. Mail that AuthenticationResults has not seen is not selected.",
        condition = "one or more of `none, quarantine, reject`, separated by commas",
        example = "{ match: \"DmarcDispositionIs=quarantine,reject\", class: LocalDelivery, folder: Junk }")
public final class DmarcDispositionIs extends AuthResultMatcher {

    private static final Set<String> VALUES = Arrays.stream(DmarcPolicy.values()).map(DmarcPolicy::text).collect(Collectors.toSet());

    @Override
    String attribute() {
        return AuthenticationResults.DMARC_DISPOSITION;
    }

    @Override
    Set<String> values() {
        return VALUES;
    }
}

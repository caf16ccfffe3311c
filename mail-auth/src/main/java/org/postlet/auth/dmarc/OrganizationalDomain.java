package org.postlet.auth.dmarc;

import com.google.common.net.InternetDomainName;
import java.util.Locale;

/**
 * The organizational domain of RFC 7489 section 3.2: the registrable domain under a public suffix of
 * the Public Suffix List, as Guava ships it. A name under no listed suffix falls under the list's
 * default rule {@code *}, so its last two labels are the organizational domain.
 */
public final class OrganizationalDomain {

    private OrganizationalDomain() {
    }

    /** The organizational domain of {@code domain}, lower-case. */
    public static String of(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        try {
            InternetDomainName name = InternetDomainName.from(d);
            if (name.isUnderPublicSuffix()) {
                return name.topPrivateDomain().toString();
            }
            if (name.isPublicSuffix()) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            // not a name Guava accepts (e.g. an underscore label): the default rule below
        }
        String[] labels = d.split("\\.");
        return labels.length <= 2 ? d : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    /** Whether two domains are aligned: equal (strict), or of the same organizational domain (relaxed). */
    public static boolean aligned(String a, String b, boolean strict) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        return strict ? x.equals(y) : of(x).equals(of(y));
    }
}

package org.postlet.dns;

import java.util.List;

/** What DNS says about where mail for a domain goes (RFC 5321 §5.1, RFC 7505). */
public sealed interface MxAnswer {

    /**
     * The domain's mail exchangers.
     *
     * @param exchanges at least one, in the order the server returned them
     */
    record Exchanges(List<Mx> exchanges) implements MxAnswer {
        public Exchanges {
            exchanges = List.copyOf(exchanges);
        }
    }

    /** The domain exists but has no MX record: the domain itself is the mail host (implicit MX). */
    record NoMx() implements MxAnswer {
    }

    /** The domain publishes a null MX ({@code 0 .}, RFC 7505): it accepts no mail at all. */
    record NullMx() implements MxAnswer {
    }

    /** The domain does not exist (NXDOMAIN). */
    record NoSuchDomain() implements MxAnswer {
    }

    /**
     * One MX record.
     *
     * @param preference lower is tried first
     * @param host       the exchanger's host name, without the trailing dot, lower-case
     */
    record Mx(int preference, String host) {
    }
}

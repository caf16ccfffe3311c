package org.postlet.outbound.sts;

import java.util.List;
import java.util.Optional;

/**
 * A domain's {@code _mta-sts} TXT record (RFC 8461 §3.1): that it has a policy, and the policy's
 * current id, which changes whenever the policy does.
 *
 * @param id 1 to 32 letters and digits
 */
public record StsRecord(String id) {

    /**
     * The record among the TXT records of {@code _mta-sts.<domain>}: the one starting with
     * {@code v=STSv1}; none when no record does.
     *
     * @throws MalformedPolicyException when several records start with {@code v=STSv1}, or the one that
     *                                  does has no valid id (RFC 8461: then the domain has no policy)
     */
    public static Optional<StsRecord> find(List<String> texts) throws MalformedPolicyException {
        List<String> ours = texts.stream().filter(t -> t.startsWith("v=STSv1")).toList();
        if (ours.isEmpty()) {
            return Optional.empty();
        }
        if (ours.size() > 1) {
            throw new MalformedPolicyException("there are " + ours.size() + " TXT records starting with v=STSv1");
        }
        String[] fields = ours.get(0).split(";");
        if (!fields[0].strip().equals("v=STSv1")) {
            throw new MalformedPolicyException("the TXT record '" + ours.get(0) + "' does not start with the field v=STSv1");
        }
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i].strip();
            if (field.startsWith("id=")) {
                String id = field.substring(3);
                if (!id.matches("[A-Za-z0-9]{1,32}")) {
                    throw new MalformedPolicyException("the TXT record's id '" + id + "' is not 1 to 32 letters and digits");
                }
                return Optional.of(new StsRecord(id));
            }
        }
        throw new MalformedPolicyException("the TXT record '" + ours.get(0) + "' has no id");
    }
}

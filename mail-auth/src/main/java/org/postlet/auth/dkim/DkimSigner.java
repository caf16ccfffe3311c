package org.postlet.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.postlet.auth.message.HeaderField;
import org.postlet.auth.message.RawMessage;

/**
 * Signs messages for one domain and selector, relaxed/relaxed (RFC 6376). Every present instance
 * of the signed fields is signed, and From once more than present ("over-signed"), so no From can be
 * added without breaking the signature.
 *
 * @param domain   the signing domain ({@code d=})
 * @param selector the selector ({@code s=})
 * @param key      the private key, RSA or Ed25519
 * @param fields   the fields to sign, in lower case
 */
public record DkimSigner(String domain, String selector, PrivateKey key, List<String> fields) {

    /** The fields a receiver checks, and those that change how the body reads. */
    public static final List<String> DEFAULT_FIELDS = List.of("from", "reply-to", "subject", "date", "to", "cc",
            "message-id", "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding",
            "list-id", "list-unsubscribe", "list-unsubscribe-post");

    public DkimSigner {
        fields = fields.stream().map(f -> f.toLowerCase(Locale.ROOT)).toList();
    }

    /** A signer of the default fields. */
    public DkimSigner(String domain, String selector, PrivateKey key) {
        this(domain, selector, key, DEFAULT_FIELDS);
    }

    /** The algorithm the key signs with. */
    public DkimAlgorithm algorithm() {
        return DkimAlgorithm.forKey(key.getAlgorithm());
    }

    /**
     * The {@code DKIM-Signature} field to put on top of the message, folded, without the final CRLF.
     *
     * @throws GeneralSecurityException if the key cannot sign
     */
    public String sign(RawMessage message, Instant now) throws GeneralSecurityException {
        List<String> signed = new ArrayList<>();
        for (String f : fields) {
            int count = message.all(f).size();
            for (int i = 0; i < count; i++) {
                signed.add(f);
            }
            if (f.equals("from")) {
                signed.add(f);
            }
        }
        byte[] bodyHash = MessageDigest.getInstance("SHA-256").digest(Canonicalization.RELAXED.body(message.body()));
        String unsigned = "DKIM-Signature: v=1; a=" + algorithm().tagValue() + "; c=relaxed/relaxed; d=" + domain
                + "; s=" + selector + ";\r\n\tt=" + now.getEpochSecond() + "; h=" + fold(String.join(":", signed), ":")
                + ";\r\n\tbh=" + Base64.getEncoder().encodeToString(bodyHash) + ";\r\n\tb=";
        byte[] data = DkimVerifier.headerData(message.headers(), signed, Canonicalization.RELAXED,
                new HeaderField("DKIM-Signature", unsigned));
        String b = Base64.getEncoder().encodeToString(algorithm().sign(key, data));
        return unsigned + fold(b, null);
    }

    /** Breaks a long value into lines of at most 72 characters (after {@code separator} when given). */
    private static String fold(String value, String separator) {
        StringBuilder out = new StringBuilder();
        int line = 0;
        if (separator == null) {
            for (int i = 0; i < value.length(); i += 72) {
                out.append(i == 0 ? "" : "\r\n\t ").append(value, i, Math.min(value.length(), i + 72));
            }
            return out.toString();
        }
        String[] parts = value.split(separator);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i] + (i + 1 < parts.length ? separator : "");
            if (line > 0 && line + p.length() > 60) {
                out.append("\r\n\t ");
                line = 0;
            }
            out.append(p);
            line += p.length();
        }
        return out.toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(bytes(s));
    }
}

package org.postlet.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postlet.auth.dkim.DkimTags.DkimSyntaxException;
import org.postlet.auth.dns.DnsLookup;
import org.postlet.auth.dns.DnsTemporaryException;
import org.postlet.auth.message.HeaderField;
import org.postlet.auth.message.RawMessage;

/** Checks every {@code DKIM-Signature} of a message against the keys its signers publish (RFC 6376 section 6). */
public final class DkimVerifier {

    /** The {@code b=} tag and its value, which is left out when hashing the signature's own field. */
    private static final Pattern B_TAG = Pattern.compile("((?:^|;)[ \\t\\r\\n]*b[ \\t\\r\\n]*=)[^;]*");

    private final DnsLookup dns;

    public DkimVerifier(DnsLookup dns) {
        this.dns = dns;
    }

    /** One verdict per signature, top first; a single {@link DkimResult#NONE} when there is none. */
    public List<DkimVerdict> verify(RawMessage message, Instant now) {
        List<HeaderField> signatures = message.all("DKIM-Signature");
        if (signatures.isEmpty()) {
            return List.of(new DkimVerdict(DkimResult.NONE, "", "", "", "no signature"));
        }
        List<DkimVerdict> out = new ArrayList<>();
        for (HeaderField s : signatures) {
            out.add(verify(message, s, now));
        }
        return out;
    }

    private DkimVerdict verify(RawMessage message, HeaderField field, Instant now) {
        DkimTags tags;
        try {
            tags = DkimTags.parse(field.value());
        } catch (DkimSyntaxException e) {
            return new DkimVerdict(DkimResult.NEUTRAL, "", "", "", "unreadable signature: " + e.getMessage());
        }
        String domain = tags.get("d").orElse("").toLowerCase(Locale.ROOT);
        String selector = tags.get("s").orElse("");
        String b = DkimTags.compact(tags.get("b").orElse(""));
        String shortB = b.substring(0, Math.min(8, b.length()));
        try {
            return verify(message, field, tags, domain, selector, b, now);
        } catch (Failure f) {
            return new DkimVerdict(f.result, domain, selector, shortB, f.getMessage());
        }
    }

    private DkimVerdict verify(RawMessage message, HeaderField field, DkimTags tags, String domain, String selector,
                               String b, Instant now) throws Failure {
        try {
            if (!"1".equals(tags.required("v"))) {
                throw new Failure(DkimResult.PERMERROR, "unknown version v=" + tags.required("v"));
            }
            tags.required("bh");
            tags.required("b");
            if (domain.isEmpty() || selector.isEmpty()) {
                throw new DkimSyntaxException("d= or s= is empty");
            }
        } catch (DkimSyntaxException e) {
            throw new Failure(DkimResult.PERMERROR, e.getMessage());
        }
        DkimAlgorithm algorithm = DkimAlgorithm.of(tags.get("a").orElse(""));
        if (algorithm == null) {
            throw new Failure(DkimResult.PERMERROR, "unsupported algorithm a=" + tags.get("a").orElse(""));
        }
        List<String> signed = Arrays.stream(tags.get("h").orElse("").split(":"))
                .map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        if (!signed.contains("from")) {
            throw new Failure(DkimResult.PERMERROR, "h= does not sign From");
        }
        String[] c = tags.get("c").orElse("simple/simple").split("/", 2);
        Canonicalization headerCanon = Canonicalization.of(c[0]);
        Canonicalization bodyCanon = c.length > 1 ? Canonicalization.of(c[1]) : Canonicalization.SIMPLE;
        if (headerCanon == null || bodyCanon == null) {
            throw new Failure(DkimResult.PERMERROR, "unknown canonicalization c=" + tags.get("c").orElse(""));
        }
        String identity = tags.get("i").orElse("@" + domain).toLowerCase(Locale.ROOT);
        String identityDomain = identity.substring(identity.lastIndexOf('@') + 1);
        if (!identityDomain.equals(domain) && !identityDomain.endsWith("." + domain)) {
            throw new Failure(DkimResult.PERMERROR, "i=" + identity + " is not within d=" + domain);
        }
        if (tags.get("x").isPresent()) {
            try {
                if (Long.parseLong(tags.get("x").get()) < now.getEpochSecond()) {
                    throw new Failure(DkimResult.FAIL, "signature expired (x=" + tags.get("x").get() + ")");
                }
            } catch (NumberFormatException e) {
                throw new Failure(DkimResult.PERMERROR, "x= is not a number");
            }
        }
        PublicKey key = key(domain, selector, algorithm, identity);

        byte[] body = bodyCanon.body(message.body());
        if (tags.get("l").isPresent()) {
            try {
                long l = Long.parseLong(tags.get("l").get());
                if (l > body.length) {
                    throw new Failure(DkimResult.FAIL, "l=" + l + " is longer than the body");
                }
                body = Arrays.copyOf(body, (int) l);
            } catch (NumberFormatException e) {
                throw new Failure(DkimResult.PERMERROR, "l= is not a number");
            }
        }
        byte[] expectedBodyHash;
        byte[] signature;
        try {
            expectedBodyHash = Base64.getDecoder().decode(DkimTags.compact(tags.get("bh").orElseThrow()));
            signature = Base64.getDecoder().decode(b);
        } catch (IllegalArgumentException e) {
            throw new Failure(DkimResult.PERMERROR, "bh= or b= is not base64");
        }
        try {
            if (!MessageDigest.isEqual(expectedBodyHash, MessageDigest.getInstance("SHA-256").digest(body))) {
                throw new Failure(DkimResult.FAIL, "body hash did not verify");
            }
            byte[] data = headerData(message.headers(), signed, headerCanon, field);
            if (!algorithm.verify(key, data, signature)) {
                throw new Failure(DkimResult.FAIL, "signature did not verify");
            }
        } catch (GeneralSecurityException e) {
            throw new Failure(DkimResult.FAIL, "signature did not verify (" + e.getMessage() + ")");
        }
        return new DkimVerdict(DkimResult.PASS, domain, selector, b.substring(0, Math.min(8, b.length())), "");
    }

    private PublicKey key(String domain, String selector, DkimAlgorithm algorithm, String identity) throws Failure {
        String name = selector + "._domainkey." + domain;
        List<String> records;
        try {
            records = dns.txt(name);
        } catch (DnsTemporaryException e) {
            throw new Failure(DkimResult.TEMPERROR, "key lookup failed: " + e.getMessage());
        }
        if (records.size() != 1) {
            throw new Failure(DkimResult.PERMERROR, records.isEmpty() ? "no key at " + name : "several keys at " + name);
        }
        DkimTags key;
        try {
            key = DkimTags.parse(records.get(0));
        } catch (DkimSyntaxException e) {
            throw new Failure(DkimResult.PERMERROR, "unreadable key at " + name + ": " + e.getMessage());
        }
        if (key.get("v").isPresent() && !key.get("v").get().equals("DKIM1")) {
            throw new Failure(DkimResult.PERMERROR, "key at " + name + " has v=" + key.get("v").get());
        }
        if (!key.get("k").orElse("rsa").equalsIgnoreCase(algorithm.keyType())) {
            throw new Failure(DkimResult.PERMERROR, "key at " + name + " is k=" + key.get("k").orElse("rsa")
                    + ", not for " + algorithm.tagValue());
        }
        if (key.get("h").isPresent() && Arrays.stream(key.get("h").get().split(":")).noneMatch(h -> h.strip().equals("sha256"))) {
            throw new Failure(DkimResult.PERMERROR, "key at " + name + " does not allow sha256");
        }
        if (key.get("t").isPresent() && Arrays.stream(key.get("t").get().split(":")).anyMatch(t -> t.strip().equals("s"))
                && !identity.endsWith("@" + domain)) {
            throw new Failure(DkimResult.PERMERROR, "key at " + name + " (t=s) does not allow a subdomain in i=");
        }
        String p = DkimTags.compact(key.get("p").orElse(""));
        if (p.isEmpty()) {
            throw new Failure(DkimResult.PERMERROR, "key at " + name + " is revoked (empty p=)");
        }
        try {
            PublicKey k = DkimKeys.publicKey(algorithm, p);
            if (k instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 1024) {
                throw new Failure(DkimResult.PERMERROR, "key at " + name + " has fewer than 1024 bits");
            }
            return k;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Failure(DkimResult.PERMERROR, "key at " + name + " is not a valid " + algorithm.keyType() + " key");
        }
    }

    /**
     * The header data a signature covers: each field named in {@code signed}, the bottom-most not yet
     * used instance first, then the signature field itself with an empty {@code b=} and no final CRLF.
     */
    static byte[] headerData(List<HeaderField> headers, List<String> signed, Canonicalization canon, HeaderField signature) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Integer> used = new HashMap<>();
        for (String name : signed) {
            int skip = used.merge(name, 1, Integer::sum) - 1;
            HeaderField found = null;
            for (int i = headers.size() - 1; i >= 0; i--) {
                if (headers.get(i).lowerName().equals(name) && headers.get(i) != signature) {
                    if (skip == 0) {
                        found = headers.get(i);
                        break;
                    }
                    skip--;
                }
            }
            if (found != null) {
                DkimSigner.write(out, canon.header(found) + "\r\n");
            }
        }
        Matcher m = B_TAG.matcher(signature.value());
        String emptied = signature.raw().substring(0, signature.raw().indexOf(':') + 1) + m.replaceFirst("$1");
        DkimSigner.write(out, canon.header(new HeaderField(signature.name(), emptied)));
        return out.toByteArray();
    }

    /** Ends the check of one signature with a result. */
    private static final class Failure extends Exception {
        private final DkimResult result;

        Failure(DkimResult result, String message) {
            super(message);
            this.result = result;
        }
    }
}

package org.postlet.auth.dkim;

/**
 * What checking one signature gave.
 *
 * @param result    the result
 * @param domain    the signing domain ({@code d=}), empty when unreadable
 * @param selector  the selector ({@code s=}), empty when unreadable
 * @param signature the first characters of {@code b=}, which name the signature in {@code header.b}
 * @param reason    why, for a result other than pass; empty for pass
 */
public record DkimVerdict(DkimResult result, String domain, String selector, String signature, String reason) {
}

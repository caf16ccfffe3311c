package org.postlet.server.pipeline;

import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.Matcher;

/**
 * A step's matcher expression as a tree: single matchers combined with {@code not}, {@code and},
 * {@code or}. On recipients {@code and} intersects, {@code or} unites and {@code not} takes the
 * complement within the mail's recipients (docs/pipeline.md). The result keeps the mail's recipient order.
 */
public sealed interface MatcherExpression {

    /** The recipients of {@code mail} this expression selects. */
    Set<MailAddress> select(Mail mail) throws MessagingException;

    /** Every single matcher in the expression, for init and destroy. */
    List<Single> leaves();

    private static List<Single> both(MatcherExpression left, MatcherExpression right) {
        List<Single> all = new ArrayList<>(left.leaves());
        all.addAll(right.leaves());
        return all;
    }

    /**
     * One matcher.
     *
     * @param text    the term as written, e.g. {@code SenderIs=boss@example.test}
     * @param matcher the initialised matcher
     */
    record Single(String text, Matcher matcher) implements MatcherExpression {
        @Override
        public Set<MailAddress> select(Mail mail) throws MessagingException {
            Collection<MailAddress> matched = matcher.match(mail);
            Set<MailAddress> result = new LinkedHashSet<>();
            if (matched == null) {
                return result;
            }
            for (MailAddress r : mail.recipients()) {
                if (matched.contains(r)) {
                    result.add(r);
                }
            }
            return result;
        }

        @Override
        public List<Single> leaves() {
            return List.of(this);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** The recipients the operand does not select. */
    record Not(MatcherExpression operand) implements MatcherExpression {
        @Override
        public Set<MailAddress> select(Mail mail) throws MessagingException {
            Set<MailAddress> excluded = operand.select(mail);
            Set<MailAddress> result = new LinkedHashSet<>(mail.recipients());
            result.removeAll(excluded);
            return result;
        }

        @Override
        public List<Single> leaves() {
            return operand.leaves();
        }

        @Override
        public String toString() {
            return "not " + operand;
        }
    }

    /** The recipients both operands select; the right side is not asked when the left selects none. */
    record And(MatcherExpression left, MatcherExpression right) implements MatcherExpression {
        @Override
        public Set<MailAddress> select(Mail mail) throws MessagingException {
            Set<MailAddress> result = left.select(mail);
            if (!result.isEmpty()) {
                result.retainAll(right.select(mail));
            }
            return result;
        }

        @Override
        public List<Single> leaves() {
            return both(left, right);
        }

        @Override
        public String toString() {
            return "(" + left + " and " + right + ")";
        }
    }

    /** The recipients either operand selects, in the mail's recipient order. */
    record Or(MatcherExpression left, MatcherExpression right) implements MatcherExpression {
        @Override
        public Set<MailAddress> select(Mail mail) throws MessagingException {
            Set<MailAddress> either = left.select(mail);
            either.addAll(right.select(mail));
            Set<MailAddress> result = new LinkedHashSet<>();
            for (MailAddress r : mail.recipients()) {
                if (either.contains(r)) {
                    result.add(r);
                }
            }
            return result;
        }

        @Override
        public List<Single> leaves() {
            return both(left, right);
        }

        @Override
        public String toString() {
            return "(" + left + " or " + right + ")";
        }
    }
}

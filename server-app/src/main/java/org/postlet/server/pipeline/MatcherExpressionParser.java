package org.postlet.server.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses matcher expressions: {@code term}, {@code not e}, {@code e and e}, {@code e or e},
 * {@code (e)}; {@code not} binds tightest, then {@code and}, then {@code or}. A term is
 * {@code Name} or {@code Name=condition}; a condition runs to the next {@code and} / {@code or}
 * word, a closing parenthesis it did not open itself, or the end. A condition in double quotes
 * may contain anything but a double quote.
 */
final class MatcherExpressionParser {

    /** Creates the matcher for one term. */
    @FunctionalInterface
    interface TermFactory {
        MatcherExpression.Single create(String name, String condition) throws Exception;
    }

    /** A syntax error, with the position in the expression. */
    static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    private final String text;
    private final List<String> tokens;
    private int pos;

    private MatcherExpressionParser(String text, List<String> tokens) {
        this.text = text;
        this.tokens = tokens;
    }

    /**
     * Parses {@code text}, creating each term's matcher with {@code terms}.
     *
     * @throws SyntaxException for malformed expressions
     * @throws Exception       whatever {@code terms} throws for an unknown or misconfigured matcher
     */
    static MatcherExpression parse(String text, TermFactory terms) throws Exception {
        MatcherExpressionParser p = new MatcherExpressionParser(text, tokenize(text));
        MatcherExpression e = p.or(terms);
        if (p.pos < p.tokens.size()) {
            throw new SyntaxException("unexpected '" + p.tokens.get(p.pos) + "' in matcher expression '" + text + "'");
        }
        return e;
    }

    private MatcherExpression or(TermFactory terms) throws Exception {
        MatcherExpression left = and(terms);
        while (peekKeyword("or")) {
            pos++;
            left = new MatcherExpression.Or(left, and(terms));
        }
        return left;
    }

    private MatcherExpression and(TermFactory terms) throws Exception {
        MatcherExpression left = unary(terms);
        while (peekKeyword("and")) {
            pos++;
            left = new MatcherExpression.And(left, unary(terms));
        }
        return left;
    }

    private MatcherExpression unary(TermFactory terms) throws Exception {
        if (pos >= tokens.size()) {
            throw new SyntaxException("matcher expression '" + text + "' ends too early");
        }
        String t = tokens.get(pos);
        if (peekKeyword("not")) {
            pos++;
            return new MatcherExpression.Not(unary(terms));
        }
        if (t.equals("(")) {
            pos++;
            MatcherExpression inner = or(terms);
            if (pos >= tokens.size() || !tokens.get(pos).equals(")")) {
                throw new SyntaxException("missing ')' in matcher expression '" + text + "'");
            }
            pos++;
            return inner;
        }
        if (t.equals(")") || peekKeyword("and") || peekKeyword("or")) {
            throw new SyntaxException("expected a matcher before '" + t + "' in '" + text + "'");
        }
        pos++;
        int eq = t.indexOf('=');
        String name = eq < 0 ? t : t.substring(0, eq).strip();
        String condition = eq < 0 ? null : unquote(t.substring(eq + 1).strip());
        return terms.create(name, condition);
    }

    private boolean peekKeyword(String keyword) {
        return pos < tokens.size() && tokens.get(pos).toLowerCase(Locale.ROOT).equals(keyword);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** Splits into "(", ")", keywords and terms; a term's condition keeps its spaces and inner parentheses. */
    static List<String> tokenize(String text) throws SyntaxException {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')') {
                out.add(String.valueOf(c));
                i++;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '=' && text.charAt(i) != '('
                        && text.charAt(i) != ')') {
                    i++;
                }
                if (i < n && text.charAt(i) == '=') {
                    i = endOfCondition(text, i + 1);
                }
                out.add(text.substring(start, i).strip());
            }
        }
        return out;
    }

    private static int endOfCondition(String text, int i) throws SyntaxException {
        int n = text.length();
        while (i < n && text.charAt(i) == ' ') {
            i++;
        }
        if (i < n && text.charAt(i) == '"') {
            int close = text.indexOf('"', i + 1);
            if (close < 0) {
                throw new SyntaxException("unterminated quoted condition in '" + text + "'");
            }
            return close + 1;
        }
        int depth = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (Character.isWhitespace(c) && depth == 0 && keywordAt(text, i + 1)) {
                return i;
            }
            i++;
        }
        return n;
    }

    private static boolean keywordAt(String text, int i) {
        for (String k : new String[] {"and", "or"}) {
            int end = i + k.length();
            if (text.regionMatches(true, i, k, 0, k.length()) && (end == text.length() || Character.isWhitespace(text.charAt(end)))) {
                return true;
            }
        }
        return false;
    }
}

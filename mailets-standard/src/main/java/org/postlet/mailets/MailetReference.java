package org.postlet.mailets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.MailetParameter;

/**
 * Writes {@code docs/mailets.md}, the reference of the standard matchers and mailets, from their
 * {@link ComponentDoc} and {@link MailetParameter} declarations, so the reference is the code's
 * own description. {@code MailetReferenceTest} fails when the committed file differs.
 *
 * <p>Regenerate with {@code ./mvnw -B -o -q test -pl mailets-standard -am -Dtest=MailetReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dpostlet.docs.write=true}.
 */
public final class MailetReference {

    private MailetReference() {
    }

    /** Writes the reference to the file given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: MailetReference docs/mailets.md");
            System.exit(2);
        }
        Files.writeString(Path.of(args[0]), markdown(), StandardCharsets.UTF_8);
    }

    /** The reference as Markdown. */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Standard matchers and mailets\n\n")
                .append("<!-- Generated from the @ComponentDoc and @MailetParameter declarations by\n")
                .append("     org.postlet.mailets.MailetReference; do not edit. Regenerate with\n")
                .append("     ./mvnw -B -o -q test -pl mailets-standard -am -Dtest=MailetReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dpostlet.docs.write=true -->\n\n")
                .append("Every name below can be used as is in `conf/pipeline.yaml` (`match:` for matchers, `class:` for\n")
                .append("mailets); [pipeline.md](pipeline.md) describes the format and [writing-mailets.md](writing-mailets.md) how to write your own.\n")
                .append("A matcher's condition follows `=` (`RecipientIs=a@example.test`); quote the whole expression in YAML.\n")
                .append("Lists are comma-separated; in YAML a parameter may also be a list (`[a, b]`).\n")
                .append("A mailet rejects parameters it does not declare: `bin/postlet check` reports them.\n\n");
        md.append("## Matchers\n\n");
        index(md, StandardComponents.MATCHERS);
        for (Map.Entry<String, ? extends Class<?>> e : StandardComponents.MATCHERS.entrySet()) {
            ComponentDoc doc = doc(e.getValue());
            md.append("### ").append(e.getKey()).append("\n\n").append(doc.summary()).append("\n\n")
                    .append("Condition: ").append(doc.condition().isEmpty() ? "none." : doc.condition() + ".").append("\n\n");
            example(md, doc);
        }
        md.append("## Mailets\n\n");
        index(md, StandardComponents.MAILETS);
        for (Map.Entry<String, ? extends Class<?>> e : StandardComponents.MAILETS.entrySet()) {
            ComponentDoc doc = doc(e.getValue());
            md.append("### ").append(e.getKey()).append("\n\n").append(doc.summary()).append("\n\n");
            List<MailetParameter> params = parameters(e.getValue());
            if (params.isEmpty()) {
                md.append("Parameters: none.\n\n");
            } else {
                md.append("| parameter | required | description | example |\n|---|---|---|---|\n");
                for (MailetParameter p : params) {
                    md.append("| `").append(p.name()).append("` | ").append(p.required() ? "yes" : "no").append(" | ")
                            .append(cell(p.description())).append(" | ")
                            .append(p.example().isEmpty() ? "" : "`" + cell(p.example()) + "`").append(" |\n");
                }
                md.append('\n');
            }
            example(md, doc);
        }
        return md.toString();
    }

    /** The parameters a component declares, in declaration order; empty when it declares none. */
    public static List<MailetParameter> parameters(Class<?> component) {
        return List.of(component.getAnnotationsByType(MailetParameter.class));
    }

    private static ComponentDoc doc(Class<?> c) {
        ComponentDoc doc = c.getAnnotation(ComponentDoc.class);
        if (doc == null) {
            throw new IllegalStateException(c.getName() + " has no @ComponentDoc: every standard component documents itself");
        }
        return doc;
    }

    private static void index(StringBuilder md, Map<String, ? extends Class<?>> components) {
        md.append(String.join(" · ", components.keySet().stream().map(n -> "[" + n + "](#" + n.toLowerCase() + ")").toList()))
                .append("\n\n");
    }

    private static void example(StringBuilder md, ComponentDoc doc) {
        md.append("```yaml\n- ").append(doc.example()).append("\n```\n\n");
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}

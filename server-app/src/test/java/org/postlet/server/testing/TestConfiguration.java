package org.postlet.server.testing;

/**
 * The users and pipeline the tests run with, owned by the tests. The repository's {@code conf/}
 * belongs to the user, who edits it (docs/writing-mailets.md adds a step to
 * {@code conf/pipeline.yaml}); a test that copied it would break on every such edit. The pipeline
 * here has the shipped pipeline's routes: local users get their mail, authenticated or bounce mail
 * to other domains is kept in {@code ../var/relay}, unknown local users get a bounce, and the
 * rest is kept in {@code ../var/error} with its reason.
 */
public final class TestConfiguration {

    /** alice and bob of example.test; the passwords are the user names. */
    public static final String USERS = """
            alice@example.test:{PLAIN}alice
            bob@example.test:{PLAIN}bob
            """;

    /** The shipped pipeline's routes (see the class comment); relative paths as in conf/. */
    public static final String PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: All, class: LogMessage, headers: "Subject, Message-ID" }
                  - { match: "RelayLimit=30", class: ToProcessor, processor: error, notice: "mail loop: 30 or more Received headers" }
                  - { match: All, class: RecipientToLowerCase }
                  - { match: RecipientIsLocal, class: RecipientRewrite }
                  - { match: RecipientIsLocal, class: ToProcessor, processor: local }
                  - { match: "SMTPAuthSuccessful or SenderIsNull", class: ToProcessor, processor: relay }
                  - { match: RecipientDomainIsLocal, class: ToProcessor, processor: unknown-recipient }
                  - { match: All, class: ToProcessor, processor: error, notice: "no local mailbox and no remote delivery" }
              - state: local
                mailets:
                  - { match: "HasHeader=X-Spam-Flag:YES", class: LocalDelivery, folder: Junk }
                  - { match: All, class: LocalDelivery }
              - state: relay
                mailets:
                  - { match: All, class: ToRepository, path: ../var/relay }
              - state: unknown-recipient
                mailets:
                  - { match: All, class: Bounce, status: "5.1.1", notice: "no such user here" }
              - state: error
                mailets:
                  - { match: All, class: LogMessage, level: warn, template: "{id}: in error from {sender} to {recipients}: {error}" }
                  - { match: All, class: ToRepository, path: ../var/error }
            """;

    private TestConfiguration() {
    }
}

/**
 * Unit-test a mailet or matcher without a server: {@link org.postlet.mailet.testkit.FakeMail},
 * {@link org.postlet.mailet.testkit.FakeMailetConfig}, {@link org.postlet.mailet.testkit.FakeMatcherConfig}
 * and {@link org.postlet.mailet.testkit.RecordingMailetContext}.
 *
 * <pre>{@code
 * StampMailet mailet = new StampMailet(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
 * mailet.init(FakeMailetConfig.builder().parameter("stamp", "checked").build());
 * FakeMail mail = FakeMail.builder().recipients("bob@example.test").message("Subject: hi\n\nbody\n").build();
 * mailet.service(mail);
 * assertThat(mail.message().getHeader("X-Stamp", null)).startsWith("checked");
 * }</pre>
 *
 * <p>Add it to a mailet project with test scope: {@code org.postlet:mailet-testkit}.
 */
package org.postlet.mailet.testkit;

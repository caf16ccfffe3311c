package org.postlet.server.repository;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.queue.file.MailFile;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.pipeline.PipelineDefinition;
import org.postlet.server.pipeline.PipelineLoader;

/**
 * The repositories of a configuration, for operators: the folders the pipeline's
 * {@code ToRepository} steps keep mail in (e.g. {@code var/error}), the mails there, and putting
 * one back into processing or deleting it.
 */
public final class Repositories {

    /** The most of a message's header shown; a header is rarely a tenth of this. */
    public static final int MAX_HEADER_BYTES = 64 * 1024;
    /** A kept mail's file is named by its id: letters, digits and the {@code -} of split parts. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,100}");

    /**
     * A repository.
     *
     * @param name   the folder's own name, e.g. {@code error}; unique among the repositories
     * @param folder the folder
     */
    public record Repository(String name, Path folder) {
    }

    /**
     * A kept mail.
     *
     * @param id         its id, the file's name
     * @param kept       when it was kept (the file's time)
     * @param size       the message's size in bytes
     * @param sender     the envelope sender, empty for the null sender
     * @param recipients its recipients
     * @param error      why it was kept, if an error led there
     * @param attributes its mail attributes, as text
     */
    public record KeptMail(String id, Instant kept, long size, String sender, List<String> recipients, String error,
                           Map<String, String> attributes) {
    }

    /** A mail that cannot be put back into the queue; the message says why. */
    public static final class RequeueException extends Exception {
        RequeueException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path pipelineFile;
    private final Path configDirectory;

    /**
     * @param pipelineFile    the pipeline file whose {@code ToRepository} steps name the folders
     * @param configDirectory what their {@code path} is relative to
     */
    public Repositories(Path pipelineFile, Path configDirectory) {
        this.pipelineFile = pipelineFile;
        this.configDirectory = configDirectory;
    }

    /**
     * The repositories, in the order the pipeline file names them. The file is read again each
     * time, so a repository added by a reload shows up.
     *
     * @throws InvalidConfigException if the pipeline file cannot be read
     */
    public List<Repository> list() throws InvalidConfigException {
        PipelineDefinition definition = new PipelineLoader().load(pipelineFile);
        Map<Path, String> folders = new LinkedHashMap<>();
        for (PipelineDefinition.Processor p : definition.processors()) {
            for (PipelineDefinition.Step s : p.steps()) {
                String path = s.parameters().get("path");
                if (path != null && s.mailet().endsWith("ToRepository")) {
                    Path folder = configDirectory.resolve(path).normalize();
                    if (!folders.containsKey(folder)) {
                        String name = folder.getFileName().toString();
                        for (int n = 2; folders.containsValue(name); n++) {
                            name = folder.getFileName() + "-" + n;
                        }
                        folders.put(folder, name);
                    }
                }
            }
        }
        List<Repository> out = new ArrayList<>();
        folders.forEach((folder, name) -> out.add(new Repository(name, folder)));
        return out;
    }

    /** The repository of that name. */
    public Optional<Repository> find(String name) throws InvalidConfigException {
        return list().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** How many mails a repository holds (files that are not hidden). */
    public int count(Repository repository) throws IOException {
        return files(repository).size();
    }

    /** The mails of a repository, oldest first; a file that is not a kept mail is skipped. */
    public List<KeptMail> mails(Repository repository) throws IOException {
        List<KeptMail> out = new ArrayList<>();
        for (Path file : files(repository)) {
            try {
                out.add(kept(file));
            } catch (IOException e) {
                // Not a mail file (a note an operator left there): listed by nobody, touched by nobody.
                continue;
            }
        }
        out.sort(java.util.Comparator.comparing(KeptMail::kept));
        return out;
    }

    /** One kept mail, if the repository has it. */
    public Optional<KeptMail> mail(Repository repository, String id) throws IOException {
        Optional<Path> file = file(repository, id);
        return file.isEmpty() ? Optional.empty() : Optional.of(kept(file.get()));
    }

    /** The header of a kept mail's message, up to the empty line (at most 64 KiB). */
    public Optional<String> headers(Repository repository, String id) throws IOException {
        Optional<Path> file = file(repository, id);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        MailFile.Kept kept = MailFile.read(file.get());
        return Optional.of(MailFile.content(file.get(), kept).header(MAX_HEADER_BYTES));
    }

    /**
     * Puts a kept mail back into processing through {@code queue} (whatever its type), as a new
     * mail with the same envelope and attributes, then deletes the file.
     *
     * @return the new queue id; empty if the repository has no such mail
     * @throws RequeueException if the file is damaged or the queue does not take it
     */
    public Optional<String> requeue(Repository repository, String id, MailQueue queue) throws RequeueException {
        Optional<Path> file = file(repository, id);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            MailFile.Kept kept = MailFile.read(file.get());
            if (!MailFile.sealed(file.get())) {
                throw new RequeueException(file.get() + ": the kept mail is damaged (its seal does not match its content)", null);
            }
            MailEnvelope e = kept.envelope();
            MailEnvelope envelope = new MailEnvelope(e.sender(), e.recipients(), e.mailParameters(), e.recipientParameters(),
                    new Origin.Requeued(repository.folder().toString()), e.receivedAt());
            MailQueue.Enqueuing enqueuing = queue.enqueue(envelope, kept.state(), kept.attributes());
            try (InputStream in = MailFile.content(file.get(), kept).open()) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    // a copy per chunk: a queue may keep the buffer until commit
                    enqueuing.write(ByteBuffer.wrap(java.util.Arrays.copyOf(buffer, n)));
                }
            } catch (IOException | RuntimeException ex) {
                enqueuing.abort();
                throw ex;
            }
            enqueuing.commit().toCompletableFuture().get(60, TimeUnit.SECONDS);
            Files.delete(file.get()); // only once the queue holds it durably: a crash between keeps both, never neither
            return Optional.of(enqueuing.id());
        } catch (IOException e) {
            throw new RequeueException(file.get() + ": " + e.getMessage(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new RequeueException(file.get() + ": the queue did not take it: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequeueException(file.get() + ": interrupted", e);
        }
    }

    /** Deletes a kept mail; false if the repository has no such mail. */
    public boolean delete(Repository repository, String id) throws IOException {
        Optional<Path> file = file(repository, id);
        return file.isPresent() && Files.deleteIfExists(file.get());
    }

    private static Optional<Path> file(Repository repository, String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty(); // never a path: "../x" cannot leave the folder
        }
        Path file = repository.folder().resolve(id);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    private static List<Path> files(Repository repository) throws IOException {
        if (!Files.isDirectory(repository.folder())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(repository.folder())) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    private static KeptMail kept(Path file) throws IOException {
        MailFile.Kept k = MailFile.read(file);
        Map<String, String> attributes = new LinkedHashMap<>();
        k.attributes().forEach((name, value) -> attributes.put(name, String.valueOf(value)));
        return new KeptMail(file.getFileName().toString(), Files.getLastModifiedTime(file).toInstant(), k.messageSize(),
                k.envelope().sender().map(MailAddress::toString).orElse(""),
                k.envelope().recipients().stream().map(MailAddress::toString).toList(), k.error().orElse(""), attributes);
    }
}

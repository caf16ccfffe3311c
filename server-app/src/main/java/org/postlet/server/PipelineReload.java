package org.postlet.server;

import java.io.IOException;
import java.util.List;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.pipeline.LivePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the running server's pipeline: on SIGHUP ({@code bin/postlet reload}) and on
 * {@code POST /api/reload}. The outcome is written to {@link ReloadStatus} either way.
 */
final class PipelineReload {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineReload.class);

    private final PostletServer.Checked checked;
    private final LivePipeline pipeline;
    private final ReloadStatus status;
    /** Reloads done by this process; guarded by {@code this}. */
    private long reloads;

    PipelineReload(PostletServer.Checked checked, LivePipeline pipeline) {
        this.checked = checked;
        this.pipeline = pipeline;
        this.status = new ReloadStatus(checked.config().spool().resolve(ReloadStatus.NAME));
    }

    /**
     * Reads the pipeline file again and, if it is valid, makes it the pipeline for all new mail;
     * mail already being processed finishes in the old one. An invalid file changes nothing.
     *
     * @return the problems of an invalid pipeline; empty when the new one is in use
     */
    synchronized List<ConfigProblem> run() {
        List<ConfigProblem> problems;
        try {
            pipeline.replace(checked.rebuildPipeline());
            LOG.info("pipeline reloaded from {}", checked.config().pipeline());
            problems = List.of();
        } catch (InvalidConfigException e) {
            e.problems().forEach(p -> LOG.error("reload refused: {}", p));
            LOG.error("pipeline not reloaded: {} problem(s); the previous pipeline stays in use", e.problems().size());
            problems = e.problems();
        } catch (RuntimeException e) {
            LOG.error("pipeline not reloaded; the previous pipeline stays in use", e);
            problems = List.of(new ConfigProblem(checked.config().pipeline(), 0, "the new pipeline could not be built: " + e,
                    "see the server's log for the stack trace"));
        }
        try {
            status.write(++reloads, problems);
        } catch (IOException e) {
            LOG.warn("cannot write the reload status to {}: {}", checked.config().spool().resolve(ReloadStatus.NAME),
                    e.toString());
        }
        return problems;
    }
}

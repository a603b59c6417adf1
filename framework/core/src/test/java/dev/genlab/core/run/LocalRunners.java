package dev.genlab.core.run;

import dev.genlab.core.plugin.PluginRegistry;
import dev.genlab.core.report.Plots;
import dev.genlab.core.report.ReportCharts;
import dev.genlab.core.report.ReportLoader;
import dev.genlab.core.report.SweepReport;
import dev.genlab.core.report.SweepReporter;
import dev.genlab.core.spec.SpecWriter;
import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.tracking.local.LocalRunStore;

/** The tests' one wiring of the real runner (as Guice builds it) on the local store of {@code options}. */
public final class LocalRunners {

    private LocalRunners() {}

    /**
     * @param registry the plugins
     * @param options the run options (their {@code runStore} is the tracker)
     * @param progress progress listener
     * @param cancel the sweep's cancellation
     * @return a runner that records into the local store and writes the sweep report
     */
    public static SweepRunner create(PluginRegistry registry, RunOptions options, Progress progress,
            Cancellation cancel) {
        TrackerFactory trackers = (tracking, opts) -> new LocalRunStore(opts.runStore());
        return new SweepRunner(registry, trackers, options, new Plots(), new Provenance(), progress,
                new SweepSummary(), new SweepPlanner(), new SpecWriter(), cancel,
                new SweepReporter(new ReportLoader(), new SweepReport(new ReportCharts())));
    }
}

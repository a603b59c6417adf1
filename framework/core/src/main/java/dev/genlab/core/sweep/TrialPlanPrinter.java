package dev.genlab.core.sweep;

import dev.genlab.core.spec.ExperimentSpec;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Renders a trial plan as a plain-text table, as {@code genlab validate} prints it. */
public final class TrialPlanPrinter {

    private static final String[] HEADER = {"#", "hash", "run", "plugin", "dataset", "steps", "batch"};

    /** Creates the printer; it has no state. */
    @Inject
    public TrialPlanPrinter() {}

    /**
     * Renders the plan under a line naming the experiment, its dataset and its sweep.
     *
     * @param spec the spec the plan came from
     * @param trials its plan from {@link SweepPlanner#plan}
     * @return the heading line followed by {@link #render(List)}
     */
    public String render(ExperimentSpec spec, List<Trial> trials) {
        StringBuilder head = new StringBuilder("experiment ").append(spec.name())
                .append(": dataset ").append(spec.dataset().name());
        if (!spec.sweep().parameters().isEmpty()) {
            head.append(", ").append(switch (spec.sweep().method()) {
                case RANDOM -> "random sweep (" + spec.sweep().trials() + " draws per paradigm)";
                case TPE -> "TPE sweep (" + spec.sweep().trials() + " configurations per paradigm, each chosen by "
                        + "TPE when its slot is first claimed)";
                default -> "grid sweep";
            }).append(" over ").append(String.join(", ", spec.sweep().parameters().keySet()));
        }
        if (spec.sweep().shufflesTrialOrder()) {
            head.append("; early stopping: trials are trained in an order shuffled by seed ").append(spec.seed());
        }
        return head.append('\n').append(render(trials)).toString();
    }

    /**
     * @param trials a plan from {@link SweepPlanner#plan}
     * @return a table with one row per trial (index, hash, run name, plugin, dataset, steps, batch size)
     *     and a summary line
     */
    public String render(List<Trial> trials) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        Set<String> paradigms = new LinkedHashSet<>();
        Set<Long> seeds = new LinkedHashSet<>();
        Set<String> hashes = new LinkedHashSet<>();
        for (Trial t : trials) {
            String run = SweepPlanner.slotOf(t) >= 0 && t.swept().size() == 1
                    ? t.runName() + " (chosen by TPE when claimed)" : t.runName();
            rows.add(new String[] {Integer.toString(t.index()), t.hash(), run, t.plugin(),
                    t.dataset().name(), Integer.toString(t.train().steps()), Integer.toString(t.train().batchSize())});
            paradigms.add(t.paradigm());
            seeds.add(t.seed());
            hashes.add(t.hash());
        }
        int[] width = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean numeric = i == 0 || i >= 5;
                String cell = numeric ? " ".repeat(width[i] - r[i].length()) + r[i]
                        : r[i] + " ".repeat(width[i] - r[i].length());
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        out.append(trials.size()).append(trials.size() == 1 ? " trial" : " trials")
                .append(" (").append(paradigms.size()).append(paradigms.size() == 1 ? " paradigm, " : " paradigms, ")
                .append(seeds.size()).append(seeds.size() == 1 ? " seed" : " seeds").append(')');
        if (hashes.size() < trials.size()) {
            out.append("; ").append(trials.size() - hashes.size())
                    .append(" trial(s) repeat an identical configuration (same hash)");
        }
        return out.append('\n').toString();
    }
}

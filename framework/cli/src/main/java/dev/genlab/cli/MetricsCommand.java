package dev.genlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genlab.core.metrics.DigitClassifierStore;
import dev.genlab.core.metrics.SampleFile;
import dev.genlab.core.metrics.SampleFileException;
import dev.genlab.core.metrics.SampleMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code genlab metrics}: the distribution metrics of any two sample files, without a spec or a run. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Compare generated samples with real ones: precision/recall/density/coverage, Frechet "
                + "distance and KID, by the same code as genlab's evaluator.",
            "Files: .npy (float32/float64; N x D vectors, or N x 1 x 28 x 28 / N x 28 x 28 digit images, compared "
                + "in the LeNet feature space) or .csv (one sample per line, optional header)."},
        footerHeading = "%nExamples:%n",
        footer = {"  genlab metrics --real real.npy --fake samples.npy",
            "  genlab metrics --real real.csv --fake fake.csv --metrics prdc --k 5 --json"})
final class MetricsCommand implements Callable<Integer> {

    @Option(names = "--real", required = true, paramLabel = "FILE", description = "Reference samples (.npy or .csv).")
    Path real;

    @Option(names = "--fake", required = true, paramLabel = "FILE", description = "Generated samples (.npy or .csv).")
    Path fake;

    @Option(names = "--metrics", split = ",", paramLabel = "LIST", defaultValue = "prdc,frechet,kid",
            description = "Which metrics: prdc, frechet, kid (default: ${DEFAULT-VALUE}).")
    List<String> metrics;

    @Option(names = "--k", paramLabel = "K",
            description = "k of precision, recall, density and coverage alike (default: 3 for precision and "
                    + "recall, 5 for density and coverage, as the evaluator).")
    Integer k;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        Set<SampleMetrics.Kind> kinds = kinds();
        SampleMetrics.Result result;
        SampleFile r;
        SampleFile f;
        try {
            r = SampleFile.read(real);
            f = SampleFile.read(fake);
            result = SampleMetrics.compute(r, f, kinds, k, DigitClassifierStore.standard());
        } catch (SampleFileException e) {
            throw new UserError("genlab metrics: " + e.getMessage());
        }
        PrintWriter out = command.commandLine().getOut();
        if (json) {
            out.println(json(r, f, result));
        } else {
            table(out, r, f, result);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private Set<SampleMetrics.Kind> kinds() {
        Set<SampleMetrics.Kind> kinds = EnumSet.noneOf(SampleMetrics.Kind.class);
        List<String> known = new ArrayList<>();
        for (SampleMetrics.Kind kind : SampleMetrics.Kind.values()) {
            known.add(kind.label());
        }
        for (String m : metrics) {
            String name = m.trim().toLowerCase(Locale.ROOT);
            SampleMetrics.Kind match = null;
            for (SampleMetrics.Kind kind : SampleMetrics.Kind.values()) {
                if (kind.label().equals(name)) {
                    match = kind;
                }
            }
            if (match == null) {
                throw new UserError("genlab metrics: unknown metric '" + m.trim() + "' in --metrics; choose from "
                        + String.join(", ", known));
            }
            kinds.add(match);
        }
        return kinds;
    }

    private static void table(PrintWriter out, SampleFile r, SampleFile f, SampleMetrics.Result result) {
        out.printf("real: %s (%s)%n", r.file(), r.describe());
        out.printf("fake: %s (%s)%n", f.file(), f.describe());
        out.printf("compared in %s", result.featureSpace());
        if (result.values().containsKey("precision")) {
            out.printf("; k = %d (precision, recall), %d (density, coverage)", result.kPrecisionRecall(),
                    result.kDensityCoverage());
        }
        out.println();
        out.println();
        out.printf("%-10s %s%n", "metric", "value");
        for (Map.Entry<String, Double> e : result.values().entrySet()) {
            // The shortest decimal that reads back as the very double computed.
            out.printf("%-10s %s%n", e.getKey(), Double.toString(e.getValue()));
        }
    }

    private static String json(SampleFile r, SampleFile f, SampleMetrics.Result result) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        describe(root.putObject("real"), r);
        describe(root.putObject("fake"), f);
        root.put("feature_space", result.featureSpace());
        if (result.values().containsKey("precision")) {
            root.put("k_precision_recall", result.kPrecisionRecall());
            root.put("k_density_coverage", result.kDensityCoverage());
        }
        ObjectNode values = root.putObject("metrics");
        result.values().forEach(values::put);
        return mapper.writeValueAsString(root);
    }

    private static void describe(ObjectNode node, SampleFile s) {
        node.put("file", s.file().toString());
        node.put("samples", s.rows());
        node.put("dim", s.dim());
        node.put("images", s.images());
    }
}

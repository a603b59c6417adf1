package dev.genlab.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genlab.api.DataShape;
import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.DatasetInput;
import java.util.ArrayList;
import java.util.List;

/**
 * The datasets a trial reads, as MLflow run inputs: the training data and, when the dataset has one and
 * {@code evaluate.heldout} is not 0, the held-out split it is evaluated against. Schema and profile follow MLflow's own NumPy dataset (a tensor
 * spec of the examples and labels; their shapes), so MLflow's UI renders them as it does for Python runs.
 */
final class RunInputs {

    /** The source type genlab datasets carry: the data is made by a genlab dataset plugin. */
    static final String SOURCE_TYPE = "genlab";
    /** Characters of the content hash used as the digest (MLflow stores at most 36). */
    private static final int DIGEST_CHARS = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunInputs() {}

    static List<DatasetInput> of(Trial trial, LoadedData data) {
        DataShape shape = data.host().shape();
        String name = trial.dataset().name();
        ObjectNode source = JSON.createObjectNode();
        source.put("dataset", name);
        source.set("params", JSON.valueToTree(trial.dataset().params()));
        boolean labelled = data.host().labels() != null;
        String schema = schema(shape, labelled);
        List<DatasetInput> out = new ArrayList<>(2);
        out.add(new DatasetInput(name, data.contentHash().substring(0, DIGEST_CHARS), SOURCE_TYPE, source.toString(),
                schema, profile(shape, labelled, data.host().size()), DatasetInput.TRAINING));
        int used = Math.min(trial.evaluate().heldout(), data.heldOutSize());
        if (data.heldOutHash() != null && used > 0) {
            // The digest is the whole held-out split's; evaluation reads its first evaluate.heldout examples.
            ObjectNode heldOut = source.deepCopy();
            heldOut.put("split", "held_out");
            heldOut.put("first", used);
            out.add(new DatasetInput(name + "-held-out", data.heldOutHash().substring(0, DIGEST_CHARS), SOURCE_TYPE,
                    heldOut.toString(), schema, profile(shape, labelled, used), DatasetInput.EVALUATION));
        }
        return out;
    }

    /** MLflow's tensor dataset schema: {@code {"mlflow_tensorspec": {"features": <json>, "targets": <json>}}}. */
    private static String schema(DataShape shape, boolean labelled) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("features", tensors("float32", shape.dims()));
        if (labelled) {
            spec.put("targets", tensors("int32", List.of()));
        } else {
            spec.putNull("targets");
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("mlflow_tensorspec", spec);
        return root.toString();
    }

    private static String tensors(String dtype, List<Integer> exampleDims) {
        ArrayNode list = JSON.createArrayNode();
        ObjectNode t = list.addObject();
        t.put("type", "tensor");
        ObjectNode ts = t.putObject("tensor-spec");
        ts.put("dtype", dtype);
        ArrayNode dims = ts.putArray("shape");
        dims.add(-1); // any number of examples
        exampleDims.forEach(dims::add);
        return list.toString();
    }

    private static String profile(DataShape shape, boolean labelled, int examples) {
        ObjectNode p = JSON.createObjectNode();
        ArrayNode features = p.putArray("features_shape");
        features.add(examples);
        shape.dims().forEach(features::add);
        p.put("features_size", (long) examples * shape.size());
        if (labelled) {
            p.putArray("targets_shape").add(examples);
        }
        return p.toString();
    }
}

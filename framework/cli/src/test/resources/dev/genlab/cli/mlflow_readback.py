# Reads one experiment back with MLflow's own Python client and prints, as JSON, what a researcher sees in
# MLflow's UI: every run's params, tags, latest metrics and metric step counts, dataset inputs, and its
# step-wise images parsed the way MLflow's image grid parses them. Usage: python mlflow_readback.py URI NAME
import json
import re
import sys
import tempfile

from mlflow.tracking import MlflowClient
from PIL import Image

uri, name = sys.argv[1], sys.argv[2]
client = MlflowClient(uri)
experiment = client.get_experiment_by_name(name)
runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"], max_results=1000)
# MLflow breaks start-time ties by run id, i.e. at random; a parent and its first trial may share a millisecond,
# so parents come first among equal start times (the tests read the parent as the first run).
runs = sorted(runs, key=lambda r: (r.info.start_time, "mlflow.parentRunId" in r.data.tags))

# <key with / as ~>+step+<step>+timestamp+<ms>+<uuid>[+compressed].<png|webp>
IMAGE = re.compile(r"^images/(?P<key>[^+]+)\+step\+(?P<step>\d+)\+timestamp\+\d+\+(?P<uuid>[0-9a-f-]{36})"
                   r"(?P<compressed>\+compressed)?\.(png|webp)$")


def images(run_id):
    """{key: {step: {"full": size, "thumbnail": longest side}}}, only pictures with both files."""
    found = {}
    for f in client.list_artifacts(run_id, "images"):
        m = IMAGE.match(f.path)
        if m is None:
            found.setdefault("unparsed", []).append(f.path)
            continue
        entry = found.setdefault(m["key"].replace("~", "/"), {}).setdefault(m["step"], {})
        if m["compressed"]:
            with tempfile.TemporaryDirectory() as d:
                with Image.open(client.download_artifacts(run_id, f.path, d)) as im:
                    entry["thumbnail"] = max(im.size)
        else:
            entry["full"] = f.file_size
    return found


out = {"experiment_tags": experiment.tags, "runs": []}
for r in runs:
    run_id = r.info.run_id
    out["runs"].append({
        "id": run_id,
        "name": r.info.run_name,
        "status": r.info.status,
        "parent": r.data.tags.get("mlflow.parentRunId"),
        "params": r.data.params,
        "tags": r.data.tags,
        "metrics": r.data.metrics,
        "steps": {k: len(client.get_metric_history(run_id, k)) for k in r.data.metrics if k.startswith("eval/")},
        "inputs": [{"name": i.dataset.name, "digest": i.dataset.digest, "source_type": i.dataset.source_type,
                    "source": i.dataset.source, "schema": i.dataset.schema, "profile": i.dataset.profile,
                    "context": {t.key: t.value for t in i.tags}.get("mlflow.data.context")}
                   for i in client.get_run(run_id).inputs.dataset_inputs],
        "images": images(run_id) if r.data.tags.get("mlflow.loggedImages") else {},
    })
print(json.dumps(out))

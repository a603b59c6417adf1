"""Reads an experiment back from an MLflow server with MLflow's own Python client, as JSON on stdout.

Usage: python readback.py TRACKING_URI EXPERIMENT_NAME

The experiment's id, name and tags; for every run (oldest first): id, name, status, parent
(mlflow.parentRunId), params, tags, the full history of every metric as [step, value, timestamp] triples,
every artifact with its size and the SHA-256 of the bytes downloaded back from the server, and the
dataset inputs (name, digest, source type, source, schema, profile, context).
"""
import hashlib
import json
import math
import os
import sys
import tempfile

import mlflow
from mlflow.tracking import MlflowClient


def artifacts(client, run_id, path=None):
    out = []
    for f in client.list_artifacts(run_id, path):
        if f.is_dir:
            out.extend(artifacts(client, run_id, f.path))
        else:
            out.append(f)
    return out


def value(v):
    # JSON has no NaN: keep it readable for the Java side.
    return "NaN" if isinstance(v, float) and math.isnan(v) else v


def main():
    uri, name = sys.argv[1], sys.argv[2]
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name(name)
    if exp is None:
        print(json.dumps({"experiment": None, "runs": []}))
        return
    runs = mlflow.search_runs(experiment_ids=[exp.experiment_id], output_format="list",
                              order_by=["attributes.start_time ASC"], max_results=1000)
    out = {"mlflow_version": mlflow.__version__,
           "experiment": {"id": exp.experiment_id, "name": exp.name, "tags": dict(sorted(exp.tags.items()))},
           "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in runs:
            info, data = r.info, r.data
            metrics = {}
            for key in sorted(data.metrics):
                hist = client.get_metric_history(info.run_id, key)
                metrics[key] = [[m.step, value(m.value), m.timestamp] for m in hist]
            arts = []
            for f in artifacts(client, info.run_id):
                local = client.download_artifacts(info.run_id, f.path, os.path.join(tmp, info.run_id))
                with open(local, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
                arts.append({"path": f.path, "size": f.file_size, "sha256": digest})
            out["runs"].append({
                "run_id": info.run_id,
                "run_name": info.run_name,
                "status": info.status,
                "parent_run_id": data.tags.get("mlflow.parentRunId"),
                "artifact_uri": info.artifact_uri,
                "params": dict(sorted(data.params.items())),
                "tags": dict(sorted(data.tags.items())),
                "metrics": metrics,
                "artifacts": arts,
                "inputs": [{"name": i.dataset.name, "digest": i.dataset.digest,
                            "source_type": i.dataset.source_type, "source": i.dataset.source,
                            "schema": i.dataset.schema, "profile": i.dataset.profile,
                            "context": {t.key: t.value for t in i.tags}.get("mlflow.data.context")}
                           for i in client.get_run(info.run_id).inputs.dataset_inputs],
            })
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The reference side of the benchmark harness (scikit-learn; PyTorch for the autoencoders), driven by bench/run.

    reference.py list                          entry names
    reference.py blas                          which BLAS / OpenMP libraries numpy and sklearn use
    reference.py <entry> --work <dir>          run one entry, print one JSON line on stdout

Each entry is a function registered with @entry(quality_metric) and named like its C# class's
Name; it reads the inputs that `Distributed.Bench prepare` wrote to the work directory and
returns the seconds of the measured operation only, the quality number and notes.
Run it with Debian's /usr/bin/python3 (numpy, scikit-learn, threadpoolctl, torch from apt).
"""

import argparse
import json
import os
import sys
import time
import warnings

ENTRIES = {}
BATCH_RUNS = 3  # short batches are timed this many times and the median reported (as ours)


def entry(quality_metric, environment=None):
    """Registers an entry function under its own name; environment: variables set before any import."""

    def register(function):
        ENTRIES[function.__name__] = (function, quality_metric, environment or {})
        return function

    return register


class Work:
    """The prepared inputs (see bench/Bench/BenchData.cs for the file list)."""

    def __init__(self, path, threads):
        self.path = path
        self.threads = threads
        with open(os.path.join(path, "config.json"), encoding="utf-8") as file:
            self.config = json.load(file)

    def load(self, name):
        import numpy as np

        return np.load(os.path.join(self.path, name))

    def save(self, name, array):
        import numpy as np

        target = os.path.join(self.path, name)
        with open(target + ".tmp", "wb") as file:
            np.save(file, array)
        os.replace(target + ".tmp", target)

    def exists(self, name):
        return os.path.exists(os.path.join(self.path, name))

    def forest_split(self):
        features = self.load("features.npy")
        labels = self.load("pseudo_labels.npy")
        train, test = self.load("train_idx.npy"), self.load("test_idx.npy")
        return features[train], labels[train], features[test], labels[test]


def timed(operation):
    """(result, seconds) of one call, after a garbage collection."""
    import gc

    gc.collect()
    start = time.perf_counter()
    result = operation()
    return result, time.perf_counter() - start


def inertia(features, centres, labels):
    """Sum of squared distances of each row to its centre, in float64 (same formula as ours)."""
    import numpy as np

    delta = features.astype(np.float64) - centres.astype(np.float64)[labels]
    return float(np.einsum("ij,ij->", delta, delta))


def explained_variance_ratio(data, projection):
    """Summed variance of the projected columns over that of the input columns, in float64 (as ours)."""
    import numpy as np

    return float(projection.astype(np.float64).var(axis=0, ddof=1).sum() / data.astype(np.float64).var(axis=0, ddof=1).sum())


@entry("explained_variance_ratio")
def pca(work):
    """Exact PCA ('full': LAPACK SVD of the centred rows), as ours is exact; the notes add the
    randomized solver (what 'auto' picks here, and ML.NET's kind of method) for comparison."""
    from sklearn.decomposition import PCA

    pixels = work.load("pixels.npy")
    PCA(n_components=50, svd_solver="full").fit(pixels[:1000]).transform(pixels[:1000])
    model = PCA(n_components=50, svd_solver="full")
    _, seconds = timed(lambda: model.fit(pixels))
    quality = explained_variance_ratio(pixels, model.transform(pixels))
    randomized = PCA(n_components=50, svd_solver="randomized", random_state=0)
    _, randomized_seconds = timed(lambda: randomized.fit(pixels))
    notes = (
        f"svd_solver='full' (exact); {pixels.shape[0]}×{pixels.shape[1]} pixels; the model's own ratio "
        f"{model.explained_variance_ratio_.sum():.6f}; svd_solver='randomized' (iterated_power "
        f"{randomized.iterated_power}): {randomized_seconds:.3f} s, ratio {explained_variance_ratio(pixels, randomized.transform(pixels)):.6f}"
    )
    return seconds, quality, notes


@entry("inertia")
def kmeans(work):
    import numpy as np
    from sklearn.cluster import KMeans

    features = work.load("features.npy")
    KMeans(n_clusters=10, n_init=2, max_iter=5, algorithm="lloyd", random_state=0).fit(features[:1000])
    model = KMeans(n_clusters=10, n_init=10, algorithm="lloyd", random_state=0)
    _, seconds = timed(lambda: model.fit(features))
    labels = model.labels_.astype(np.int32)
    work.save("kmeans_labels.reference.npy", labels)
    notes = f"best init: {model.n_iter_} iterations"
    agreement = ours_agreement(work, "kmeans_labels.ours.npy", labels)
    if agreement:
        notes += f"; ARI between the two labelings {agreement['ari_ours_vs_reference']:.4f}"
    return seconds, inertia(features, model.cluster_centers_, labels), notes, agreement


def ours_agreement(work, ours_file, labels):
    """{'ari_ours_vs_reference': ARI between our labels (left in the work dir) and these}, or {} without ours."""
    from sklearn.metrics import adjusted_rand_score

    if not work.exists(ours_file):
        return {}
    return {"ari_ours_vs_reference": float(adjusted_rand_score(work.load(ours_file), labels))}


def umap10(work):
    """The UMAP-10 embedding our side computed and left in the work dir (see bench/Bench/Embedding.cs)."""
    if not work.exists("umap10.npy"):
        raise SystemExit("reference: umap10.npy is missing: run our side of the entry first")
    return work.load("umap10.npy")


@entry("ari_vs_digits")
def dbscan(work):
    import numpy as np
    from sklearn.cluster import DBSCAN
    from sklearn.metrics import adjusted_rand_score

    embedding = umap10(work)
    with open(os.path.join(work.path, "dbscan_eps.ours.txt"), encoding="utf-8") as file:
        eps = float(file.read())
    DBSCAN(eps=eps, min_samples=5, n_jobs=work.threads).fit(embedding[:1000])
    model = DBSCAN(eps=eps, min_samples=5, n_jobs=work.threads)
    _, seconds = timed(lambda: model.fit(embedding))
    labels = model.labels_.astype(np.int32)
    noise = int((labels < 0).sum())
    agreement = ours_agreement(work, "dbscan_labels.ours.npy", labels)
    notes = f"eps {eps:.6g} (ours); {labels.max() + 1} clusters; noise {noise} rows ({noise / len(labels):.1%})"
    if agreement:
        notes += f"; ARI between the two labelings {agreement['ari_ours_vs_reference']:.4f}"
    return seconds, float(adjusted_rand_score(work.load("labels.npy"), labels)), notes, agreement


@entry("ari_vs_digits")
def agglomerative(work):
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import adjusted_rand_score

    rows = min(20000, len(work.load("labels.npy")))  # AgglomerativeEntry.MaxRows
    embedding = umap10(work)[:rows]
    AgglomerativeClustering(n_clusters=10, linkage="ward").fit(embedding[:500])
    model = AgglomerativeClustering(n_clusters=10, linkage="ward")
    _, seconds = timed(lambda: model.fit(embedding))
    labels = model.labels_.astype(np.int32)
    agreement = ours_agreement(work, "agglomerative_labels.ours.npy", labels)
    notes = f"{rows} rows, ward; cluster sizes {' '.join(str(c) for c in np.bincount(labels))}"
    if agreement:
        notes += f"; ARI between the two labelings {agreement['ari_ours_vs_reference']:.4f}"
    return seconds, float(adjusted_rand_score(work.load("labels.npy")[:rows], labels)), notes, agreement


@entry("mean_log_likelihood")
def gmm(work):
    from sklearn.mixture import GaussianMixture

    features = work.load("features.npy")[:, :10]
    with warnings.catch_warnings():  # the short warm-up fit is not meant to converge
        warnings.simplefilter("ignore")
        GaussianMixture(n_components=10, covariance_type="full", max_iter=5, random_state=0).fit(features[:1000])
    model = GaussianMixture(n_components=10, covariance_type="full", random_state=0)
    _, seconds = timed(lambda: model.fit(features))
    notes = f"{model.n_iter_} EM iterations, converged {str(model.converged_).lower()}"
    return seconds, float(model.score(features)), notes


@entry("trustworthiness")
def umap(work):
    """umap-learn is not installable here (not in Debian); report the published figure instead of a time."""
    return None, None, "umap-learn not installable here; published: 65-116 s for 70,000 MNIST images on a desktop"


def forest(n_jobs):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=100, n_jobs=n_jobs, random_state=0)


@entry("held_out_accuracy")
def random_forest_fit(work):
    train, train_labels, test, test_labels = work.forest_split()
    forest(work.threads).set_params(n_estimators=4).fit(train[:500], train_labels[:500])
    model = forest(work.threads)
    _, seconds = timed(lambda: model.fit(train, train_labels))
    accuracy = float((model.predict(test) == test_labels).mean())
    nodes = sum(tree.tree_.node_count for tree in model.estimators_)
    return seconds, accuracy, f"{nodes} nodes; {len(train)} train rows"


@entry("held_out_accuracy")
def random_forest_predict(work):
    import numpy as np

    train, train_labels, test, test_labels = work.forest_split()
    model = forest(work.threads).fit(train, train_labels)
    model.predict(test[:64])
    runs = [timed(lambda: model.predict(test)) for _ in range(BATCH_RUNS)]
    predicted, seconds = runs[0][0], float(np.median([run_seconds for _, run_seconds in runs]))
    accuracy = float((predicted == test_labels).mean())

    model.set_params(n_jobs=1)
    calls = int(work.config["single_row_predictions"])
    latencies = np.empty(calls)
    for i in range(calls):
        row = test[i % len(test) : i % len(test) + 1]
        start = time.perf_counter()
        model.predict(row)
        latencies[i] = (time.perf_counter() - start) * 1e6
    latencies.sort()
    p90 = latencies[min(max(int(np.ceil(0.9 * calls)) - 1, 0), calls - 1)]
    notes = (
        f"{len(test) / seconds:.0f} rows/s batch ({len(test)} rows, median of {BATCH_RUNS} runs); single-row latency (n_jobs=1) "
        f"median {np.median(latencies):.1f} µs, p90 {p90:.1f} µs over {calls} calls"
    )
    return seconds, accuracy, notes


def smote_tomek_notes(before, after_smote, after, rows_in, rows_out):
    """The same note text as SmoteTomekEntry.Notes."""
    largest = max(before.values())
    even = all(count == largest for count in after_smote.values())
    counts = " ".join(f"{label}:{count}" for label, count in sorted(after.items()))
    return (f"{rows_in} → {rows_out} rows; SMOTE evened every class to {largest}: {'yes' if even else 'no'}; "
            f"removed as Tomek links {sum(after_smote.values()) - rows_out}; counts after {counts}")


def class_counts(labels):
    import numpy as np

    values, counts = np.unique(labels, return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts)}


@entry("rows_out_per_row_in")
def smote_tomek(work):
    import warnings

    from imblearn.combine import SMOTETomek
    from imblearn.over_sampling import SMOTE
    from imblearn.under_sampling import TomekLinks
    from sklearn.neighbors import NearestNeighbors

    train, train_labels, _, _ = work.forest_split()

    def sampler():
        # imblearn 0.10 deprecates n_jobs on SMOTE: its neighbour search gets the threads instead.
        return SMOTETomek(
            smote=SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6, n_jobs=work.threads), random_state=0),
            tomek=TomekLinks(sampling_strategy="all", n_jobs=work.threads),
            random_state=0,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        sampler().fit_resample(train[:2000], train_labels[:2000])
        model = sampler()
        (_, resampled_labels), seconds = timed(lambda: model.fit_resample(train, train_labels))
    before = class_counts(train_labels)
    largest = max(before.values())
    after_smote = {label: largest for label in before}  # SMOTE's 'auto' strategy, which imblearn applies exactly
    notes = smote_tomek_notes(before, after_smote, class_counts(resampled_labels), len(train), len(resampled_labels))
    return seconds, len(resampled_labels) / len(train), notes


@entry("accuracy_on_unlabelled")
def label_spreading(work):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.semi_supervised import LabelSpreading

    features = work.load("features.npy")
    known = work.load("known_labels.npy")
    truth = work.load("labels.npy")

    def model():
        return LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2, max_iter=30, tol=1e-3, n_jobs=work.threads)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        head = min(1000, len(features))
        warm = known[:head].copy()
        model().fit(features[:head], warm)
        fitted, seconds = timed(lambda: model().fit(features, known))
    unknown = known == -1
    accuracy = float((fitted.transduction_[unknown] == truth[unknown]).mean())
    notes = f"{int((~unknown).sum())} known, {int(unknown.sum())} unlabelled; {fitted.n_iter_} iterations"
    return seconds, accuracy, notes


AUTOENCODER_BATCH = 256
AUTOENCODER_LEARNING_RATE = 1e-3
AUTOENCODER_EMBEDDING = 10
AUTOENCODER_WARM_UP_BATCHES = 4


def autoencoder_network(torch, architecture):
    """Our AutoencoderNetworks.Build in PyTorch: same layers, Glorot-uniform weights, zero biases.

    dense: 784-500-500-2000-10 and 10-2000-500-500-784, ReLU after every hidden layer, linear
    bottleneck and output. conv (DCEC): conv 32@5x5 s2 p2, 64@5x5 s2 p2, 128@3x3 s2 p0, dense 10;
    dense 1152, transposed conv 64@3x3 s2 p0, 32@5x5 s2 p2 op1, 1@5x5 s2 p2 op1; ReLU between
    layers, linear bottleneck and output. PyTorch is NCHW where ours is NHWC (the flattened
    3x3x128 grid is ordered differently, a permutation of the dense weights: same math).
    """
    nn = torch.nn
    if architecture == "dense":
        widths = [784, 500, 500, 2000, AUTOENCODER_EMBEDDING]
        layers = []
        for path in (widths, widths[::-1]):
            for i in range(len(path) - 1):
                layers.append(nn.Linear(path[i], path[i + 1]))
                if i < len(path) - 2:
                    layers.append(nn.ReLU())
        network = nn.Sequential(*layers)
    else:
        network = nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),
            nn.Conv2d(1, 32, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(32, 64, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(64, 128, 3, stride=2, padding=0), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(128 * 3 * 3, AUTOENCODER_EMBEDDING),
            nn.Linear(AUTOENCODER_EMBEDDING, 128 * 3 * 3), nn.ReLU(),
            nn.Unflatten(1, (128, 3, 3)),
            nn.ConvTranspose2d(128, 64, 3, stride=2, padding=0), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 5, stride=2, padding=2, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 5, stride=2, padding=2, output_padding=1),
            nn.Flatten(),
        )
    for module in network.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            # Same limit as ours, sqrt(6 / (fan_in + fan_out)) with k*k*channels fans for convolutions.
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    return network


def autoencoder_epoch(torch, network, optimiser, pixels, generator, max_batches=None):
    """One pass in shuffled batches of AUTOENCODER_BATCH; returns the mean loss weighted by batch rows (as ours)."""
    functional = torch.nn.functional
    order = torch.randperm(len(pixels), generator=generator).to(pixels.device)
    # The loss is summed where it was computed and read once at the end (as ours reads its losses
    # once per epoch): a loss.item() per batch would make a GPU wait for every step.
    total, rows = torch.zeros((), dtype=torch.float64, device=pixels.device), 0
    for number, start in enumerate(range(0, len(pixels), AUTOENCODER_BATCH)):
        if max_batches is not None and number >= max_batches:
            break
        batch = pixels[order[start : start + AUTOENCODER_BATCH]]
        optimiser.zero_grad(set_to_none=True)
        loss = functional.mse_loss(network(batch), batch)
        loss.backward()
        optimiser.step()
        total += loss.detach() * len(batch)
        rows += len(batch)
    return float(total) / rows


def autoencoder_train_reference(work, architecture, device="cpu"):
    """device: "cpu", or "cuda" (the first GPU, float32 products without TF32, as our kernels)."""
    import gc

    import torch

    torch.set_num_threads(work.threads)
    torch.manual_seed(int(work.config["seed"]))
    generator = torch.Generator().manual_seed(int(work.config["seed"]))
    pixels = torch.from_numpy(work.load("pixels.npy")).to(device)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
    epochs = int(work.config["autoencoder_epochs"])

    def fresh():
        network = autoencoder_network(torch, architecture).to(device).train()
        return network, torch.optim.Adam(network.parameters(), lr=AUTOENCODER_LEARNING_RATE)

    # Warm-up: a separate network, a few batches (as ours).
    autoencoder_epoch(torch, *fresh(), pixels, generator, max_batches=AUTOENCODER_WARM_UP_BATCHES)

    network, optimiser = fresh()
    gc.collect()
    losses, seconds = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        losses.append(autoencoder_epoch(torch, network, optimiser, pixels, generator))
        seconds.append(time.perf_counter() - start)
    total = sum(seconds)
    parameters = sum(p.numel() for p in network.parameters())
    notes = "; ".join([
        f"{len(pixels) * epochs / total:.0f} images/s ({epochs} epoch(s) × {len(pixels)} images, batch {AUTOENCODER_BATCH}, "
        f"Adam lr {AUTOENCODER_LEARNING_RATE:g}, MSE, float32)",
        "epoch losses " + ", ".join(f"{loss:.5f}" for loss in losses),
        "epoch seconds " + ", ".join(f"{s:.2f}" for s in seconds),
        f"{parameters:,} parameters",
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, NCHW, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'default')}",
        f"device {torch.cuda.get_device_name(0)}, float32 without TF32" if device == "cuda" else "device CPU",
        "init: xavier_uniform_ weights, zero biases (PyTorch's own default init differs)",
    ])
    return total, losses[-1], notes


# PyTorch runs its own element-wise ops and oneDNN convolutions on OpenMP threads and its matrix
# products on OpenBLAS's pthreads. With libgomp's default spin-waiting, idle OpenMP threads keep
# the two cores busy while OpenBLAS works: on 2 cores an epoch took 2.3x (dense) and 1.9x (conv)
# as long. Passive waiting (set before torch loads libgomp) removes that; ours has no OpenMP pool.
TORCH_ENVIRONMENT = {"OMP_WAIT_POLICY": "PASSIVE"}


@entry("final_epoch_mse", TORCH_ENVIRONMENT)
def autoencoder_train(work):
    return autoencoder_train_reference(work, "dense")


@entry("final_epoch_mse", TORCH_ENVIRONMENT)
def autoencoder_train_conv(work):
    return autoencoder_train_reference(work, "conv")


@entry("final_epoch_mse", TORCH_ENVIRONMENT)
def autoencoder_train_cuda(work):
    """Our cuda backend's reference: the dense network in PyTorch on the same GPU when PyTorch has CUDA
    (its cuBLAS products against our kernels), else on the CPU as for autoencoder_train (the notes say which)."""
    import torch

    return autoencoder_train_reference(work, "dense", "cuda" if torch.cuda.is_available() else "cpu")


def blas_report():
    """Prints the BLAS and OpenMP libraries numpy and scikit-learn loaded (threadpoolctl)."""
    import numpy  # noqa: F401  (loads its BLAS)
    import sklearn.cluster  # noqa: F401  (loads OpenMP)
    from threadpoolctl import threadpool_info

    libraries = threadpool_info()
    for info in libraries:
        extra = f" ({info['threading_layer']})" if info.get("threading_layer") else ""
        print(
            f"reference: {info['user_api']}: {info['internal_api']} {info.get('version') or ''}{extra}, "
            f"{info['num_threads']} threads, {info['filepath']}"
        )
    if not any(info["user_api"] == "blas" for info in libraries):
        print("reference: WARNING: threadpoolctl found no optimised BLAS under numpy; "
              "it is probably the slow reference (netlib) BLAS: install libopenblas0-pthread")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entry", help="'list', 'blas' or an entry name")
    parser.add_argument("--work", help="work directory written by Distributed.Bench prepare")
    parser.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads and n_jobs (default 2)")
    args = parser.parse_args()

    # Before numpy is imported: the thread pools read these once.
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)

    if args.entry == "list":
        print("\n".join(ENTRIES))
        return 0
    if args.entry == "blas":
        blas_report()
        return 0
    if args.entry not in ENTRIES:
        print(f"reference: error: unknown entry '{args.entry}' (known: {', '.join(ENTRIES)})", file=sys.stderr)
        return 2
    if not args.work:
        parser.error("--work is required")

    function, metric, environment = ENTRIES[args.entry]
    os.environ.update(environment)  # before the imports that load OpenMP/BLAS
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=args.threads):
        # (seconds, quality, notes), optionally with a dict of extra fields (e.g. ari_ours_vs_reference).
        seconds, quality, notes, *extra = function(Work(args.work, args.threads))
    print(json.dumps({
        "name": args.entry,
        "side": "reference",
        "seconds": seconds,
        "quality": quality,
        "quality_metric": metric,
        "notes": notes,
        "threads": args.threads,
        **(extra[0] if extra else {}),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

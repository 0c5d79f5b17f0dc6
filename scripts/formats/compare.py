"""Compares dogcat-mpi's results on the variants with TensorFlow's, for scripts/formats-vs-tf.sh.

usage: compare.py TF.csv TWINS_TF.csv CATSORDOGS_RESULTS.csv MOBILENETV2_RESULTS.csv
TF.csv and TWINS_TF.csv are ../shared/peers/tf_any.py outputs for the files and for the twins.
A file TensorFlow reads must be read here with |score - TF| <= 1e-4 and MobileNetV2 logits within
1e-3 (the suite's tolerances); a file TensorFlow refuses is compared with its twin (animated WebP:
libwebp's first frame) and reported as such. Prints one line per kind (worst differences) and
exits 1 on any mismatch."""
import collections, csv, dataclasses, os, sys


@dataclasses.dataclass
class Kind:
    """One kind of variant: how many files, the worst differences, TF's decoders, mismatches."""
    files: int = 0
    score: float = 0.0
    logit: float = 0.0
    decoders: set = dataclasses.field(default_factory=set)
    mismatches: int = 0


def rows(path, key):
    return {os.path.basename(r[key]): r for r in csv.DictReader(open(path))}


def main():
    tf, twins = rows(sys.argv[1], "file"), rows(sys.argv[2], "file")
    grey, rgb = rows(sys.argv[3], "path"), rows(sys.argv[4], "path")
    kinds = collections.defaultdict(Kind)
    for name in sorted(tf):
        kind = name.rsplit("_", 1)[0]
        reference, decoder = tf[name], tf[name]["decoder"]
        if decoder == "none":
            twin = os.path.splitext(name)[0] + ".png"
            if twin not in twins:
                sys.exit(f"{name}: TensorFlow refuses it and it has no twin")
            reference, decoder = twins[twin], "refused; twin " + twins[twin]["decoder"]
        entry = kinds[kind]
        entry.files += 1
        entry.decoders.add(decoder)
        ours_grey, ours_rgb = grey[name], rgb[name]
        if ours_grey["status"] != "ok" or ours_rgb["status"] != "ok":
            entry.mismatches += 1
            print(f"MISMATCH {name}: TensorFlow reads it ({decoder}), dogcat-mpi: {ours_grey['error'] or ours_rgb['error']}")
            continue
        score = abs(float(ours_grey["raw"]) - float(reference["catsordogs_score"]))
        logits = [float(v) for v in ours_rgb["raw"].split(";")]
        logit = max(abs(logits[0] - float(reference["mobilenetv2_logit_cat"])), abs(logits[1] - float(reference["mobilenetv2_logit_dog"])))
        entry.score, entry.logit = max(entry.score, score), max(entry.logit, logit)
        if score > 1e-4 or logit > 1e-3:
            entry.mismatches += 1
            print(f"MISMATCH {name}: |score - TF| {score:.2e}, |logit - TF| {logit:.2e}")
    print(f"{'kind':<22} {'files':>5} {'max |score-TF|':>15} {'max |logit-TF|':>15}  TensorFlow's decoder")
    for kind, k in sorted(kinds.items()):
        print(f"{kind:<22} {k.files:>5} {k.score:>15.2e} {k.logit:>15.2e}  {', '.join(sorted(k.decoders))}{'  MISMATCH' if k.mismatches else ''}")
    sys.exit(1 if any(k.mismatches for k in kinds.values()) else 0)


if __name__ == "__main__":
    main()

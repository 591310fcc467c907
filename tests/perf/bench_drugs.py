"""Benchmark: drug catalogue lookups and search, against a plain scan of the same catalogue in
the same run.

    python -m tests.perf.bench_drugs [--products 100000] [--queries 200]

Prints JSON. The shipped catalogue, and a clinic-sized one: the shipped drugs plus
`--products` made-up products of its ingredients (a licensed catalogue of every US product is
of that order), written to a file and read the way a clinic's file is. Timed (p50/p95 of
`--queries` runs): `drug` + `ingredients` of a random RxCUI, `search` of a random
ingredient's first four letters; and as the baseline, a scan of every drug for the same
RxCUI, and for names holding the typed letters (case-folded in advance): what a lookup
without the dict and the word index would cost.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.clinical.drugs.catalogue import DrugCatalogue, load_catalogue

FORMS = ("Oral Tablet", "Oral Capsule", "Injectable Solution", "Oral Suspension")


def ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered) * 1000, 4),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 4)}


def timed(run, arguments) -> list[float]:
    samples = []
    for argument in arguments:
        start = time.perf_counter()
        run(argument)
        samples.append(time.perf_counter() - start)
    return samples


def clinic_file(shipped: DrugCatalogue, products: int, folder: Path, rng: random.Random) -> str:
    """The shipped catalogue plus `products` made-up products, as a clinic's file."""
    raw = json.loads(Path(shipped_path()).read_text())
    ingredients = [d for d in shipped.drugs.values() if d.kind == "ingredient"]
    for number in range(products):
        parts = rng.sample(ingredients, rng.choice((1, 1, 1, 2)))
        name = " / ".join(f"{p.name} {rng.choice((5, 10, 25, 50, 100, 250, 500))} MG"
                          for p in parts)
        raw["products"].append({"rxcui": str(90_000_000 + number),
                                "name": f"{name} {rng.choice(FORMS)}",
                                "ingredients": [p.rxcui for p in parts]})
    path = folder / "clinic-drugs.json"
    path.write_text(json.dumps(raw))
    return str(path)


def shipped_path() -> str:
    from importlib.resources import files

    return str(files("hearth_resources.drugs").joinpath("catalogue.json"))


def measure(catalogue: DrugCatalogue, queries: int, rng: random.Random) -> dict:
    codes = rng.choices(list(catalogue.drugs), k=queries)
    names = [d.name for d in catalogue.drugs.values() if d.kind == "ingredient"]
    typed = [name[:4] for name in rng.choices(names, k=queries)]
    every = list(catalogue.drugs.values())

    def scan_lookup(rxcui):
        return next(d.ingredients for d in every if d.rxcui == rxcui)

    lowered = [(d, d.name.casefold()) for d in every]

    def scan_search(text):
        return [d for d, name in lowered if text.casefold() in name]

    lookup = ms(timed(lambda rxcui: catalogue.ingredients(catalogue.drug(rxcui).rxcui), codes))
    search = ms(timed(catalogue.search, typed))
    scan = {"lookup_ms": ms(timed(scan_lookup, codes)), "search_ms": ms(timed(scan_search, typed))}
    return {"drugs": len(catalogue.drugs), "lookup_ms": lookup, "search_ms": search,
            "baseline_scan": scan,
            "ratios": {"lookup_p95_over_scan_p95": round(
                           lookup["p95"] / max(scan["lookup_ms"]["p95"], 1e-9), 4),
                       "search_p95_over_scan_p95": round(
                           search["p95"] / max(scan["search_ms"]["p95"], 1e-9), 4)}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    rng = random.Random(15)
    start = time.perf_counter()
    shipped = load_catalogue()
    result = {"shipped": {"load_ms": round((time.perf_counter() - start) * 1000, 2),
                          **measure(shipped, args.queries, rng)}}
    with tempfile.TemporaryDirectory() as folder:
        path = clinic_file(shipped, args.products, Path(folder), rng)
        start = time.perf_counter()
        clinic = load_catalogue(path)
        result["clinic"] = {"load_ms": round((time.perf_counter() - start) * 1000, 2),
                            **measure(clinic, args.queries, rng)}
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

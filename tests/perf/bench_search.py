"""Benchmark: patient search by fragment, typo, sound and year, against exact search.

    python -m tests.perf.bench_search --patients 100000

Prints JSON. One encrypted store of synthetic patients (tests/perf/synthetic.py) is searched
with today's kinds of query (family prefix, given and family, MRN, birth date: "exact") and
with the kinds close matching added: a fragment from inside a family name, a family name
with one letter wrong, alone, after a given prefix or after a whole given name, and a year
of birth. Each kind's p95 is given as a ratio over the exact p95 of the same run. The
exact searches are run again, warm, each beside its FTS5 query alone on the same warm
connection (what a search costs over its query: the audit row, the JSON, Python) and
beside the query that ranked every match (before a broad search ranked only BROAD), and a
read's audit row is committed both ways, waiting for the disk (as before issue 19) and not
(now). Each audited search still commits a write, and the next read on any other
connection finds its page cache dropped (SQLite discards it when another connection
changed the file): that read is timed beside the same read again, and beside the same
read after a commit to a second encrypted file it has attached instead. Then the
store is taken back to schema 8 (patient_search as schema 5 wrote it: timed, the baseline)
and upgraded again (schema.v9 writes patient_search again with its close columns), and a
backup copy, which an upgrade makes first, is timed alone.
"""

import argparse
import random
import sys
import tempfile
from pathlib import Path

import orjson
import sqlcipher3

from app.clinical.patients.search import (
    BROAD,
    QUERY,
    PatientSearch,
    match_expression,
    typed_terms,
)
from app.store import audit_log as audit
from app.store.database import raw_key_pragma
from app.store.schema.migrations import MIGRATIONS, _reindex_patient_search, migrate
from app.store.schema.v1 import INITIAL_SCHEMA
from app.store.search_text import fold
from tests.perf.bench_store import BUNDLED, CLINICIAN, ingest, ms, open_store, queries, timed
from tests.perf.synthetic import write_dataset

LETTERS = "abcdefghijklmnopqrstuvwxyz"
EXACT_KINDS = ("family_prefix", "given_and_family", "mrn", "birth_date")  # as bench_store


def typo(word: str, rng: random.Random) -> str:
    """The word with one slip: a letter changed, dropped, doubled or two swapped."""
    word = fold(word).replace("'", "").replace("-", "")
    at = rng.randrange(1, len(word) - 1)
    slip = rng.choice(["change", "drop", "double", "swap"])
    if slip == "change":
        return word[:at] + rng.choice(LETTERS.replace(word[at], "")) + word[at + 1:]
    if slip == "drop":
        return word[:at] + word[at + 1:]
    if slip == "double":
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2:]


def close_queries(people: list[dict], count: int, rng: random.Random) -> dict[str, list[str]]:
    long_names = [p for p in people if len(p["family"]) >= 5]
    chosen = rng.sample(long_names, min(count, len(long_names)))
    return {
        "fragment": [fold(p["family"])[1:5] for p in chosen],
        "typo": [typo(p["family"], rng) for p in chosen],
        "given_and_typo": [f"{p['given'][0][:2]} {typo(p['family'], rng)}" for p in chosen],
        "full_name_typo": [f"{p['given'][0]} {typo(p['family'], rng)}" for p in chosen],
        "year": [p["birthDate"][:4] for p in chosen],
    }


def search_times(store, asked: dict[str, list[str]]) -> dict:
    """Each kind's spread; the kinds take turns, query by query, so that a busy moment of a
    shared machine falls on all of them alike."""
    finder = PatientSearch(store)
    samples = {kind: [] for kind in asked}
    for turn in zip(*asked.values(), strict=False):
        for kind, typed in zip(asked, turn, strict=True):
            samples[kind].append(timed(lambda t=typed: finder.search(CLINICIAN, t)))
    exact = [s for kind in EXACT_KINDS for s in samples[kind]]
    return {"exact": ms(exact), **{kind: ms(spread) for kind, spread in samples.items()}}


# The exact page as every search ranked it before issue 19's broad searches: bm25 over
# every match.
RANKING_EVERY_MATCH = (
    "SELECT r.json, hit.score FROM ("
    "  SELECT patient_id, bm25(patient_search, 0.0, 10.0, 4.0, 1.0, 1.0) AS score"
    "  FROM patient_search WHERE patient_search MATCH :match"
    "  ORDER BY score LIMIT :limit"
    ") AS hit CROSS JOIN resource AS r"
    " ON r.type = 'Patient' AND r.id = hit.patient_id AND r.deleted = 0")


def raw_exact_page(conn, match: str) -> list:
    """A search's exact page, its FTS5 query run raw (search.QUERY)."""
    return conn.execute(QUERY.text, {"match": match, "broad": BROAD, "limit": 20}).fetchall()


def rank_every_match(conn, match: str) -> list:
    return conn.execute(RANKING_EVERY_MATCH, {"match": match, "limit": 20}).fetchall()


def beside_raw_query(store, asked: dict[str, list[str]]) -> dict:
    """The exact searches again, each followed by its FTS5 query alone (no SQLAlchemy,
    audit or JSON parsing) on the connection the search just used, warm: the floor a
    search stands on; and by the query that ranks every match (as before broad searches
    ranked only BROAD).
    They take turns, so a busy moment of a shared machine falls on all alike.
    Given per kind too: a page of 20 patients (a family prefix) costs more over its query
    than the one patient an MRN finds, and the mix of both makes the overall p50 jump."""
    finder, spreads = PatientSearch(store), {}
    everything = {"search": [], "raw_fts5_query": [], "raw_ranking_every_match": []}
    for kind, texts in asked.items():
        searches, raw, every = [], [], []
        for typed in texts:
            match = match_expression(typed_terms(typed))
            searches.append(timed(lambda t=typed: finder.search(CLINICIAN, t)))
            conn = store.db.engine.raw_connection()  # the pool lends the one just returned
            try:
                raw.append(timed(lambda c=conn, m=match: raw_exact_page(c, m)))
                every.append(timed(lambda c=conn, m=match: rank_every_match(c, m)))
            finally:
                conn.close()
        spreads[kind] = {"search": ms(searches), "raw_fts5_query": ms(raw),
                         "raw_ranking_every_match": ms(every)}
        everything["search"] += searches
        everything["raw_fts5_query"] += raw
        everything["raw_ranking_every_match"] += every
    return {"all": {name: ms(samples) for name, samples in everything.items()}, **spreads}


def audit_commit_times(store, count: int) -> dict:
    """One read's audit row in a transaction of its own, its commit waiting for the disk
    (every read before issue 19) and not (now: app.store.late_sync syncs it later), taking
    turns."""
    waiting, not_waiting = [], []

    def audited(wait: bool) -> None:
        with store.write(wait_for_disk=wait) as conn:
            audit.append(conn, audit.event_for(CLINICIAN, "query", entity="Patient",
                                               detail="benchmark"))

    for _ in range(count):
        waiting.append(timed(lambda: audited(True)))
        not_waiting.append(timed(lambda: audited(False)))
    return {"waiting_for_the_disk": ms(waiting), "not_waiting": ms(not_waiting)}


def read_after_audit_times(store, texts: list[str], side: Path) -> dict:
    """A read on one connection right after a search audited on another; the same read
    right after a row committed to a second encrypted file that connection has attached
    (where read audit rows could go instead: measured, not built); and the same read with
    nothing written in between (its page cache warm). They take turns."""
    finder, reader = PatientSearch(store), store.db.engine.raw_connection()
    key = raw_key_pragma(store.data_key)
    journal = sqlcipher3.connect(str(side), isolation_level=None)
    journal.execute(f'PRAGMA key="{key}"')
    journal.execute("PRAGMA journal_mode=WAL")
    journal.execute("PRAGMA synchronous=NORMAL")  # as an audited read's commit (late_sync)
    journal.execute("CREATE TABLE read_row (seq INTEGER PRIMARY KEY, detail TEXT)")
    reader.execute(f"ATTACH DATABASE '{side}' AS side KEY \"{key}\"")

    def side_commit(typed: str) -> None:
        journal.execute("BEGIN IMMEDIATE")
        journal.execute("INSERT INTO read_row (detail) VALUES (?)", (f"search {typed!r}",))
        journal.execute("COMMIT")

    try:
        asked = [match_expression(typed_terms(t)) for t in texts]
        after_audit, warm, after_side, side_commits = [], [], [], []
        for typed, match in zip(texts, asked, strict=True):
            finder.search(CLINICIAN, typed)
            after_audit.append(timed(lambda m=match: raw_exact_page(reader, m)))
            warm.append(timed(lambda m=match: raw_exact_page(reader, m)))
            side_commits.append(timed(lambda t=typed: side_commit(t)))
            after_side.append(timed(lambda m=match: raw_exact_page(reader, m)))
        return {"after_an_audited_search": ms(after_audit), "warm_baseline": ms(warm),
                "after_a_commit_to_an_attached_second_file": ms(after_side),
                "that_commit": ms(side_commits)}
    finally:
        reader.execute("DETACH DATABASE side")
        reader.close()
        journal.close()


def used_mb(db) -> int:
    """The pages the store uses (a dropped table's pages are free, not gone from the file)."""
    with db.read() as conn:
        pages = conn.exec_driver_sql("SELECT (SELECT page_count FROM pragma_page_count) - "
                                     "(SELECT freelist_count FROM pragma_freelist_count)"
                                     ).scalar_one()
        size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
    return round(int(pages) * int(size) / 2**20)


def upgrade_times(store, backups: Path) -> dict:
    """Schema 8 to 9 over the stored patients, beside schema 5's rewrite of the exact index."""
    db = store.db
    [schema1_search] = [s for s in INITIAL_SCHEMA if "TABLE patient_search" in s]

    def back_to_schema_8():
        with db.write() as conn:
            conn.exec_driver_sql("DROP TABLE patient_search")
            conn.exec_driver_sql(schema1_search)
            _reindex_patient_search(conn)
            conn.exec_driver_sql("PRAGMA user_version=8")

    baseline_s = timed(back_to_schema_8)
    schema8_mb = used_mb(db)
    backup_s = timed(lambda: db.backup_to(backups / "copy.db"))
    # Only step 9 is timed; the later steps' tables are still there, so the store is then
    # stamped with the newest version again.
    upgrade_s = timed(lambda: migrate(db, backups, [m for m in MIGRATIONS if m.number <= 9]))
    with db.write() as conn:
        conn.exec_driver_sql(f"PRAGMA user_version={MIGRATIONS[-1].number:d}")
    return {"upgrade_8_to_9_s": round(upgrade_s, 1), "backup_copy_alone_s": round(backup_s, 1),
            "baseline_schema5_reindex_s": round(baseline_s, 1), "store_mb_at_schema_8": schema8_mb}


def run(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = write_dataset(tmp / "input", BUNDLED, args.patients, 0, 0)
        store = open_store(tmp / "store", True)
        loaded = ingest(store, data)
        rng = random.Random(13)
        asked = {**queries(data["people"], args.queries, rng),
                 **close_queries(data["people"], args.queries, rng)}
        result = {"patients": args.patients, "ingest": loaded,
                  "store_mb": used_mb(store.db),
                  "search_ms": search_times(store, asked)}
        warm = result["exact_beside_raw_query_ms"] = beside_raw_query(
            store, {kind: asked[kind] for kind in EXACT_KINDS})
        result["search_p95_over_raw_query_p95"] = {
            kind: round(spread["search"]["p95"] / spread["raw_fts5_query"]["p95"], 2)
            for kind, spread in warm.items()}
        exact_texts = [t for kind in EXACT_KINDS for t in asked[kind]]
        result["audit_commit_ms"] = audit_commit_times(store, args.queries)
        exact_p95 = result["search_ms"]["exact"]["p95"]
        result["other_connection_read_ms"] = read_after_audit_times(store, exact_texts,
                                                                    tmp / "side.db")
        result["p95_over_exact_p95"] = {
            kind: round(spread["p95"] / exact_p95, 2)
            for kind, spread in result["search_ms"].items() if kind != "exact"}
        result["upgrade"] = upgrade_times(store, tmp / "backups")
        result["examples"] = {kind: texts[:3] for kind, texts in asked.items()}
        store.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    args = parser.parse_args(argv)
    print(orjson.dumps(run(args), option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())

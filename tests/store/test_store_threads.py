"""The store shared by the UI's worker threads and the sync thread (WAL, one connection
each at a time)."""

import threading

from sqlalchemy import text


def test_a_transaction_held_open_on_one_thread_survives_many_others(admin):
    """A sync read in progress must not have its connection closed under it because the
    UI's short-lived worker threads came and went (SQLAlchemy's SingletonThreadPool did)."""
    store = admin.store
    opened, release, results = threading.Event(), threading.Event(), []

    def long_read():
        with store.read() as conn:
            opened.set()
            release.wait(10)
            results.append(conn.execute(text("SELECT count(*) FROM app_user")).scalar_one())

    holder = threading.Thread(target=long_read)
    holder.start()
    opened.wait(10)
    def short_read():
        with store.read() as conn:
            conn.execute(text("SELECT 1"))

    for _ in range(12):  # each on a thread of its own, as the UI's worker threads come and go
        worker = threading.Thread(target=short_read)
        worker.start()
        worker.join()
    release.set()
    holder.join(10)
    assert results == [1]

"""A preview's larger chunk (services/upload_runner.py: PREVIEW_CHUNKS) is stored as items of
CHUNK_ITEM_ROWS outcomes, in one batch write: the outcomes come back whole and in file order,
and doing the chunk again after a crash rewrites the same items."""
from chalicelib.store.uploads import CHUNK_ITEM_ROWS, UploadStore


def test_a_large_chunk_is_stored_in_items_and_read_back_in_order(table):
    store = UploadStore("m_chunks", table)
    job, _ = store.create({"job_id": "up_1", "kind": "prices", "name": "p.xlsx", "status": "in_queue"})
    claimed = store.claim("up_1", "owner-1", 1, 10 ** 10)
    assert claimed["position"] == 0
    first = [("ok", f"row {i}") if i % 7 else ("error", f"validation_error: 价格 {i} <bad>") for i in range(1200)]
    store.commit("up_1", "owner-1", 0, first, 10 ** 10)
    store.commit("up_1", "owner-1", 1200, [("skipped", "same")] * 10, 10 ** 10)
    read = [tuple(o) for o in store.outcomes("up_1")]
    assert read == first + [("skipped", "same")] * 10
    pk, prefix = store.scope.upload_chunks("up_1")
    items = table.query_all(pk, prefix, consistent=True)
    assert [(i["position"], i["rows"]) for i in items] == [
        (0, CHUNK_ITEM_ROWS), (CHUNK_ITEM_ROWS, CHUNK_ITEM_ROWS), (2 * CHUNK_ITEM_ROWS, 1200 - 2 * CHUNK_ITEM_ROWS),
        (1200, 10)]
    job = store.get("up_1")
    assert (job["rows"], job["ok"], job["errors"], job["skipped"]) == (1210, 1028, 172, 10)

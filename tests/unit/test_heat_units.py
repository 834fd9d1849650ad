"""The partition-heat meter's arithmetic against DynamoDB's documented rules and worked examples
(Developer Guide: item sizes and formats, capacity unit consumption, GSI throughput, transactions)."""
import base64

import pytest

from chalicelib.local.heat import Index, Meter, Schema, item_size, number_size, read_units, write_units

KB = 1024


def s(text):
    return {"S": text}


def blob(size: int) -> dict:
    """An item of exactly `size` bytes: pk 'p' (1 + 1), sk 's' (2 + 1) and a padding string."""
    return {"pk": s("p"), "sk": s("s"), "x": s("y" * (size - 7))}


SCHEMA = Schema("pk", "sk")
WITH_INDEXES = Schema("pk", "sk", (Index("all", "g1", "g1s"), Index("keys", "g2", "g2s", "KEYS_ONLY"),
                                   Index("some", "g3", None, "INCLUDE", ("status",))))


# sizes -------------------------------------------------------------------------------------
def test_a_string_is_its_name_and_its_utf8_bytes():
    assert item_size({"name": s("药品")}) == 4 + 6
    assert item_size({"名": s("ab")}) == 3 + 2


@pytest.mark.parametrize("text,size", [("1", 2), ("12", 2), ("123", 3), ("123.45", 4), ("-99", 2),
                                       ("0.00100", 2), ("1000000", 2), ("12345678901234567890", 11),
                                       ("0", 1), ("1.5E+10", 2)])
def test_a_number_is_one_byte_per_two_significant_digits_plus_one(text, size):
    assert number_size(text) == size
    assert item_size({"n": {"N": text}}) == 1 + size


def test_binary_counts_raw_bytes_booleans_and_null_one_byte():
    assert item_size({"b": {"B": base64.b64encode(b"\x00\x01\x02").decode()}}) == 1 + 3
    assert item_size({"b": {"B": b"\x00\x01\x02\x03"}}) == 1 + 4
    assert item_size({"ok": {"BOOL": True}, "no": {"NULL": True}}) == (2 + 1) + (2 + 1)


def test_lists_and_maps_take_three_bytes_and_one_per_element():
    assert item_size({"l": {"L": []}}) == 1 + 3
    assert item_size({"m": {"M": {}}}) == 1 + 3
    assert item_size({"l": {"L": [s("ab"), {"N": "1"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert item_size({"m": {"M": {"k": s("v"), "kk": {"L": [s("x")]}}}}) == 1 + 3 + (1 + 1 + 1) + (1 + 2 + 3 + 1 + 1)


def test_sets_are_the_sum_of_their_elements():
    assert item_size({"ss": {"SS": ["a", "bc"]}}) == 2 + 3
    assert item_size({"ns": {"NS": ["1", "123"]}}) == 2 + 2 + 3


# units -------------------------------------------------------------------------------------
def test_reads_round_up_to_4kb_and_eventual_consistency_halves():
    assert read_units(int(3.5 * KB), True) == 1            # "an item that is 3.5 KB ... 4 KB"
    assert read_units(10 * KB, True) == 3                  # "10 KB ... rounds the item size to 12 KB"
    assert read_units(80 * KB, False) == 10                # "if total item size is 80 KB ... 10"
    assert read_units(0, True) == 1 and read_units(0, False) == 0.5   # a missing item still costs


def test_writes_round_up_to_1kb():
    assert write_units(int(1.6 * KB)) == 2                 # "put or delete an item of 1.6 KB ... 2 KB"
    assert write_units(500) == 1 and write_units(KB) == 1 and write_units(KB + 1) == 2
    assert write_units(0) == 1


# the meter ---------------------------------------------------------------------------------
def units(meter: Meter, index: str = "", kind: str = "write_units") -> dict:
    return {row["partition"]: row[kind] for row in meter.snapshot() if row["index"] == index}


def test_an_update_costs_the_larger_of_before_and_after():
    meter = Meter()
    meter.write("t", SCHEMA, blob(3 * KB), blob(500))
    meter.write("t", SCHEMA, blob(500), blob(int(2.5 * KB)))
    meter.write("t", SCHEMA, blob(1500), None)             # a delete: the deleted item
    assert units(meter) == {"p": 3 + 3 + 2}


def test_a_failed_condition_costs_the_item_or_one_unit():
    meter = Meter()
    meter.write("t", SCHEMA, blob(2 * KB), None, committed=False)
    meter.write("t", SCHEMA, None, {"pk": s("q"), "sk": s("s")}, committed=False)
    assert units(meter) == {"p": 2, "q": 1}


def test_batch_writes_round_each_item():
    meter = Meter()                                         # "500 byte item and a 3.5 KB item ... 5 KB"
    meter.write("t", SCHEMA, None, blob(500))
    meter.write("t", SCHEMA, None, blob(int(3.5 * KB)))
    assert units(meter) == {"p": 5}


def test_a_transaction_writes_every_item_twice_and_checks_like_writes():
    meter = Meter()                                         # "three 500-byte items ... six WCUs"
    for n in range(3):
        meter.write("t", SCHEMA, None, {"pk": s(f"k{n}"), "sk": s("s"), "x": s("y" * 480)}, transaction=True)
    meter.condition_check("t", SCHEMA, {"pk": s("c"), "sk": s("s")}, blob(1500) | {"pk": s("c")})
    assert sum(units(meter).values()) == 6 + 4
    assert units(meter)["c"] == 4


def test_reads_by_item_batch_transaction_and_query():
    meter = Meter()
    key = {"pk": s("p"), "sk": s("s")}
    meter.read_item("t", SCHEMA, key, blob(int(1.5 * KB)), consistent=True)   # BatchGetItem 1.5 KB + 6.5 KB
    meter.read_item("t", SCHEMA, key, blob(int(6.5 * KB)), consistent=True)   # "... 12 KB": 3 units
    assert units(meter, kind="read_units") == {"p": 3}
    meter.reset()
    meter.read_item("t", SCHEMA, key, blob(500), consistent=True, transaction=True)
    assert units(meter, kind="read_units") == {"p": 2}
    meter.reset()
    items = [blob(4178) for _ in range(10)]                # "10 items whose combined size is 40.8 KB ... 44 KB"
    meter.read_range("t", SCHEMA, None, "p", items, consistent=True)
    assert units(meter, kind="read_units") == {"p": 11}
    meter.reset()
    meter.read_range("t", SCHEMA, None, "p", [], consistent=False)
    assert units(meter, kind="read_units") == {"p": 0.5}


def test_an_index_query_reads_entries_eventually_consistent():
    meter = Meter()                                         # "8 items ... 2000 bytes ... 2 read capacity units"
    entries = [{"pk": s("p"), "sk": s(f"{n}"), "g1": s("G"), "g1s": s("x"), "pad": s("y" * 1984)} for n in range(8)]
    assert item_size(entries[0]) == 2000
    meter.read_range("t", WITH_INDEXES, "all", "G", entries, consistent=True)
    assert units(meter, "all", "read_units") == {"G": 2}


def item(**attrs) -> dict:
    return {"pk": s("p"), "sk": s("s"), **{k: s(v) for k, v in attrs.items()}}


def test_index_writes_follow_the_index_rules():
    meter = Meter()
    meter.write("t", WITH_INDEXES, None, item(g1="A", g1s="1", status="x"))           # appears: one put
    assert units(meter, "all") == {"A": 1} and units(meter, "keys") == {} and units(meter, "some") == {}
    meter.reset()
    meter.write("t", WITH_INDEXES, item(g1="A", g1s="1"), item(g1="B", g1s="1"))       # key moves: delete + put
    assert units(meter, "all") == {"A": 1, "B": 1}
    meter.reset()
    meter.write("t", WITH_INDEXES, item(g1="A", g1s="1"), item(g1="A", g1s="2"))       # sort key moves: 2 writes
    assert [r["writes"] for r in meter.snapshot() if r["index"] == "all"] == [2]
    meter.reset()
    meter.write("t", WITH_INDEXES, item(g1="A", g1s="1"), item())                      # attribute removed: delete
    assert units(meter, "all") == {"A": 1}
    meter.reset()
    meter.write("t", WITH_INDEXES, item(), item(other="z"))                            # never indexed: nothing
    assert units(meter, "all") == {}


def test_narrow_projections_skip_writes_that_leave_the_entry_alone():
    meter = Meter()
    before, after = item(g2="K", g2s="1", g3="I", note="a"), item(g2="K", g2s="1", g3="I", note="b")
    meter.write("t", WITH_INDEXES, before, after)          # only an unprojected attribute changed
    assert units(meter, "keys") == {} and units(meter, "some") == {}
    meter.write("t", WITH_INDEXES, after, dict(after, status=s("paid")))    # a projected one changed
    assert units(meter, "keys") == {} and units(meter, "some") == {"I": 1}


def test_index_entries_cost_their_projection_not_the_item():
    big = dict(item(g1="A", g1s="1", g2="K", g2s="1"), pad=s("y" * 5000))
    meter = Meter()
    meter.write("t", WITH_INDEXES, None, big)
    assert units(meter, "all") == {"A": 5} and units(meter, "keys") == {"K": 1}
    assert WITH_INDEXES.entry(big, WITH_INDEXES.indexes[1]) == {k: big[k] for k in ("pk", "sk", "g2", "g2s")}


def test_the_schema_comes_from_the_template():
    from chalicelib.local import template
    table = template.load(template.RESOURCES_TEMPLATE)["Resources"]["Table"]["Properties"]
    schema = Schema.from_description(table)
    assert (schema.hash, schema.range) == ("pk", "sk")
    assert {i.name: i.projection for i in schema.indexes} == {"gsi1": "ALL", "gsi2": "ALL", "gsi3": "INCLUDE",
                                                               "gsi4": "INCLUDE"}
    lean = next(i for i in schema.indexes if i.name == "gsi4")
    order = {"pk": s("M#m#O#o1"), "sk": s("ORDER"), "gsi4pk": s("M#m#DESK#3"), "gsi4sk": s("1#t#o1"),
             "order_id": s("o1"), "merchant_id": s("m"), "lines": {"L": [s("x" * 3000)]}}
    assert set(schema.entry(order, lean)) == {"pk", "sk", "gsi4pk", "gsi4sk", "order_id", "merchant_id"}

"""The warehouse day (bench/warehouse_day.py): a seeded simulation of a busy day on the live local
stack with faults on, and the invariants checked at its end.

    world.py       the merchant, its catalog, desk, channels and webhook receiver, set up by HTTP
    calls.py       HTTP calls as a real client makes them: retried on timeouts and 5xx, counted
    ledger.py      what the simulated clients were told (the checks compare it with the table)
    actors.py      channels, refunds, operators, the ERP, the spreadsheets, the schedule's ticks
    receiver.py    the merchant's webhook receiver, failing a share of deliveries
    invariants.py  the checks, from the table, the bucket and the receiver
    report.py      the table printed, the JSON file, the last line
"""

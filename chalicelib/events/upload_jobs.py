"""Jobs-queue messages of spreadsheet uploads and exports."""


def _upload_chunk(body: dict, meta: dict) -> None:
    from chalicelib.services import upload_runner
    upload_runner.run(body["merchant_id"], body["job_id"], meta)


def _export_orders(body: dict, meta: dict) -> None:
    from chalicelib.services import exports
    exports.run(body["merchant_id"], body["job_id"], meta)


HANDLERS = {"upload.chunk": _upload_chunk, "export.orders": _export_orders}
